//! Keyless signing through the binary, against the local Sigstore instance (OIDC issuer,
//! Fulcio, CT log, Rekor v1; scripts/services.sh), with sigstore-python as the other side:
//! it verifies our bundles offline, and `stella verify` verifies the bundles it makes.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use stellaops_tests::sigstore_local::{instance, sigstore_python, LocalSigstore};

const EMAIL: &str = "release-bot@stellaops.local";
const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// An artifact and a SLSA v1 predicate (the one predicate type sigstore-python attests too).
fn inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let artifact = dir.join("app.tar.gz");
    std::fs::write(&artifact, b"the release tarball\n").unwrap();
    let predicate = dir.join("provenance.json");
    std::fs::write(
        &predicate,
        br#"{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{"ref":"v1.2.3"}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}"#,
    )
    .unwrap();
    (artifact, predicate)
}

/// `stella attest --keyless` with the token in the environment.
fn attest_keyless(s: &LocalSigstore, token: &str, dir: &Path, extra: &[&str]) -> Output {
    let (artifact, predicate) = inputs(dir);
    Command::new(env!("CARGO_BIN_EXE_stella"))
        .env("STELLAOPS_OIDC_TOKEN", token)
        .env_remove("STELLAOPS_OIDC_TOKEN_FILE")
        .args([
            "attest",
            "--keyless",
            "--fulcio-url",
            &s.url,
            "--rekor-url",
            &s.url,
        ])
        .args(["--predicate-type", SLSA_V1, "--predicate"])
        .arg(&predicate)
        .args(extra)
        .arg("--out")
        .arg(dir.join("app.sigstore.json"))
        .arg(&artifact)
        .output()
        .unwrap()
}

fn stella_verify(s: &LocalSigstore, bundle: &Path, artifact: &Path, identity: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stella"))
        .arg("verify")
        .arg("--bundle")
        .arg(bundle)
        .arg("--trusted-root")
        .arg(s.trusted_root())
        .args(["--certificate-identity", identity])
        .args(["--certificate-oidc-issuer", &s.issuer()])
        .arg("--artifact")
        .arg(artifact)
        .output()
        .unwrap()
}

/// `sigstore verify identity --offline` with the instance's trust config.
fn python_verify(s: &LocalSigstore, bundle: &Path, artifact: &Path, identity: &str) -> Output {
    Command::new(sigstore_python())
        .arg("--trust-config")
        .arg(s.trust_config())
        .args(["verify", "identity", "--offline", "--bundle"])
        .arg(bundle)
        .args([
            "--cert-identity",
            identity,
            "--cert-oidc-issuer",
            &s.issuer(),
        ])
        .arg(artifact)
        .output()
        .unwrap()
}

