//! `stella verify --bundle`: real Sigstore bundles, offline, through the binary — including
//! inside a network namespace that has no network at all.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use serde_json::Value;
use stellaops_tests::sigstore_data::{go_data, npm_tarball, rust_data};

const GITHUB_ACTIONS: &str = "https://token.actions.githubusercontent.com";
const SIGSTORE_JS_RELEASE: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";

fn stella(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stella"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The keyless arguments for the npm provenance bundle, after `verify`.
fn provenance_args() -> Vec<Box<dyn AsRef<std::ffi::OsStr>>> {
    vec![
        Box::new("verify"),
        Box::new("--bundle"),
        Box::new(go_data().join("examples/bundle-provenance.json")),
        Box::new("--trusted-root"),
        Box::new(go_data().join("examples/trusted-root-public-good.json")),
        Box::new("--certificate-oidc-issuer"),
        Box::new(GITHUB_ACTIONS),
    ]
}

fn run(
    base: Vec<Box<dyn AsRef<std::ffi::OsStr>>>,
    extra: &[&dyn AsRef<std::ffi::OsStr>],
) -> Output {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = base.iter().map(|b| b.as_ref() as _).collect();
    args.extend_from_slice(extra);
    stella(&args)
}

#[test]
fn npm_provenance_verifies_from_the_cli_with_its_tarball() {
    let out = run(
        provenance_args(),
        &[
            &"--certificate-identity",
            &SIGSTORE_JS_RELEASE,
            &"--artifact",
            &npm_tarball(),
            &"--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verified"], true);
    assert_eq!(report["identity"], SIGSTORE_JS_RELEASE);
    assert_eq!(report["integratedTime"], "2023-04-18T17:45:12Z");
    assert_eq!(report["predicateType"], "https://slsa.dev/provenance/v0.2");
    assert_eq!(report["artifactChecked"], true);
    assert_eq!(report["tlogVerified"], true);

    // The regexp form, and a wrong identity (exit 1, named).
    let out = run(
        provenance_args(),
        &[
            &"--certificate-identity-regexp",
            &r"https://github\.com/sigstore/.*",
            &"--artifact",
            &npm_tarball(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("signed by https://github.com/sigstore/sigstore-js/"));
    let out = run(
        provenance_args(),
        &[
            &"--certificate-identity",
            &"someone@example.com",
            &"--artifact",
            &npm_tarball(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("expected someone@example.com"),
        "{}",
        stderr(&out)
    );

    // Issue 24: no artifact is a choice, not a default. Without --artifact (a file or
    // sha256:HEX) or --insecure-ignore-artifact, nothing is verified (exit 2, both named);
    // with the flag, the signature is checked against the bundle's own digest and says so.
    let out = run(
        provenance_args(),
        &[&"--certificate-identity", &SIGSTORE_JS_RELEASE],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--artifact") && stderr(&out).contains("--insecure-ignore-artifact"),
        "{}",
        stderr(&out)
    );
    let out = run(
        provenance_args(),
        &[
            &"--certificate-identity",
            &SIGSTORE_JS_RELEASE,
            &"--insecure-ignore-artifact",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("bound to no file (--insecure-ignore-artifact"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Issue 20, defect 4: a pattern that closes the wrapping group is refused (exit 2), not
    // turned into "any identity".
    let out = run(
        provenance_args(),
        &[&"--certificate-identity-regexp", &"x)|(.*"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("identity pattern"),
        "{}",
        stderr(&out)
    );
    let out = run(
        provenance_args(),
        &[
            &"--certificate-identity-regexp",
            &"x|https://github\\.com/sigstore",
            &"--artifact",
            &npm_tarball(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a prefix is not the identity: {}",
        stderr(&out)
    );

    // Another file: exit 1.
    let other = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(other.path(), b"x").unwrap();
    let out = run(
        provenance_args(),
        &[
            &"--certificate-identity",
            &SIGSTORE_JS_RELEASE,
            &"--artifact",
            &other.path(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("artifact"), "{}", stderr(&out));
}

#[test]
fn keyful_bundles_take_one_key_and_usage_errors_exit_2() {
    let data = rust_data();
    let out = stella(&[
        &"verify",
        &"--bundle",
        &data.join("managed-key/bundle.sigstore.json"),
        &"--trusted-root",
        &stellaops_tests::sigstore_data::root_file("trusted_root.json"),
        &"--key",
        &data.join("managed-key/key.pub"),
        &"--artifact",
        &data.join("managed-key/artifact.txt"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("signed by the given public key"));

    // Neither identity nor key; a bad pattern; a trusted root that is not one.
    let out = run(provenance_args(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = run(provenance_args(), &[&"--certificate-identity-regexp", &"("]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("identity pattern"),
        "{}",
        stderr(&out)
    );
    let bundle = go_data().join("examples/bundle-provenance.json");
    let out = stella(&[
        &"verify",
        &"--bundle",
        &bundle,
        &"--trusted-root",
        &bundle,
        &"--certificate-identity",
        &SIGSTORE_JS_RELEASE,
        &"--certificate-oidc-issuer",
        &GITHUB_ACTIONS,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("trusted root"), "{}", stderr(&out));
}

/// The verification needs no network: it succeeds inside a new network namespace, whose only
/// interface is a loopback that is down, so any connection attempt would fail.
#[test]
fn verification_runs_without_any_network() {
    // Fetch what the command reads before entering the namespace.
    let (bundle, root, tarball) = (
        go_data().join("examples/bundle-provenance.json"),
        go_data().join("examples/trusted-root-public-good.json"),
        npm_tarball().to_path_buf(),
    );
    let probe = Command::new("unshare").args(["-rn", "true"]).output();
    assert!(
        probe.as_ref().is_ok_and(|o| o.status.success()),
        "unshare -rn (user + network namespace) must work here to prove offline verification: {probe:?}"
    );
    // Inside: no route anywhere (checked, so the proof is not vacuous), then stella.
    let script = r#"
        if getent ahosts example.com >/dev/null 2>&1; then echo "network reachable" >&2; exit 99; fi
        exec "$@"
    "#;
    let out = Command::new("unshare")
        .args(["-rn", "sh", "-c", script, "sh"])
        .arg(env!("CARGO_BIN_EXE_stella"))
        .args(["verify", "--bundle"])
        .arg(&bundle)
        .arg("--trusted-root")
        .arg(&root)
        .args([
            "--certificate-identity",
            SIGSTORE_JS_RELEASE,
            "--certificate-oidc-issuer",
            GITHUB_ACTIONS,
        ])
        .arg("--artifact")
        .arg(&tarball)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is the signed one"));
}

/// A GitHub release attestation (GitHub's CA and TSA, no Rekor entry, no OIDC issuer): refused
/// by default with the reason, accepted when its trust domain is chosen flag by flag.
#[test]
fn github_release_attestation_needs_its_trust_domain_chosen() {
    let base = || -> Vec<Box<dyn AsRef<std::ffi::OsStr>>> {
        vec![
            Box::new("verify"),
            Box::new("--bundle"),
            Box::new(rust_data().join("bundles/github-private-attestation.sigstore.json")),
            Box::new("--trusted-root"),
            Box::new(stellaops_tests::sigstore_data::root_file(
                "trusted_root_github.json",
            )),
            Box::new("--certificate-identity"),
            Box::new("https://dotcom.releases.github.com"),
            // A release attestation names the release, not a file at hand.
            Box::new("--insecure-ignore-artifact"),
        ]
    };
    let out = run(base(), &[&"--no-certificate-oidc-issuer"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--insecure-ignore-tlog"),
        "{}",
        stderr(&out)
    );

    let out = run(
        base(),
        &[
            &"--no-certificate-oidc-issuer",
            &"--insecure-ignore-tlog",
            &"--insecure-ignore-sct",
            &"--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: --insecure-ignore-tlog"),
        "{}",
        stderr(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["issuer"], Value::Null);
    assert_eq!(report["tlogVerified"], false);
    assert_eq!(report["verifiedTimes"].as_array().unwrap().len(), 1);

    // An issuer is required unless its absence is asked for, and not both.
    let out = run(base(), &[&"--insecure-ignore-tlog"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = run(
        base(),
        &[
            &"--no-certificate-oidc-issuer",
            &"--certificate-oidc-issuer",
            &GITHUB_ACTIONS,
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
