//! `stella verify` with a FIDO2 credential file as the trusted key: envelopes signed through the
//! in-process software authenticator (the Rust API), verified from the command line, alone and
//! beside a software key.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use serde_json::Value;
use stellaops_signer::key_backends::fido2::{register, Fido2Key};
use stellaops_signer::key_backends::SoftwareAuthenticator;
use stellaops_signer::{Algorithm, Envelope, SigningKey, SoftwareKey};

fn stella(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stella"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn stella_verify_takes_a_fido2_credential_file_as_the_trusted_key() {
    let dir = tempfile::tempdir().unwrap();
    let device = Arc::new(SoftwareAuthenticator::new());
    let credential = register(device.as_ref(), "dsse:cli-test", false, None).unwrap();
    let fido = Fido2Key::new(credential.clone(), device, false, None).unwrap();
    let software = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let envelope = Envelope::sign(
        "application/vnd.stellaops.test+json",
        b"{\"release\":\"1.2.3\"}",
        &[&fido, &software],
    )
    .unwrap();
    let env = write(dir.path(), "envelope.json", &envelope.to_json());
    let cred = write(dir.path(), "release.fido2.json", &credential.to_json());
    let public = write(
        dir.path(),
        "software.pub",
        software.public_key().to_spki_pem().unwrap().as_bytes(),
    );

    let out = stella(&[&"verify", &"--key", &cred, &"--json", &env]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["keys"][0]["algorithm"], "fido2-es256");
    assert_eq!(report["keys"][0]["keyid"], fido.key_id().as_str());

    // Both keys, threshold 2: the mixed envelope verifies.
    let out = stella(&[
        &"verify",
        &"--key",
        &cred,
        &"--key",
        &public,
        &"--threshold",
        &"2",
        &env,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The credential for another relying party, or the bare public key: exit 1.
    let mut other = credential.clone();
    other.rp_id = "dsse:other".into();
    let other = write(dir.path(), "other.fido2.json", &other.to_json());
    let bare = write(dir.path(), "bare.pub", credential.public_key.as_bytes());
    for key in [&other, &bare] {
        let out = stella(&[&"verify", &"--key", key, &env]);
        assert_eq!(out.status.code(), Some(1), "{}", key.display());
    }
}
