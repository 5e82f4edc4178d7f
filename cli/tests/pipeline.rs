//! `stella pipeline sign` and `stella audit verify`, end to end through the binary: a real
//! configuration directory (JWKS files, a signed entitlement, a key, an audit log) and requests
//! with a DPoP-bound token minted here.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod minted;

use std::path::Path;
use std::process::{Command, Output};

use minted::{object, write_jwks};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use stellaops_signer::{
    Algorithm, Envelope, EnvelopeLimits, SigningKey, SoftwareKey, VerificationPolicy,
};

const URI: &str = "https://signer.stella.test/api/v1/sign";

struct Setup {
    dir: tempfile::TempDir,
    authority: SoftwareKey,
    licensing: SoftwareKey,
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
    let s = Setup {
        dir,
        authority,
        licensing,
        client,
        signer,
    };
    s.entitle("acme", &["signer.sign"]);
    s
}

impl Setup {
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Write `tenant`'s signed entitlement (plan "team") with `features`.
    fn entitle(&self, tenant: &str, features: &[&str]) {
        let doc = minted::entitlement(&self.licensing, tenant, features);
        std::fs::write(self.path(&format!("entitlements/{tenant}.jws")), doc).unwrap();
    }

    /// The caller's members of a request: a DPoP-bound token for `tenant` and its proof, both
    /// fresh (`jti` must differ per request: replayed proofs are refused).
    fn caller(&self, tenant: &str, jti: &str) -> Map<String, Value> {
        let token = minted::token(&self.authority, tenant, jti, minted::dpop_cnf(&self.client));
        let proof = minted::proof(&self.client, &token, "POST", URI, &format!("proof-{jti}"));
        object(json!({
            "access_token": token,
            "dpop_proof": proof,
            "uri": URI,
            "tenant": tenant,
            "trace_id": format!("trace-{jti}"),
        }))
    }

    /// A caller file for `--caller`.
    fn caller_file(&self, tenant: &str, jti: &str) -> std::path::PathBuf {
        let path = self.path(&format!("caller-{jti}.json"));
        std::fs::write(&path, Value::Object(self.caller(tenant, jti)).to_string()).unwrap();
        path
    }

