//! `stella export sign` and `stella export verify`: reproducible output, differences named,
//! exit codes 0 / 1 / 2.

use std::path::Path;
use std::process::{Command, Output, Stdio};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// `stella` with `args` in `dir`, with a private STELLA_HOME and `SOURCE_DATE_EPOCH` as given
/// (removed when `None`).
fn stella(dir: &Path, epoch: Option<&str>, args: &[&str]) -> std::io::Result<Output> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stella"));
    cmd.args(args)
        .current_dir(dir)
        .env("STELLA_HOME", dir.join("home"))
        .env_remove("STELLA_PASSPHRASE")
        .stdin(Stdio::null());
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    cmd.output()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A work directory with an export under `out/` and an ES256 key.
fn setup() -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("reports"))?;
    std::fs::write(out.join("sbom.cdx.json"), br#"{"bomFormat":"CycloneDX"}"#)?;
    std::fs::write(out.join("reports/scan.json"), br#"{"findings":[]}"#)?;
    let o = stella(
        dir.path(),
        None,
        &["key", "generate", "--alg", "es256", "--out", "k.pem"],
    )?;
    assert!(o.status.success(), "{}", text(&o.stderr));
    Ok(dir)
}

fn sign(dir: &Path, manifest: &str, envelope: &str) -> std::io::Result<Output> {
    sign_at(dir, Some("1763856000"), manifest, envelope)
}

fn sign_at(
    dir: &Path,
    epoch: Option<&str>,
    manifest: &str,
    envelope: &str,
) -> std::io::Result<Output> {
    stella(
        dir,
        epoch,
        &[
            "export",
            "sign",
            "out",
            "--key",
            "k.pem",
            "--manifest",
            manifest,
            "--envelope",
            envelope,
        ],
    )
}

fn verify(dir: &Path, extra: &[&str]) -> std::io::Result<Output> {
    let mut args = vec![
        "export",
        "verify",
        "out",
        "--key",
        "k.pem.pub",
        "--manifest",
        "out/manifest.json",
        "--envelope",
        "out/manifest.dsse.json",
    ];
    args.extend_from_slice(extra);
    stella(dir, None, &args)
}

#[test]
fn signing_twice_gives_identical_bytes() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    let o = sign(p, "m1.json", "e1.json")?;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("2 file(s), 0 link(s), created 2025-11-23T00:00:00Z"));
    let o = sign(p, "m2.json", "e2.json")?;
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read(p.join("m1.json"))?,
        std::fs::read(p.join("m2.json"))?
    );
    assert_eq!(
        std::fs::read(p.join("e1.json"))?,
        std::fs::read(p.join("e2.json"))?
    );
    Ok(())
}

#[test]
fn without_a_time_nothing_is_written() -> TestResult {
    let dir = setup()?;
    let o = sign_at(dir.path(), None, "m.json", "e.json")?;
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("SOURCE_DATE_EPOCH"), "{err}");
    assert!(!dir.path().join("m.json").exists() && !dir.path().join("e.json").exists());
    let o = sign_at(dir.path(), Some("yesterday"), "m.json", "e.json")?;
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("not an integer"), "{err}");
    Ok(())
}

#[test]
fn an_intact_export_verifies_and_every_difference_is_printed() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    // Manifest and envelope inside the export: left out when signing and when verifying.
    let o = sign(p, "out/manifest.json", "out/manifest.dsse.json")?;
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = verify(p, &[])?;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("export intact"));

    std::fs::write(p.join("out/sbom.cdx.json"), br#"{"bomFormat":"SPDX!!!!!"}"#)?;
    std::fs::remove_file(p.join("out/reports/scan.json"))?;
    std::fs::write(p.join("out/reports/injected.sh"), b"#!/bin/sh\n")?;
    let o = verify(p, &[])?;
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains("missing: reports/scan.json"), "{out}");
    assert!(out.contains("extra:   reports/injected.sh"), "{out}");
    assert!(
        out.contains("changed: sbom.cdx.json: sha256 differs"),
        "{out}"
    );
    assert!(text(&o.stderr).contains("1 missing, 1 extra, 1 changed"));

    let o = verify(p, &["--json"])?;
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(doc["intact"], false);
    assert_eq!(doc["missing"], serde_json::json!(["reports/scan.json"]));
    assert_eq!(doc["extra"], serde_json::json!(["reports/injected.sh"]));
    assert_eq!(doc["changed"][0]["path"], "sbom.cdx.json");
    Ok(())
}

#[test]
fn a_wrong_key_or_a_swapped_manifest_fails_and_bad_input_is_usage() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    assert!(sign(p, "out/manifest.json", "out/manifest.dsse.json")?
        .status
        .success());
    let o = stella(
        p,
        None,
        &["key", "generate", "--alg", "ed25519", "--out", "other.pem"],
    )?;
    assert!(o.status.success());
    let o = stella(
        p,
        None,
        &[
            "export",
            "verify",
            "out",
            "--key",
            "other.pem.pub",
            "--envelope",
            "out/manifest.dsse.json",
            "--manifest",
            "out/manifest.json",
        ],
    )?;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));

    // A manifest rewritten to match edited files is not the signed one.
    std::fs::write(p.join("out/sbom.cdx.json"), b"{}")?;
    let o = sign(p, "forged.json", "forged.dsse.json")?;
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::copy(p.join("forged.json"), p.join("out/manifest.json"))?;
    let o = verify(p, &[])?;
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("not the manifest the envelope signs"),
        "{}",
        text(&o.stderr)
    );

    let o = stella(
        p,
        None,
        &[
            "export",
            "verify",
            "missing-dir",
            "--key",
            "k.pem.pub",
            "--envelope",
            "out/manifest.dsse.json",
        ],
    )?;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    Ok(())
}
