//! Export manifests and their envelopes are byte-for-byte reproducible: the golden file
//! `tests/vectors/export.json` holds an export, its manifest and one envelope per deterministic
//! key of `tests/vectors/keys.json`. This test runs with both signature backends (scripts/test.sh
//! runs the tests crate with and without aws-lc). Regenerate after a deliberate format change
//! with `STELLAOPS_BLESS=1 cargo test -p stellaops-tests --test export_golden`, and say why in
//! the commit: every stored export hash changes with it.

use std::path::Path;

use serde_json::{json, Value};
use stellaops_signer::keys::load_signing_key;
use stellaops_signer::{
    sign_export, verify_export, Authority, Error, ExportOptions, SignedExport, SigningKey,
    SoftwareKey, VerificationPolicy,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Ed25519, RSA-PKCS1 and ECDSA with RFC 6979 nonces; RSA-PSS is randomized by design.
const DETERMINISTIC: [&str; 4] = ["es256", "es384", "ed25519", "rsa-pkcs1-sha256"];

const FILES: [(&str, &str); 4] = [
    ("README.md", "# Offline kit\n"),
    (
        "sboms/app.cdx.json",
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#,
    ),
    (
        "vex/app.openvex.json",
        r#"{"@context":"https://openvex.dev/ns/v0.2.0"}"#,
    ),
    ("vex/Ünïcode name.txt", "names are UTF-8\n"),
];

fn key(name: &str) -> Result<SoftwareKey, Box<dyn std::error::Error>> {
    let path = stellaops_tests::workspace().join("tests/vectors/keys.json");
    let keys: Vec<Value> = serde_json::from_slice(&std::fs::read(path)?)?;
    let k = keys
        .iter()
        .find(|k| k["name"] == name)
        .ok_or_else(|| format!("no key {name}"))?;
    let pem = k["private_pem"].as_str().ok_or("private_pem")?;
    Ok(load_signing_key(pem.as_bytes(), None)?.deterministic())
}

fn write_export(root: &Path) -> TestResult {
    for (path, content) in FILES {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(full, content)?;
    }
    Ok(())
}

fn options() -> ExportOptions {
    ExportOptions {
        export_id: Some("export-2026-11-23".into()),
        tenant: Some("acme".into()),
        profile: Some("offline-kit".into()),
        created_at: Some("2026-11-23T00:00:00Z".into()),
        sha512: true,
        ..ExportOptions::default()
    }
}

/// The export under `root`, described with the test's options and signed by every key.
fn sign_dir(
    keys: &[&dyn SigningKey],
    root: &std::path::Path,
) -> stellaops_signer::Result<SignedExport> {
    sign_export(
        &Authority::keys(keys),
        stellaops_signer::describe_dir(root, &options())?,
    )
}

/// Sign the export in a fresh directory with each deterministic key.
fn sign_all() -> Result<Value, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    write_export(dir.path())?;
    let mut manifest = None;
    let mut envelopes = serde_json::Map::new();
    for name in DETERMINISTIC {
        let k = key(name)?;
        let signed = sign_dir(&[&k], dir.path())?;
        manifest = Some(String::from_utf8(signed.manifest_json)?);
        envelopes.insert(name.into(), String::from_utf8(signed.envelope_json)?.into());
    }
    Ok(
        json!({"files": FILES.iter().map(|(p, c)| json!({"path": p, "content": c})).collect::<Vec<_>>(), "manifest": manifest, "envelopes": envelopes}),
    )
}

#[test]
fn signing_the_export_gives_the_golden_bytes() -> TestResult {
    let golden_path = stellaops_tests::workspace().join("tests/vectors/export.json");
    let got = sign_all()?;
    if std::env::var_os("STELLAOPS_BLESS").is_some() {
        std::fs::write(&golden_path, format!("{got:#}\n"))?;
    }
    let golden: Value = serde_json::from_slice(&std::fs::read(&golden_path)?)?;
    assert_eq!(
        got["manifest"], golden["manifest"],
        "manifest bytes changed"
    );
    for name in DETERMINISTIC {
        assert_eq!(
            got["envelopes"][name], golden["envelopes"][name],
            "{name}: envelope bytes changed"
        );
    }
    assert_eq!(got, golden);
    // And twice in one process, from another directory: still the same.
    assert_eq!(sign_all()?, golden);
    Ok(())
}

