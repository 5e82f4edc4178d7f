//! Real bundles from the field, verified offline against real trusted roots: npm provenance and
//! publish attestations, GitHub Actions and conda attestations, cosign blobs, keyful bundles,
//! bundles v0.1 to v0.3 — and forgeries of them, which must fail.
//!
//! The bundles are not copied into this repository: they are read where their publishers ship
//! them as test data, fetched at test time through the package registries — the Sigstore
//! project's own Rust verifier crate (already a dependency, so in Cargo's registry cache) and
//! sigstore-go's module (Go module proxy, checksum-verified by Go) — and the npm tarball the
//! provenance attests comes from the npm registry. A missing source fails the test loudly.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use stellaops_signer::sigstore::{
    verify_bundle, verify_bundle_with, BundleArtifact, BundleVerification, Error, Identity, Signer,
    TrustedRoot, VerifyOptions,
};
use stellaops_tests::sigstore_data::{go_data, npm_tarball, root_file, rust_data};

const GITHUB_ACTIONS: &str = "https://token.actions.githubusercontent.com";
const SIGSTORE_JS_RELEASE: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";

fn root(path: &Path) -> TrustedRoot {
    TrustedRoot::from_file(path).unwrap()
}

fn production() -> TrustedRoot {
    root(&root_file("trusted_root.json"))
}

fn keyless(identity: &str, issuer: &str) -> Signer {
    Signer::Keyless {
        identity: Identity::exact(identity),
        issuer: Identity::exact(issuer),
    }
}

fn key(path: &Path) -> Signer {
    Signer::public_key(&std::fs::read(path).unwrap()).unwrap()
}

/// GitHub's release attestation, GitHub's trusted root, its release service's identity, and the
/// options that choose its trust domain (no log, no SCT).
fn github_release() -> (std::path::PathBuf, TrustedRoot, Signer, VerifyOptions) {
    (
        rust_data().join("bundles/github-private-attestation.sigstore.json"),
        root(&root_file("trusted_root_github.json")),
        Signer::IssuerlessCertificate {
            identity: Identity::exact("https://dotcom.releases.github.com"),
        },
        VerifyOptions {
            insecure_ignore_tlog: true,
            insecure_ignore_sct: true,
        },
    )
}

fn check(
    bundle: &Path,
    root: &TrustedRoot,
    signer: &Signer,
    artifact: Option<&Path>,
) -> Result<BundleVerification, Error> {
    verify_bundle(&std::fs::read(bundle).unwrap(), root, signer, artifact)
}

/// Verify an edited copy of a bundle.
fn check_edited(
    bundle: &Path,
    root: &TrustedRoot,
    signer: &Signer,
    edit: impl FnOnce(&mut Value),
) -> Result<BundleVerification, Error> {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    edit(&mut doc);
    verify_bundle(doc.to_string().as_bytes(), root, signer, None)
}

