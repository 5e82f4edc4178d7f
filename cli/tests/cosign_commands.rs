//! The commands a cosign user types — `sign-blob`, `attest-blob`, `verify-blob`,
//! `verify-blob-attestation` — with cosign's flags and defaults.
//!
//! Without servers: public bundles from the field (sigstore-verify's test data: a cosign v3
//! blob signature, a managed-key bundle, a conda attestation) verify with no trust flags, against
//! the built-in public-good root; a staging bundle does not, and says how old that root is;
//! `--json` reports failures too; signing with no service flags goes to the public-good
//! instance (proven inside a network namespace, where it cannot be reached).
//!
//! On the real servers (scripts/services.sh): our sign-blob and attest-blob bundles, keyless and
//! keyful, Rekor v1 and v2, checked by cosign v3.1.3, sigstore-python and sigstore-js.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use stellaops_tests::sigstore_data::rust_data;
use stellaops_tests::sigstore_local::{
    cosign, other_artifact, real, sigstore_js, sigstore_python_verify, slsa_inputs, stella_key,
    JsSigner, RealSigstore,
};

const EMAIL: &str = "cosign-commands@stellaops.local";
const GITHUB_ACTIONS: &str = "https://token.actions.githubusercontent.com";
const CONDA_WORKFLOW: &str = r"https://github\.com/prefix-dev/sigstore-example/\.github/workflows/action\.yaml@refs/heads/main";

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn stella(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stella"))
        .args(args)
        .output()
        .unwrap()
}

/// `args` as `&OsStr`s.
macro_rules! os {
    ($($a:expr),* $(,)?) => { [$(AsRef::<OsStr>::as_ref(&$a)),*] };
}

