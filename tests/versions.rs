//! One version everywhere a user reads one: Cargo (the workspace), the C header's macros, the
//! wheel (pyproject.toml), both npm packages, the Go binding's `BindingVersion` and its package
//! documentation, and the CHANGELOG's newest section. scripts/release.sh derives the pkg-config
//! file, the tarball names and the Go module's tag from Cargo's.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    // The tests crate sits at the top of the workspace.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The first capture of `prefix(.*)suffix` on a line of `text`.
fn between<'a>(text: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(prefix)?;
        rest.find(suffix).map(|end| &rest[..end])
    })
}

#[test]
fn every_face_and_document_names_the_workspace_version() {
    let cargo = read("Cargo.toml");
    let version = between(&cargo, "version = \"", "\"").expect("workspace version");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let mut parts = version.split('.');
    let header = read("include/stellaops_signer.h");
    for (macro_name, want) in ["MAJOR", "MINOR", "PATCH"].iter().map(|m| {
        (
            format!("#define STELLAOPS_SIGNER_VERSION_{m} "),
            parts.next(),
        )
    }) {
        assert_eq!(
            header
                .lines()
                .find_map(|l| l.strip_prefix(macro_name.as_str())),
            want,
            "{macro_name}"
        );
    }
    let owned = |path: &str, prefix: &str, suffix: &str| {
        between(&read(path), prefix, suffix).map(str::to_owned)
    };
    let found = [
        (
            "bindings/python/pyproject.toml",
            owned("bindings/python/pyproject.toml", "version = \"", "\""),
        ),
        (
            "bindings/node/package.json",
            owned("bindings/node/package.json", "\"version\": \"", "\""),
        ),
        (
            "bindings/node/npm/linux-x64-gnu/package.json",
            owned(
                "bindings/node/npm/linux-x64-gnu/package.json",
                "\"version\": \"",
                "\"",
            ),
        ),
        (
            "bindings/go/signer/cgo.go (BindingVersion)",
            owned(
                "bindings/go/signer/cgo.go",
                "const BindingVersion = \"",
                "\"",
            ),
        ),
        (
            "bindings/go/signer/doc.go",
            owned("bindings/go/signer/doc.go", "// This is version ", " of"),
        ),
        (
            "CHANGELOG.md (newest section)",
            owned("CHANGELOG.md", "## [", "]"),
        ),
    ];
    for (place, found) in found {
        assert_eq!(found.as_deref(), Some(version), "{place}");
    }
}