#[test]
fn npm_provenance_v0_1_verifies_with_the_tarball_it_attests() {
    let bundle = go_data().join("examples/bundle-provenance.json");
    let root = root(&go_data().join("examples/trusted-root-public-good.json"));
    let signer = keyless(SIGSTORE_JS_RELEASE, GITHUB_ACTIONS);
    let v = check(&bundle, &root, &signer, Some(npm_tarball())).unwrap();
    assert_eq!(
        v.media_type,
        "application/vnd.dev.sigstore.bundle+json;version=0.1"
    );
    assert_eq!(v.identity.as_deref(), Some(SIGSTORE_JS_RELEASE));
    assert_eq!(v.issuer.as_deref(), Some(GITHUB_ACTIONS));
    assert_eq!(v.integrated_time.as_deref(), Some("2023-04-18T17:45:12Z"));
    assert!(v.certificate_verified && v.sct_verified && v.tlog_verified && v.artifact_checked);
    let statement = v.statement.unwrap();
    assert_eq!(
        statement["predicateType"],
        "https://slsa.dev/provenance/v0.2"
    );
    assert_eq!(statement["subject"][0]["name"], "pkg:npm/sigstore@1.3.0");

    // Another file is not the attested tarball.
    let other = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(other.path(), b"not the tarball").unwrap();
    let e = check(&bundle, &root, &signer, Some(other.path())).unwrap_err();
    assert!(matches!(e, Error::ArtifactMismatch(_)), "{e}");
    assert!(e.is_verification_failure());

    // Identity: an anchored pattern accepts the workflow; a prefix without `.*` does not, nor
    // does another issuer.
    let pattern = |p: &str| Signer::Keyless {
        identity: Identity::pattern(p).unwrap(),
        issuer: Identity::exact(GITHUB_ACTIONS),
    };
    check(
        &bundle,
        &root,
        &pattern(r"https://github\.com/sigstore/sigstore-js/.*"),
        None,
    )
    .unwrap();
    for wrong in [
        pattern(r"https://github\.com/sigstore/"),
        keyless("someone@example.com", GITHUB_ACTIONS),
        keyless(SIGSTORE_JS_RELEASE, "https://accounts.google.com"),
    ] {
        let e = check(&bundle, &root, &wrong, None).unwrap_err();
        assert!(matches!(e, Error::IdentityMismatch(_)), "{e}");
    }
}

#[test]
fn npm_publish_attestation_verifies_with_the_registry_key_only() {
    let bundle = go_data().join("examples/bundle-publish.json");
    let root = root(&go_data().join("examples/trusted-root-public-good.json"));
    let v = check(
        &bundle,
        &root,
        &key(&go_data().join("examples/publish_key.pub")),
        None,
    )
    .unwrap();
    assert_eq!(v.identity, None);
    assert!(v.tlog_verified && !v.certificate_verified);
    assert_eq!(
        v.statement.unwrap()["predicateType"],
        "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
    );

    // Another key, or a keyless policy, does not accept it.
    let other = key(&rust_data().join("managed-key/key.pub"));
    let e = check(&bundle, &root, &other, None).unwrap_err();
    assert!(e.is_verification_failure(), "{e}");
    assert!(check(
        &bundle,
        &root,
        &keyless(SIGSTORE_JS_RELEASE, GITHUB_ACTIONS),
        None
    )
    .is_err());
}

#[test]
fn older_bundles_with_only_a_signed_entry_timestamp_verify() {
    let bundle = go_data().join("pkg/testing/data/bundles/dsse.sigstore.json");
    let root = root(&go_data().join("examples/trusted-root-public-good.json"));
    let v = check(
        &bundle,
        &root,
        &keyless("brian@dehamer.com", "https://github.com/login/oauth"),
        None,
    )
    .unwrap();
    assert_eq!(v.integrated_time.as_deref(), Some("2022-11-09T23:00:36Z"));
    assert!(v.tlog_verified);
}

#[test]
fn bundles_v0_2_and_v0_3_verify_with_their_artifacts() {
    let data = rust_data();
    // v0.2, hashedrekord: a PyPI wheel's release signature from GitHub Actions.
    let v = check(
        &data.join("bundles/bundle_v3_github.whl.sigstore"),
        &production(),
        &keyless("https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2", GITHUB_ACTIONS),
        None,
    )
    .unwrap();
    assert_eq!(
        v.media_type,
        "application/vnd.dev.sigstore.bundle+json;version=0.2"
    );
    assert_eq!(v.statement, None);

    // v0.3, dsse entry: a conda package attestation, with the package.
    let v = check(
        &data.join("bundles/conda-attestation.sigstore.json"),
        &production(),
        &keyless("https://github.com/prefix-dev/sigstore-example/.github/workflows/action.yaml@refs/heads/main", GITHUB_ACTIONS),
        Some(&data.join("bundles/signed-package-2.1.0-hb0f4dca_0.conda")),
    )
    .unwrap();
    assert_eq!(
        v.media_type,
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        v.payload_type.as_deref(),
        Some("application/vnd.in-toto+json")
    );

    // v0.3, cosign blob signature, with the blob.
    let blob = data.join("bundles/cosign-v3-blob.txt");
    let signer = keyless("w.vollprecht@gmail.com", "https://github.com/login/oauth");
    check(
        &data.join("bundles/cosign-v3-blob.sigstore.json"),
        &production(),
        &signer,
        Some(&blob),
    )
    .unwrap();
    let e = check(
        &data.join("bundles/cosign-v3-blob.sigstore.json"),
        &production(),
        &signer,
        Some(&data.join("managed-key/artifact.txt")),
    )
    .unwrap_err();
    assert!(e.is_verification_failure(), "{e}");

    // v0.3 keyful (public-key hint), with the artifact.
    check(
        &data.join("managed-key/bundle.sigstore.json"),
        &production(),
        &key(&data.join("managed-key/key.pub")),
        Some(&data.join("managed-key/artifact.txt")),
    )
    .unwrap();
}

