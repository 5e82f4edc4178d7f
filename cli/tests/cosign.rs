//! cosign v3.1.3 (built from its Go module by scripts/services.sh) against us, both ways, on the
//! real Sigstore servers: Fulcio, TesseraCT, the timestamp authority and Rekor v2, chosen from
//! the deployment's signing config. Our keyless and keyful bundles (Rekor v2 entries, RFC 3161
//! timestamps) in `cosign verify-blob-attestation`; cosign's `attest-blob` and `sign-blob`
//! bundles, made with the same signing config, in `stella verify --bundle`. The stand-in flows
//! (Rekor v1, envelopes, the release provenance) are scripts/cosign-interop.sh, which
//! scripts/test.sh runs too.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stellaops_tests::sigstore_local::{
    cosign, other_artifact, real, slsa_inputs, stella_attest, stella_key, stella_verify_keyless,
    RealSigstore,
};

const EMAIL: &str = "cosign-interop@stellaops.local";
const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn signing_config(s: &RealSigstore) -> PathBuf {
    s.trust.dir.join("signing_config.json")
}

/// `cosign verify-blob-attestation` offline against the deployment's trusted root.
fn cosign_verify(s: &RealSigstore, bundle: &Path, artifact: &Path, signer: &[&str]) -> Output {
    Command::new(cosign())
        .arg("verify-blob-attestation")
        .arg("--bundle")
        .arg(bundle)
        .arg("--trusted-root")
        .arg(s.trust.trusted_root())
        .args(signer)
        .args(["--type", SLSA_V1])
        .arg(artifact)
        .output()
        .unwrap()
}

/// `stella verify --bundle` for the keyless identity.
fn stella_verify(s: &RealSigstore, bundle: &Path, artifact: &Path, identity: &str) -> Output {
    stella_verify_keyless(stella(), &s.trust, bundle, artifact, identity)
}

fn stella() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_stella"))
}

/// The servers, a directory, the artifact, its predicate and another file.
fn setup() -> (RealSigstore, tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (artifact, predicate) = slsa_inputs(dir.path());
    let other = other_artifact(dir.path());
    (s, dir, artifact, predicate, other)
}

#[test]
fn our_rekor_v2_timestamped_bundles_verify_in_cosign() {
    let (s, dir, artifact, predicate, other) = setup();

    // Keyless, every service from the signing config (Rekor v2, the TSA).
    let bundle = dir.path().join("keyless.sigstore.json");
    let token = s.trust.token(EMAIL, &[]);
    let config = signing_config(&s);
    let root = s.trust.trusted_root();
    let out = stella_attest(
        stella(),
        &[("SIGSTORE_ID_TOKEN", token.as_ref())],
        &[
            "--keyless".as_ref(),
            "--signing-config".as_ref(),
            config.as_os_str(),
            "--trusted-root".as_ref(),
            root.as_os_str(),
        ],
        (&predicate, &bundle, &artifact),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let issuer = s.trust.issuer();
    let identity = |email| {
        [
            "--certificate-identity",
            email,
            "--certificate-oidc-issuer",
            issuer.as_str(),
        ]
    };
    let ok = cosign_verify(&s, &bundle, &artifact, &identity(EMAIL));
    assert!(
        ok.status.success(),
        "cosign rejected our bundle: {}",
        stderr(&ok)
    );
    let wrong = cosign_verify(&s, &bundle, &artifact, &identity("someone@else"));
    assert!(!wrong.status.success(), "cosign accepted another identity");
    let wrong = cosign_verify(&s, &bundle, &other, &identity(EMAIL));
    assert!(!wrong.status.success(), "cosign accepted another artifact");

    // Keyful, the same services.
    let key = stella_key(stella(), "es256", &dir.path().join("release.key"));
    let bundle = dir.path().join("keyful.sigstore.json");
    let out = stella_attest(
        stella(),
        &[],
        &[
            "--sigstore-bundle".as_ref(),
            "--signing-config".as_ref(),
            config.as_os_str(),
            "--key".as_ref(),
            key.as_os_str(),
        ],
        (&predicate, &bundle, &artifact),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let public = format!("{}.pub", key.display());
    let ok = cosign_verify(&s, &bundle, &artifact, &["--key", &public]);
    assert!(
        ok.status.success(),
        "cosign rejected our keyful bundle: {}",
        stderr(&ok)
    );
    let wrong = cosign_verify(&s, &bundle, &other, &["--key", &public]);
    assert!(!wrong.status.success(), "cosign accepted another artifact");
}

#[test]
fn cosign_bundles_from_the_same_servers_verify_in_stella() {
    let (s, dir, artifact, predicate, other) = setup();
    // cosign takes the token or a file holding it; the file (a token is too long a file name
    // for it to tell them apart).
    let token = dir.path().join("token");
    std::fs::write(&token, s.trust.token(EMAIL, &[])).unwrap();
    let cosign_run = |args: &[&std::ffi::OsStr]| {
        Command::new(cosign())
            .args(args)
            .arg("--yes")
            .arg("--identity-token")
            .arg(&token)
            .arg("--signing-config")
            .arg(signing_config(&s))
            .arg("--trusted-root")
            .arg(s.trust.trusted_root())
            .output()
            .unwrap()
    };

    let attested = dir.path().join("cosign-attest.sigstore.json");
    let out = cosign_run(&[
        "attest-blob".as_ref(),
        "--predicate".as_ref(),
        predicate.as_os_str(),
        "--type".as_ref(),
        SLSA_V1.as_ref(),
        "--bundle".as_ref(),
        attested.as_os_str(),
        artifact.as_os_str(),
    ]);
    assert!(out.status.success(), "cosign attest-blob: {}", stderr(&out));
    let signed = dir.path().join("cosign-sign.sigstore.json");
    let out = cosign_run(&[
        "sign-blob".as_ref(),
        "--bundle".as_ref(),
        signed.as_os_str(),
        artifact.as_os_str(),
    ]);
    assert!(out.status.success(), "cosign sign-blob: {}", stderr(&out));

    for bundle in [&attested, &signed] {
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
        let entry = &doc["verificationMaterial"]["tlogEntries"][0]["kindVersion"];
        assert_eq!(entry["version"], "0.0.2", "cosign chose Rekor v2: {entry}");
        let ours = stella_verify(&s, bundle, &artifact, EMAIL);
        assert!(
            ours.status.success(),
            "{}: {}",
            bundle.display(),
            stderr(&ours)
        );
        let wrong = stella_verify(&s, bundle, &other, EMAIL);
        assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
        let wrong = stella_verify(&s, bundle, &artifact, "someone@else");
        assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    }
}
