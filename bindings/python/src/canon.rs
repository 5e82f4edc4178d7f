//! `canonicalize` and the predicate catalog.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::canon::{canonicalize as core_canonicalize, Limits, Mode};
use stellaops_signer::catalog;
use stellaops_signer::ErrorCode;

use crate::errors::{raise, to_py};

/// Parse `data` strictly and return its canonical form: `mode` "jcs" (RFC 8785, the default) or
/// "olpc" (securesystemslib/TUF, integers only).
#[pyfunction]
#[pyo3(signature = (data, mode = "jcs"))]
pub fn canonicalize<'py>(
    py: Python<'py>,
    data: &[u8],
    mode: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let mode = match mode {
        "jcs" => Mode::Jcs,
        "olpc" => Mode::Olpc,
        other => {
            return Err(raise(
                ErrorCode::InvalidArgument,
                format!("unknown canonical mode {other:?} (jcs, olpc)"),
            ))
        }
    };
    let out = py
        .detach(|| core_canonicalize(data, mode, &Limits::default()))
        .map_err(|e| to_py(e.into()))?;
    Ok(PyBytes::new(py, &out))
}

/// The URI of a catalog short name or alias ("sbom", "vex", "cyclonedx", ...); URIs pass through.
#[pyfunction]
pub fn resolve_predicate_type(name: &str) -> PyResult<String> {
    catalog::resolve(name).map_err(|e| to_py(e.into()))
}

/// The family of a catalogued predicate type ("sbom", "vex", "reachability", "provenance",
/// "policy", "evidence", "promotion", "replay", "link"), or None.
#[pyfunction]
pub fn predicate_family(uri: &str) -> Option<String> {
    catalog::family(uri).map(|f| f.name().to_owned())
}

/// True for VEX statements and decisions.
#[pyfunction]
pub fn is_vex_related(uri: &str) -> bool {
    catalog::is_vex_related(uri)
}

/// True for reachability evidence.
#[pyfunction]
pub fn is_reachability_related(uri: &str) -> bool {
    catalog::is_reachability_related(uri)
}

/// True for SBOMs of any format.
#[pyfunction]
pub fn is_sbom(uri: &str) -> bool {
    catalog::is_sbom(uri)
}

/// True when `uri` is on the default allow-list (the catalog).
#[pyfunction]
pub fn is_allowed_predicate_type(uri: &str) -> bool {
    catalog::is_allowed_predicate_type(uri)
}

/// Every catalogued predicate type URI.
#[pyfunction]
pub fn allowed_predicate_types() -> Vec<&'static str> {
    catalog::allowed_predicate_types()
}