#[test]
fn forgeries_fail() {
    let bundle = go_data().join("examples/bundle-provenance.json");
    let root = root(&go_data().join("examples/trusted-root-public-good.json"));
    let signer = keyless(SIGSTORE_JS_RELEASE, GITHUB_ACTIONS);
    let failure = |r: Result<BundleVerification, Error>| {
        let e = r.unwrap_err();
        assert!(e.is_verification_failure(), "{e}");
    };
    // The statement, re-encoded with another subject digest: the signature no longer holds.
    failure(check_edited(&bundle, &root, &signer, |b| {
        let payload = STANDARD
            .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap();
        let mut statement: Value = serde_json::from_slice(&payload).unwrap();
        statement["subject"][0]["digest"]["sha512"] = Value::from("00".repeat(64));
        b["dsseEnvelope"]["payload"] = Value::from(STANDARD.encode(statement.to_string()));
    }));
    // The integrated time, the log index.
    failure(check_edited(&bundle, &root, &signer, |b| {
        b["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = Value::from("1681840000");
    }));
    failure(check_edited(&bundle, &root, &signer, |b| {
        let entry = &mut b["verificationMaterial"]["tlogEntries"][0];
        let index: u64 = entry["logIndex"].as_str().unwrap().parse().unwrap();
        entry["logIndex"] = Value::from((index + 1).to_string());
    }));
    // A certificate from another bundle (another signer) with this signature.
    failure(check_edited(&bundle, &root, &signer, |b| {
        let other: Value = serde_json::from_slice(
            &std::fs::read(
                go_data()
                    .join("pkg/testing/data/bundles/sigstore.js@2.0.0-provenance.sigstore.json"),
            )
            .unwrap(),
        )
        .unwrap();
        b["verificationMaterial"]["x509CertificateChain"] =
            other["verificationMaterial"]["x509CertificateChain"].clone();
    }));
    // A v0.3 bundle's inclusion proof: one path hash, the checkpoint's root hash. Its signed
    // entry timestamp alone must not rescue it.
    let conda = rust_data().join("bundles/conda-attestation.sigstore.json");
    let conda_signer = keyless(
        "https://github.com/prefix-dev/sigstore-example/.github/workflows/action.yaml@refs/heads/main",
        GITHUB_ACTIONS,
    );
    check(&conda, &production(), &conda_signer, None).unwrap();
    let flip = |text: &str| {
        format!(
            "{}{}",
            if text.starts_with('A') { "B" } else { "A" },
            &text[1..]
        )
    };
    failure(check_edited(&conda, &production(), &conda_signer, |b| {
        let h = &mut b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][3];
        *h = Value::from(flip(h.as_str().unwrap()));
    }));
    failure(check_edited(&conda, &production(), &conda_signer, |b| {
        let proof = &mut b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"];
        let root_hash = proof["rootHash"].as_str().unwrap().to_owned();
        proof["rootHash"] = Value::from(flip(&root_hash));
        let envelope = proof["checkpoint"]["envelope"]
            .as_str()
            .unwrap()
            .replace(&root_hash, &flip(&root_hash));
        proof["checkpoint"]["envelope"] = Value::from(envelope);
    }));
    let e = check_edited(&conda, &production(), &conda_signer, |b| {
        b["verificationMaterial"]["tlogEntries"][0]
            .as_object_mut()
            .unwrap()
            .remove("inclusionProof");
    })
    .unwrap_err();
    // A readable bundle that lacks what verification needs does not verify (exit 1), rather
    // than being unreadable input.
    assert!(
        matches!(e, Error::Verification(_)),
        "a v0.3 bundle needs its proof: {e}"
    );
    // A bundle made against another Sigstore instance (a test deployment) is not trusted by
    // the public-good root.
    let othername = go_data().join("pkg/testing/data/bundles/othername.sigstore.json");
    let e = check(
        &othername,
        &root,
        &keyless("x", "http://oidc.local:8080"),
        None,
    )
    .unwrap_err();
    assert!(e.is_verification_failure(), "{e}");
    // CVE-2022-36056 (a cosign bundle whose log entry describes another signature).
    let e = check(
        &rust_data().join("bundles/bundle_cve_2022_36056.txt.sigstore"),
        &production(),
        &signer,
        None,
    )
    .unwrap_err();
    assert!(e.is_verification_failure(), "{e}");
}

