//! Verification parity with the peers, run: the Sigstore clients' own test bundles, each verified
//! offline by `stella verify --bundle`, by sigstore-go v1.2.2 (tests/peers/sigstore-go, built
//! here) and by sigstore-python 4.5.1 (`verify identity --offline`, a trust config around the same
//! root), with the certificate's own identity and issuer and the artifact's digest where the
//! bundle names a SHA-256 one. Each verifier's answer must be the one the table below records
//! (docs/interop.md prints it), and the table must keep its rule: whatever a peer accepts, we
//! accept; whatever both refuse, we refuse.
//!
//! The bundles are read where their publishers ship them: sigstore-verify 0.15.1's test data (its
//! bundles, sigstore-python's Rekor v2 fixtures, its SCT and CT-key cases; Cargo's registry
//! cache) and sigstore-go v1.0.0's examples (the Go module proxy).

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stellaops_tests::sigstore_data::{go_data, root_file, rust_data};
use stellaops_tests::sigstore_local::sigstore_python;
use stellaops_tests::workspace;

const GITHUB_ACTIONS: &str = "https://token.actions.githubusercontent.com";
const GITHUB_LOGIN: &str = "https://github.com/login/oauth";
const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const SIGSTORE_JS: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";

/// What a verifier answered: accepted, or refused (for `stella`, with its exit code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Accepted,
    Refused(i32),
}
use Answer::{Accepted, Refused};

/// A peer's refusal (peers' exit codes are not ours to compare).
const NO: Answer = Refused(1);

