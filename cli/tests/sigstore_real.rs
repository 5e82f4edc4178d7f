//! Signing against the real Sigstore servers (scripts/services.sh builds them from their Go
//! modules): Fulcio v1.8.8 with a file CA and TesseraCT v0.1.1 as its CT log, the timestamp
//! authority v2.1.3, Rekor v1.5.4 on Trillian v1.7.3 and MariaDB. Other people's verifiers judge the
//! result: sigstore-python and sigstore-js verify our bundles offline against the servers'
//! trusted root, RFC 3161 timestamps included; an altered timestamp does not count (sigstore-go's
//! and sigstore-python's rule; sigstore-js refuses the bundle).

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use serde_json::Value;
use stellaops_tests::sigstore_local::{
    real, sigstore_js, sigstore_python_verify, slsa_inputs as inputs, stella_key,
    stella_verify_keyless, JsSigner, RealSigstore,
};

const EMAIL: &str = "ci-bot@stellaops.local";
const SLSA_V1: &str = "https://slsa.dev/provenance/v1";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `stella attest --keyless` against real Fulcio (and the real Rekor v1 unless `extra`
/// names another `--rekor-url`), with `extra` flags, into `out`.
fn attest_keyless(s: &RealSigstore, dir: &Path, extra: &[&str], out: &Path) -> Output {
    let (artifact, predicate) = inputs(dir);
    let token = s.trust.token(EMAIL, &[]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_stella"));
    command
        .env("STELLAOPS_OIDC_TOKEN", token)
        .env_remove("STELLAOPS_OIDC_TOKEN_FILE")
        .args(["attest", "--keyless"]);
    if !extra.contains(&"--signing-config") {
        command.args(["--fulcio-url", &s.fulcio]);
        if !extra.contains(&"--rekor-url") {
            command.args(["--rekor-url", &s.rekor_v1]);
        }
    }
    command
        .args(["--oidc-issuer", &s.trust.issuer()])
        .arg("--trusted-root")
        .arg(s.trust.trusted_root())
        .args(["--predicate-type", SLSA_V1, "--predicate"])
        .arg(&predicate)
        .args(extra)
        .arg("--out")
        .arg(out)
        .arg(&artifact)
        .output()
        .unwrap()
}

/// [`attest_keyless`] that must succeed: the bundle's path and JSON.
fn signed(s: &RealSigstore, dir: &Path, extra: &[&str]) -> (PathBuf, Value) {
    let path = dir.join("app.sigstore.json");
    let out = attest_keyless(s, dir, extra, &path);
    assert!(out.status.success(), "{}", stderr(&out));
    let bundle = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (path, bundle)
}

fn stella_verify(s: &RealSigstore, bundle: &Path, artifact: &Path) -> Output {
    let stella = Path::new(env!("CARGO_BIN_EXE_stella"));
    stella_verify_keyless(stella, &s.trust, bundle, artifact, EMAIL)
}

/// sigstore-js verifying `bundle` for [`EMAIL`] from the stand-in's issuer, bound to
/// `artifact`.
fn sigstore_js_keyless(s: &RealSigstore, bundle: &Path, artifact: &Path) -> Output {
    let issuer = s.trust.issuer();
    sigstore_js(
        bundle,
        &s.trust.trusted_root(),
        artifact,
        JsSigner::Identity(EMAIL, &issuer),
    )
}

/// The issuer of the bundle's leaf certificate, as OpenSSL prints it.
fn certificate_issuer(bundle: &Value, dir: &Path) -> String {
    let der = B64
        .decode(
            bundle["verificationMaterial"]["certificate"]["rawBytes"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let path = dir.join("leaf.der");
    std::fs::write(&path, der).unwrap();
    let out = Command::new("openssl")
        .args([
            "x509",
            "-inform",
            "DER",
            "-noout",
            "-issuer",
            "-ext",
            "ct_precert_scts",
            "-in",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn keyless_with_a_timestamp_from_real_servers_verifies_with_sigstore_python_and_sigstore_js() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (bundle_path, bundle) = signed(&s, dir.path(), &["--timestamp-url", &s.tsa]);

    // Real Fulcio issued the certificate (its file CA), with an SCT from TesseraCT.
    let issuer = certificate_issuer(&bundle, dir.path());
    assert!(issuer.contains("Fulcio test root"), "{issuer}");
    assert!(issuer.contains("Signed Certificate Timestamp"), "{issuer}");
    // One RFC 3161 timestamp, a TimeStampResp granted by the TSA (status 0).
    let stamps = bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array()
        .unwrap();
    assert_eq!(stamps.len(), 1);
    let resp = B64
        .decode(stamps[0]["signedTimestamp"].as_str().unwrap())
        .unwrap();
    assert_eq!(&resp[..2], &[0x30, 0x82], "a DER SEQUENCE");
    assert_eq!(
        &resp[4..9],
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        "PKIStatus granted"
    );

    let artifact = dir.path().join("app.tar.gz");
    let ours = stella_verify(&s, &bundle_path, &artifact);
    assert!(ours.status.success(), "stella verify: {}", stderr(&ours));
    // Two verified times: the log's integrated time and the TSA's.
    assert_eq!(verified_times(&ours), 2, "{}", stdout(&ours));
    assert!(!stdout(&ours).contains("not counted"), "{}", stdout(&ours));
    let python = sigstore_python_verify(&s.trust, &bundle_path, &artifact, EMAIL);
    assert!(
        python.status.success(),
        "sigstore-python rejected our timestamped bundle: {}{}",
        stdout(&python),
        stderr(&python)
    );
    let js = sigstore_js_keyless(&s, &bundle_path, &artifact);
    assert!(js.status.success(), "sigstore-js: {}", stderr(&js));

    // The same bundle with the timestamp's signed time changed (one digit of genTime): no
    // trusted authority verifies it any more. sigstore-go's rule, which sigstore-python follows
    // and so do we: it does not count, the log's time still does, the bundle verifies and says
    // which timestamp did not count. sigstore-js refuses the whole bundle instead.
    let mut altered = resp.clone();
    let at = altered
        .windows(2)
        .position(|w| w == [0x18, 0x0f])
        .expect("a GeneralizedTime in the token")
        + 2
        + 10;
    altered[at] ^= 0x01;
    let tampered_path = with_timestamps(&bundle, &[&altered], dir.path(), "tampered");
    let ours = stella_verify(&s, &tampered_path, &artifact);
    assert!(ours.status.success(), "{}", stderr(&ours));
    assert!(
        stdout(&ours).contains("not counted: RFC 3161 timestamp 1:"),
        "{}",
        stdout(&ours)
    );
    assert_eq!(verified_times(&ours), 1, "{}", stdout(&ours));
    let python = sigstore_python_verify(&s.trust, &tampered_path, &artifact, EMAIL);
    assert!(
        python.status.success(),
        "sigstore-python: {}",
        stderr(&python)
    );
    let js = sigstore_js_keyless(&s, &tampered_path, &artifact);
    assert_eq!(js.status.code(), Some(1), "sigstore-js: {}", stderr(&js));

    // The good timestamp's base64 wrapped every 76 characters, as MIME encoders write it:
    // sigstore-python reads it, and so do we (both times verified).
    let mut wrapped = bundle.clone();
    let text = B64.encode(&resp);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    wrapped["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
        ["signedTimestamp"] = Value::String(lines.join("\n"));
    let wrapped_path = dir.path().join("wrapped.sigstore.json");
    std::fs::write(&wrapped_path, serde_json::to_vec(&wrapped).unwrap()).unwrap();
    let ours = stella_verify(&s, &wrapped_path, &artifact);
    assert!(ours.status.success(), "{}", stderr(&ours));
    assert_eq!(verified_times(&ours), 2, "{}", stdout(&ours));
    let python = sigstore_python_verify(&s.trust, &wrapped_path, &artifact, EMAIL);
    assert!(
        python.status.success(),
        "sigstore-python: {}",
        stderr(&python)
    );

    // The good timestamp twice would count one authority twice: refused, as sigstore-go does.
    let twice = with_timestamps(&bundle, &[&resp, &resp], dir.path(), "twice");
    let ours = stella_verify(&s, &twice, &artifact);
    assert_eq!(ours.status.code(), Some(1), "{}", stderr(&ours));
    assert!(stderr(&ours).contains("appears twice"), "{}", stderr(&ours));
}

/// A change made to a bundle's JSON.
type Edit = fn(&mut Value);

/// `bundle` with its RFC 3161 timestamps replaced by `stamps`, written as `name`.
fn with_timestamps(bundle: &Value, stamps: &[&[u8]], dir: &Path, name: &str) -> PathBuf {
    let mut changed = bundle.clone();
    changed["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"] = stamps
        .iter()
        .map(|s| serde_json::json!({ "signedTimestamp": B64.encode(s) }))
        .collect();
    let path = dir.join(format!("{name}.sigstore.json"));
    std::fs::write(&path, serde_json::to_vec(&changed).unwrap()).unwrap();
    path
}

/// How many verified signing times `stella verify` printed.
fn verified_times(out: &Output) -> usize {
    stdout(out)
        .lines()
        .find(|l| l.contains("verified signing time"))
        .unwrap_or_default()
        .matches('Z')
        .count()
}

#[test]
fn a_timestamp_authority_that_refuses_fails_the_signing_and_writes_nothing() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let bundle_path = dir.path().join("app.sigstore.json");
    // The TSA's root instead of its request path: 404, a clear error, no bundle.
    let wrong = s.tsa.trim_end_matches("/api/v1/timestamp").to_owned() + "/nothing-here";
    let out = attest_keyless(&s, dir.path(), &["--timestamp-url", &wrong], &bundle_path);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("timestamp authority"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
    assert!(!bundle_path.exists());
}

#[test]
fn keyful_bundles_with_timestamps_on_rekor_v1_and_v2_verify_with_sigstore_js() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (artifact, predicate) = inputs(dir.path());
    let stella = Path::new(env!("CARGO_BIN_EXE_stella"));
    let key = stella_key(stella, "es256", &dir.path().join("p256.key"));
    let public = dir.path().join("p256.pub");
    let out = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&key)
        .arg("-out")
        .arg(&public)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // Rekor v1 (rekor-server on Trillian) and Rekor v2 (rekor-tiles), both timestamped.
    for (rekor, version) in [(&s.rekor_v1, "1"), (&s.rekor_v2, "2")] {
        let bundle_path = dir.path().join(format!("keyful-v{version}.sigstore.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_stella"))
            .args(["attest", "--sigstore-bundle", "--rekor-url", rekor])
            .args(["--rekor-version", version, "--timestamp-url", &s.tsa])
            .arg("--key")
            .arg(&key)
            .arg("--trusted-root")
            .arg(s.trust.trusted_root())
            .args(["--predicate-type", SLSA_V1, "--predicate"])
            .arg(&predicate)
            .arg("--out")
            .arg(&bundle_path)
            .arg(&artifact)
            .output()
            .unwrap();
        assert!(out.status.success(), "v{version}: {}", stderr(&out));
        let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle_path).unwrap()).unwrap();
        let material = &bundle["verificationMaterial"];
        assert_eq!(
            material["timestampVerificationData"]["rfc3161Timestamps"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        let kind = &material["tlogEntries"][0]["kindVersion"];
        let expected = if version == "1" {
            ("dsse", "0.0.1")
        } else {
            ("hashedrekord", "0.0.2")
        };
        assert_eq!(
            (kind["kind"].as_str(), kind["version"].as_str()),
            (Some(expected.0), Some(expected.1))
        );
        let js = sigstore_js(
            &bundle_path,
            &s.trust.trusted_root(),
            &artifact,
            JsSigner::Key(&public),
        );
        assert!(
            js.status.success(),
            "sigstore-js, v{version}: {}",
            stderr(&js)
        );
    }
}

#[test]
fn rekor_v2_bundles_are_written_read_and_refused_when_tampered() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (bundle_path, bundle) = signed(
        &s,
        dir.path(),
        &[
            "--rekor-url",
            &s.rekor_v2,
            "--rekor-version",
            "2",
            "--timestamp-url",
            &s.tsa,
        ],
    );
    // A Rekor v2 entry: hashedrekord 0.0.2 over the envelope's PAE, an inclusion proof with a
    // signed checkpoint, no integrated time and no signed entry timestamp.
    let entry = &bundle["verificationMaterial"]["tlogEntries"][0];
    assert_eq!(entry["kindVersion"]["kind"], "hashedrekord");
    assert_eq!(entry["kindVersion"]["version"], "0.0.2");
    assert!(entry.get("inclusionPromise").is_none(), "{entry}");
    assert!(
        entry.get("integratedTime").is_none_or(|t| t == "0"),
        "{entry}"
    );
    let checkpoint = entry["inclusionProof"]["checkpoint"]["envelope"]
        .as_str()
        .unwrap();
    // The origin is the log's host name (what sigstore-go and sigstore-js match it against).
    assert!(checkpoint.starts_with("127.0.0.1\n"), "{checkpoint}");

    let artifact = dir.path().join("app.tar.gz");
    let ours = stella_verify(&s, &bundle_path, &artifact);
    assert!(ours.status.success(), "stella verify: {}", stderr(&ours));
    assert!(
        stdout(&ours).contains("logged in Rekor (hashedrekord 0.0.2 entry, index")
            && stdout(&ours).contains("inclusion proof and signed checkpoint checked"),
        "{}",
        stdout(&ours)
    );
    let python = sigstore_python_verify(&s.trust, &bundle_path, &artifact, EMAIL);
    assert!(
        python.status.success(),
        "sigstore-python rejected our Rekor v2 bundle: {}{}",
        stdout(&python),
        stderr(&python)
    );
    let js = |path: &Path| sigstore_js_keyless(&s, path, &artifact);
    assert!(
        js(&bundle_path).status.success(),
        "sigstore-js: {}",
        stderr(&js(&bundle_path))
    );

    // Well-formed bundles that do not verify: exit 1 ("verification failed"), never 2, and
    // every verifier refuses them.
    let edits: [(&str, Edit); 3] = [
        ("another checkpoint root", |b| {
            let envelope = &mut b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
                ["checkpoint"]["envelope"];
            let text = envelope.as_str().unwrap().to_owned();
            let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
            let mut root = B64.decode(&lines[2]).unwrap();
            root[0] ^= 0x01;
            lines[2] = B64.encode(root);
            *envelope = Value::String(lines.join("\n"));
        }),
        ("no inclusion proof", |b| {
            b["verificationMaterial"]["tlogEntries"][0]
                .as_object_mut()
                .unwrap()
                .remove("inclusionProof");
        }),
        ("no checkpoint", |b| {
            b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
                .as_object_mut()
                .unwrap()
                .remove("checkpoint");
        }),
    ];
    for (what, edit) in edits {
        let mut changed = bundle.clone();
        edit(&mut changed);
        let path = dir.path().join("edited.sigstore.json");
        std::fs::write(&path, serde_json::to_vec(&changed).unwrap()).unwrap();
        let ours = stella_verify(&s, &path, &artifact);
        assert_eq!(ours.status.code(), Some(1), "{what}: {}", stderr(&ours));
        let python = sigstore_python_verify(&s.trust, &path, &artifact, EMAIL);
        assert!(!python.status.success(), "sigstore-python accepted {what}");
        assert_eq!(js(&path).status.code(), Some(1), "sigstore-js: {what}");
    }
}

#[test]
fn rekor_v2_needs_a_timestamp_authority_and_writes_nothing_without_one() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let bundle_path = dir.path().join("v2.sigstore.json");
    let out = attest_keyless(
        &s,
        dir.path(),
        &["--rekor-url", &s.rekor_v2, "--rekor-version", "2"],
        &bundle_path,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Rekor v2 needs a timestamp authority"),
        "{}",
        stderr(&out)
    );
    assert!(!bundle_path.exists());
}

/// The deployment's signing config (SigningConfig v0.2, as tests/services/sigstore_trust.py
/// writes it: Rekor v2 listed with API version 2 beside the stand-in's v1, the TSA, Fulcio)
/// chooses every service: Rekor v2 (the highest version) with a timestamp. A config that asks
/// for entries in every log is refused before anything is signed.
#[test]
fn a_signing_config_chooses_fulcio_rekor_v2_and_the_timestamp_authority() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let config = s.trust.dir.join("signing_config.json");
    let (bundle_path, bundle) = signed(
        &s,
        dir.path(),
        &["--signing-config", config.to_str().unwrap()],
    );
    let material = &bundle["verificationMaterial"];
    assert_eq!(
        material["tlogEntries"][0]["kindVersion"]["version"],
        "0.0.2"
    );
    assert_eq!(
        material["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let artifact = dir.path().join("app.tar.gz");
    let python = sigstore_python_verify(&s.trust, &bundle_path, &artifact, EMAIL);
    assert!(
        python.status.success(),
        "sigstore-python: {}",
        stderr(&python)
    );

    let mut all: Value = serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    all["rekorTlogConfig"]["selector"] = Value::from("ALL");
    let all_path = dir.path().join("all-logs.json");
    std::fs::write(&all_path, serde_json::to_vec(&all).unwrap()).unwrap();
    let out = attest_keyless(
        &s,
        dir.path(),
        &["--signing-config", all_path.to_str().unwrap()],
        &dir.path().join("refused.sigstore.json"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("asks for 2 services"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("refused.sigstore.json").exists());
}

/// GitHub Actions' token service as the runner exposes it (GitHub cannot run here, so this
/// plays it, per its documented protocol): `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with
/// `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answering `{"value": JWT}`. It hands
/// out `token` only for audience `sigstore` and the right bearer, once; its URL and the request
/// line it saw.
fn github_token_service(
    token: String,
    bearer: &'static str,
) -> (String, std::thread::JoinHandle<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/_apis/distributedtask/token?api-version=2.0",
        listener.local_addr().unwrap()
    );
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request = String::new();
        reader.read_line(&mut request).unwrap();
        let mut authorized = false;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("authorization:") && line.trim_end().ends_with(bearer) {
                authorized = true;
            }
        }
        let ok = authorized && request.contains("audience=sigstore");
        let (status, body) = if ok {
            ("200 OK", format!("{{\"value\":\"{token}\"}}"))
        } else {
            ("401 Unauthorized", String::from("{}"))
        };
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        request
    });
    (url, handle)
}

/// Ambient CI tokens, as the Sigstore clients find them: GitHub Actions' token service (asked
/// for audience `sigstore` with the runner's bearer), `SIGSTORE_ID_TOKEN` (GitLab CI,
/// Buildkite); and, with none of them, an error naming everything tried.
#[test]
fn keyless_signing_finds_ci_identity_tokens_as_sigstore_clients_do() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (artifact, predicate) = inputs(dir.path());
    let attest = |envs: &[(&str, &str)]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_stella"));
        for var in [
            "STELLAOPS_OIDC_TOKEN",
            "STELLAOPS_OIDC_TOKEN_FILE",
            "SIGSTORE_ID_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        ] {
            c.env_remove(var);
        }
        c.envs(envs.iter().copied())
            .args(["attest", "--keyless", "--fulcio-url", &s.fulcio])
            .args(["--rekor-url", &s.rekor_v1])
            .arg("--trusted-root")
            .arg(s.trust.trusted_root())
            .args(["--predicate-type", SLSA_V1, "--predicate"])
            .arg(&predicate)
            .arg("--out")
            .arg(dir.path().join("ci.sigstore.json"))
            .arg(&artifact)
            .output()
            .unwrap()
    };

    let actions = "github-actions@stellaops.local";
    let (url, seen) = github_token_service(s.trust.token(actions, &[]), "runner-secret");
    let out = attest(&[
        ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-secret"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(actions), "{}", stderr(&out));
    let request = seen.join().unwrap();
    assert!(
        request.contains("api-version=2.0&audience=sigstore"),
        "{request}"
    );

    // The wrong bearer: the service says no, and so does the signer (exit 2, named).
    let (url, _seen) = github_token_service(s.trust.token(actions, &[]), "runner-secret");
    let out = attest(&[
        ("ACTIONS_ID_TOKEN_REQUEST_URL", &url),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "stolen"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("GitHub Actions token service answered HTTP 401"),
        "{}",
        stderr(&out)
    );

    let gitlab = "gitlab-ci@stellaops.local";
    let token = s.trust.token(gitlab, &[]);
    let out = attest(&[("SIGSTORE_ID_TOKEN", &token)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(gitlab), "{}", stderr(&out));

    let out = attest(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    for tried in [
        "SIGSTORE_ID_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "STELLAOPS_OIDC_TOKEN",
    ] {
        assert!(stderr(&out).contains(tried), "{}", stderr(&out));
    }
}
