//! Helpers for the interop tests: finding the Python oracles and other people's tools.
//!
//! A missing oracle fails the test with instructions; nothing is skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
