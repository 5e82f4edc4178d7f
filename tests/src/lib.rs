//! Helpers for the interop tests: finding the Python oracles and other people's tools.
//!
//! A missing oracle fails the test with instructions; nothing is skipped.

pub mod sigstore_data;
pub mod sigstore_local;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use stellaops_signer::{Algorithm, SigningKey};

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python with the oracles: `$STELLA_PYTHON`, else `.venv/bin/python` made by
/// `scripts/setup-python.sh`.
///
/// # Panics
/// When neither exists: the interop tests must not pass without their oracles.
pub fn python() -> PathBuf {
    let path = std::env::var_os("STELLA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/python"));
    assert!(
        path.exists(),
        "the Python oracles are missing at {}: run scripts/setup-python.sh (or set STELLA_PYTHON)",
        path.display()
    );
    path
}

/// Run `tests/python/oracle.py` with `args`, feeding `stdin`.
///
/// # Panics
/// When Python cannot be started.
pub fn oracle(args: &[&dyn AsRef<std::ffi::OsStr>], stdin: &[u8]) -> Output {
    let mut child = Command::new(python())
        .arg("-X")
        .arg("utf8")
        .arg(workspace().join("tests/python/oracle.py"))
        .args(args.iter().map(|a| a.as_ref()))
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the python oracle: {e}"));
    let mut pipe = child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("no stdin pipe"));
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("python oracle: {e}"));
    writer.join().ok();
    out
}

/// Run a command, panicking with its stderr when it cannot start.
pub fn run(program: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(program)
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e} (is it installed?)"))
}

/// Write `bytes` to `dir/name` and return the path.
///
/// # Panics
/// On I/O errors.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    p
}

/// Ask OpenSSL whether `sig` is a valid `alg` signature by `pubkey` over the file `message`.
pub fn openssl_verifies(alg: Algorithm, pubkey: &Path, message: &Path, sig: &Path) -> bool {
    let out = match alg {
        Algorithm::Ed25519 => run(
            "openssl",
            &[
                &"pkeyutl",
                &"-verify",
                &"-pubin",
                &"-inkey",
                &pubkey,
                &"-rawin",
                &"-in",
                &message,
                &"-sigfile",
                &sig,
            ],
        ),
        Algorithm::RsaPssSha256 => run(
            "openssl",
            &[
                &"dgst",
                &"-sha256",
                &"-verify",
                &pubkey,
                &"-sigopt",
                &"rsa_padding_mode:pss",
                &"-sigopt",
                &"rsa_pss_saltlen:-2",
                &"-signature",
                &sig,
                &message,
            ],
        ),
        Algorithm::EcdsaP384Sha384 => run(
            "openssl",
            &[
                &"dgst",
                &"-sha384",
                &"-verify",
                &pubkey,
                &"-signature",
                &sig,
                &message,
            ],
        ),
        _ => run(
            "openssl",
            &[
                &"dgst",
                &"-sha256",
                &"-verify",
                &pubkey,
                &"-signature",
                &sig,
                &message,
            ],
        ),
    };
    out.status.success()
}

/// Ask securesystemslib whether `envelope` verifies with `keys` at `threshold`; returns the
/// verdict and what securesystemslib printed.
pub fn sslib_verify(
    dir: &std::path::Path,
    envelope: &[u8],
    keys: &[&dyn SigningKey],
    threshold: usize,
) -> (bool, String) {
    write(dir, "envelope.json", envelope);
    let listed: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| {
            serde_json::json!({
                "pem": k.public_key().to_spki_pem().unwrap_or_default(),
                "scheme": k.algorithm().securesystemslib_scheme(),
                "keyid": k.key_id().as_str(),
            })
        })
        .collect();
    write(
        dir,
        "keys.json",
        serde_json::Value::from(listed).to_string().as_bytes(),
    );
    write(dir, "threshold", threshold.to_string().as_bytes());
    let out = oracle(&[&"verify", &dir], b"");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "oracle crashed: {stderr}"
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &stderr,
    )
}
