//! Export manifests: every file of an export by normalized path, size and digests, with the
//! export's metadata. The manifest is the predicate of `stella.ops/export@v1` statements, whose
//! subjects are the files.
//!
//! This module holds the wire format only: a manifest's fields, its strict reading and checking,
//! its canonical JSON, and [`ExportDiff`] (what a comparison found). Describing an export on disk
//! and comparing one with its manifest (walking directories, hashing files, `SOURCE_DATE_EPOCH`)
//! is the facade's (`stellaops_signer::export`).
//!
//! Paths are relative, `/`-separated, without `.` or `..` segments, and sorted by their UTF-8
//! bytes ([`normalize_path`]); symbolic links are recorded as a link and its target.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::Digest;
use stellaops_dsse::canon::{self, Limits};

use crate::{Error, Result, Subject};

/// The predicate type of signed export manifests.
pub const EXPORT_PREDICATE_TYPE: &str = "stella.ops/export@v1";

/// One file of an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    /// The normalized relative path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// The digest set (`sha256`, and `sha512` when asked for).
    pub digest: BTreeMap<String, String>,
}

/// A symbolic link recorded in an export (when the export was described with links recorded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportSymlink {
    /// The link's normalized relative path.
    pub path: String,
    /// The link's target, as stored in the link.
    pub target: String,
}

/// A signed export's manifest. See the [module documentation](self).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExportManifest {
    export_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    created_at: String,
    files: Vec<ExportFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    symlinks: Vec<ExportSymlink>,
}

/// A file whose content or kind differs from the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportChange {
    /// The path, as in the manifest.
    pub path: String,
    /// What differs, for people (`size 10, expected 12`, `sha256 differs`, ...).
    pub problem: String,
}

/// How an export on disk differs from its manifest. Every list is sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportDiff {
    /// In the manifest, not on disk.
    pub missing: Vec<String>,
    /// On disk, not in the manifest.
    pub extra: Vec<String>,
    /// On disk with another size, digest, kind or link target.
    pub changed: Vec<ExportChange>,
}

impl ExportDiff {
    /// True when the export matches its manifest exactly.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.changed.is_empty()
    }
}

impl ExportManifest {
    /// A manifest of `files` and `symlinks` (each sorted by path, paths in normal form), checked
    /// as [`ExportManifest::from_json`] checks a parsed one. Without `export_id` the id is
    /// `sha256:` and the SHA-256 of the canonical file and link lists, so the same content always
    /// gets the same id.
    ///
    /// # Errors
    /// As [`ExportManifest::from_json`]'s checks.
    pub fn new(
        export_id: Option<String>,
        tenant: Option<String>,
        profile: Option<String>,
        created_at: String,
        files: Vec<ExportFile>,
        symlinks: Vec<ExportSymlink>,
    ) -> Result<Self> {
        let export_id = match export_id {
            Some(id) if id.is_empty() => return Err(manifest_error("exportId is empty")),
            Some(id) => id,
            None => content_id(&files, &symlinks)?,
        };
        let manifest = ExportManifest {
            export_id,
            tenant,
            profile,
            created_at,
            files,
            symlinks,
        };
        manifest.validate()?;
        Ok(manifest)
    }

    /// Parse a manifest strictly (duplicate keys, limits, unknown fields) and validate it: paths
    /// normalized, sorted and unique, digests well-formed with a `sha256`, the time RFC 3339.
    ///
    /// # Errors
    /// [`Error::Json`], [`Error::Manifest`], [`Error::ExportPath`], [`Error::InvalidDigest`].
    pub fn from_json(json: &[u8], limits: &Limits) -> Result<Self> {
        let value = canon::parse(json, limits)?.to_serde();
        Self::from_value(value)
    }

