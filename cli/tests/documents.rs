//! `stella sign sbom`, `stella sign report`, `stella promotion attest|verify`: round trips, and
//! what each refuses.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DIGEST: &str = "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99";
const POLICY: &str = "sha256:9a8b7c6d5e4f30211e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1";

fn stella(dir: &Path, args: &[&str]) -> std::io::Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_stella"))
        .args(args)
        .current_dir(dir)
        .env("STELLA_HOME", dir.join("home"))
        .env_remove("STELLA_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run and require exit `code`; returns (stdout, stderr).
fn expect(
    dir: &Path,
    code: i32,
    args: &[&str],
) -> Result<(String, String), Box<dyn std::error::Error>> {
    let o = stella(dir, args)?;
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(
        o.status.code(),
        Some(code),
        "stella {args:?}\nstdout: {out}\nstderr: {err}"
    );
    Ok((out, err))
}

fn setup() -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    expect(
        dir.path(),
        0,
        &["key", "generate", "--alg", "ed25519", "--out", "k.pem"],
    )?;
    Ok(dir)
}

fn write(dir: &Path, name: &str, doc: &Value) -> std::io::Result<()> {
    std::fs::write(dir.join(name), doc.to_string())
}

/// The statement an envelope file carries.
fn statement(dir: &Path, envelope: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let (out, _) = expect(
        dir,
        0,
        &["verify", "--key", "k.pem.pub", "--json", envelope],
    )?;
    let v: Value = serde_json::from_str(&out)?;
    assert_eq!(v["verified"], true);
    let env: Value = serde_json::from_slice(&std::fs::read(dir.join(envelope))?)?;
    let payload = env["payload"].as_str().ok_or("payload")?;
    use base64::Engine as _;
    Ok(serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD.decode(payload)?,
    )?)
}

#[test]
fn sboms_are_detected_and_name_their_own_subjects() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    let cdx = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"component": {
        "name": "app", "purl": "pkg:oci/app@sha256:4f3c", "hashes": [{"alg": "SHA-256", "content": DIGEST}]}}});
    write(p, "app.cdx.json", &cdx)?;
    let (_, err) = expect(
        p,
        0,
        &[
            "sign",
            "sbom",
            "--key",
            "k.pem",
            "--out",
            "cdx.dsse",
            "app.cdx.json",
        ],
    )?;
    assert!(
        err.contains("CycloneDX SBOM signed as https://cyclonedx.org/bom"),
        "{err}"
    );
    let s = statement(p, "cdx.dsse")?;
    assert_eq!(s["predicateType"], "https://cyclonedx.org/bom");
    assert_eq!(
        s["subject"],
        json!([{"name": "pkg:oci/app@sha256:4f3c", "digest": {"sha256": DIGEST}}])
    );
    assert_eq!(s["predicate"], cdx);

    let spdx = json!({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
        "documentDescribes": ["SPDXRef-app"],
        "packages": [
            {"SPDXID": "SPDXRef-app", "name": "app", "checksums": [{"algorithm": "SHA256", "checksumValue": DIGEST}]},
            {"SPDXID": "SPDXRef-dep", "name": "dep", "checksums": [{"algorithm": "SHA256", "checksumValue": DIGEST}]}]});
    write(p, "app.spdx.json", &spdx)?;
    expect(
        p,
        0,
        &[
            "sign",
            "sbom",
            "--key",
            "k.pem",
            "--out",
            "spdx.dsse",
            "app.spdx.json",
        ],
    )?;
    let s = statement(p, "spdx.dsse")?;
    assert_eq!(s["predicateType"], "https://spdx.dev/Document");
    assert_eq!(
        s["subject"],
        json!([{"name": "app", "digest": {"sha256": DIGEST}}])
    );

    // Given subjects win over declared ones.
    let subject = format!("registry.example/app@sha256:{DIGEST}");
    expect(
        p,
        0,
        &[
            "sign",
            "sbom",
            "--key",
            "k.pem",
            "--subject",
            &subject,
            "--out",
            "given.dsse",
            "app.spdx.json",
        ],
    )?;
    assert_eq!(
        statement(p, "given.dsse")?["subject"][0]["name"],
        "registry.example/app"
    );

    write(p, "not.json", &json!({"hello": "world"}))?;
    let (_, err) = expect(p, 2, &["sign", "sbom", "--key", "k.pem", "not.json"])?;
    assert!(err.contains("not an SBOM"), "{err}");
    write(
        p,
        "bare.cdx.json",
        &json!({"bomFormat": "CycloneDX", "specVersion": "1.6"}),
    )?;
    let (_, err) = expect(p, 2, &["sign", "sbom", "--key", "k.pem", "bare.cdx.json"])?;
    assert!(err.contains("name the artifact"), "{err}");
    expect(
        p,
        2,
        &[
            "sign",
            "sbom",
            "--key",
            "k.pem",
            "--subject",
            "no-digest",
            "app.spdx.json",
        ],
    )?;
    Ok(())
}