#[test]
fn public_bundles_verify_with_no_trust_flags() {
    let data = rust_data().join("bundles");
    // A cosign v3 blob signature from the public-good instance: the identity is all it takes.
    let blob = data.join("cosign-v3-blob.txt");
    let bundle = data.join("cosign-v3-blob.sigstore.json");
    let verify = |file: &OsStr| {
        stella(&os![
            "verify-blob",
            "--bundle",
            bundle,
            "--certificate-identity",
            "w.vollprecht@gmail.com",
            "--certificate-oidc-issuer",
            "https://github.com/login/oauth",
            file
        ])
    };
    let out = verify(blob.as_ref());
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("logged in Rekor at 2025-12-03T18:36:43Z"),
        "{}",
        text(&out)
    );
    // The same bundle and another file: refused, exit 1.
    let out = verify(rust_data().join("managed-key/artifact.txt").as_ref());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // Its digest stands for it.
    let digest = format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            std::fs::read(&blob).unwrap()
        ))
    );
    let out = verify(digest.as_ref());
    assert!(out.status.success(), "{}", text(&out));

    // A managed-key bundle with its key.
    let managed = rust_data().join("managed-key");
    let out = stella(&os![
        "verify-blob",
        "--bundle",
        managed.join("bundle.sigstore.json"),
        "--key",
        managed.join("key.pub"),
        managed.join("artifact.txt"),
    ]);
    assert!(out.status.success(), "{}", text(&out));

    // A conda attestation (GitHub Actions): identity and issuer both by anchored patterns, the
    // package among the subjects.
    let conda = data.join("signed-package-2.1.0-hb0f4dca_0.conda");
    let attestation = |bundle: &str, issuer: &str, json: bool| {
        let bundle = data.join(bundle);
        let mut args = os![
            "verify-blob-attestation",
            "--bundle",
            bundle,
            "--certificate-identity-regexp",
            CONDA_WORKFLOW,
            "--certificate-oidc-issuer-regexp",
            issuer,
            "--type",
            "https://schemas.conda.org/attestations-publish-1.schema.json",
        ]
        .to_vec();
        if json {
            args.push("--json".as_ref());
        }
        args.push(conda.as_ref());
        stella(&args)
    };
    let out = attestation(
        "conda-attestation.sigstore.json",
        r"https://token\.actions\.githubusercontent\.com",
        false,
    );
    assert!(out.status.success(), "{}", text(&out));
    // Anchored: a pattern matching only part of the issuer does not match it.
    let out = attestation("conda-attestation.sigstore.json", r"token\.actions", false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("OIDC issuer"), "{}", text(&out));

    // A staging bundle is not the public-good instance's: refused, naming the built-in root's
    // date; --json says so on stdout, with the stable code and what was required.
    let out = attestation(
        "conda-attestation-rekor2.sigstore.json",
        r"https://token\.actions\.githubusercontent\.com",
        true,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("built-in public-good trusted root of 2025-09-23"),
        "{}",
        text(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verified"], false);
    assert_eq!(report["error"]["exitCode"], 1);
    let code = report["error"]["code"].as_u64().unwrap();
    assert!((400..500).contains(&code), "a verification code: {report}");
    assert_eq!(report["required"]["trustedRoot"]["asOf"], "2025-09-23");
    assert_eq!(
        report["required"]["signer"]["certificateIdentity"]["regexp"],
        CONDA_WORKFLOW
    );
    // And on success, the same --json says what was verified against.
    let out = attestation(
        "conda-attestation.sigstore.json",
        r"https://token\.actions\.githubusercontent\.com",
        true,
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["trustedRoot"]["builtIn"], "public-good");
}

#[test]
fn cosign_flags_are_taken_or_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (blob, _) = slsa_inputs(dir.path());
    let bundle = dir.path().join("b.json");
    // `--check-claims=false` checks the signature only: a blob with it is a mistake.
    let data = rust_data().join("bundles");
    let out = stella(&os![
        "verify-blob-attestation",
        "--bundle",
        data.join("conda-attestation.sigstore.json"),
        "--certificate-identity-regexp",
        CONDA_WORKFLOW,
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS,
        "--check-claims=false",
        blob,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = stella(&os![
        "verify-blob-attestation",
        "--bundle",
        data.join("conda-attestation.sigstore.json"),
        "--certificate-identity-regexp",
        CONDA_WORKFLOW,
        "--certificate-oidc-issuer",
        GITHUB_ACTIONS,
        "--check-claims=false",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // The old bundle format is not written.
    let out = stella(&os![
        "sign-blob",
        "--new-bundle-format=false",
        "--bundle",
        bundle,
        blob
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("v0.3"), "{}", text(&out));
    // A key the log cannot check over a digest is refused before anything is sent (the Rekor
    // URL is never contacted: nothing listens there).
    let key = stella_key(
        Path::new(env!("CARGO_BIN_EXE_stella")),
        "ed25519",
        &dir.path().join("ed.key"),
    );
    let out = stella(&os![
        "sign-blob",
        "--key",
        key,
        "--rekor-url",
        "http://127.0.0.1:9",
        "--bundle",
        bundle,
        blob
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("ECDSA P-256"), "{}", text(&out));
    assert!(!bundle.exists());
}

#[test]
fn signing_with_no_service_flags_goes_to_the_public_good_instance() {
    // A token that is unexpired (from the stand-in issuer); inside a network namespace nothing
    // can be reached, so the answer names where the signer went.
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (blob, _) = slsa_inputs(dir.path());
    let out = Command::new("unshare")
        .args(["-rn", env!("CARGO_BIN_EXE_stella"), "sign-blob", "--yes"])
        .arg("--identity-token")
        .arg(s.trust.token(EMAIL, &[]))
        .arg("--bundle")
        .arg(dir.path().join("b.json"))
        .arg(&blob)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("public-good instance (built-in signing config of 2025-09-23)"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("fulcio.sigstore.dev"), "{}", text(&out));
    assert!(text(&out).contains("Fulcio unreachable"), "{}", text(&out));
}

/// cosign `verify-blob` or `verify-blob-attestation` offline against the deployment's root.
fn cosign_verify(
    s: &RealSigstore,
    command: &str,
    bundle: &Path,
    blob: &Path,
    signer: &[&str],
) -> Output {
    Command::new(cosign())
        .arg(command)
        .args(["--new-bundle-format", "--bundle"])
        .arg(bundle)
        .arg("--trusted-root")
        .arg(s.trust.trusted_root())
        .args(signer)
        .arg(blob)
        .output()
        .unwrap()
}

#[test]
fn our_blob_signatures_and_attestations_verify_in_cosign_python_and_js() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (blob, predicate) = slsa_inputs(dir.path());
    let other = other_artifact(dir.path());
    let root = s.trust.trusted_root();
    let config = s.trust.dir.join("signing_config.json");
    let issuer = s.trust.issuer();
    let identity = [
        "--certificate-identity",
        EMAIL,
        "--certificate-oidc-issuer",
        issuer.as_str(),
    ];
    let token = dir.path().join("token");
    std::fs::write(&token, s.trust.token(EMAIL, &[])).unwrap();

    // Keyless sign-blob, the services from the signing config (Fulcio, Rekor v2, the TSA),
    // the token from a file named by --identity-token.
    let signed = dir.path().join("keyless-blob.sigstore.json");
    let out = stella(&os![
        "sign-blob",
        "--yes",
        "--identity-token",
        token,
        "--signing-config",
        config,
        "--trusted-root",
        root,
        "--bundle",
        signed,
        blob
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&std::fs::read(&signed).unwrap()).unwrap();
    assert!(
        doc["messageSignature"]["messageDigest"]["digest"].is_string(),
        "{doc}"
    );
    let entry = &doc["verificationMaterial"]["tlogEntries"][0]["kindVersion"];
    assert_eq!(
        (entry["kind"].as_str(), entry["version"].as_str()),
        (Some("hashedrekord"), Some("0.0.2"))
    );
    let ok = cosign_verify(&s, "verify-blob", &signed, &blob, &identity);
    assert!(ok.status.success(), "cosign: {}", text(&ok));
    let bad = cosign_verify(&s, "verify-blob", &signed, &other, &identity);
    assert!(!bad.status.success(), "cosign accepted another blob");
    let ok = sigstore_python_verify(&s.trust, &signed, &blob, EMAIL);
    assert!(ok.status.success(), "sigstore-python: {}", text(&ok));
    let ok = sigstore_js(&signed, &root, &blob, JsSigner::Identity(EMAIL, &issuer));
    assert!(ok.status.success(), "sigstore-js: {}", text(&ok));
    let ours = stella(
        &[
            &os!["verify-blob", "--bundle", signed, "--trusted-root", root][..],
            &os![identity[0], identity[1], identity[2], identity[3]],
            &[blob.as_ref()],
        ]
        .concat(),
    );
    assert!(ours.status.success(), "{}", text(&ours));

    // Keyful sign-blob on Rekor v1 (--rekor-url: cosign's v1 default), then on Rekor v2.
    let key = stella_key(
        Path::new(env!("CARGO_BIN_EXE_stella")),
        "es256",
        &dir.path().join("release.key"),
    );
    let public = dir.path().join("release.key.pub");
    let key_flag = ["--key", public.to_str().unwrap()];
    for (name, services) in [
        ("v1", os!["--rekor-url", s.rekor_v1].to_vec()),
        ("v2", os!["--signing-config", config].to_vec()),
    ] {
        let signed = dir.path().join(format!("keyful-{name}.sigstore.json"));
        let out = stella(
            &[
                &os![
                    "sign-blob",
                    "--key",
                    key,
                    "--trusted-root",
                    root,
                    "--bundle",
                    signed
                ][..],
                &services,
                &[blob.as_ref()],
            ]
            .concat(),
        );
        assert!(out.status.success(), "{name}: {}", text(&out));
        let ok = cosign_verify(&s, "verify-blob", &signed, &blob, &key_flag);
        assert!(ok.status.success(), "cosign ({name}): {}", text(&ok));
        let bad = cosign_verify(&s, "verify-blob", &signed, &other, &key_flag);
        assert!(
            !bad.status.success(),
            "cosign accepted another blob ({name})"
        );
        let ok = sigstore_js(&signed, &root, &blob, JsSigner::Key(&public));
        assert!(ok.status.success(), "sigstore-js ({name}): {}", text(&ok));
    }

    // attest-blob, keyless (token text) and keyful, with cosign's --type names.
    let token_text = std::fs::read_to_string(&token).unwrap();
    let attested = dir.path().join("keyless-attest.sigstore.json");
    let out = stella(&os![
        "attest-blob",
        "--identity-token",
        token_text,
        "--signing-config",
        config,
        "--predicate",
        predicate,
        "--type",
        "slsaprovenance1",
        "--bundle",
        attested,
        blob
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let with_type = |t: &'static str| {
        [
            identity[0],
            identity[1],
            identity[2],
            identity[3],
            "--type",
            t,
        ]
    };
    let ok = cosign_verify(
        &s,
        "verify-blob-attestation",
        &attested,
        &blob,
        &with_type("slsaprovenance1"),
    );
    assert!(ok.status.success(), "cosign: {}", text(&ok));
    let bad = cosign_verify(
        &s,
        "verify-blob-attestation",
        &attested,
        &blob,
        &with_type("slsaprovenance"),
    );
    assert!(
        !bad.status.success(),
        "cosign accepted another predicate type"
    );
    let ours = |t: &str, file: &Path| {
        stella(&os![
            "verify-blob-attestation",
            "--bundle",
            attested,
            "--trusted-root",
            root,
            "--certificate-identity",
            EMAIL,
            "--certificate-oidc-issuer",
            issuer,
            "--type",
            t,
            file
        ])
    };
    assert!(ours("slsaprovenance1", &blob).status.success());
    assert_eq!(ours("slsaprovenance", &blob).status.code(), Some(1));
    assert_eq!(ours("slsaprovenance1", &other).status.code(), Some(1));

    // Keyful attest-blob with cosign's default type (`custom`), which cosign verifies by default.
    let attested = dir.path().join("keyful-attest.sigstore.json");
    let out = stella(&os![
        "attest-blob",
        "--key",
        key,
        "--signing-config",
        config,
        "--trusted-root",
        root,
        "--predicate",
        predicate,
        "--bundle",
        attested,
        blob
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let ok = cosign_verify(&s, "verify-blob-attestation", &attested, &blob, &key_flag);
    assert!(ok.status.success(), "cosign (custom type): {}", text(&ok));
}
