//! `sign_export`, `verify_export`: signed export manifests.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::{ExportOptions, SymlinkPolicy, VerificationPolicy};

use crate::errors::{raise, to_py};
use crate::keys::{SigningKey, VerifyingKey};

/// Sign the export under `root` (every file, or only `files`, relative paths) with every key and
/// return `(manifest, envelope)` as bytes: the manifest (RFC 8785 JSON) lists every file by path,
/// size and digests; the envelope signs it as a `stella.ops/export@v1` statement. Reproducible:
/// `created_at` (RFC 3339) or `SOURCE_DATE_EPOCH` gives the time (the clock is never read), and
/// software ECDSA keys sign with RFC 6979 nonces here.
#[pyfunction]
#[pyo3(signature = (keys, root, *, files = None, export_id = None, tenant = None, profile = None, created_at = None, sha512 = false, record_symlinks = false, exclude = Vec::new()))]
#[allow(clippy::too_many_arguments)]
pub fn sign_export<'py>(
    py: Python<'py>,
    keys: Vec<PyRef<'_, SigningKey>>,
    root: PathBuf,
    files: Option<Vec<String>>,
    export_id: Option<String>,
    tenant: Option<String>,
    profile: Option<String>,
    created_at: Option<String>,
    sha512: bool,
    record_symlinks: bool,
    exclude: Vec<String>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let options = ExportOptions {
        export_id,
        tenant,
        profile,
        created_at,
        sha512,
        symlinks: SymlinkPolicy::record_if(record_symlinks),
        exclude,
    };
    let keys = crate::keys::opened(&keys)?;
    let signed = py
        .detach(|| {
            let keys: Vec<_> = keys.iter().map(|k| k.as_ref()).collect();
            stellaops_signer::faces::sign_export_files(&keys, &root, files.as_deref(), &options)
        })
        .map_err(to_py)?;
    Ok((
        PyBytes::new(py, &signed.manifest_json),
        PyBytes::new(py, &signed.envelope_json),
    ))
}

/// Verify the export under `root` against the signed manifest in `envelope`: at least
/// `threshold` of the trusted `keys` signed, `manifest` (if given) is the signed one, and every
/// file is re-hashed. Returns the report (a dict: `intact`, `export_id`, `files`, `keys`,
/// `missing`, `extra`, `changed`). When files differ, raises VerificationError with code_name
/// "export_changed" and the same report as its `report` attribute.
#[pyfunction]
#[pyo3(signature = (root, envelope, keys, *, manifest = None, threshold = 1, exclude = Vec::new()))]
pub fn verify_export<'py>(
    py: Python<'py>,
    root: PathBuf,
    envelope: &[u8],
    keys: Vec<PyRef<'_, VerifyingKey>>,
    manifest: Option<&[u8]>,
    threshold: usize,
    exclude: Vec<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
    let policy = VerificationPolicy::new(
        trusted,
        threshold,
        Some(stellaops_signer::predicates::PAYLOAD_TYPE),
    )
    .map_err(|e| to_py(e.into()))?;
    let v = py
        .detach(|| stellaops_signer::verify_export(&root, envelope, manifest, &policy, &exclude))
        .map_err(to_py)?;
    let report_json = stellaops_signer::faces::export_report_json(&v);
    let report = py
        .import("json")?
        .call_method1("loads", (PyBytes::new(py, &report_json),))?;
    if let Err(e) = v.require_intact() {
        let err = raise(e.code(), e.to_string());
        err.value(py).setattr("report", report)?;
        return Err(err);
    }
    Ok(report)
}

/// The manifest (RFC 8785 JSON) `sign_export` would sign with the same arguments, unsigned: for
/// signing elsewhere (`export_statement`, a `BundleSigner`, a pipeline request) or checking a
/// tree later (`check_export`).
#[pyfunction]
#[pyo3(signature = (root, *, files = None, export_id = None, tenant = None, profile = None, created_at = None, sha512 = false, record_symlinks = false, exclude = Vec::new()))]
#[allow(clippy::too_many_arguments)]
pub fn describe_export<'py>(
    py: Python<'py>,
    root: PathBuf,
    files: Option<Vec<String>>,
    export_id: Option<String>,
    tenant: Option<String>,
    profile: Option<String>,
    created_at: Option<String>,
    sha512: bool,
    record_symlinks: bool,
    exclude: Vec<String>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = ExportOptions {
        export_id,
        tenant,
        profile,
        created_at,
        sha512,
        symlinks: SymlinkPolicy::record_if(record_symlinks),
        exclude,
    };
    let manifest = py
        .detach(|| {
            let manifest = match &files {
                Some(files) => stellaops_signer::describe_files(&root, files, &options)?,
                None => stellaops_signer::describe_dir(&root, &options)?,
            };
            Ok::<_, stellaops_signer::Error>(manifest.to_json()?)
        })
        .map_err(to_py)?;
    Ok(PyBytes::new(py, &manifest))
}

/// The statement (RFC 8785 JSON) for an export manifest: its files as subjects, the manifest as
/// the `stella.ops/export@v1` predicate.
#[pyfunction]
pub fn export_statement<'py>(
    py: Python<'py>,
    manifest: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let manifest = crate::input::json_arg(manifest, "manifest")?;
    let statement = py
        .detach(|| stellaops_signer::faces::export_statement_json(&manifest))
        .map_err(to_py)?;
    Ok(PyBytes::new(py, &statement))
}

/// Compare the export under `root` with `manifest` (no signature is checked: that is
/// `verify_export`), skipping `exclude`. Returns a dict (`intact`, `export_id`, `files`,
/// `missing`, `extra`, `changed`); differences are reported there, not raised.
#[pyfunction]
#[pyo3(signature = (root, manifest, *, exclude = Vec::new()))]
pub fn check_export<'py>(
    py: Python<'py>,
    root: PathBuf,
    manifest: &Bound<'py, PyAny>,
    exclude: Vec<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let manifest = crate::input::json_arg(manifest, "manifest")?;
    let report = py
        .detach(|| stellaops_signer::faces::check_export_json(&manifest, &root, &exclude))
        .map_err(to_py)?;
    py.import("json")?
        .call_method1("loads", (PyBytes::new(py, &report),))
}