    fn request(&self, tenant: &str, jti: &str) -> std::path::PathBuf {
        let mut request = self.caller(tenant, jti);
        request.extend(object(json!({
            "predicate_type": "vex",
            "predicate": {"statements": []},
            "subjects": [{"name": "app.tar", "digest": {"sha256": hex::encode(Sha256::digest(b"app"))}}],
            "artifact_bytes": 3,
        })));
        let path = self.path(&format!("request-{jti}.json"));
        std::fs::write(&path, Value::Object(request).to_string()).unwrap();
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

    /// `stella COMMAND... --pipeline pipeline.toml --caller CALLER REST...` with a fresh caller
    /// file for `tenant`.
    fn through_pipeline(
        &self,
        command: &[&str],
        tenant: &str,
        jti: &str,
        rest: &[&dyn AsRef<std::ffi::OsStr>],
    ) -> Output {
        let config = self.path("pipeline.toml");
        let caller = self.caller_file(tenant, jti);
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = command
            .iter()
            .map(|c| c as &dyn AsRef<std::ffi::OsStr>)
            .collect();
        args.extend([
            &"--pipeline" as &dyn AsRef<std::ffi::OsStr>,
            &config,
            &"--caller",
            &caller,
        ]);
        args.extend_from_slice(rest);
        self.stella(&args)
    }

    fn stella(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        self.stella_with_env(args, &[])
    }

    fn stella_with_env(
        &self,
        args: &[&dyn AsRef<std::ffi::OsStr>],
        env: &[(&str, &str)],
    ) -> Output {
        Command::new(env!("CARGO_BIN_EXE_stella"))
            .args(args.iter().map(|a| a.as_ref()))
            .env("STELLA_HOME", self.path("home"))
            .env_remove("STELLAOPS_LOG_LEVEL")
            .envs(env.iter().copied())
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
    assert_eq!(outcome["issuer_mode"], "software");
    assert_eq!(outcome["poe_state"], "fresh");
    assert_eq!(outcome["binding"], "dpop");
    assert_eq!(outcome["trace_id"], "trace-r1");
    assert_eq!(outcome["key_id"], s.signer.key_id().to_string());
    assert_eq!(outcome["key_ids"], json!([s.signer.key_id().to_string()]));
    assert_eq!(outcome["admission"], "allowed");
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
fn decisions_are_logged_as_json_or_text_at_the_level_asked() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let sign = |format: &str, level: &str, trace: &str| {
        let request = s.request("acme", trace);
        s.stella_with_env(
            &[
                &"--log-format",
                &format,
                &"pipeline",
                &"sign",
                &"--config",
                &config,
                &"--request",
                &request,
            ],
            &[("STELLAOPS_LOG_LEVEL", level)],
        )
    };
    // info, JSON: one decision object on stderr with the design's fields.
    let out = sign("json", "info", "j1");
    assert!(out.status.success(), "{}", stderr(&out));
    let decisions: Vec<Value> = stderr(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["target"] == "stellaops_signer::decision")
        .collect();
    assert_eq!(decisions.len(), 1, "{}", stderr(&out));
    let d = &decisions[0];
    assert_eq!(d["message"], "signing decision");
    assert_eq!(d["level"], "info");
    assert_eq!(d["trace_id"], "trace-j1");
    assert_eq!(d["tenant"], "acme");
    assert_eq!(d["decision"], "allowed");
    assert_eq!(d["issuer_mode"], "software");
    assert_eq!(d["key_ids"], s.signer.key_id().to_string());
    assert!(d["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(d["subject_digests"].as_str().unwrap().contains("@sha256:"));

    // info, text: one escaped line.
    let out = sign("text", "info", "t1");
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stderr(&out);
    assert!(
        line.lines()
            .any(|l| l.starts_with("stella: info: signing decision")
                && l.contains("decision=allowed")
                && l.contains("trace_id=trace-t1")),
        "{line}"
    );
    // The default (error) and off: nothing for a decision.
    for level in ["error", "off"] {
        let out = sign("json", level, &format!("q-{level}"));
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            !stderr(&out).contains("signing decision"),
            "{}",
            stderr(&out)
        );
    }
    // A level that is none: a usage error naming the variable.
    let out = sign("json", "loud", "bad");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("STELLAOPS_LOG_LEVEL"),
        "{}",
        stderr(&out)
    );
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

/// Issue 22: a request may carry a whole statement (what the faces' document builders make)
/// instead of predicate type, predicate and subjects; giving both forms, or neither, is refused
/// before anything is audited.
#[test]
fn a_request_may_carry_a_statement_built_from_a_document() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let promotion = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/predicates/promotion.json"),
    )
    .unwrap();
    let statement = stellaops_signer::promotion_statement(&promotion, &Default::default())
        .unwrap()
        .to_json()
        .unwrap();
    let statement: Value = serde_json::from_slice(&statement).unwrap();
    let request = s.request_with("st1", json!({"statement": statement, "artifact_bytes": 10}));
    let out = s.pipeline_sign(&config, &request);
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    let envelope = outcome["envelope"].to_string();
    let path = s.path("promotion.dsse.json");
    std::fs::write(&path, envelope).unwrap();
    let signed = signed_statement(&path, &s.signer);
    assert_eq!(signed, statement);
    assert_eq!(signed["predicateType"], "stella.ops/promotion@v1");
    assert_eq!(s.audit_records().len(), 1);

    for (jti, body, says) in [
        (
            "st2",
            json!({"statement": statement, "predicate_type": "vex"}),
            "give one form",
        ),
        ("st3", json!({"artifact_bytes": 1}), "or a \"statement\""),
        (
            "st4",
            json!({"statement": {"_type": "https://in-toto.io/Statement/v1"}}),
            "predicateType",
        ),
    ] {
        let out = s.pipeline_sign(&config, &s.request_with(jti, body));
        assert_eq!(out.status.code(), Some(2), "{jti}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{jti}: {}", stderr(&out));
    }
    // Refused before the pipeline: still one audit record.
    assert_eq!(s.audit_records().len(), 1);
}

/// The statement an envelope file carries, after checking the signature with `key`.
fn signed_statement(path: &Path, key: &SoftwareKey) -> Value {
    let envelope =
        Envelope::from_json(&std::fs::read(path).unwrap(), &EnvelopeLimits::default()).unwrap();
    let policy = VerificationPolicy::new([key.public_key().clone()], 1, None).unwrap();
    envelope.verify(&policy).unwrap();
    serde_json::from_slice(envelope.payload()).unwrap()
}

#[test]
fn document_flows_sign_through_the_pipeline_for_the_callers_tenant() {
    let s = setup();
    let public = s.path("signer.pub");
    std::fs::write(&public, s.signer.public_key().to_spki_pem().unwrap()).unwrap();

    // An export: the manifest names the caller's tenant, and `export verify` accepts it with
    // the pipeline's key.
    let export = s.path("export");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(export.join("sbom.json"), b"{}").unwrap();
    std::fs::write(export.join("report.json"), b"[]").unwrap();
    let (manifest, envelope) = (s.path("manifest.json"), s.path("export.dsse.json"));
    let out = s.through_pipeline(
        &["export", "sign"],
        "acme",
        "e1",
        &[
            &"--created-at",
            &"2026-11-30T00:00:00Z",
            &"--manifest",
            &manifest,
            &"--envelope",
            &envelope,
            &export,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pipeline signed for tenant acme"),
        "{}",
        stderr(&out)
    );
    let m: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    assert_eq!(m["tenant"], "acme");
    let out = s.stella(&[
        &"export",
        &"verify",
        &"--key",
        &public,
        &"--manifest",
        &manifest,
        &"--envelope",
        &envelope,
        &export,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    // An SBOM and a report.
    let sbom = s.path("app.cdx.json");
    let digest = hex::encode(Sha256::digest(b"app"));
    std::fs::write(&sbom, json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
        "metadata": {"component": {"name": "app", "hashes": [{"alg": "SHA-256", "content": digest}]}}})
        .to_string()).unwrap();
    let out_sbom = s.path("sbom.dsse.json");
    let out = s.through_pipeline(
        &["sign", "sbom"],
        "acme",
        "s1",
        &[&"--out", &out_sbom, &sbom],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let statement = signed_statement(&out_sbom, &s.signer);
    assert_eq!(statement["predicateType"], "https://cyclonedx.org/bom");
    assert_eq!(statement["subject"][0]["digest"]["sha256"], digest);

    let report =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/predicates/report.json");
    let out_report = s.path("report.dsse.json");
    let out = s.through_pipeline(
        &["sign", "report"],
        "acme",
        "r1",
        &[&"--out", &out_report, &report],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        signed_statement(&out_report, &s.signer)["predicateType"],
        "stella.ops/report@v1"
    );

    // A promotion, then `promotion verify` with the pipeline's key.
    let out_promotion = s.path("promotion.dsse.json");
    let artifact = format!("registry.example/app@sha256:{digest}");
    let out = s.through_pipeline(
        &["promotion", "attest"],
        "acme",
        "p1",
        &[
            &"--artifact",
            &artifact,
            &"--from",
            &"staging",
            &"--to",
            &"prod",
            &"--policy-digest",
            &format!("sha256:{digest}"),
            &"--view",
            &"default",
            &"--promoted-at",
            &"2026-11-30T00:00:00Z",
            &"--out",
            &out_promotion,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s.stella(&[
        &"promotion",
        &"verify",
        &"--key",
        &public,
        &"--target",
        &"prod",
        &out_promotion,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Another tenant has no entitlement: denied, exit 1, and nothing written.
    let denied = s.path("denied.dsse.json");
    let out = s.through_pipeline(
        &["sign", "sbom"],
        "globex",
        "d1",
        &[&"--out", &denied, &sbom],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("denied (poe.missing)"),
        "{}",
        stderr(&out)
    );
    assert!(!denied.exists());

    // Every decision is in the audit log, with the flow's predicate type.
    let log = std::fs::read_to_string(s.path("audit.jsonl")).unwrap();
    let records: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["record"].clone())
        .collect();
    let decisions: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["decision"].as_str().unwrap(),
                r["predicate_type"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        [
            ("allowed", "stella.ops/export@v1"),
            ("allowed", "https://cyclonedx.org/bom"),
            ("allowed", "stella.ops/report@v1"),
            ("allowed", "stella.ops/promotion@v1"),
            // The statement is built before the pipeline runs, so even a denial names its type.
            ("denied", "https://cyclonedx.org/bom"),
        ]
    );

    // Local keys and the pipeline are exclusive.
    let out = s.through_pipeline(
        &["sign", "sbom"],
        "acme",
        "k1",
        &[&"--key", &s.path("signer.pem"), &sbom],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Issue 20, defect 1: unauthenticated requests with huge caller-supplied fields are denied,
/// the audit log stays verifiable (the fields are cut, and the record says so), and the next
/// request signs.
#[test]
fn huge_caller_fields_cannot_break_the_audit_chain() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let huge = "t".repeat(2 << 20);
    let subjects: Vec<Value> = (0..9000)
        .map(|i| json!({"name": format!("s{i}"), "digest": {"sha256": hex::encode(Sha256::digest(b"x"))}}))
        .collect();
    // Each makes a statement (so it reaches the pipeline and its audit log) and is then refused.
    let one = &subjects[..1];
    let attacks = [
        json!({"access_token": "x.y.z", "uri": URI, "tenant": huge, "predicate_type": "vex",
               "predicate": {"statements": []}, "subjects": one, "artifact_bytes": 3}),
        json!({"access_token": "x.y.z", "uri": URI, "tenant": "acme", "trace_id": "r".repeat(1_100_000),
               "predicate_type": "vex", "predicate": {"statements": []}, "subjects": one,
               "artifact_bytes": 3}),
        json!({"access_token": "x.y.z", "uri": URI, "tenant": "acme", "predicate_type": "vex",
               "predicate": {"statements": []}, "subjects": subjects, "artifact_bytes": 3}),
    ];
    for (i, attack) in attacks.iter().enumerate() {
        let path = s.path(&format!("attack-{i}.json"));
        std::fs::write(&path, attack.to_string()).unwrap();
        let out = s.pipeline_sign(&config, &path);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("optok.malformed"), "{}", stderr(&out));
        // Caller-supplied text is bounded in what the CLI prints, too.
        assert!(
            out.stderr.len() < 8192,
            "{} bytes on stderr",
            out.stderr.len()
        );
    }
    let log = s.path("audit.jsonl");
    let out = s.stella(&[&"audit", &"verify", &"--json", &log]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["records"], 3);
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cut = |n: usize| lines[n]["record"]["truncated"].to_string();
    assert!(cut(0).contains("tenant"), "{}", cut(0));
    assert!(cut(1).contains("trace_id"), "{}", cut(1));
    assert!(cut(2).contains("subject_digests"), "{}", cut(2));
    assert!(text.len() < 512 * 1024, "{} bytes of audit log", text.len());

    let out = s.pipeline_sign(&config, &s.request("acme", "after"));
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Issue 20, defect 3: leaving `artifact_bytes` out does not skip the plan's size limit.
#[test]
fn a_missing_artifact_size_does_not_pass_a_size_limited_plan() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let request = s.request("acme", "nosize");
    let mut doc: Map<String, Value> =
        serde_json::from_slice(&std::fs::read(&request).unwrap()).unwrap();
    doc.remove("artifact_bytes");
    std::fs::write(&request, Value::Object(doc).to_string()).unwrap();
    let out = s.pipeline_sign(&config, &request);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("denied (quota.size)"),
        "{}",
        stderr(&out)
    );
}

/// Issue 20 ("check and settle"): a DPoP window beyond an hour is refused at start-up, not
/// carried into the replay arithmetic.
#[test]
fn an_unbounded_dpop_window_is_a_configuration_error() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    // u64::MAX is beyond what TOML holds (i64); two hours is beyond what a proof may live.
    for (value, says) in [
        (
            "18446744073709551615",
            "max_age_seconds = 18446744073709551615",
        ),
        ("7200", "dpop.max_age_seconds = 7200: give 1 to 3600"),
    ] {
        std::fs::write(
            &config,
            format!("{text}\n[dpop]\nmax_age_seconds = {value}\n"),
        )
        .unwrap();
        let out = s.pipeline_sign(&config, &s.request("acme", &format!("w{value}")));
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

impl Setup {
    /// A copy of pipeline.toml whose keys come from the tenant key registry `registry` (TOML
    /// text, written beside it).
    fn config_with_registry(&self, registry: &str) -> std::path::PathBuf {
        std::fs::write(self.path("keys.toml"), registry).unwrap();
        let config = std::fs::read_to_string(self.path("pipeline.toml"))
            .unwrap()
            .replace("uri = \"signer.pem\"", "registry = \"keys.toml\"");
        let path = self.path("pipeline-registry.toml");
        std::fs::write(&path, config).unwrap();
        path
    }

    /// A request (the caller's members plus a statement) with `statement` members.
    fn request_with(&self, jti: &str, statement: Value) -> std::path::PathBuf {
        let mut request = self.caller("acme", jti);
        request.extend(object(statement));
        let path = self.path(&format!("request-{jti}.json"));
        std::fs::write(&path, Value::Object(request).to_string()).unwrap();
        path
    }

    /// The audit log's records.
    fn audit_records(&self) -> Vec<Value> {
        std::fs::read_to_string(self.path("audit.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["record"].clone())
            .collect()
    }
}

/// Issue 21: the pipeline signs keylessly for a tenant whose registry names a `keyless:` key —
/// a Fulcio certificate for the workload identity in the tenant's token file, a Rekor entry, a
/// Sigstore bundle out — and sigstore-python and sigstore-js verify that bundle offline against
/// the instance's trusted root, bound to the artifact. The audit record says `keyless`.
#[test]
fn the_pipeline_signs_keylessly_and_sigstore_python_and_js_verify_it() {
    use stellaops_tests::sigstore_local::{
        instance, sigstore_js, sigstore_python_verify, JsSigner,
    };
    let sigstore = instance();
    let s = setup();
    let workload = "exporter@acme.stellaops.local";
    let token = s.path("workload.token");
    std::fs::write(&token, sigstore.token(workload, &[])).unwrap();
    let config = s.config_with_registry(&format!(
        "[[tenant]]\nid = \"acme\"\n[[tenant.key]]\nuri = \"keyless:?fulcio={url}&rekor={url}&token-file={token}&oidc-issuer={issuer}&trusted-root={root}\"\nstatus = \"active\"\n",
        url = sigstore.url,
        token = token.display(),
        issuer = sigstore.issuer(),
        root = sigstore.trusted_root().display(),
    ));
    let artifact = s.path("app.tar.gz");
    std::fs::write(&artifact, b"the release tarball\n").unwrap();
    let statement = json!({
            "predicate_type": "https://slsa.dev/provenance/v1",
            "predicate": {"buildDefinition": {"buildType": "https://stellaops.local/build/v1",
                          "externalParameters": {}},
                          "runDetails": {"builder": {"id": "https://stellaops.local/builder"}}},
            "subjects": [{"name": "app.tar.gz",
                          "digest": {"sha256": hex::encode(Sha256::digest(b"the release tarball\n"))}}],
            "artifact_bytes": 20,
    });
    let request_statement = statement.to_string();
    let request = s.request_with("keyless", statement);
    // Keyless signing is licensed on its own: without signer.keyless the tenant is refused.
    let out = s.pipeline_sign(&config, &request);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("poe.feature"), "{}", stderr(&out));
    s.entitle("acme", &["signer.sign", "signer.keyless"]);
    let request = s.request_with(
        "keyless-2",
        serde_json::from_str(&request_statement).unwrap(),
    );
    let out = s.pipeline_sign(&config, &request);
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["issuer_mode"], "keyless");
    assert!(outcome.get("envelope").is_none());
    assert!(
        !outcome["certificate_chain"].as_array().unwrap().is_empty(),
        "a keyless outcome carries Fulcio's chain"
    );
    let bundle = s.path("app.sigstore.json");
    std::fs::write(&bundle, outcome["bundle"].to_string()).unwrap();
    assert_eq!(
        outcome["bundle_digest"],
        format!(
            "sha256:{}",
            hex::encode(Sha256::digest(outcome["bundle"].to_string()))
        ),
        "the digest is of the bundle as handed out (canonical JSON survives a round trip)"
    );

    let python = sigstore_python_verify(&sigstore, &bundle, &artifact, workload);
    assert!(
        python.status.success(),
        "sigstore-python refused the pipeline's bundle: {}",
        stderr(&python)
    );
    let js = sigstore_js(
        &bundle,
        &sigstore.trusted_root(),
        &artifact,
        JsSigner::Identity(workload, &sigstore.issuer()),
    );
    assert!(
        js.status.success(),
        "sigstore-js refused the pipeline's bundle: {}{}",
        String::from_utf8_lossy(&js.stdout),
        stderr(&js)
    );
    // Another identity is refused by sigstore-python: the check above is real.
    let other = sigstore_python_verify(
        &sigstore,
        &bundle,
        &artifact,
        "someone-else@acme.stellaops.local",
    );
    assert!(!other.status.success());

    let record = s.audit_records().pop().unwrap();
    assert_eq!(record["decision"], "allowed");
    assert_eq!(record["issuer_mode"], "keyless");
    assert_eq!(
        record["envelope_digest"], outcome["bundle_digest"],
        "the audit record holds the bundle's digest"
    );
}

/// Issue 21: a multi-signature tenant (`signatures = "all"`, two keys) gets a two-signature
/// envelope from `stella pipeline sign` that securesystemslib verifies at threshold 2; with one
/// of the keys it does not reach 2.
#[test]
fn the_pipeline_signs_with_two_keys_and_securesystemslib_verifies_at_threshold_two() {
    let s = setup();
    let second = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    std::fs::write(
        s.path("second.pem"),
        second.to_pkcs8_pem().unwrap().as_bytes(),
    )
    .unwrap();
    let config = s.config_with_registry(&format!(
        "[[tenant]]\nid = \"acme\"\nsignatures = \"all\"\n\
         [[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n\
         [[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n",
        s.path("signer.pem").display(),
        s.path("second.pem").display(),
    ));
    let out = s.pipeline_sign(&config, &s.request("acme", "two"));
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        outcome["key_ids"],
        json!([s.signer.key_id().as_str(), second.key_id().as_str()])
    );
    assert_eq!(outcome["algorithms"], json!(["ed25519", "es256"]));
    assert_eq!(outcome["issuer_mode"], "software");
    let envelope = outcome["envelope"].to_string();
    let dir = tempfile::tempdir().unwrap();
    let (ok, said) =
        stellaops_tests::sslib_verify(dir.path(), envelope.as_bytes(), &[&s.signer, &second], 2);
    assert!(ok, "securesystemslib refused the two-key envelope: {said}");
    let (ok, _) = stellaops_tests::sslib_verify(dir.path(), envelope.as_bytes(), &[&second], 2);
    assert!(!ok, "one key cannot reach threshold 2");
    let record = s.audit_records().pop().unwrap();
    assert_eq!(
        record["key_id"],
        format!("{},{}", s.signer.key_id(), second.key_id())
    );
    assert_eq!(record["issuer_mode"], "software");
}

/// Issue 21: the policy sections are read by stellaops-poe, so a typo in a bypass expiry is a
/// configuration error naming the setting (exit 2), not a key error.
#[test]
fn a_bad_expiry_in_a_policy_section_names_the_setting() {
    let s = setup();
    let config = s.path("pipeline.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "licensing_jwks = \"licensing-jwks.json\"",
        "licensing_jwks = \"licensing-jwks.json\"\n[entitlement.bypass]\nreason = \"INC-1\"\nexpires_at = \"2026-13-40T00:00:00Z\"",
    );
    std::fs::write(&config, text).unwrap();
    let out = s.pipeline_sign(&config, &s.request("acme", "bypass"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(said.contains("entitlement.bypass.expires_at"), "{said}");
    assert!(said.contains("not an RFC 3339 time"), "{said}");
}
