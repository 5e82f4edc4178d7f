//! `Envelope`, `Signature`, `VerifiedKey`, and PAE.

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::dsse::Envelope as CoreEnvelope;
use stellaops_signer::{verify_envelope, EnvelopeLimits, VerificationPolicy};

use crate::errors::to_py;
use crate::keys::{SigningKey, VerifyingKey};

/// One signature of an envelope.
#[pyclass(frozen, get_all, module = "stellaops_signer")]
#[derive(Debug)]
pub struct Signature {
    /// The key id hint (may be empty).
    keyid: String,
    /// The signature bytes.
    sig: Py<PyBytes>,
}

/// A trusted key that verified.
#[pyclass(frozen, get_all, module = "stellaops_signer")]
#[derive(Debug)]
pub struct VerifiedKey {
    /// Its first position in the keys given to `verify`.
    key_index: usize,
    /// Every position in the keys given to `verify` that holds this key and accepted the
    /// signature (more than one when the same key was given twice).
    positions: Vec<usize>,
    /// The position of the signature it verified.
    signature_index: usize,
    /// Its key id.
    key_id: String,
    /// The algorithm the signature was made with.
    algorithm: &'static str,
}

impl VerifiedKey {
    /// The Python view of a key the facade verified.
    pub(crate) fn new(k: &stellaops_signer::VerifiedKey) -> Self {
        VerifiedKey {
            key_index: k.policy_index,
            positions: k.positions.clone(),
            signature_index: k.signature_index,
            key_id: k.key_id.to_string(),
            algorithm: k.algorithm.name(),
        }
    }
}

#[pymethods]
impl VerifiedKey {
    fn __repr__(&self) -> String {
        format!(
            "VerifiedKey(key_index={}, positions={:?}, signature_index={}, algorithm={:?})",
            self.key_index, self.positions, self.signature_index, self.algorithm
        )
    }
}

/// A DSSE envelope: a payload, its type and signatures over their PAE.
#[pyclass(frozen, module = "stellaops_signer")]
#[derive(Debug)]
pub struct Envelope {
    pub(crate) envelope: CoreEnvelope,
}

#[pymethods]
impl Envelope {
    /// Sign `payload` as `payload_type` with every key (one signature each).
    #[staticmethod]
    fn sign(
        py: Python<'_>,
        payload_type: &str,
        payload: &[u8],
        keys: Vec<PyRef<'_, SigningKey>>,
    ) -> PyResult<Self> {
        let keys = crate::keys::opened(&keys)?;
        let payload = payload.to_vec();
        let envelope = py
            .detach(|| {
                let keys: Vec<&stellaops_signer::OpenedKey> =
                    keys.iter().map(|k| k.as_ref()).collect();
                stellaops_signer::Authority::opened_keys(&keys)
                    .sign_payload(payload_type, payload)
                    .map(stellaops_signer::Outcome::into_envelope)
            })
            .map_err(to_py)?;
        Ok(Envelope { envelope })
    }

    /// Parse envelope JSON strictly (duplicate keys, bad base64, over 96 MiB are errors), given
    /// as bytes, str or dict.
    #[staticmethod]
    fn from_json(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = crate::input::json_arg(data, "data")?;
        let envelope = py
            .detach(|| CoreEnvelope::from_json(&data, &EnvelopeLimits::default()))
            .map_err(|e| to_py(e.into()))?;
        Ok(Envelope { envelope })
    }

    /// Canonical JSON.
    fn to_json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let json = py.detach(|| self.envelope.to_json());
        PyBytes::new(py, &json)
    }

    /// The payload bytes.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.envelope.payload())
    }

    /// The payload type.
    #[getter]
    fn payload_type(&self) -> &str {
        self.envelope.payload_type()
    }

    /// The signatures, in envelope order.
    #[getter]
    fn signatures(&self, py: Python<'_>) -> Vec<Signature> {
        self.envelope
            .signatures()
            .iter()
            .map(|s| Signature {
                keyid: s.keyid().to_owned(),
                sig: PyBytes::new(py, s.sig()).unbind(),
            })
            .collect()
    }

    /// The PAE bytes the signatures cover.
    fn pae<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.envelope.pae())
    }

    /// Verify: at least `threshold` distinct `keys` must each have a valid signature, and the
    /// payload type must equal `payload_type` when given. An in-toto payload must be a
    /// well-formed statement. Returns the keys that verified; raises VerificationError.
    #[pyo3(signature = (keys, threshold, payload_type = None))]
    fn verify(
        &self,
        py: Python<'_>,
        keys: Vec<PyRef<'_, VerifyingKey>>,
        threshold: usize,
        payload_type: Option<&str>,
    ) -> PyResult<Vec<VerifiedKey>> {
        let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
        let envelope = self.envelope.clone();
        let verification = py
            .detach(|| {
                let policy = VerificationPolicy::new(trusted, threshold, payload_type)?;
                verify_envelope(envelope, &policy, &[], &EnvelopeLimits::default())
            })
            .map_err(to_py)?;
        Ok(verification.keys.iter().map(VerifiedKey::new).collect())
    }

    fn __repr__(&self) -> String {
        format!(
            "Envelope(payload_type={:?}, payload=<{} bytes>, signatures={})",
            self.envelope.payload_type(),
            self.envelope.payload().len(),
            self.envelope.signatures().len()
        )
    }
}

/// The DSSE pre-authentication encoding of `payload_type` and `payload`.
#[pyfunction]
pub fn pae<'py>(py: Python<'py>, payload_type: &str, payload: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &stellaops_signer::dsse::pae(payload_type, payload))
}
