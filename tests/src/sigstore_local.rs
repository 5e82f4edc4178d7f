//! The local Sigstore instance scripts/services.sh starts (tests/services/sigstore_local.py):
//! an OIDC issuer, Fulcio, a CT log and Rekor v1 on loopback, and sigstore-python to check
//! what we make and to make bundles of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The running instance: its URL (Fulcio and Rekor share it; the issuer is `{url}/oidc`) and
/// the directory with its `trusted_root.json` and sigstore-python `trust_config.json`.
#[derive(Clone, Debug)]
pub struct LocalSigstore {
    /// Base URL of Fulcio and Rekor.
    pub url: String,
    /// Where trusted_root.json and trust_config.json are.
    pub dir: PathBuf,
}

/// The instance named by `$STELLAOPS_TEST_SIGSTORE` and `$STELLAOPS_TEST_SIGSTORE_DIR`.
///
/// # Panics
/// When they are not set (the keyless tests need the instance; they never skip).
pub fn instance() -> LocalSigstore {
    let url = std::env::var("STELLAOPS_TEST_SIGSTORE").unwrap_or_else(|_| {
        panic!(
            "STELLAOPS_TEST_SIGSTORE is not set: start the servers with `scripts/services.sh start DIR` and `source DIR/services.env`"
        )
    });
    let dir = std::env::var_os("STELLAOPS_TEST_SIGSTORE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("STELLAOPS_TEST_SIGSTORE_DIR is not set (see services.env)"));
    LocalSigstore { url, dir }
}

impl LocalSigstore {
    /// The OIDC issuer's URL.
    pub fn issuer(&self) -> String {
        format!("{}/oidc", self.url)
    }

    /// The trusted root (Fulcio CA, CT log key, Rekor key).
    pub fn trusted_root(&self) -> PathBuf {
        self.dir.join("trusted_root.json")
    }

    /// sigstore-python's `--trust-config` for this instance.
    pub fn trust_config(&self) -> PathBuf {
        self.dir.join("trust_config.json")
    }

    /// A fresh identity token for `email`; `extra` adds query parameters (`ttl=-60`,
    /// `aud=other`, `iss=...`) to mint the wrong kinds.
    ///
    /// # Panics
    /// When the issuer does not answer.
    pub fn token(&self, email: &str, extra: &[(&str, &str)]) -> String {
        let mut request = ureq::get(format!("{}/token", self.issuer())).query("email", email);
        for (name, value) in extra {
            request = request.query(*name, *value);
        }
        let mut response = request
            .call()
            .unwrap_or_else(|e| panic!("minting a token at {}: {e}", self.issuer()));
        response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("reading the token: {e}"))
    }
}

/// The real Sigstore servers scripts/services.sh starts beside the stand-in: Fulcio (a file
/// CA, trusting the stand-in's OIDC issuer), TesseraCT (Fulcio's CT log), the timestamp
/// authority, Rekor v2 (rekor-tiles) and Rekor v1 (rekor-server on Trillian and MariaDB), with
/// their trusted root and signing config (tests/services/sigstore_trust.py).
#[derive(Clone, Debug)]
pub struct RealSigstore {
    /// Fulcio's base URL.
    pub fulcio: String,
    /// The timestamp authority's request URL (`…/api/v1/timestamp`).
    pub tsa: String,
    /// Rekor v2's base URL.
    pub rekor_v2: String,
    /// Rekor v1's base URL (rekor-server v1.5.4).
    pub rekor_v1: String,
    /// The trust to verify with: the stand-in's issuer and this deployment's trusted root and
    /// sigstore-python trust config (pass it where a [`LocalSigstore`] is wanted).
    pub trust: LocalSigstore,
}

/// The real servers named in services.env.
///
/// # Panics
/// When they are not set (the tests never skip: start them with scripts/services.sh).
pub fn real() -> RealSigstore {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: start the servers with `scripts/services.sh start DIR` and `source DIR/services.env`")
        })
    };
    let standin = instance();
    RealSigstore {
        fulcio: var("STELLAOPS_TEST_FULCIO"),
        tsa: format!("{}/api/v1/timestamp", var("STELLAOPS_TEST_TSA")),
        rekor_v2: var("STELLAOPS_TEST_REKOR_V2"),
        rekor_v1: var("STELLAOPS_TEST_REKOR_V1"),
        trust: LocalSigstore {
            url: standin.url,
            dir: PathBuf::from(var("STELLAOPS_TEST_SIGSTORE_REAL_DIR")),
        },
    }
}

/// In `dir`, an artifact (`app.tar.gz`) and a SLSA v1 predicate (`provenance.json`; the one
/// predicate type sigstore-python attests too).
///
/// # Panics
/// When `dir` cannot be written.
pub fn slsa_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let artifact = dir.join("app.tar.gz");
    std::fs::write(&artifact, b"the release tarball\n").unwrap_or_else(|e| panic!("{e}"));
    let predicate = dir.join("provenance.json");
    std::fs::write(
        &predicate,
        br#"{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{"ref":"v1.2.3"}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (artifact, predicate)
}

/// In `dir`, a file that is not the artifact (`other.tar.gz`), for the refusals.
///
/// # Panics
/// When `dir` cannot be written.
pub fn other_artifact(dir: &Path) -> PathBuf {
    let other = dir.join("other.tar.gz");
    std::fs::write(&other, b"not the release tarball\n").unwrap_or_else(|e| panic!("{e}"));
    other
}