fn report_fixture() -> Result<Value, Box<dyn std::error::Error>> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/predicates/report.json");
    Ok(serde_json::from_slice(&std::fs::read(path)?)?)
}

/// Write the report fixture to `report.json`, sign it into `report.dsse` with `k.pem`, and
/// return it.
fn sign_report_fixture(p: &Path) -> Result<Value, Box<dyn std::error::Error>> {
    let report = report_fixture()?;
    write(p, "report.json", &report)?;
    expect(
        p,
        0,
        &[
            "sign",
            "report",
            "--key",
            "k.pem",
            "--out",
            "report.dsse",
            "report.json",
        ],
    )?;
    Ok(report)
}

#[test]
fn reports_are_validated_and_attest_their_artifact() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    let report = sign_report_fixture(p)?;
    let s = statement(p, "report.dsse")?;
    assert_eq!(s["predicateType"], "stella.ops/report@v1");
    assert_eq!(s["subject"][0]["name"], report["artifact"]["name"]);
    assert_eq!(s["subject"][0]["digest"], report["artifact"]["digest"]);

    let mut bad = report.clone();
    bad["policy"].as_object_mut().map(|o| o.remove("viewSet"));
    write(p, "bad.json", &bad)?;
    let (_, err) = expect(
        p,
        2,
        &[
            "sign", "report", "--key", "k.pem", "--out", "bad.dsse", "bad.json",
        ],
    )?;
    assert!(err.contains("field /policy/viewSet"), "{err}");
    assert!(!p.join("bad.dsse").exists());
    Ok(())
}

fn attest_promotion(
    p: &Path,
    out: &str,
    extra: &[&str],
) -> Result<(String, String), Box<dyn std::error::Error>> {
    let artifact = format!("registry.example/app@sha256:{DIGEST}");
    let mut args = vec![
        "promotion", "attest", "--key", "k.pem", "--artifact", &artifact, "--from", "staging",
        "--to", "production", "--policy-digest", POLICY, "--view", "prod-gates",
        "--approval", "alice@example.com,2026-11-20T10:15:00Z,release-manager",
        "--evidence", "stella.ops/vexDecision@v1=sha256:1111111111111111111111111111111111111111111111111111111111111111",
        "--promoted-at", "2026-11-20T11:00:00Z", "--out", out,
    ];
    args.extend_from_slice(extra);
    let code = if extra.is_empty() { 0 } else { 2 };
    expect(p, code, &args)
}

