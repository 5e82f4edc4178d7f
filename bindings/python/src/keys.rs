//! `SigningKey` and `VerifyingKey`.

use std::sync::{Arc, PoisonError, RwLock};

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::keys::{load_signing_key, load_verifying_key};
use stellaops_signer::{
    open_key, Algorithm, OpenedKey, SigningKey as _, SoftwareKey, VerifyingKey as CoreVerifyingKey,
};

use crate::errors::to_py;

fn algorithm(name: &str) -> PyResult<Algorithm> {
    name.parse::<Algorithm>()
        .map_err(|e| to_py(stellaops_signer::Error::from(e)))
}

/// A private signing key: software, or in an HSM, KMS or Vault (`from_uri`). Safe to share
/// between threads. A context manager: leaving the `with` block (or `close()`) releases the key
/// (HSM session, KMS client) once running calls finish; later use raises `ValueError`.
#[pyclass(frozen, module = "stellaops_signer")]
#[derive(Debug)]
pub struct SigningKey {
    slot: RwLock<Option<Arc<OpenedKey>>>,
}

impl SigningKey {
    /// A Python key around an opened one.
    pub(crate) fn new(key: Arc<OpenedKey>) -> Self {
        SigningKey {
            slot: RwLock::new(Some(key)),
        }
    }

    /// The key, or `ValueError` once closed.
    pub(crate) fn key(&self) -> PyResult<Arc<OpenedKey>> {
        self.slot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| pyo3::exceptions::PyValueError::new_err("the key is closed"))
    }
}

/// The keys of a list, or `ValueError` when one is closed.
pub(crate) fn opened(keys: &[PyRef<'_, SigningKey>]) -> PyResult<Vec<Arc<OpenedKey>>> {
    keys.iter().map(|k| k.key()).collect()
}

#[pymethods]
impl SigningKey {
    /// A fresh key: "es256" (default), "es384", "ed25519", "rsa-pss-sha256", "rsa-pkcs1-sha256"
    /// (JOSE and securesystemslib names are accepted too).
    #[staticmethod]
    #[pyo3(signature = (algorithm = "es256"))]
    fn generate(py: Python<'_>, algorithm: &str) -> PyResult<Self> {
        let alg = self::algorithm(algorithm)?;
        let key = py
            .detach(|| SoftwareKey::generate(alg))
            .map_err(|e| to_py(e.into()))?;
        Ok(SigningKey::new(Arc::new(key.into())))
    }

    /// Load a private key from PEM (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1) or PKCS#8 DER.
    #[staticmethod]
    #[pyo3(signature = (data, passphrase = None))]
    fn from_pem(data: &Bound<'_, PyAny>, passphrase: Option<&[u8]>) -> PyResult<Self> {
        let data = zeroize::Zeroizing::new(crate::input::key_arg(data, "data")?);
        let key = load_signing_key(&data, passphrase).map_err(to_py)?;
        Ok(SigningKey::new(Arc::new(key.into())))
    }

    /// Load a private key from a JWK (RFC 7517) text.
    #[staticmethod]
    fn from_jwk(jwk: &str) -> PyResult<Self> {
        let key = SoftwareKey::from_jwk(jwk).map_err(|e| to_py(e.into()))?;
        Ok(SigningKey::new(Arc::new(key.into())))
    }

    /// A key whose signatures come from `signer`: an object with `sign(message: bytes) -> bytes`
    /// (or a plain callable), such as an HSM session, a KMS client, or a provider of an
    /// algorithm this library does not implement (GOST R 34.10-2012 through CryptoPro or
    /// OpenSSL). `algorithm` is a built-in name ("es256", "ed25519", "rsa-pss-sha256", ...) or an
    /// external one ("gost3410-2012-256"); `public_key` is the key (PEM, DER, JWK) or, for an
    /// external algorithm, its SubjectPublicKeyInfo (PEM or DER). `sign` gets the whole message
    /// (the DSSE PAE) and hashes it as its algorithm does.
    ///
    /// Every signature is checked (not empty, at most 16 KiB, and for built-in algorithms valid
    /// under `public_key`): a signer that raises or lies makes the signing call raise
    /// `KeyMaterialError` with code 324 (`caller_signer_failed`), and nothing is signed. `sign`
    /// may be called from any thread, with the GIL held.
    #[staticmethod]
    fn from_signer(
        algorithm: &str,
        public_key: &Bound<'_, PyAny>,
        signer: Py<PyAny>,
    ) -> PyResult<SigningKey> {
        crate::caller::signing_key_from_signer(algorithm, public_key, signer)
    }

    /// Open a key by URI: "file:PATH" or a bare path, RFC 7512 "pkcs11:..." (module-path and
    /// pin-value or pin-source in the query), "awskms://[HOST:PORT]/KEY" (AWS environment
    /// variables), "hashivault://KEY[?version=N]" (VAULT_ADDR, VAULT_TOKEN),
    /// "fido2:CREDENTIAL?device=..." (a FIDO2 security key; PIN from pin-source=FILE or
    /// STELLAOPS_FIDO2_PIN). Opening contacts the backend; the GIL is released meanwhile.
    #[staticmethod]
    #[pyo3(signature = (uri, passphrase = None))]
    fn from_uri(py: Python<'_>, uri: &str, passphrase: Option<&[u8]>) -> PyResult<Self> {
        let key = py.detach(|| open_key(uri, passphrase)).map_err(to_py)?;
        Ok(SigningKey::new(Arc::new(key)))
    }

    /// The backend: "file" for software keys, else "pkcs11", "awskms", "hashivault", "fido2".
    #[getter]
    fn backend(&self) -> PyResult<&'static str> {
        Ok(self.key()?.scheme())
    }

    /// The public half.
    fn public_key(&self) -> PyResult<VerifyingKey> {
        Ok(VerifyingKey {
            key: self.key()?.public_key().clone(),
        })
    }

    /// Lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER.
    #[getter]
    fn key_id(&self) -> PyResult<String> {
        Ok(self.key()?.key_id().to_string())
    }

    /// The algorithm's short name.
    #[getter]
    fn algorithm(&self) -> PyResult<&'static str> {
        Ok(self.key()?.algorithm().name())
    }

    /// PKCS#8 PEM, encrypted with `passphrase` when given.
    #[pyo3(signature = (passphrase = None))]
    fn to_pem<'py>(
        &self,
        py: Python<'py>,
        passphrase: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let opened = self.key()?;
        let key = opened.exportable().map_err(to_py)?;
        let pem = match passphrase {
            Some(p) => py.detach(|| key.to_encrypted_pkcs8_pem(p)),
            None => key.to_pkcs8_pem(),
        }
        .map_err(|e| to_py(e.into()))?;
        Ok(PyBytes::new(py, pem.as_bytes()))
    }

    /// The private JWK text.
    fn to_jwk(&self) -> PyResult<String> {
        let opened = self.key()?;
        let key = opened.exportable().map_err(to_py)?;
        let jwk = key.to_jwk().map_err(|e| to_py(e.into()))?;
        Ok(jwk.as_str().to_owned())
    }

    /// Write the key as PKCS#8 PEM to a new file at `path` with mode 0600, encrypted with
    /// `passphrase` when given: atomically, and never over an existing file.
    #[pyo3(signature = (path, passphrase = None))]
    fn write_private_key(
        &self,
        py: Python<'_>,
        path: std::path::PathBuf,
        passphrase: Option<&[u8]>,
    ) -> PyResult<()> {
        let key = self.key()?;
        py.detach(|| stellaops_signer::write_private_key(&path, &key, passphrase))
            .map_err(to_py)
    }

    /// Release the key (HSM session, KMS client) once running calls finish; closing twice is
    /// fine.
    fn close(&self) {
        self.slot
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close();
        false
    }

    fn __repr__(&self) -> String {
        match self.key() {
            Ok(key) => format!(
                "SigningKey(algorithm={:?}, key_id={:?})",
                key.algorithm().name(),
                key.key_id().to_string()
            ),
            Err(_) => "SigningKey(closed)".to_owned(),
        }
    }
}