/// `stella verify --bundle BUNDLE --trusted-root ROOT SIGNER... --artifact ARTIFACT`, with the
/// `stella` binary at `stella` (a test's `CARGO_BIN_EXE_stella`); `signer` is
/// `--certificate-identity ID --certificate-oidc-issuer ISS` or `--key PUB`.
///
/// # Panics
/// When the binary cannot be run.
pub fn stella_verify_bundle(
    stella: &Path,
    root: &Path,
    bundle: &Path,
    artifact: &Path,
    signer: &[&str],
) -> Output {
    Command::new(stella)
        .args(["verify", "--bundle"])
        .arg(bundle)
        .arg("--trusted-root")
        .arg(root)
        .args(signer)
        .arg("--artifact")
        .arg(artifact)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", stella.display()))
}

/// `stella attest FLAGS... --predicate-type SLSA_V1 --predicate PREDICATE --out OUT ARTIFACT`
/// (the in-toto statement signed into a bundle as `flags` say), with `envs` set.
///
/// # Panics
/// When the binary cannot be run.
pub fn stella_attest(
    stella: &Path,
    envs: &[(&str, &std::ffi::OsStr)],
    flags: &[&std::ffi::OsStr],
    (predicate, out, artifact): (&Path, &Path, &Path),
) -> Output {
    Command::new(stella)
        .envs(envs.iter().copied())
        .arg("attest")
        .args(flags)
        .args([
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            "--predicate",
        ])
        .arg(predicate)
        .arg("--out")
        .arg(out)
        .arg(artifact)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", stella.display()))
}

/// `stella key generate --alg ALG --out KEY`; the key's path (its public key is `KEY.pub`).
///
/// # Panics
/// When generation fails.
pub fn stella_key(stella: &Path, alg: &str, key: &Path) -> PathBuf {
    let out = Command::new(stella)
        .args(["key", "generate", "--alg", alg, "--bits", "2048", "--out"])
        .arg(key)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", stella.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    key.to_path_buf()
}

/// [`stella_verify_bundle`] for a keyless `identity` from `trust`'s issuer, against its root.
pub fn stella_verify_keyless(
    stella: &Path,
    trust: &LocalSigstore,
    bundle: &Path,
    artifact: &Path,
    identity: &str,
) -> Output {
    let issuer = trust.issuer();
    stella_verify_bundle(
        stella,
        &trust.trusted_root(),
        bundle,
        artifact,
        &[
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            &issuer,
        ],
    )
}

/// sigstore-python's command line, from the oracles' virtual environment.
///
/// # Panics
/// When it is not installed (scripts/setup-python.sh installs it).
pub fn sigstore_python() -> PathBuf {
    let path = crate::python().with_file_name("sigstore");
    assert!(
        path.exists(),
        "sigstore-python is missing at {}: run scripts/setup-python.sh",
        path.display()
    );
    path
}

/// `sigstore verify identity --offline` (sigstore-python) on `bundle` for `identity` and the
/// instance's issuer, bound to `artifact`, with the instance's trust config.
///
/// # Panics
/// When sigstore-python cannot be run.
pub fn sigstore_python_verify(
    s: &LocalSigstore,
    bundle: &Path,
    artifact: &Path,
    identity: &str,
) -> Output {
    Command::new(sigstore_python())
        .arg("--trust-config")
        .arg(s.trust_config())
        .args(["verify", "identity", "--offline", "--bundle"])
        .arg(bundle)
        .args(["--cert-identity", identity])
        .args(["--cert-oidc-issuer", &s.issuer()])
        .arg(artifact)
        .output()
        .unwrap_or_else(|e| panic!("running sigstore-python: {e}"))
}

/// Who sigstore-js must find as the signer.
#[derive(Clone, Copy, Debug)]
pub enum JsSigner<'a> {
    /// A public key (PEM file), as cosign's `--key`.
    Key(&'a Path),
    /// A certificate identity and OIDC issuer.
    Identity(&'a str, &'a str),
}

/// sigstore-js (`@sigstore/verify`, tests/node/sigstore_verify.mjs) verifying `bundle` offline
/// against `root` for `signer`, bound to `artifact`. Exit 0 when it accepts, 1 when it refuses.
///
/// # Panics
/// When node or the oracle is not installed (scripts/setup-node-oracles.sh installs it).
pub fn sigstore_js(bundle: &Path, root: &Path, artifact: &Path, signer: JsSigner<'_>) -> Output {
    let dir = crate::workspace().join("tests/node");
    assert!(
        dir.join("node_modules/@sigstore/verify").exists(),
        "sigstore-js is missing in {}: run scripts/setup-node-oracles.sh",
        dir.display()
    );
    let mut command = Command::new("node");
    command
        .arg(dir.join("sigstore_verify.mjs"))
        .args([bundle, root, artifact]);
    match signer {
        JsSigner::Key(key) => command.arg("--key").arg(key),
        JsSigner::Identity(identity, issuer) => command
            .args(["--identity", identity])
            .args(["--issuer", issuer]),
    };
    command
        .output()
        .unwrap_or_else(|e| panic!("running node (sigstore-js): {e}"))
}

/// The cosign binary services.env names (`STELLAOPS_TEST_COSIGN`, built by scripts/services.sh).
///
/// # Panics
/// When it is not set or missing: the tests never skip.
pub fn cosign() -> PathBuf {
    let path = PathBuf::from(
        std::env::var_os("STELLAOPS_TEST_COSIGN").unwrap_or_else(|| {
            panic!("STELLAOPS_TEST_COSIGN is not set: start the servers with scripts/services.sh")
        }),
    );
    assert!(path.exists(), "cosign is missing at {}", path.display());
    path
}