#[test]
fn promotions_round_trip_and_requirements_are_enforced() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    attest_promotion(p, "promo.dsse", &[])?;
    let artifact_digest = format!("sha256:{DIGEST}");
    let (out, _) = expect(
        p,
        0,
        &[
            "promotion",
            "verify",
            "--key",
            "k.pem.pub",
            "--artifact-digest",
            &artifact_digest,
            "--target",
            "production",
            "--policy-digest",
            POLICY,
            "promo.dsse",
        ],
    )?;
    assert!(
        out.contains("verified: promotion of registry.example/app from staging to production"),
        "{out}"
    );
    assert!(
        out.contains("approved by alice@example.com (release-manager) at 2026-11-20T10:15:00Z"),
        "{out}"
    );
    let (out, _) = expect(
        p,
        0,
        &[
            "promotion",
            "verify",
            "--key",
            "k.pem.pub",
            "--json",
            "promo.dsse",
        ],
    )?;
    let doc: Value = serde_json::from_str(&out)?;
    assert_eq!(
        doc["promotion"]["evidence"][0]["type"],
        "stella.ops/vexDecision@v1"
    );

    let (_, err) = expect(
        p,
        1,
        &[
            "promotion",
            "verify",
            "--key",
            "k.pem.pub",
            "--target",
            "staging",
            "promo.dsse",
        ],
    )?;
    assert!(
        err.contains(r#"promoted to "production", required "staging""#),
        "{err}"
    );
    let other_policy = format!("sha256:{}", "0".repeat(64));
    expect(
        p,
        1,
        &[
            "promotion",
            "verify",
            "--key",
            "k.pem.pub",
            "--policy-digest",
            &other_policy,
            "promo.dsse",
        ],
    )?;
    let other_digest = format!("sha256:{}", "1".repeat(64));
    expect(
        p,
        1,
        &[
            "promotion",
            "verify",
            "--key",
            "k.pem.pub",
            "--artifact-digest",
            &other_digest,
            "promo.dsse",
        ],
    )?;

    // Another key, and another predicate type signed by the right key: both fail verification.
    expect(
        p,
        0,
        &["key", "generate", "--alg", "es256", "--out", "other.pem"],
    )?;
    expect(
        p,
        1,
        &[
            "promotion",
            "verify",
            "--key",
            "other.pem.pub",
            "promo.dsse",
        ],
    )?;
    sign_report_fixture(p)?;
    let (_, err) = expect(
        p,
        1,
        &["promotion", "verify", "--key", "k.pem.pub", "report.dsse"],
    )?;
    assert!(
        err.contains("expected \"stella.ops/promotion@v1\""),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_promotion_that_breaks_the_schema_is_not_signed() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    let (_, err) = attest_promotion(p, "bad.dsse", &["--approval", "bob,whenever"])?;
    assert!(err.contains("field /approvals/1/approvedAt"), "{err}");
    assert!(!p.join("bad.dsse").exists());
    let (_, err) = expect(
        p,
        2,
        &[
            "promotion",
            "attest",
            "--key",
            "k.pem",
            "--artifact",
            "no-digest",
            "--from",
            "a",
            "--to",
            "b",
            "--policy-digest",
            POLICY,
        ],
    )?;
    assert!(err.contains("NAME@ALG:HEX"), "{err}");
    Ok(())
}

#[test]
fn forensics_reads_real_sigstore_bundles() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    let go = stellaops_tests::sigstore_data::go_data();
    let path = |rel: &str| go.join(rel).display().to_string();

    // npm provenance of sigstore-js 1.3.0: keyless, GitHub Actions identity, Rekor entry.
    let (out, _) = expect(
        p,
        0,
        &[
            "forensic",
            "attest",
            "show",
            "--json",
            &path("examples/bundle-provenance.json"),
        ],
    )?;
    let f: Value = serde_json::from_str(&out)?;
    assert_eq!(f["predicate_type"], "https://slsa.dev/provenance/v0.2");
    assert_eq!(f["subjects"][0]["name"], "pkg:npm/sigstore@1.3.0");
    assert_eq!(
        f["certificate"]["identities"][0],
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
    );
    assert_eq!(
        f["certificate"]["issuer"],
        "https://token.actions.githubusercontent.com"
    );
    assert_eq!(f["tlog_entries"][0]["log_index"], "18300934");
    assert_eq!(f["tlog_entries"][0]["integrated_time"], "1681839912");
    // Issue 20, defect 5: its own certificate matches, but nothing was checked against a
    // trust root or a given key, so it is not "verified", and the report says what was not
    // checked.
    assert_eq!(f["signatures"][0]["verified_by"], Value::Null);
    assert_eq!(f["signatures"][0]["matches_embedded_certificate"], true);
    assert_eq!(f["verified"], false);
    let not_checked = f["not_checked"].to_string();
    assert!(not_checked.contains("certificate chain"), "{not_checked}");
    assert!(not_checked.contains("transparency-log"), "{not_checked}");

    // The npm publish attestation: keyful, npm's registry key (one long base64 line).
    let publish = path("examples/bundle-publish.json");
    let npm_key = path("examples/publish_key.pub");
    let (out, _) = expect(
        p,
        0,
        &["forensic", "attest", "show", "--key", &npm_key, &publish],
    )?;
    assert!(
        out.contains(
            "predicate:    https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
        ),
        "{out}"
    );
    assert!(out.contains("verified by key"), "{out}");
    assert!(
        out.contains("rekor:        log index 18300940, integrated 1681839916"),
        "{out}"
    );
    // Our key did not sign it.
    expect(
        p,
        1,
        &["forensic", "attest", "show", "--key", "k.pem.pub", &publish],
    )?;

    // Two signatures, only the first made by the certificate's key.
    let (out, _) = expect(
        p,
        0,
        &[
            "forensic",
            "attest",
            "show",
            &path("pkg/testing/data/bundles/dsse-2sigs.sigstore.json"),
        ],
    )?;
    assert!(
        out.contains(
            "signature #0: keyid (none), NOT verified; matches the bundle's own certificate (es256)"
        ),
        "{out}"
    );
    assert!(
        out.contains("signature #1: keyid (none), not verified"),
        "{out}"
    );
    assert!(
        out.contains("issuer:       https://github.com/login/oauth"),
        "{out}"
    );
    Ok(())
}

#[test]
fn forensics_reads_our_own_envelopes() -> TestResult {
    let dir = setup()?;
    let p = dir.path();
    attest_promotion(p, "promo.dsse", &[])?;
    let (out, _) = expect(
        p,
        0,
        &[
            "forensic",
            "attest",
            "show",
            "--key",
            "k.pem.pub",
            "promo.dsse",
        ],
    )?;
    assert!(out.contains("container:    dsse"), "{out}");
    assert!(
        out.contains("predicate:    stella.ops/promotion@v1"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "subject:      registry.example/app sha256:{DIGEST}"
        )),
        "{out}"
    );
    assert!(out.contains("verified by key"), "{out}");
    let (out, _) = expect(p, 0, &["forensic", "attest", "show", "promo.dsse"])?;
    assert!(out.contains("not verified"), "{out}");
    std::fs::write(p.join("junk.json"), b"{\"payload\":1}")?;
    expect(p, 2, &["forensic", "attest", "show", "junk.json"])?;
    Ok(())
}
