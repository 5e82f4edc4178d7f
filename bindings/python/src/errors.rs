//! The exception hierarchy: one base carrying the stable code, one subclass per code range.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::PyTypeInfo;
use stellaops_signer::ErrorCode;

pyo3::create_exception!(
    stellaops_signer,
    StellaOpsError,
    PyException,
    "Base of every error the library raises; `code` is the stable number, `code_name` its name."
);
pyo3::create_exception!(
    stellaops_signer,
    InvalidInputError,
    StellaOpsError,
    "Arguments or input documents are wrong (codes 1xx and 2xx)."
);
pyo3::create_exception!(
    stellaops_signer,
    KeyMaterialError,
    StellaOpsError,
    "A key could not be read, used or made, or signing failed (codes 3xx)."
);
pyo3::create_exception!(
    stellaops_signer,
    VerificationError,
    StellaOpsError,
    "Verification ran and said no (codes 4xx). Deliberately says little."
);
pyo3::create_exception!(
    stellaops_signer,
    PredicateTypeError,
    StellaOpsError,
    "A predicate type is unknown or not allowed (codes 5xx)."
);
pyo3::create_exception!(
    stellaops_signer,
    StellaOpsIOError,
    StellaOpsError,
    "A file could not be read or written (codes 6xx)."
);
pyo3::create_exception!(
    stellaops_signer,
    PolicyError,
    StellaOpsError,
    "The signing pipeline refused (code 700, `denied`: the message names the reason code) or could \
     not decide (701 `audit_failed`, 702 `policy_failed`)."
);
pyo3::create_exception!(
    stellaops_signer,
    InternalError,
    StellaOpsError,
    "A bug in the library (codes 9xx); please report it."
);

/// Raise `message` as the exception class for `code`, with `code` and `code_name` set.
pub(crate) fn raise(code: ErrorCode, message: String) -> PyErr {
    Python::attach(|py| {
        let class = match code.number() {
            100..=299 => InvalidInputError::type_object(py),
            300..=399 => KeyMaterialError::type_object(py),
            400..=499 => VerificationError::type_object(py),
            500..=599 => PredicateTypeError::type_object(py),
            600..=699 => StellaOpsIOError::type_object(py),
            700..=799 => PolicyError::type_object(py),
            _ => InternalError::type_object(py),
        };
        match class.call1((message,)) {
            Ok(instance) => {
                let set = instance
                    .setattr("code", code.number())
                    .and_then(|()| instance.setattr("code_name", code.name()));
                match set {
                    Ok(()) => PyErr::from_value(instance),
                    Err(e) => e,
                }
            }
            Err(e) => e,
        }
    })
}

/// The Python error for a library error.
pub(crate) fn to_py(e: stellaops_signer::Error) -> PyErr {
    raise(e.code(), e.to_string())
}

/// Register the exception classes on the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("StellaOpsError", py.get_type::<StellaOpsError>())?;
    m.add("InvalidInputError", py.get_type::<InvalidInputError>())?;
    m.add("KeyMaterialError", py.get_type::<KeyMaterialError>())?;
    m.add("VerificationError", py.get_type::<VerificationError>())?;
    m.add("PredicateTypeError", py.get_type::<PredicateTypeError>())?;
    m.add("StellaOpsIOError", py.get_type::<StellaOpsIOError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}
