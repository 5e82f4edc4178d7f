//! Signers and verifiers written in Python: `SigningKey.from_signer` and `VerifierRegistry`.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::{CallerError, CallerSigner, VerifierRegistry as CoreRegistry};

use crate::errors::to_py;
use crate::input::key_arg;
use crate::keys::{SigningKey, VerifyingKey};

/// A Python exception as a bounded caller error: its type and message, never a traceback.
fn caller_error(py: Python<'_>, err: &PyErr) -> CallerError {
    let kind = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".to_owned());
    CallerError::new(&format!("{kind}: {}", err.value(py)))
}

/// Call the signer: its `sign` method, or the signer itself when it is a plain callable.
fn call_signer(signer: &Py<PyAny>, message: &[u8]) -> Result<Vec<u8>, CallerError> {
    Python::attach(|py| {
        let signer = signer.bind(py);
        let message = PyBytes::new(py, message);
        let result = if signer.hasattr("sign").unwrap_or(false) {
            signer.call_method1("sign", (message,))
        } else {
            signer.call1((message,))
        };
        let signature = result.map_err(|e| caller_error(py, &e))?;
        signature
            .cast::<PyBytes>()
            .map(|b| b.as_bytes().to_vec())
            .map_err(|_| {
                CallerError::new(&format!(
                    "sign returned {}, not bytes",
                    signature
                        .get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })
    })
}

/// `SigningKey.from_signer` (documented there): the key over the caller's signer.
pub(crate) fn signing_key_from_signer(
    algorithm: &str,
    public_key: &Bound<'_, PyAny>,
    signer: Py<PyAny>,
) -> PyResult<SigningKey> {
    let py = public_key.py();
    let callable = signer.bind(py).hasattr("sign")? || signer.bind(py).is_callable();
    if !callable {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "argument 'signer': expected an object with sign(bytes) -> bytes or a callable, not {}",
            signer.bind(py).get_type().name()?
        )));
    }
    let public_key = key_arg(public_key, "public_key")?;
    let public =
        stellaops_signer::keys::caller_public_key(algorithm, &public_key).map_err(to_py)?;
    let key = CallerSigner::new(public, move |message: &[u8]| call_signer(&signer, message));
    Ok(SigningKey::new(Arc::new(key.into())))
}

/// Verifiers for algorithms this library does not implement, by name. A key of an algorithm
/// nobody registered is refused (`KeyMaterialError`, code 300 `unknown_algorithm`), so an
/// envelope signed with it cannot verify by default. Safe to share between threads.
#[pyclass(frozen, module = "stellaops_signer")]
#[derive(Debug, Default)]
pub struct VerifierRegistry {
    registry: Mutex<CoreRegistry>,
}

#[pymethods]
impl VerifierRegistry {
    /// A registry that knows only the built-in algorithms.
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Verify signatures of the external algorithm `algorithm` (lowercase letters, digits, "-",
    /// ".", "_"; not a built-in name) with `verify(public_key, message, signature) -> bool`:
    /// `public_key` is the key's DER SubjectPublicKeyInfo, `message` the signed bytes (the DSSE
    /// PAE). An exception counts as an invalid signature. It may be called from any thread.
    fn register(&self, algorithm: &str, verify: Py<PyAny>) -> PyResult<()> {
        let callable = Python::attach(|py| verify.bind(py).is_callable());
        if !callable {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "argument 'verify': expected a callable (public_key, message, signature) -> bool",
            ));
        }
        let verifier = move |public_key: &[u8], message: &[u8], signature: &[u8]| {
            Python::attach(|py| {
                let args = (
                    PyBytes::new(py, public_key),
                    PyBytes::new(py, message),
                    PyBytes::new(py, signature),
                );
                verify
                    .bind(py)
                    .call1(args)
                    .and_then(|answer| answer.is_truthy())
                    .unwrap_or(false)
            })
        };
        self.registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .register(algorithm, Arc::new(verifier))
            .map_err(|e| to_py(e.into()))?;
        Ok(())
    }

    /// A key that verifies `algorithm`'s signatures: for a built-in name, `public_key` in any
    /// encoding `VerifyingKey.from_pem` reads, pinned; for a registered name, its
    /// SubjectPublicKeyInfo (PEM or DER), checked by the registered function.
    fn verifying_key(
        &self,
        algorithm: &str,
        public_key: &Bound<'_, PyAny>,
    ) -> PyResult<VerifyingKey> {
        let public_key = key_arg(public_key, "public_key")?;
        let key = self
            .registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .verifying_key(algorithm, &public_key)
            .map_err(|e| to_py(e.into()))?;
        Ok(VerifyingKey { key })
    }

    /// The registered algorithm names, in name order.
    fn algorithms(&self) -> Vec<&'static str> {
        self.registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .algorithms()
            .collect()
    }
}
