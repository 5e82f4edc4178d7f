//! Real Sigstore bundles and trusted roots, found where their publishers ship them (see
//! `sigstore_bundles.rs`): nothing here is copied into this repository. Every function panics
//! when its source cannot be reached: the tests must not pass without their fixtures.

// Test plumbing that fails the test by panicking, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The source directory of a crate in the dependency graph, from `cargo metadata`.
pub fn crate_dir(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(crate::workspace().join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the dependency graph"))["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    Path::new(&manifest).parent().unwrap().to_path_buf()
}

/// sigstore-verify's test data (bundles collected from the field by the Sigstore project).
pub fn rust_data() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| crate_dir("sigstore-verify").join("test_data"))
}

/// sigstore-trust-root's copies of the production, staging and GitHub trusted roots.
pub fn root_file(name: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| crate_dir("sigstore-trust-root").join("src"))
        .join(name)
}

/// sigstore-go v1.0.0 from the Go module proxy.
pub fn go_data() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new("go")
            .args([
                "mod",
                "download",
                "-json",
                "github.com/sigstore/sigstore-go@v1.0.0",
            ])
            .env("GOFLAGS", "-mod=mod")
            .output()
            .expect("go is installed (scripts/test.sh checks)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let info: Value = serde_json::from_slice(&out.stdout).unwrap();
        PathBuf::from(info["Dir"].as_str().unwrap())
    })
}

/// The npm tarball of sigstore@1.3.0, whose provenance sigstore-go ships.
pub fn npm_tarball() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = std::env::temp_dir().join("stellaops-sigstore-npm");
        let file = dir.join("sigstore-1.3.0.tgz");
        if !file.exists() {
            std::fs::create_dir_all(&dir).unwrap();
            let out = Command::new("npm")
                .args(["pack", "--silent", "sigstore@1.3.0", "--pack-destination"])
                .arg(&dir)
                .output()
                .expect("npm is installed (scripts/test.sh checks)");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        file
    })
}
