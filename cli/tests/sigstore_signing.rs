//! Signing into Sigstore bundles through the binary — keyless, and keyful (one of our keys,
//! public-key hint) — against the local Sigstore instance (OIDC issuer, Fulcio, CT log, Rekor
//! v1; scripts/services.sh), with other people's verifiers as the other side: sigstore-python
//! and sigstore-js verify our bundles offline, and `stella verify` verifies the bundles
//! sigstore-python makes. (cosign: scripts/cosign-interop.sh, outside the suite.)

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use stellaops_tests::sigstore_local::{
    instance, sigstore_js, sigstore_python, sigstore_python_verify, slsa_inputs as inputs,
    stella_verify_bundle, stella_verify_keyless, JsSigner, LocalSigstore,
};

const EMAIL: &str = "release-bot@stellaops.local";
const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
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
    let stella = Path::new(env!("CARGO_BIN_EXE_stella"));
    stella_verify_keyless(stella, s, bundle, artifact, identity)
}

#[test]
fn keyless_attestation_verifies_offline_with_stella_sigstore_python_and_sigstore_js() {
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
    let theirs = sigstore_python_verify(&s, &bundle_path, &artifact, EMAIL);
    assert!(
        theirs.status.success(),
        "sigstore-python rejected our bundle: {}{}",
        stdout(&theirs),
        stderr(&theirs)
    );
    let issuer = s.issuer();
    let js = |artifact: &Path, identity: &str| {
        sigstore_js(
            &bundle_path,
            &s.trusted_root(),
            artifact,
            JsSigner::Identity(identity, &issuer),
        )
    };
    let theirs = js(&artifact, EMAIL);
    assert!(
        theirs.status.success(),
        "sigstore-js rejected our bundle: {}",
        stderr(&theirs)
    );

    // Another identity, or another artifact: every verifier says no.
    let tampered = dir.path().join("tampered.tar.gz");
    std::fs::write(&tampered, b"not the release tarball\n").unwrap();
    for (artifact, identity) in [
        (&artifact, "someone-else@stellaops.local"),
        (&tampered, EMAIL),
    ] {
        let ours = stella_verify(&s, &bundle_path, artifact, identity);
        assert_eq!(ours.status.code(), Some(1), "{identity}: {}", stderr(&ours));
        let python = sigstore_python_verify(&s, &bundle_path, artifact, identity);
        assert!(
            !python.status.success(),
            "sigstore-python accepted {identity}"
        );
        assert_eq!(js(artifact, identity).status.code(), Some(1), "{identity}");
    }
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

/// A key pair made by `stella key generate` (KEY and KEY.pub).
fn generate_key(dir: &Path, alg: &str) -> PathBuf {
    let key = dir.join(format!("{alg}.key"));
    let out = Command::new(env!("CARGO_BIN_EXE_stella"))
        .args(["key", "generate", "--alg", alg, "--bits", "2048", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    key
}

/// `stella attest --sigstore-bundle` with `keys`, into `out`.
fn attest_keyful(s: &LocalSigstore, dir: &Path, keys: &[&Path], out: &Path) -> Output {
    let (artifact, predicate) = inputs(dir);
    let mut c = Command::new(env!("CARGO_BIN_EXE_stella"));
    c.args(["attest", "--sigstore-bundle", "--rekor-url", &s.url]);
    for key in keys {
        c.arg("--key").arg(key);
    }
    c.arg("--trusted-root")
        .arg(s.trusted_root())
        .args(["--predicate-type", SLSA_V1, "--predicate"])
        .arg(&predicate)
        .arg("--out")
        .arg(out)
        .arg(&artifact)
        .output()
        .unwrap()
}

/// `stella verify --bundle` for a public key.
fn stella_verify_key(s: &LocalSigstore, bundle: &Path, artifact: &Path, key: &Path) -> Output {
    stella_verify_bundle(
        Path::new(env!("CARGO_BIN_EXE_stella")),
        &s.trusted_root(),
        bundle,
        artifact,
        &["--key", key.to_str().unwrap()],
    )
}

#[test]
fn keyful_bundles_verify_with_stella_and_sigstore_js_for_their_key_only() {
    let s = instance();
    let dir = tempfile::tempdir().unwrap();
    let artifact = dir.path().join("app.tar.gz");
    let tampered = dir.path().join("tampered.tar.gz");
    std::fs::write(&tampered, b"not the release tarball\n").unwrap();
    let elsewhere = dir.path().join("stranger");
    std::fs::create_dir(&elsewhere).unwrap();
    let stranger = generate_key(&elsewhere, "es256").with_extension("key.pub");
    // The algorithms Rekor v1 can log (it checks DSSE signatures with SHA-256).
    for alg in ["es256", "ed25519", "rsa-pkcs1-sha256"] {
        let key = generate_key(dir.path(), alg);
        let public = key.with_extension("key.pub");
        let bundle_path = dir.path().join(format!("{alg}.sigstore.json"));
        let out = attest_keyful(&s, dir.path(), &[&key], &bundle_path);
        assert!(out.status.success(), "{alg}: {}", stderr(&out));

        // v0.3 with a public-key hint (our key id), no certificate, a Rekor dsse entry, and an
        // empty keyid in the envelope (as for keyless: cosign's key-based check skips a
        // signature whose keyid is not the SSH fingerprint it derives).
        let bundle: Value = serde_json::from_slice(&std::fs::read(&bundle_path).unwrap()).unwrap();
        assert_eq!(
            bundle["mediaType"],
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        let material = &bundle["verificationMaterial"];
        let hint = material["publicKey"]["hint"].as_str().unwrap();
        assert!(stderr(&out).contains(hint), "{alg}: {}", stderr(&out));
        assert!(material.get("certificate").is_none(), "{alg}: {material}");
        assert_eq!(material["tlogEntries"][0]["kindVersion"]["kind"], "dsse");
        let keyid = &bundle["dsseEnvelope"]["signatures"][0]["keyid"];
        assert!(keyid.is_null() || keyid == "", "{alg}: keyid {keyid}");

        let ours = stella_verify_key(&s, &bundle_path, &artifact, &public);
        assert!(
            ours.status.success(),
            "{alg}: stella verify: {}",
            stderr(&ours)
        );
        let theirs = sigstore_js(
            &bundle_path,
            &s.trusted_root(),
            &artifact,
            JsSigner::Key(&public),
        );
        assert!(
            theirs.status.success(),
            "{alg}: sigstore-js rejected our keyful bundle: {}",
            stderr(&theirs)
        );
        // Another key, or another artifact: both say no.
        for (artifact, key) in [(&artifact, &stranger), (&tampered, &public)] {
            let ours = stella_verify_key(&s, &bundle_path, artifact, key);
            assert_eq!(ours.status.code(), Some(1), "{alg}: {}", stderr(&ours));
            let js = sigstore_js(
                &bundle_path,
                &s.trusted_root(),
                artifact,
                JsSigner::Key(key),
            );
            assert_eq!(js.status.code(), Some(1), "{alg}: {}", stderr(&js));
        }
    }
}

#[test]
fn keyful_bundles_refuse_what_rekor_cannot_log_and_more_than_one_key() {
    let s = instance();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("app.sigstore.json");
    // Rekor v1 would check an ES384 or RSA-PSS signature with SHA-256 and refuse it: refused
    // here first, with exit 2, before signing, and nothing is written.
    for alg in ["es384", "rsa-pss-sha256"] {
        let key = generate_key(dir.path(), alg);
        let out = attest_keyful(&s, dir.path(), &[&key], &bundle);
        assert_eq!(out.status.code(), Some(2), "{alg}: {}", stderr(&out));
        assert!(stderr(&out).contains("SHA-256"), "{alg}: {}", stderr(&out));
        assert!(!bundle.exists());
    }
    // A bundle holds one signature.
    let a = generate_key(dir.path(), "es256");
    let b = generate_key(dir.path(), "ed25519");
    let out = attest_keyful(&s, dir.path(), &[&a, &b], &bundle);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("one"), "{}", stderr(&out));
    assert!(!bundle.exists());
}