/// A public key trusted to verify. Immutable; safe to share between threads.
#[pyclass(frozen, eq, module = "stellaops_signer")]
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    pub(crate) key: CoreVerifyingKey,
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.key.to_spki_der() == other.key.to_spki_der()
            && self.key.is_pinned() == other.key.is_pinned()
            && (!self.key.is_pinned() || self.key.algorithm() == other.key.algorithm())
    }
}

#[pymethods]
impl VerifyingKey {
    /// Load SPKI PEM or DER, a JWK, or an X.509 certificate's key (PEM or DER); a private key's
    /// public half is accepted too.
    #[staticmethod]
    fn from_pem(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = crate::input::key_arg(data, "data")?;
        let key = load_verifying_key(&data).map_err(to_py)?;
        Ok(VerifyingKey { key })
    }

    /// Load a public JWK text.
    #[staticmethod]
    fn from_jwk(jwk: &str) -> PyResult<Self> {
        let key = CoreVerifyingKey::from_jwk(jwk).map_err(|e| to_py(e.into()))?;
        Ok(VerifyingKey { key })
    }

    /// Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    #[getter]
    fn key_id(&self) -> String {
        self.key.key_id().to_string()
    }

    /// The one algorithm this key verifies, or None for an RSA key that verifies both paddings.
    #[getter]
    fn algorithm(&self) -> Option<&'static str> {
        self.key.is_pinned().then(|| self.key.algorithm().name())
    }

    /// SubjectPublicKeyInfo PEM.
    fn to_pem<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let pem = self.key.to_spki_pem().map_err(|e| to_py(e.into()))?;
        Ok(PyBytes::new(py, pem.as_bytes()))
    }

    /// SubjectPublicKeyInfo DER.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.key.to_spki_der())
    }

    /// The public JWK text.
    fn to_jwk(&self) -> PyResult<String> {
        self.key.to_jwk().map_err(|e| to_py(e.into()))
    }

    fn __repr__(&self) -> String {
        format!(
            "VerifyingKey(algorithm={:?}, key_id={:?})",
            self.algorithm(),
            self.key.key_id().to_string()
        )
    }
}