#[test]
fn malformed_bundles_and_roots_are_input_errors() {
    let root = production();
    let signer = keyless(SIGSTORE_JS_RELEASE, GITHUB_ACTIONS);
    let text = std::fs::read_to_string(go_data().join("examples/bundle-provenance.json")).unwrap();
    // A duplicate key (which serde alone would let one side win).
    let doubled = text.replacen(
        "{",
        r#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json","#,
        1,
    );
    let e = verify_bundle(doubled.as_bytes(), &root, &signer, None).unwrap_err();
    assert!(
        matches!(e, Error::InvalidBundle(ref m) if m.contains("duplicate")),
        "{e}"
    );
    // Two signatures in one bundle: the format allows one.
    let e = check(
        &rust_data().join("bundles/dsse-2sigs.sigstore.json"),
        &root,
        &signer,
        None,
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidBundle(_)), "{e}");
    for bad in [&b"{"[..], b"[]", b"{\"mediaType\": 1}", b"\xff"] {
        let e = verify_bundle(bad, &root, &signer, None).unwrap_err();
        assert!(matches!(e, Error::InvalidBundle(_)), "{e}");
        assert!(!e.is_verification_failure());
    }
    assert!(matches!(
        TrustedRoot::from_json(b"{}"),
        Err(Error::TrustedRoot(_))
    ));
    assert!(matches!(
        TrustedRoot::from_json(text.as_bytes()),
        Err(Error::TrustedRoot(_))
    ));
    assert!(matches!(
        Signer::public_key(b"hello"),
        Err(Error::InvalidKey(_))
    ));
}

