//! Arguments Python users pass in more than one form.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};

/// The JSON document argument `name`, given as `bytes`/`bytearray`, `str`, or a `dict`/`list`
/// (encoded with `json.dumps(..., allow_nan=False)`: a NaN is a `ValueError`, not invalid JSON
/// passed on). Anything else is a `TypeError` naming the argument and the type, never the value.
pub(crate) fn json_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(obj.extract::<String>()?.into_bytes());
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

/// A key argument `name`: `bytes`/`bytearray` (PEM, DER, JWK) or `str` (PEM or JWK text).
/// Anything else is a `TypeError` naming the argument and the type.
pub(crate) fn key_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(obj.extract::<String>()?.into_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "argument '{name}': expected a key as bytes or str, not {}",
        obj.get_type().name()?
    )))
}
