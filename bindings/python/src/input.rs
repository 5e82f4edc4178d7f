//! Arguments Python users pass in more than one form.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};

/// The JSON document argument `name`, given as `bytes`/`bytearray`, `str`, or a `dict`/`list`
/// (encoded with `json.dumps(..., allow_nan=False)`: a NaN is a `ValueError`, not invalid JSON
/// passed on). Anything else is a `TypeError` naming the argument and the type, never the value.
pub(crate) fn json_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    if let Some(bytes) = bytes_or_text(obj)? {
        return Ok(bytes);
    }
    if obj.is_instance_of::<PyDict>() || obj.is_instance_of::<PyList>() {
        let py = obj.py();
        let kwargs = PyDict::new(py);
        kwargs.set_item("allow_nan", false)?;
        kwargs.set_item("ensure_ascii", false)?;
        let text = py
            .import("json")?
            .call_method("dumps", (obj,), Some(&kwargs))?;
        return Ok(text.extract::<String>()?.into_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}': expected JSON as bytes, str, dict or list, not {}",
        obj.get_type().name()?
    )))
}

/// The bytes of a `bytes` or `bytearray`, or a `str`'s UTF-8; `None` for other types.
fn bytes_or_text(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Some(b.to_vec()));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Some(obj.extract::<String>()?.into_bytes()));
    }
    Ok(None)
}

/// A key argument `name`: `bytes`/`bytearray` (PEM, DER, JWK) or `str` (PEM or JWK text).
/// Anything else is a `TypeError` naming the argument and the type.
pub(crate) fn key_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    if let Some(bytes) = bytes_or_text(obj)? {
        return Ok(bytes);
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}': expected a key as bytes or str, not {}",
        obj.get_type().name()?
    )))
}

/// A path argument given as an `os.PathLike` (not a `str`), as its path; `None` for other types.
fn path_like(obj: &Bound<'_, PyAny>) -> PyResult<Option<std::path::PathBuf>> {
    if obj.is_instance_of::<PyString>() || !obj.hasattr("__fspath__")? {
        return Ok(None);
    }
    let path = obj.py().import("os")?.call_method1("fspath", (obj,))?;
    Ok(Some(path.extract::<std::path::PathBuf>()?))
}

/// A JSON document argument `name` given as JSON (what [`json_arg`] takes) or as an
/// `os.PathLike` naming a file to read (at most 96 MiB; the GIL is released meanwhile).
pub(crate) fn document_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    match path_like(obj)? {
        Some(path) => obj
            .py()
            .detach(|| stellaops_signer::files::read(&path))
            .map_err(crate::errors::to_py),
        // A TypeError names the path form too; other errors (a NaN in a dict) pass unchanged.
        None => json_arg(obj, name).map_err(|e| {
            if !e.is_instance_of::<PyTypeError>(obj.py()) {
                return e;
            }
            PyTypeError::new_err(format!(
                "argument '{name}': expected JSON as bytes, str, dict or list, or an os.PathLike, not {}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        }),
    }
}

/// The artifact argument `name`: its bytes, a `str` (`sha256:<hex>` for its digest, else a
/// path), or an `os.PathLike`; anything else is a `TypeError` naming
/// the argument and the type.
pub(crate) fn artifact_arg(
    obj: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<stellaops_signer::OwnedArtifact> {
    use stellaops_signer::OwnedArtifact;
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(OwnedArtifact::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(OwnedArtifact::Bytes(b.to_vec()));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(OwnedArtifact::Reference(obj.extract()?));
    }
    if let Some(path) = path_like(obj)? {
        return Ok(OwnedArtifact::File(path));
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}': expected bytes, a path (str or os.PathLike) or \"sha256:<hex>\", not {}",
        obj.get_type().name()?
    )))
}