/// GitHub's release attestations: GitHub's own Fulcio (no CT log) certifies its release service
/// (no OIDC issuer), and the bundle carries an RFC 3161 timestamp from GitHub's TSA instead of a
/// Rekor entry. Accepted only with GitHub's trusted root, the issuer-less identity, and both
/// insecure options chosen; refused by default, for another identity or an issuer policy, with a
/// changed timestamp or statement, and against the public-good root.
#[test]
fn github_release_attestations_verify_only_when_their_trust_domain_is_chosen() {
    let (bundle, github, service, domain) = github_release();
    let raw = std::fs::read(&bundle).unwrap();
    let with = |doc: &[u8], root: &TrustedRoot, signer: &Signer, options: VerifyOptions| {
        verify_bundle_with(doc, root, signer, None, options)
    };

    let v = with(&raw, &github, &service, domain).unwrap();
    assert_eq!(
        v.identity.as_deref(),
        Some("https://dotcom.releases.github.com")
    );
    assert_eq!(v.issuer, None);
    assert!(v.certificate_verified && !v.sct_verified && !v.tlog_verified);
    assert_eq!(v.verified_times.len(), 1, "{:?}", v.verified_times);
    assert_eq!(
        v.statement.unwrap()["predicateType"],
        "https://in-toto.io/attestation/release/v0.2"
    );

    let refused = |r: Result<BundleVerification, Error>, why: &str| {
        let e = r.unwrap_err();
        assert!(e.is_verification_failure(), "{e}");
        assert!(e.to_string().contains(why), "{e} lacks {why:?}");
    };
    // By default: no log entry (the message names the option), then no SCT.
    refused(
        with(&raw, &github, &service, VerifyOptions::default()),
        "--insecure-ignore-tlog",
    );
    refused(
        with(
            &raw,
            &github,
            &service,
            VerifyOptions {
                insecure_ignore_tlog: true,
                ..VerifyOptions::default()
            },
        ),
        "SCT",
    );
    // Another identity; an issuer policy (the certificate names none).
    refused(
        with(
            &raw,
            &github,
            &Signer::IssuerlessCertificate {
                identity: Identity::exact("https://github.com/jdx/communique"),
            },
            domain,
        ),
        "dotcom.releases.github.com",
    );
    refused(
        with(
            &raw,
            &github,
            &keyless("https://dotcom.releases.github.com", GITHUB_ACTIONS),
            domain,
        ),
        "issuer",
    );
    // The public-good root does not know GitHub's CA or TSA.
    assert!(with(&raw, &production(), &service, domain).is_err());
    // A changed timestamp token, a changed statement.
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut doc: Value = serde_json::from_slice(&raw).unwrap();
        edit(&mut doc);
        with(doc.to_string().as_bytes(), &github, &service, domain)
    };
    assert!(edited(&|b| {
        let token = &mut b["verificationMaterial"]["timestampVerificationData"]
            ["rfc3161Timestamps"][0]["signedTimestamp"];
        let mut der = STANDARD.decode(token.as_str().unwrap()).unwrap();
        let last = der.len() - 1;
        der[last] ^= 1;
        *token = Value::from(STANDARD.encode(der));
    })
    .is_err());
    refused(
        edited(&|b| {
            let payload = STANDARD
                .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
                .unwrap();
            let mut statement: Value = serde_json::from_slice(&payload).unwrap();
            statement["subject"][1]["digest"]["sha256"] = Value::from("00".repeat(32));
            b["dsseEnvelope"]["payload"] = Value::from(STANDARD.encode(statement.to_string()));
        }),
        "",
    );

    // An issuer-less policy never matches a certificate from an OIDC sign-in.
    let conda = rust_data().join("bundles/conda-attestation.sigstore.json");
    let err = check(
        &conda,
        &production(),
        &Signer::IssuerlessCertificate {
            identity: Identity::exact(
                "https://github.com/prefix-dev/sigstore-example/.github/workflows/action.yaml@refs/heads/main",
            ),
        },
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::IdentityMismatch(_)), "{err}");
}