#[test]
fn keyless_attestation_verifies_offline_with_stella_and_sigstore_python() {
    let s = instance();
    let dir = tempfile::tempdir().unwrap();
    let token = s.token(EMAIL, &[]);
    let out = attest_keyless(
        &s,
        &token,
        dir.path(),
        &[
            "--oidc-issuer",
            &s.issuer(),
            "--trusted-root",
            s.trusted_root().to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(EMAIL), "{}", stderr(&out));
    let bundle_path = dir.path().join("app.sigstore.json");
    let raw = std::fs::read(&bundle_path).unwrap();
    let bundle: Value = serde_json::from_slice(&raw).unwrap();

    // The bundle: v0.3, the DSSE envelope, the leaf certificate, a Rekor dsse entry whose
    // inclusion proof always has logIndex and hashes (strict verifiers need both).
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        bundle["dsseEnvelope"]["payloadType"],
        "application/vnd.in-toto+json"
    );
    assert_eq!(
        bundle["dsseEnvelope"]["signatures"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // No keyid, as Sigstore clients write it: cosign (go-securesystemslib) skips a signature
    // whose keyid is not the one it derives, and then finds none (scripts/cosign-interop.sh).
    let keyid = &bundle["dsseEnvelope"]["signatures"][0]["keyid"];
    assert!(keyid.is_null() || keyid == "", "keyid {keyid}");
    assert!(bundle["verificationMaterial"]["certificate"]["rawBytes"].is_string());
    let entry = &bundle["verificationMaterial"]["tlogEntries"][0];
    assert_eq!(entry["kindVersion"]["kind"], "dsse");
    assert_eq!(entry["kindVersion"]["version"], "0.0.1");
    let proof = entry["inclusionProof"].as_object().unwrap();
    for field in ["logIndex", "rootHash", "treeSize", "hashes", "checkpoint"] {
        assert!(proof.contains_key(field), "inclusionProof lacks {field}");
    }
    assert!(entry["inclusionPromise"]["signedEntryTimestamp"].is_string());
    // Canonical JSON (RFC 8785): printing it canonically changes nothing.
    let canon = Command::new(env!("CARGO_BIN_EXE_stella"))
        .arg("canon")
        .arg(&bundle_path)
        .output()
        .unwrap();
    assert!(canon.status.success(), "{}", stderr(&canon));
    assert_eq!(
        canon.stdout.strip_suffix(b"\n").unwrap_or(&canon.stdout),
        raw
    );

    let artifact = dir.path().join("app.tar.gz");
    let ours = stella_verify(&s, &bundle_path, &artifact, EMAIL);
    assert!(ours.status.success(), "stella verify: {}", stderr(&ours));
    assert!(stdout(&ours).contains(EMAIL), "{}", stdout(&ours));
    let theirs = python_verify(&s, &bundle_path, &artifact, EMAIL);
    assert!(
        theirs.status.success(),
        "sigstore-python rejected our bundle: {}{}",
        stdout(&theirs),
        stderr(&theirs)
    );

    // Another identity, or another artifact: both verifiers say no.
    let other = "someone-else@stellaops.local";
    assert_eq!(
        stella_verify(&s, &bundle_path, &artifact, other)
            .status
            .code(),
        Some(1)
    );
    assert!(!python_verify(&s, &bundle_path, &artifact, other)
        .status
        .success());
    let tampered = dir.path().join("tampered.tar.gz");
    std::fs::write(&tampered, b"not the release tarball\n").unwrap();
    assert_eq!(
        stella_verify(&s, &bundle_path, &tampered, EMAIL)
            .status
            .code(),
        Some(1)
    );
    assert!(!python_verify(&s, &bundle_path, &tampered, EMAIL)
        .status
        .success());
}

#[test]
fn sigstore_python_bundles_against_the_same_instance_verify_with_stella() {
    let s = instance();
    let dir = tempfile::tempdir().unwrap();
    let (artifact, predicate) = inputs(dir.path());
    let email = "python-signer@stellaops.local";
    // A DSSE attestation (sigstore attest) and a message signature (sigstore sign).
    for (command, bundle) in [
        ("attest", "attest.sigstore.json"),
        ("sign", "sign.sigstore.json"),
    ] {
        let token = s.token(email, &[]);
        let mut c = Command::new(sigstore_python());
        c.arg("--trust-config").arg(s.trust_config()).arg(command);
        if command == "attest" {
            c.args(["--predicate-type", SLSA_V1, "--predicate"])
                .arg(&predicate);
        }
        let made = c
            .args(["--identity-token", &token, "--bundle"])
            .arg(dir.path().join(bundle))
            .arg(&artifact)
            .output()
            .unwrap();
        assert!(
            made.status.success(),
            "sigstore {command}: {}",
            stderr(&made)
        );
        let ours = stella_verify(&s, &dir.path().join(bundle), &artifact, email);
        assert!(
            ours.status.success(),
            "stella rejected sigstore-python's {command} bundle: {}",
            stderr(&ours)
        );
        let wrong = stella_verify(&s, &dir.path().join(bundle), &artifact, EMAIL);
        assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    }
}

#[test]
fn keyless_refuses_bad_tokens_and_unreachable_services_and_writes_nothing() {
    let s = instance();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("app.sigstore.json");

    // Expired: refused before anything is sent.
    let expired = s.token(EMAIL, &[("ttl", "-60")]);
    let out = attest_keyless(&s, &expired, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));

    // Another issuer than the one required: refused before Fulcio is asked.
    let out = attest_keyless(
        &s,
        &s.token(EMAIL, &[]),
        dir.path(),
        &["--oidc-issuer", "https://accounts.example"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("accounts.example"),
        "{}",
        stderr(&out)
    );

    // Fulcio's own checks: a token for another audience is refused by Fulcio.
    let out = attest_keyless(
        &s,
        &s.token(EMAIL, &[("aud", "not-sigstore")]),
        dir.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Fulcio") && stderr(&out).contains("audience"),
        "{}",
        stderr(&out)
    );

    // Nobody listening: unreachable after the retries.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    let (artifact, predicate) = inputs(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_stella"))
        .env("STELLAOPS_OIDC_TOKEN", s.token(EMAIL, &[]))
        .args([
            "attest",
            "--keyless",
            "--fulcio-url",
            &dead,
            "--rekor-url",
            &dead,
        ])
        .args(["--retries", "0", "--predicate-type", SLSA_V1, "--predicate"])
        .arg(&predicate)
        .arg("--out")
        .arg(&bundle)
        .arg(&artifact)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Fulcio unreachable"),
        "{}",
        stderr(&out)
    );

    // Keys and keyless together is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_stella"))
        .args([
            "attest",
            "--keyless",
            "--key",
            "k.pem",
            "--fulcio-url",
            &s.url,
        ])
        .args([
            "--rekor-url",
            &s.url,
            "--predicate-type",
            SLSA_V1,
            "--predicate",
        ])
        .arg(&predicate)
        .arg(&artifact)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    assert!(!bundle.exists(), "a failed keyless signing wrote a bundle");
}
