//! `stella pipeline sign` and `stella audit verify`, end to end through the binary: a real
//! configuration directory (JWKS files, a signed entitlement, a key, an audit log) and requests
//! with a DPoP-bound token minted here.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use stellaops_signer::policy::jws::sign_compact;
use stellaops_signer::policy::thumbprint::jwk_thumbprint;
use stellaops_signer::{
    Algorithm, Envelope, EnvelopeLimits, SigningKey, SoftwareKey, VerificationPolicy,
};

const ISSUER: &str = "https://authority.stella.test";
const URI: &str = "https://signer.stella.test/api/v1/sign";

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn public_jwk(k: &SoftwareKey) -> Map<String, Value> {
    object(serde_json::from_str(&k.public_key().to_jwk().unwrap()).unwrap())
}

fn write_jwks(path: &Path, kid: &str, k: &SoftwareKey) {
    let mut jwk = public_jwk(k);
    jwk.insert("kid".into(), json!(kid));
    std::fs::write(path, json!({"keys": [Value::Object(jwk)]}).to_string()).unwrap();
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

struct Setup {
    dir: tempfile::TempDir,
    authority: SoftwareKey,
    client: SoftwareKey,
    signer: SoftwareKey,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let authority = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let licensing = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let client = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let signer = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    write_jwks(&d.join("authority-jwks.json"), "a1", &authority);
    write_jwks(&d.join("licensing-jwks.json"), "lic", &licensing);
    std::fs::create_dir(d.join("entitlements")).unwrap();
    let doc = sign_compact(
        &licensing,
        object(json!({"typ": "entitlement+jwt", "kid": "lic"})),
        json!({"tid": "acme", "plan": "team", "features": ["signer.sign"],
               "license_id": "lic-1", "exp": now() + 86_400})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    std::fs::write(d.join("entitlements/acme.jws"), doc).unwrap();
    std::fs::write(
        d.join("signer.pem"),
        signer.to_pkcs8_pem().unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(
        d.join("pipeline.toml"),
        r#"
[authority]
issuer = "https://authority.stella.test"
jwks = "authority-jwks.json"

[entitlement]
source = "documents"
documents = "entitlements"
licensing_jwks = "licensing-jwks.json"

[quotas]
store = "memory"
default = { max_artifact_bytes = 1000000 }

[release]
check = false

[keys]
uri = "signer.pem"

[audit]
path = "audit.jsonl"
"#,
    )
    .unwrap();
    Setup {
        dir,
        authority,
        client,
        signer,
    }
}

impl Setup {
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn request(&self, tenant: &str, jti: &str) -> std::path::PathBuf {
        let jkt = jwk_thumbprint(&public_jwk(&self.client)).unwrap();
        let token = sign_compact(
            &self.authority,
            object(json!({"typ": "at+jwt", "kid": "a1"})),
            json!({"iss": ISSUER, "aud": "signer", "sub": "svc:exporter", "tid": tenant,
                   "scope": "signer.sign", "jti": jti, "iat": now(), "exp": now() + 120,
                   "cnf": {"jkt": jkt}})
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let proof = sign_compact(
            &self.client,
            object(json!({"typ": "dpop+jwt", "jwk": Value::Object(public_jwk(&self.client))})),
            json!({"jti": format!("proof-{jti}"), "htm": "POST", "htu": URI, "iat": now(),
                   "ath": URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))})
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let request = json!({
            "access_token": token,
            "dpop_proof": proof,
            "uri": URI,
            "tenant": tenant,
            "predicate_type": "vex",
            "predicate": {"statements": []},
            "subjects": [{"name": "app.tar", "digest": {"sha256": hex::encode(Sha256::digest(b"app"))}}],
            "artifact_bytes": 3,
            "trace_id": format!("trace-{jti}"),
        });
        let path = self.path(&format!("request-{jti}.json"));
        std::fs::write(&path, request.to_string()).unwrap();
        path
    }

    /// `stella pipeline sign --config CONFIG --request REQUEST`.
    fn pipeline_sign(&self, config: &Path, request: &Path) -> Output {
        self.stella(&[
            &"pipeline",
            &"sign",
            &"--config",
            &config,
            &"--request",
            &request,
        ])
    }

    fn stella(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_stella"))
            .args(args.iter().map(|a| a.as_ref()))
            .env("STELLA_HOME", self.path("home"))
            .output()
            .unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn pipeline_sign_then_audit_verify() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let out = s.pipeline_sign(&config, &s.request("acme", "r1"));
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["issuer_mode"], "keyful");
    assert_eq!(outcome["poe_state"], "fresh");
    assert_eq!(outcome["binding"], "dpop");
    assert_eq!(outcome["trace_id"], "trace-r1");
    assert_eq!(outcome["key_id"], s.signer.key_id().to_string());
    // The envelope verifies with the signer's public key.
    let envelope = Envelope::from_json(
        outcome["envelope"].to_string().as_bytes(),
        &EnvelopeLimits::default(),
    )
    .unwrap();
    let policy = VerificationPolicy::new([s.signer.public_key().clone()], 1, None).unwrap();
    envelope.verify(&policy).unwrap();

    // Another tenant's request: denied with its reason, exit 1, and audited too.
    let out = s.pipeline_sign(&config, &s.request("globex", "r2"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("denied (poe.missing)"),
        "{}",
        stderr(&out)
    );

    let log = s.path("audit.jsonl");
    let out = s.stella(&[&"audit", &"verify", &"--json", &log]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["records"], 2);

    // Edit the first record: audit verify names line 1 and exits 1.
    let text = std::fs::read_to_string(&log).unwrap();
    let edited = text.replacen("\"decision\":\"allowed\"", "\"decision\":\"denied\"", 1);
    assert_ne!(text, edited);
    std::fs::write(&log, edited).unwrap();
    let out = s.stella(&[&"audit", &"verify", &log]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("line 1: edited"), "{}", stderr(&out));

    // And a signer refuses to append to a broken log: nothing is signed.
    let out = s.pipeline_sign(&config, &s.request("acme", "r3"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("broken at line 1"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn pipeline_refuses_bad_configuration_and_requests() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let bad = s.path("bad.toml");
    std::fs::write(&bad, "[authority]\nissuer = 1\n").unwrap();
    let out = s.pipeline_sign(&bad, &s.request("acme", "x"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pipeline configuration"),
        "{}",
        stderr(&out)
    );

    let request = s.path("dup.json");
    std::fs::write(&request, r#"{"tenant": "a", "tenant": "b"}"#).unwrap();
    let out = s.pipeline_sign(&config, &request);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("duplicate"), "{}", stderr(&out));
}