/// Where a case's files are.
#[derive(Clone, Copy)]
enum Data {
    /// sigstore-verify's test data.
    Rust(&'static str),
    /// sigstore-go v1.0.0's module.
    Go(&'static str),
    /// sigstore-trust-root's embedded roots.
    Root(&'static str),
}

impl Data {
    fn path(self) -> PathBuf {
        match self {
            Data::Rust(p) => rust_data().join(p),
            Data::Go(p) => go_data().join(p),
            Data::Root(p) => root_file(p),
        }
    }
}

const PROD: Data = Data::Root("trusted_root.json");
const STAGING: Data = Data::Root("trusted_root_staging.json");

/// One bundle, who signed it, what it signs, and each verifier's answer:
/// (stella, sigstore-go, sigstore-python).
struct Case {
    bundle: Data,
    root: Data,
    identity: &'static str,
    issuer: &'static str,
    /// The artifact's SHA-256 (hex) where the bundle names one; none: verified without.
    digest: Option<&'static str>,
    answers: [Answer; 3],
    /// Why, where the peers differ or we refuse; where sigstore-python alone refuses, the words
    /// of its reason in parentheses, which its output must contain.
    note: &'static str,
}

fn cases() -> Vec<Case> {
    let case = |bundle, root, identity, issuer, digest, answers, note| Case {
        bundle,
        root,
        identity,
        issuer,
        digest,
        answers,
        note,
    };
    vec![
        case(Data::Rust("bundles/bundle_v3_github.whl.sigstore"), PROD,
            "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2", GITHUB_ACTIONS,
            Some("c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201"), [Accepted, Accepted, Accepted], "v0.3, PyPI"),
        case(Data::Rust("bundles/conda-attestation.sigstore.json"), PROD,
            "https://github.com/prefix-dev/sigstore-example/.github/workflows/action.yaml@refs/heads/main", GITHUB_ACTIONS,
            Some("54303491a8418fbed24344b513546182c29b43bf282ceb433af65e2299f9271f"), [Accepted, Accepted, Accepted], "v0.3, dsse"),
        case(Data::Rust("bundles/conda-attestation-rekor2.sigstore.json"), STAGING, "jku@goto.fi", GITHUB_LOGIN,
            Some("54303491a8418fbed24344b513546182c29b43bf282ceb433af65e2299f9271f"), [Accepted, Accepted, Accepted], "Rekor v2, staging"),
        case(Data::Rust("bundles/cosign-v3-blob.sigstore.json"), PROD, "w.vollprecht@gmail.com", GITHUB_LOGIN,
            Some("e194b99df6639501325c5f44da79fe3a8efae6f239bd79443a19787e06fb1764"), [Accepted, Accepted, Accepted], "cosign v3 blob"),
        case(Data::Rust("sct-multi-intermediate/staging_bundle.sigstore.json"), Data::Rust("sct-multi-intermediate/staging_trusted_root.json"),
            "https://github.com/sigstore/root-signing-staging/.github/workflows/custom-test.yml@refs/heads/main", GITHUB_ACTIONS,
            Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), [Accepted, Accepted, Accepted], "SCT, several intermediates"),
        case(Data::Rust("upstream/sigstore-python/staging-rekor-v2.txt.sigstore.json"), STAGING, "jku@goto.fi", GITHUB_LOGIN,
            Some("15f67246115921bb7c1de0e7e9e9275c8016dc254a0c009888944b7ed3644aaa"), [Accepted, Accepted, Accepted], "sigstore-python, Rekor v2"),
        case(Data::Rust("upstream/sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json"), STAGING, BEACON, GITHUB_ACTIONS,
            Some("a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"), [Accepted, Accepted, Accepted], "sigstore-python, DSSE as hashedrekord"),
        case(Data::Rust("bundles/dsse.sigstore.json"), PROD, "brian@dehamer.com", GITHUB_LOGIN,
            None, [Accepted, Accepted, NO], "v0.1, SET only: sigstore-python requires an inclusion proof (inclusionProof)"),
        case(Data::Rust("bundles/sigstore.js@2.0.0-provenance.sigstore.json"), PROD, SIGSTORE_JS, GITHUB_ACTIONS,
            None, [Accepted, Accepted, NO], "v0.1, intoto 0.0.2 entry: sigstore-python takes an integrated time only from dsse/hashedrekord 0.0.1 (Integrated time only supported)"),
        case(Data::Go("examples/bundle-provenance.json"), Data::Go("examples/trusted-root-public-good.json"), SIGSTORE_JS, GITHUB_ACTIONS,
            None, [Accepted, Accepted, NO], "npm v0.1, SET only, root CA in the chain (our warning): sigstore-python requires an inclusion proof (inclusionProof)"),
        case(Data::Rust("bundles/bundle_v3_no_signed_time.txt.sigstore.json"), PROD, "william@yossarian.net", GITHUB_LOGIN,
            Some("ca6de99a11d3d38056d838c7dc9a23a11a0c81bcace0d11eaa301a2ffb482c42"), [Refused(1), NO, NO], "no signed time"),
        case(Data::Rust("bundles/bundle_no_checkpoint.txt.sigstore"), PROD, "william@yossarian.net", GITHUB_LOGIN,
            Some("802dd60ff88333802f2585e73043bd21c341285e1992fe5b31755e1cadeae30e"), [Refused(1), NO, NO], "no checkpoint"),
        case(Data::Rust("bundles/bundle_no_log_entry.txt.sigstore"), PROD, "alex.cameron@trailofbits.com", "https://accounts.google.com",
            Some("9b469fc9761e8b933073b62725fbc98b549c3314199ded71cc8b286ef2c6fb9b"), [Refused(1), NO, NO], "no log entry"),
        case(Data::Rust("bundles/bundle_no_cert_v1.txt.sigstore"), PROD, "x@y", "https://x",
            Some("1bc37d4fed3fd960bdf9d095f87283ba8ad1ab4481f38a34e8004f0c56ffe78d"), [Refused(1), NO, NO], "no certificate"),
        case(Data::Rust("bundles/bundle_invalid_version.txt.sigstore"), PROD, "william@yossarian.net", GITHUB_LOGIN,
            Some("7a1f2b23ec9add163c6d0bbb454af45e1483b9bec7b72aea1b4fdf0e2f5644f0"), [Refused(2), NO, NO], "unknown media type"),
        case(Data::Rust("bundles/bundle_cve_2022_36056.txt.sigstore"), PROD, "william@yossarian.net", GITHUB_LOGIN,
            Some("c87b5b213ab08b32970c106d0c7e4423e67f5449c2fd2d1e9b4ea6cc43b6ee7c"), [Refused(1), NO, NO], "CVE-2022-36056"),
        case(Data::Rust("bundles/othername.sigstore.json"), PROD, "foo!oidc.local", "http://oidc.local:8080",
            Some("bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b"), [Refused(1), NO, NO], "another instance"),
        case(Data::Rust("invalid-ct-key_fail/bundle.sigstore.json"), Data::Rust("invalid-ct-key_fail/trusted_root.json"), BEACON, GITHUB_ACTIONS,
            Some("a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"), [Refused(1), NO, NO], "SCT from an unknown key"),
        case(Data::Rust("bundles/dsse-2sigs.sigstore.json"), PROD, "brian@dehamer.com", GITHUB_LOGIN,
            None, [Refused(2), NO, NO], "two signatures"),
    ]
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// tests/peers/sigstore-go, built into target/peers (the Go build cache makes it seconds).
fn sigstore_go_oracle() -> PathBuf {
    let out_dir = workspace().join("target/peers");
    std::fs::create_dir_all(&out_dir).unwrap();
    let oracle = out_dir.join("sigstore-go-oracle");
    let built = Command::new("go")
        .args(["build", "-mod=readonly", "-o"])
        .arg(&oracle)
        .arg(".")
        .current_dir(workspace().join("tests/peers/sigstore-go"))
        .output()
        .unwrap_or_else(|e| panic!("running go: {e}"));
    assert!(
        built.status.success(),
        "building the sigstore-go oracle: {}",
        text(&built)
    );
    oracle
}

/// sigstore-python's trust config around `root` (its signing config is never used offline, but
/// the file must hold a valid one).
fn trust_config(root: &Path, dir: &Path, n: usize) -> PathBuf {
    let root: serde_json::Value = serde_json::from_slice(&std::fs::read(root).unwrap()).unwrap();
    let service = |url: &str| {
        serde_json::json!({"url": url, "majorApiVersion": 1,
            "validFor": {"start": "2020-01-01T00:00:00Z"}, "operator": "unused"})
    };
    let config = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": root,
        "signingConfig": {
            "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": [service("https://fulcio.invalid")],
            "oidcUrls": [],
            "rekorTlogUrls": [service("https://rekor.invalid")],
            "tsaUrls": [],
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaConfig": {"selector": "ANY"},
        },
    });
    let path = dir.join(format!("trust-config-{n}.json"));
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

#[test]
fn every_bundle_gets_the_recorded_answer_from_stella_sigstore_go_and_sigstore_python() {
    let oracle = sigstore_go_oracle();
    let dir = tempfile::tempdir().unwrap();
    let mut table = Vec::new();
    let mut wrong = Vec::new();
    for (n, c) in cases().iter().enumerate() {
        let (bundle, root) = (c.bundle.path(), c.root.path());
        let name = bundle.file_name().unwrap().to_string_lossy().into_owned();
        let artifact = c.digest.map(|d| format!("sha256:{d}"));

        let mut stella = Command::new(env!("CARGO_BIN_EXE_stella"));
        stella
            .args(["verify", "--bundle"])
            .arg(&bundle)
            .arg("--trusted-root")
            .arg(&root)
            .args(["--certificate-identity", c.identity])
            .args(["--certificate-oidc-issuer", c.issuer]);
        match &artifact {
            Some(a) => stella.args(["--artifact", a]),
            None => stella.arg("--insecure-ignore-artifact"),
        };
        let ours = stella.output().unwrap();
        let go = Command::new(&oracle)
            .arg(&root)
            .arg(&bundle)
            .args([c.issuer, c.identity, artifact.as_deref().unwrap_or("-")])
            .output()
            .unwrap();
        assert_ne!(
            go.status.code(),
            Some(2),
            "{name}: sigstore-go oracle: {}",
            text(&go)
        );
        // sigstore-python needs an artifact: where the bundle names no SHA-256 one, a digest that
        // is none of its subjects (it refuses those bundles before that matters; see the notes).
        let python = Command::new(sigstore_python())
            .arg("--trust-config")
            .arg(trust_config(&root, dir.path(), n))
            .args(["verify", "identity", "--offline", "--bundle"])
            .arg(&bundle)
            .args([
                "--cert-identity",
                c.identity,
                "--cert-oidc-issuer",
                c.issuer,
            ])
            .arg(
                artifact
                    .clone()
                    .unwrap_or_else(|| format!("sha256:{}", "0".repeat(64))),
            )
            .output()
            .unwrap();
        let answer = |o: &Output, ours: bool| match o.status.code() {
            Some(0) => Accepted,
            Some(code) if ours => Refused(code),
            _ => NO,
        };
        let got = [
            answer(&ours, true),
            answer(&go, false),
            answer(&python, false),
        ];
        for (i, who) in ["stella", "sigstore-go", "sigstore-python"]
            .iter()
            .enumerate()
        {
            if got[i] != c.answers[i] {
                let output = [&ours, &go, &python][i];
                wrong.push(format!(
                    "{name}: {who} answered {:?}, the table says {:?}: {}",
                    got[i],
                    c.answers[i],
                    text(output).lines().last().unwrap_or_default()
                ));
            }
        }
        // Where sigstore-python alone refuses, it must be for the reason the note names (its
        // output is wrapped to the terminal: compared without whitespace).
        if c.answers[2] != Accepted && c.answers[1] == Accepted {
            let reason = c
                .note
                .rsplit_once('(')
                .map(|(_, r)| r.trim_end_matches(')'))
                .unwrap();
            let said: String = text(&python).split_whitespace().collect();
            let wanted: String = reason.split_whitespace().collect();
            assert!(
                said.contains(&wanted),
                "{name}: sigstore-python refused otherwise: {said}"
            );
        }
        // The rule the table keeps: a peer's acceptance is ours; both peers' refusal is ours.
        let peer_accepts = c.answers[1] == Accepted || c.answers[2] == Accepted;
        let peers_refuse = c.answers[1] != Accepted && c.answers[2] != Accepted;
        assert!(
            (!peer_accepts || c.answers[0] == Accepted)
                && (!peers_refuse || c.answers[0] != Accepted),
            "{name}: the table breaks the parity rule"
        );
        table.push(format!(
            "| `{name}` | {:?} | {:?} | {:?} | {} |",
            got[0], got[1], got[2], c.note
        ));
    }
    println!("| bundle | stella | sigstore-go | sigstore-python | note |\n|---|---|---|---|---|");
    for row in &table {
        println!("{row}");
    }
    assert!(
        wrong.is_empty(),
        "answers differ from the table:\n{}",
        wrong.join("\n")
    );
}
