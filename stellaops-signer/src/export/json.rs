//! Export signing and verification as JSON in, JSON out: what the C ABI, Python and Node faces
//! call, so that none of them holds logic of its own.

use std::path::Path;

use super::{
    describe_dir, describe_files, sign_export, ExportOptions, ExportVerification, SignedExport,
    SymlinkPolicy,
};
use crate::authority::Authority;
use crate::{Error, OpenedKey, Result};
use serde::Deserialize;
use serde_json::json;
use stellaops_dsse::canon::{self, Limits};

/// What [`sign_export_json`] reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportRequest {
    root: String,
    files: Option<Vec<String>>,
    export_id: Option<String>,
    tenant: Option<String>,
    profile: Option<String>,
    created_at: Option<String>,
    #[serde(default)]
    sha512: bool,
    #[serde(default)]
    record_symlinks: bool,
    #[serde(default)]
    exclude: Vec<String>,
}

/// Sign an export described by a JSON request: `root` (the directory), and optionally `files`
/// (relative paths; default every file under `root`), `export_id`, `tenant`, `profile`,
/// `created_at` (RFC 3339; default `SOURCE_DATE_EPOCH`), `sha512`, `record_symlinks`, `exclude`.
/// Software ECDSA keys sign with RFC 6979 nonces, so the output is reproducible.
///
/// # Errors
/// [`Error::InvalidRequest`] for a malformed request; the errors of [`sign_export_files`].
pub fn sign_export_json(keys: &[&OpenedKey], request: &[u8]) -> Result<SignedExport> {
    let value = canon::parse(request, &Limits::default())?.to_serde();
    let r: ExportRequest =
        serde_json::from_value(value).map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let options = ExportOptions {
        export_id: r.export_id,
        tenant: r.tenant,
        profile: r.profile,
        created_at: r.created_at,
        sha512: r.sha512,
        symlinks: SymlinkPolicy::record_if(r.record_symlinks),
        exclude: r.exclude,
    };
    sign_export_files(keys, Path::new(&r.root), r.files.as_deref(), &options)
}

/// Sign the export under `root` (every file, or only `files`) with every key, reproducibly:
/// software ECDSA keys sign with RFC 6979 nonces ([`OpenedKey::reproducible`]).
///
/// # Errors
/// The errors of [`describe_dir`] and [`describe_files`]; as
/// [`sign_export`].
pub fn sign_export_files(
    keys: &[&OpenedKey],
    root: &Path,
    files: Option<&[String]>,
    options: &ExportOptions,
) -> Result<SignedExport> {
    let manifest = match files {
        Some(files) => describe_files(root, files, options)?,
        None => describe_dir(root, options)?,
    };
    sign_export(&Authority::opened_keys(keys).reproducible(), manifest)
}

/// The verification report as JSON: `intact`, `export_id`, `files` (count), `keys`
/// (`keyid`, `algorithm`), `missing`, `extra`, `changed` (`path`, `problem`).
pub fn export_report_json(v: &ExportVerification) -> Vec<u8> {
    json!({
        "intact": v.is_intact(),
        "export_id": v.manifest.export_id(),
        "files": v.manifest.files().len(),
        "keys": v.keys.iter().map(|k| json!({"keyid": k.key_id.as_str(), "algorithm": k.algorithm.name()})).collect::<Vec<_>>(),
        "missing": v.diff.missing,
        "extra": v.diff.extra,
        "changed": v.diff.changed.iter().map(|c| json!({"path": c.path, "problem": c.problem})).collect::<Vec<_>>(),
    })
    .to_string()
    .into_bytes()
}

/// A JSON array of relative paths (the `exclude` list of an export verification), parsed
/// strictly.
///
/// # Errors
/// JSON errors; [`Error::InvalidRequest`] when it is not an array of strings.
pub fn path_list_json(json: &[u8]) -> Result<Vec<String>> {
    let value = canon::parse(json, &Limits::default())?.to_serde();
    serde_json::from_value(value)
        .map_err(|e| Error::InvalidRequest(format!("expected an array of paths: {e}")))
}
