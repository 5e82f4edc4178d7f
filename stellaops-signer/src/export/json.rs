//! Export signing and verification as JSON in, JSON out: what the C ABI, Python and Node faces
//! call, so that none of them holds logic of its own.

use std::path::Path;

use super::{
    check_export, describe_dir, describe_files, export_statement, sign_export, ExportOptions,
    ExportVerification, SignedExport, SymlinkPolicy,
};
use crate::authority::Authority;
use crate::{Error, ExportManifest, OpenedKey, Result};
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
    let (root, files, options) = export_request(request)?;
    sign_export_files(keys, Path::new(&root), files.as_deref(), &options)
}

/// The request's root, files and options.
fn export_request(request: &[u8]) -> Result<(String, Option<Vec<String>>, ExportOptions)> {
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
    Ok((r.root, r.files, options))
}

/// The manifest (canonical JSON) of the export a request like [`sign_export_json`]'s describes,
/// unsigned: every file under `root`, or only `files` ([`describe_dir`], [`describe_files`]).
///
/// # Errors
/// [`Error::InvalidRequest`] for a malformed request; the errors of [`describe_dir`] and
/// [`describe_files`].
pub fn describe_export_json(request: &[u8]) -> Result<Vec<u8>> {
    let (root, files, options) = export_request(request)?;
    let manifest = match files {
        Some(files) => describe_files(Path::new(&root), &files, &options)?,
        None => describe_dir(Path::new(&root), &options)?,
    };
    Ok(manifest.to_json()?)
}

/// The statement (canonical JSON) for a manifest given as JSON ([`export_statement`]): what a
/// face signs with a bundle signer or puts in a pipeline request.
///
/// # Errors
/// The manifest's parse and validation errors.
pub fn export_statement_json(manifest_json: &[u8]) -> Result<Vec<u8>> {
    let manifest = ExportManifest::from_json(manifest_json, &Limits::default())?;
    Ok(export_statement(&manifest)?.to_json()?)
}

/// Compare the export under `root` with a manifest given as JSON ([`check_export`]), skipping
/// the relative paths in `exclude`: `{"intact", "export_id", "files", "missing", "extra",
/// "changed": [{"path", "problem"}]}`.
///
/// # Errors
/// The manifest's parse errors; the errors of [`check_export`].
pub fn check_export_json(manifest_json: &[u8], root: &Path, exclude: &[String]) -> Result<Vec<u8>> {
    let manifest = ExportManifest::from_json(manifest_json, &Limits::default())?;
    let diff = check_export(&manifest, root, exclude)?;
    Ok(json!({
        "intact": diff.is_empty(),
        "export_id": manifest.export_id(),
        "files": manifest.files().len(),
        "missing": diff.missing,
        "extra": diff.extra,
        "changed": diff.changed.iter().map(|c| json!({"path": c.path, "problem": c.problem})).collect::<Vec<_>>(),
    })
    .to_string()
    .into_bytes())
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