/// sigstore-python's own Rekor v2 fixtures (staging, shipped in sigstore-verify's test data): a
/// message signature and a DSSE envelope logged as `hashedrekord` 0.0.2 entries. Both verify
/// with their log entry checked (inclusion proof and signed checkpoint; no integrated time, the
/// signing time is a timestamp's), and an edited checkpoint fails them.
#[test]
fn rekor_v2_staging_bundles_from_sigstore_python_verify_with_their_log_checked() {
    let dir = rust_data().join("../test_data/upstream/sigstore-python");
    let staging = root(&root_file("trusted_root_staging.json"));
    let signer = keyless("jku@goto.fi", "https://github.com/login/oauth");
    let artifact = dir.join("staging-rekor-v2.txt");
    let v = check(
        &dir.join("staging-rekor-v2.txt.sigstore.json"),
        &staging,
        &signer,
        Some(&artifact),
    )
    .unwrap();
    assert!(v.tlog_verified && v.artifact_checked);
    assert_eq!(v.integrated_time, None);
    assert_eq!(
        v.tlog_entry.as_ref().map(|(kind, _)| kind.as_str()),
        Some("hashedrekord 0.0.2")
    );
    assert!(!v.verified_times.is_empty());

    // The DSSE one, bound to its statement's subject by digest (the artifact is not shipped).
    let dsse = dir.join("a.dsse.staging-rekor-v2.txt.sigstore.json");
    let raw = std::fs::read(&dsse).unwrap();
    let doc: Value = serde_json::from_slice(&raw).unwrap();
    let statement: Value = serde_json::from_slice(
        &STANDARD
            .decode(doc["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let hex = statement["subject"][0]["digest"]["sha256"]
        .as_str()
        .unwrap();
    let digest: [u8; 32] = ::hex::decode(hex).unwrap().try_into().unwrap();
    // Signed by the conformance suite's public OIDC beacon workflow.
    let beacon = keyless(
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
        GITHUB_ACTIONS,
    );
    let v = verify_bundle_with(
        &raw,
        &staging,
        &beacon,
        Some(BundleArtifact::Sha256(digest)),
        VerifyOptions::default(),
    )
    .unwrap();
    assert!(v.tlog_verified);
    assert_eq!(
        v.tlog_entry.as_ref().map(|(kind, _)| kind.as_str()),
        Some("hashedrekord 0.0.2")
    );

    let e = check_edited(
        &dir.join("staging-rekor-v2.txt.sigstore.json"),
        &staging,
        &signer,
        |b| {
            let envelope = &mut b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
                ["checkpoint"]["envelope"];
            // Another root hash on the note's third line.
            let mut lines: Vec<String> = envelope
                .as_str()
                .unwrap()
                .split('\n')
                .map(str::to_owned)
                .collect();
            let mut root_hash = STANDARD.decode(&lines[2]).unwrap();
            root_hash[0] ^= 1;
            lines[2] = STANDARD.encode(root_hash);
            *envelope = Value::from(lines.join("\n"));
        },
    )
    .unwrap_err();
    assert!(e.is_verification_failure(), "{e}");
}

/// A root CA in an old bundle's chain: the trusted root's own (npm's v0.1 provenance ships the
/// public-good root; sigstore-go accepts it, sigstore-python warns) verifies with a warning; a
/// root from elsewhere (sigstore-python's `bogus-root.pem` test certificate) fails the bundle.
#[test]
fn a_root_ca_in_an_old_bundles_chain_is_a_warning_when_trusted_and_fatal_otherwise() {
    let bundle = go_data().join("examples/bundle-provenance.json");
    let root = root(&go_data().join("examples/trusted-root-public-good.json"));
    let signer = keyless(SIGSTORE_JS_RELEASE, GITHUB_ACTIONS);
    let v = check(&bundle, &root, &signer, Some(npm_tarball())).unwrap();
    assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
    assert!(
        v.warnings[0].contains("trusted root CA"),
        "{:?}",
        v.warnings
    );

    let pem = std::fs::read_to_string(rust_data().join("x509/bogus-root.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let e = check_edited(&bundle, &root, &signer, |b| {
        let chain = b["verificationMaterial"]["x509CertificateChain"]["certificates"]
            .as_array_mut()
            .unwrap();
        chain.insert(1, serde_json::json!({ "rawBytes": body }));
    })
    .unwrap_err();
    assert!(e.is_verification_failure(), "{e}");
    assert!(e.to_string().contains("not in the trusted root"), "{e}");
}

/// An RFC 3161 timestamp whose base64 is wrapped every 76 characters (as MIME encoders write
/// it) is read like the unwrapped one, as sigstore-python reads it.
#[test]
fn line_wrapped_timestamp_base64_is_read() {
    let (bundle, github, service, domain) = github_release();
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    let token = &mut doc["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        [0]["signedTimestamp"];
    let text = token.as_str().unwrap().to_owned();
    let wrapped: Vec<String> = text
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    *token = Value::from(wrapped.join("\r\n"));
    let v =
        verify_bundle_with(doc.to_string().as_bytes(), &github, &service, None, domain).unwrap();
    assert_eq!(v.verified_times.len(), 1, "{:?}", v.verified_times);
    assert!(v.unverified_timestamps.is_empty());
}