#[test]
fn golden_envelopes_verify_and_a_changed_export_is_named() -> TestResult {
    let golden: Value = serde_json::from_slice(&std::fs::read(
        stellaops_tests::workspace().join("tests/vectors/export.json"),
    )?)?;
    let manifest = golden["manifest"].as_str().ok_or("manifest")?.as_bytes();
    let dir = tempfile::tempdir()?;
    write_export(dir.path())?;
    for name in DETERMINISTIC {
        let envelope = golden["envelopes"][name].as_str().ok_or("envelope")?;
        let policy = VerificationPolicy::new(vec![key(name)?.public_key().clone()], 1, None)?;
        let v = verify_export(
            dir.path(),
            envelope.as_bytes(),
            Some(manifest),
            &policy,
            &[],
        )?;
        assert!(v.is_intact(), "{name}: {:?}", v.diff);
        assert_eq!(v.manifest.files().len(), FILES.len());
    }
    std::fs::write(dir.path().join("README.md"), "# Offline kit!\n")?;
    let envelope = golden["envelopes"]["ed25519"].as_str().ok_or("envelope")?;
    let policy = VerificationPolicy::new(vec![key("ed25519")?.public_key().clone()], 1, None)?;
    let v = verify_export(dir.path(), envelope.as_bytes(), None, &policy, &[])?;
    assert_eq!(v.diff.changed.len(), 1);
    assert_eq!(v.diff.changed[0].path, "README.md");
    // Another trusted key: the signature does not verify, whatever the files say.
    let other = VerificationPolicy::new(vec![key("es256")?.public_key().clone()], 1, None)?;
    let r = verify_export(dir.path(), envelope.as_bytes(), None, &other, &[]);
    assert!(matches!(&r, Err(e) if e.is_verification_failure()), "{r:?}");
    Ok(())
}

#[test]
fn a_manifest_that_is_not_the_signed_one_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    write_export(dir.path())?;
    let k = key("ed25519")?;
    let signed = sign_dir(&[&k], dir.path())?;
    let policy = VerificationPolicy::new(vec![k.public_key().clone()], 1, None)?;
    // A manifest that lists the files as they are now (someone "fixed" it after an edit).
    std::fs::write(dir.path().join("README.md"), "# edited\n")?;
    let forged = stellaops_signer::describe_dir(dir.path(), &options())?.to_json()?;
    let r = verify_export(
        dir.path(),
        &signed.envelope_json,
        Some(&forged),
        &policy,
        &[],
    );
    assert!(matches!(r, Err(Error::ManifestMismatch(_))), "{r:?}");
    // An attestation of another predicate type, signed by the same key, is not an export.
    let other = stellaops_signer::predicate_statement(
        "cyclonedx",
        b"{}",
        signed.manifest.subjects()?,
        &stellaops_signer::canon::Limits::default(),
    )?;
    let other = Authority::keys(&[&k]).sign_statement(other, None)?;
    let r = verify_export(dir.path(), other.json(), None, &policy, &[]);
    assert!(
        matches!(r, Err(Error::PredicateTypeMismatch { .. })),
        "{r:?}"
    );
    Ok(())
}

#[test]
fn a_threshold_of_two_needs_both_signatures() -> TestResult {
    let dir = tempfile::tempdir()?;
    write_export(dir.path())?;
    let (a, b) = (key("ed25519")?, key("es256")?);
    let both = sign_dir(&[&a, &b], dir.path())?;
    let one = sign_dir(&[&a], dir.path())?;
    assert_eq!(both.manifest_json, one.manifest_json);
    let policy = VerificationPolicy::new(
        vec![a.public_key().clone(), b.public_key().clone()],
        2,
        None,
    )?;
    assert!(verify_export(dir.path(), &both.envelope_json, None, &policy, &[])?.is_intact());
    let r = verify_export(dir.path(), &one.envelope_json, None, &policy, &[]);
    assert!(matches!(&r, Err(e) if e.is_verification_failure()), "{r:?}");
    Ok(())
}
