//! FIDO2 from the command line: `stella key generate --alg fido2-es256`, signing with a `fido2:`
//! key URI (the software authenticator's state file standing in for a USB device), the PIN
//! sources, and `stella verify` with a credential file as the trusted key, alone and beside a
//! software key.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use serde_json::Value;
use stellaops_signer::key_backends::fido2::{register, Fido2Key, PinSource};
use stellaops_signer::key_backends::SoftwareAuthenticator;
use stellaops_signer::{Algorithm, Envelope, SigningKey, SoftwareKey};

fn stella(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    stella_env(args, None)
}

/// `stella` with stdin from /dev/null (so it never prompts for a PIN) and `STELLAOPS_FIDO2_PIN`
/// set only when `pin` says so.
fn stella_env(args: &[&dyn AsRef<std::ffi::OsStr>], pin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stella"));
    c.args(args.iter().map(|a| a.as_ref()))
        .env_remove("STELLAOPS_FIDO2_PIN")
        .stdin(std::process::Stdio::null());
    if let Some(p) = pin {
        c.env("STELLAOPS_FIDO2_PIN", p);
    }
    c.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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
    let credential = register(
        device.as_ref(),
        "dsse:cli-test",
        Algorithm::EcdsaP256Sha256,
        false,
        &PinSource::None,
    )
    .unwrap();
    let fido = Fido2Key::new(credential.clone(), device, false, PinSource::None).unwrap();
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

#[test]
fn key_generate_registers_a_credential_and_a_fido2_uri_signs_what_stella_verify_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("authenticator.json");
    let cred = dir.path().join("release.fido2.json");
    let device = format!("software:{}", state.display());
    let out = stella(&[
        &"key",
        &"generate",
        &"--alg",
        &"fido2-es256",
        &"--rp-id",
        &"dsse:release",
        &"--device",
        &device,
        &"--out",
        &cred,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("software FIDO2 authenticator"),
        "the warning: {}",
        stderr(&out)
    );
    let file: Value = serde_json::from_slice(&std::fs::read(&cred).unwrap()).unwrap();
    assert_eq!(file["type"], "stellaops.fido2-credential/v1");
    assert_eq!(file["rp_id"], "dsse:release");
    assert_eq!(file["resident"], false);
    assert!(!std::fs::read_to_string(&cred).unwrap().contains("PRIVATE"));

    // Sign with the FIDO2 key and a software key in one envelope; verify with threshold 2.
    let payload = write(dir.path(), "release.json", b"{\"release\":\"2.0.0\"}");
    let soft = dir.path().join("soft.pem");
    let out = stella(&[&"key", &"generate", &"--alg", &"es256", &"--out", &soft]);
    assert!(out.status.success(), "{}", stderr(&out));
    let uri = format!("fido2:{}?device={device}", cred.display());
    let envelope = dir.path().join("envelope.json");
    let out = stella(&[
        &"sign",
        &"--key",
        &uri,
        &"--key",
        &soft,
        &"--payload-type",
        &"application/vnd.stellaops.release+json",
        &"--out",
        &envelope,
        &payload,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let soft_pub = dir.path().join("soft.pem.pub");
    let out = stella(&[
        &"verify",
        &"--key",
        &cred,
        &"--key",
        &soft_pub,
        &"--threshold",
        &"2",
        &"--json",
        &envelope,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let algorithms: Vec<&str> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["algorithm"].as_str().unwrap())
        .collect();
    assert!(algorithms.contains(&"fido2-es256"), "{report}");

    // One byte of the payload changed: the FIDO2 signature no longer verifies.
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&envelope).unwrap()).unwrap();
    doc["payloadType"] = Value::from("application/vnd.stellaops.releasE+json");
    let edited = write(dir.path(), "edited.json", doc.to_string().as_bytes());
    let out = stella(&[&"verify", &"--key", &cred, &edited]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // key show reads the fido2: URI without touching the device.
    let out = stella(&[&"key", &"show", &"--json", &uri]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["kind"], "fido2");
}

#[test]
fn the_pin_comes_from_a_file_or_the_environment_and_never_from_the_uri() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("authenticator.json");
    let pin = write(dir.path(), "pin", b"271828\n");
    let wrong = write(dir.path(), "wrong", b"314159\n");
    // An authenticator with a PIN, and a credential on it (registered through the Rust API,
    // which reads the PIN from the file).
    let device = SoftwareAuthenticator::open(&state)
        .unwrap()
        .with_pin("271828");
    let credential = register(
        &device,
        "dsse:pin-test",
        Algorithm::EcdsaP256Sha256,
        false,
        &PinSource::File(pin.clone()),
    )
    .unwrap();
    drop(device);
    let cred = write(dir.path(), "cred.json", &credential.to_json());
    let payload = write(dir.path(), "p.json", b"{}");
    let base = format!(
        "fido2:{}?device=software:{}&uv=true",
        cred.display(),
        state.display()
    );
    let sign = |uri: &str, pin_env: Option<&str>, out: &Path| {
        stella_env(
            &[
                &"sign",
                &"--key",
                &uri,
                &"--payload-type",
                &"application/json",
                &"--out",
                &out,
                &payload,
            ],
            pin_env,
        )
    };

    // No PIN anywhere and no terminal to ask on: a clear error, and nothing written.
    let none = dir.path().join("none.json");
    let out = sign(&base, None, &none);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("STELLAOPS_FIDO2_PIN"),
        "{}",
        stderr(&out)
    );
    assert!(!none.exists());

    // A wrong PIN from the file: refused.
    let out = sign(
        &format!("{base}&pin-source={}", wrong.display()),
        None,
        &none,
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("rejected the pin"),
        "{}",
        stderr(&out)
    );
    assert!(!none.exists());

    // The right PIN from the file, then from the environment: both sign user-verified.
    let from_file = dir.path().join("file.json");
    let out = sign(
        &format!("{base}&pin-source={}", pin.display()),
        None,
        &from_file,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let from_env = dir.path().join("env.json");
    let out = sign(&base, Some("271828"), &from_env);
    assert!(out.status.success(), "{}", stderr(&out));
    let strict = credential.verifying_key(true).unwrap();
    for envelope in [&from_file, &from_env] {
        let e = Envelope::from_json(
            &std::fs::read(envelope).unwrap(),
            &stellaops_signer::dsse::EnvelopeLimits::default(),
        )
        .unwrap();
        let a = strict
            .verify_fido2(e.pae(), e.signatures()[0].sig(), None)
            .unwrap();
        assert!(a.user_verified);
    }

    // stella verify --fido2-require-uv: the user-verified envelope passes, a presence-only one
    // (no PIN needed to make it) does not, and the flag needs a FIDO2 credential among the keys.
    let presence = dir.path().join("presence.json");
    let presence_uri = format!(
        "fido2:{}?device=software:{}",
        cred.display(),
        state.display()
    );
    let out = sign(&presence_uri, None, &presence);
    assert!(out.status.success(), "{}", stderr(&out));
    let verify = |envelope: &Path, strict: bool| {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"verify", &"--key", &cred];
        if strict {
            args.push(&"--fido2-require-uv");
        }
        args.push(&envelope);
        stella(&args).status.code()
    };
    assert_eq!(verify(&presence, false), Some(0));
    assert_eq!(verify(&presence, true), Some(1));
    assert_eq!(verify(&from_file, true), Some(0));
    let soft = dir.path().join("soft.pem");
    assert!(
        stella(&[&"key", &"generate", &"--alg", &"es256", &"--out", &soft])
            .status
            .success()
    );
    let out = stella(&[
        &"verify",
        &"--key",
        &dir.path().join("soft.pem.pub"),
        &"--fido2-require-uv",
        &from_file,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // A PIN in the URI is refused before anything happens.
    let out = sign(&format!("{base}&pin-value=271828"), None, &none);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pin-source"), "{}", stderr(&out));
}

#[test]
fn key_generate_says_what_is_wrong_with_a_fido2_request() {
    let dir = tempfile::tempdir().unwrap();
    let cred = dir.path().join("c.json");
    let state = format!("software:{}", dir.path().join("s.json").display());
    let cases: Vec<(Vec<&dyn AsRef<std::ffi::OsStr>>, &str)> = vec![
        (
            vec![
                &"--alg",
                &"fido2-es256",
                &"--device",
                &state,
                &"--out",
                &cred,
            ],
            "--rp-id",
        ),
        (
            vec![&"--alg", &"es256", &"--rp-id", &"x", &"--out", &cred],
            "--rp-id",
        ),
        (
            vec![
                &"--alg",
                &"fido2-eddsa",
                &"--rp-id",
                &"x",
                &"--device",
                &state,
                &"--out",
                &cred,
            ],
            "ES256",
        ),
        (
            vec![
                &"--alg",
                &"fido2-es256",
                &"--rp-id",
                &"x",
                &"--device",
                &"usb",
                &"--out",
                &cred,
            ],
            "hid",
        ),
    ];
    for (args, expected) in cases {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"key", &"generate"];
        all.extend(args);
        let out = stella(&all);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{expected}: {}",
            stderr(&out)
        );
        assert!(!cred.exists());
    }
    // Without the fido2-hid feature the hid transport says how to get it.
    if !cfg!(feature = "fido2-hid") {
        let out = stella(&[
            &"key",
            &"generate",
            &"--alg",
            &"fido2-es256",
            &"--rp-id",
            &"x",
            &"--out",
            &cred,
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("fido2-hid"), "{}", stderr(&out));
    }
}