    /// Read a manifest from a JSON value (a statement's predicate) and validate it as
    /// [`ExportManifest::from_json`] does.
    ///
    /// # Errors
    /// As [`ExportManifest::from_json`].
    pub fn from_value(value: serde_json::Value) -> Result<Self> {
        let manifest: ExportManifest =
            serde_json::from_value(value).map_err(|e| manifest_error(&e.to_string()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<()> {
        if self.export_id.is_empty() {
            return Err(manifest_error("exportId is empty"));
        }
        stellaops_crypto::rfc3339::parse(&self.created_at)
            .map_err(|e| manifest_error(&format!("createdAt: {e}")))?;
        if self.files.is_empty() {
            return Err(manifest_error("files is empty"));
        }
        let mut seen = BTreeSet::new();
        let paths = |names: Vec<&String>| -> Result<()> {
            for pair in names.windows(2) {
                if pair[0] >= pair[1] {
                    return Err(manifest_error(&format!(
                        "paths are not sorted and unique at {:?}",
                        pair[1]
                    )));
                }
            }
            Ok(())
        };
        paths(self.files.iter().map(|f| &f.path).collect())?;
        paths(self.symlinks.iter().map(|l| &l.path).collect())?;
        for path in self
            .files
            .iter()
            .map(|f| &f.path)
            .chain(self.symlinks.iter().map(|l| &l.path))
        {
            if &normalize_path(path)? != path {
                return Err(Error::ExportPath {
                    path: path.clone(),
                    problem: "is not in normal form",
                });
            }
            if !seen.insert(path) {
                return Err(manifest_error(&format!(
                    "{path:?} is both a file and a link"
                )));
            }
        }
        for file in &self.files {
            if !file.digest.contains_key("sha256") {
                return Err(manifest_error(&format!("{:?} has no sha256", file.path)));
            }
            Subject::new(file.path.clone(), file.digest.clone())?;
        }
        Ok(())
    }

    /// The manifest as RFC 8785 canonical JSON.
    ///
    /// # Errors
    /// [`Error::Json`] for a size beyond 2^53−1 bytes (JSON cannot carry it exactly).
    pub fn to_json(&self) -> Result<Vec<u8>> {
        Ok(canon::canonicalize_serialize(self, canon::Mode::Jcs)?)
    }

    /// The manifest as a JSON value (the statement's predicate).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The statement subjects: every file with its digest set (links have no content to name).
    ///
    /// # Errors
    /// [`Error::InvalidDigest`] for a manifest built by hand with malformed digests.
    pub fn subjects(&self) -> Result<Vec<Subject>> {
        self.files
            .iter()
            .map(|f| Subject::new(f.path.clone(), f.digest.clone()))
            .collect()
    }

    /// The export id.
    pub fn export_id(&self) -> &str {
        &self.export_id
    }

    /// The tenant, if recorded.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// The profile, if recorded.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// The creation time (RFC 3339, UTC).
    pub fn created_at(&self) -> &str {
        &self.created_at
    }

    /// The files, sorted by path.
    pub fn files(&self) -> &[ExportFile] {
        &self.files
    }

    /// The recorded links, sorted by path.
    pub fn symlinks(&self) -> &[ExportSymlink] {
        &self.symlinks
    }
}

/// `text` as a normalized export path: relative, `/`-separated, no `.`, `..` or empty
/// segments.
///
/// # Errors
/// [`Error::ExportPath`] naming what is wrong.
pub fn normalize_path(text: &str) -> Result<String> {
    let refuse = |problem| Error::ExportPath {
        path: text.to_owned(),
        problem,
    };
    if text.starts_with('/') {
        return Err(refuse("is absolute"));
    }
    if text.contains('\\') {
        return Err(refuse("contains a backslash (use / between segments)"));
    }
    if text.chars().any(char::is_control) {
        return Err(refuse("contains a control character"));
    }
    let mut segments = Vec::new();
    for segment in text.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(refuse("contains a .. segment")),
            s => segments.push(s),
        }
    }
    if segments.is_empty() {
        return Err(refuse("names no file"));
    }
    Ok(segments.join("/"))
}

/// The normal form of a relative path walked on disk.
/// `sha256:` and the SHA-256 of the canonical file and link lists.
fn content_id(files: &[ExportFile], symlinks: &[ExportSymlink]) -> Result<String> {
    let listing = serde_json::json!({"files": files, "symlinks": symlinks});
    let bytes = canon::canonicalize_serialize(&listing, canon::Mode::Jcs)?;
    Ok(format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(bytes))
    ))
}

fn manifest_error(problem: &str) -> Error {
    Error::Manifest(problem.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_or_refused() {
        assert_eq!(normalize_path("a/./b//c").ok().as_deref(), Some("a/b/c"));
        assert_eq!(normalize_path("./a").ok().as_deref(), Some("a"));
        for bad in ["/etc/passwd", "a/../b", "..", "a\\b", "", ".", "a\nb"] {
            assert!(
                matches!(normalize_path(bad), Err(Error::ExportPath { .. })),
                "{bad:?}"
            );
        }
    }
}
