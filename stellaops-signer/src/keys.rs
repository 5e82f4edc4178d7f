//! Loading keys from bytes in any encoding we read, and by URI. (The default key under
//! `$STELLA_HOME` is the CLI's: a library embedded in a service has no home directory to use.)

use std::path::Path;
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey, VerifyingKey};

use crate::{Error, Result};

/// Read a private key: PEM (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1), PKCS#8 DER or JWK.
///
/// # Errors
/// The key decoding errors; [`stellaops_crypto::Error::PassphraseRequired`] for an encrypted key
/// without `passphrase`.
pub fn load_signing_key(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<SoftwareKey> {
    Ok(SoftwareKey::from_bytes(bytes, passphrase)?)
}

/// Read a public key: SPKI PEM/DER, JWK or an X.509 certificate; a private key file is accepted
/// too and its public half used.
///
/// # Errors
/// The decoding error of the public-key attempt when the bytes are no key at all.
pub fn load_verifying_key(bytes: &[u8]) -> Result<VerifyingKey> {
    match VerifyingKey::from_bytes(bytes) {
        Ok(k) => Ok(k),
        Err(public_err) => match SoftwareKey::from_bytes(bytes, None) {
            Ok(k) => Ok(k.public_key().clone()),
            Err(_) => Err(public_err.into()),
        },
    }
}

/// The public key of a signer the caller supplies ([`stellaops_crypto::CallerSigner`]) for
/// `algorithm`: for a built-in name (any of its names), `public_key` read as
/// [`load_verifying_key`] reads it and pinned to the algorithm; for any other name, an external
/// algorithm's SubjectPublicKeyInfo (PEM or DER), which nothing here can verify.
///
/// # Errors
/// The key decoding errors, [`stellaops_crypto::Error::AlgorithmMismatch`], and
/// [`stellaops_crypto::Error::InvalidAlgorithmName`] for a malformed external name.
pub fn caller_public_key(algorithm: &str, public_key: &[u8]) -> Result<VerifyingKey> {
    Ok(match algorithm.parse::<Algorithm>() {
        Ok(builtin) => load_verifying_key(public_key)?.with_algorithm(builtin)?,
        Err(_) => VerifyingKey::external(
            stellaops_crypto::ExternalAlgorithm::new(algorithm)?,
            public_key,
            None,
        )?,
    })
}

/// A signing key from any backend, as [`open_key`] returns it. File keys stay [`SoftwareKey`]s,
/// so they can still be exported; every other backend keeps its secret to itself.
#[derive(Debug)]
pub enum OpenedKey {
    /// A key read from a file (or generated in memory).
    Software(Box<SoftwareKey>),
    /// A key in a PKCS#11 token, AWS KMS, Vault/OpenBao transit, ...
    Backend {
        /// The backend's scheme name: `pkcs11`, `awskms`, `hashivault`.
        scheme: &'static str,
        /// The key.
        key: Box<dyn SigningKey>,
    },
}

impl OpenedKey {
    /// A borrowed signer that signs software ECDSA keys with RFC 6979 nonces (see
    /// [`SoftwareKey::as_deterministic`]); backend keys sign as they always do.
    pub fn reproducible(&self) -> Box<dyn SigningKey + '_> {
        match self {
            OpenedKey::Software(k) => Box::new(k.as_deterministic()),
            OpenedKey::Backend { key, .. } => Box::new(key.as_ref()),
        }
    }

    /// The software key, when this is one (for export).
    pub fn software(&self) -> Option<&SoftwareKey> {
        match self {
            OpenedKey::Software(k) => Some(k),
            OpenedKey::Backend { .. } => None,
        }
    }

    /// The software key, or [`Error::NotExportable`] for backend keys.
    ///
    /// # Errors
    /// [`Error::NotExportable`] for keys in an HSM, KMS or Vault.
    pub fn exportable(&self) -> Result<&SoftwareKey> {
        self.software().ok_or(Error::NotExportable {
            scheme: self.scheme(),
        })
    }

    /// The backend's scheme name; `file` for software keys.
    pub fn scheme(&self) -> &'static str {
        match self {
            OpenedKey::Software(_) => "file",
            OpenedKey::Backend { scheme, .. } => scheme,
        }
    }

    fn inner(&self) -> &dyn SigningKey {
        match self {
            OpenedKey::Software(k) => k.as_ref(),
            OpenedKey::Backend { key, .. } => key.as_ref(),
        }
    }
}

impl SigningKey for OpenedKey {
    fn algorithm(&self) -> Algorithm {
        self.inner().algorithm()
    }
    fn public_key(&self) -> &VerifyingKey {
        self.inner().public_key()
    }
    fn certificate_chain(&self) -> &[Vec<u8>] {
        self.inner().certificate_chain()
    }
    fn try_sign(&self, message: &[u8]) -> stellaops_crypto::Result<Vec<u8>> {
        self.inner().try_sign(message)
    }
}

/// A tenant's key from the key registry, as the faces hold keys: a backend key named by its
/// URI's scheme, that stops signing when a reload of the registry revokes it.
impl From<stellaops_keys::TenantKey> for OpenedKey {
    fn from(key: stellaops_keys::TenantKey) -> Self {
        OpenedKey::Backend {
            scheme: key.entry().uri.scheme(),
            key: Box::new(key),
        }
    }
}

/// A signer the caller supplies (a face's callback, a `crypto.Signer`, a Python object, a
/// JavaScript function), held like a backend key under the scheme name `caller`.
impl From<stellaops_crypto::CallerSigner> for OpenedKey {
    fn from(key: stellaops_crypto::CallerSigner) -> Self {
        OpenedKey::Backend {
            scheme: "caller",
            key: Box::new(key),
        }
    }
}

impl From<SoftwareKey> for OpenedKey {
    fn from(key: SoftwareKey) -> Self {
        OpenedKey::Software(Box::new(key))
    }
}

/// Open a signing key by URI: `file:PATH` (or a bare path), `pkcs11:…`, `awskms://…`,
/// `hashivault://…`, `fido2:…` (see [`stellaops_keys::KeyUri`]). `passphrase` decrypts encrypted key files.
///
/// # Errors
/// [`Error::Keys`] for malformed URIs, missing backends and backend failures (wrong PIN, unknown
/// key, unreachable service); the key decoding errors for files.
pub fn open_key(uri: &str, passphrase: Option<&[u8]>) -> Result<OpenedKey> {
    open_key_with_prompt(uri, passphrase, None)
}

/// [`open_key`], asking for a FIDO2 PIN with `pin_prompt` when the `fido2:` URI names no
/// `pin-source` and `STELLAOPS_FIDO2_PIN` is not set (the CLI asks on the terminal; a library
/// never prompts on its own).
///
/// # Errors
/// As [`open_key`].
pub fn open_key_with_prompt(
    uri: &str,
    passphrase: Option<&[u8]>,
    pin_prompt: Option<stellaops_keys::PinPrompt>,
) -> Result<OpenedKey> {
    let parsed = stellaops_keys::KeyUri::parse(uri)?;
    if let stellaops_keys::KeyUri::File(path) = &parsed {
        let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| Error::io(path, e))?);
        return Ok(OpenedKey::Software(Box::new(load_signing_key(
            &bytes, passphrase,
        )?)));
    }
    let key = stellaops_keys::open(
        &parsed,
        stellaops_keys::OpenOptions::with_passphrase(passphrase).with_pin_prompt(pin_prompt),
    )?;
    Ok(OpenedKey::Backend {
        scheme: parsed.scheme(),
        key,
    })
}

/// Write `key` as PKCS#8 PEM to a new file at `path` with mode 0600, encrypted with `passphrase`
/// (scrypt + AES-256-GCM, as [`SoftwareKey::to_encrypted_pkcs8_pem`]) when given: atomically,
/// and never over an existing file (a key is not clobbered by accident).
///
/// # Errors
/// [`Error::NotExportable`] for keys in an HSM, KMS or Vault; [`Error::InvalidRequest`] for an
/// empty passphrase; [`Error::Io`] (`AlreadyExists` when `path` exists).
pub fn write_private_key(path: &Path, key: &OpenedKey, passphrase: Option<&[u8]>) -> Result<()> {
    let key = key.exportable()?;
    let pem = match passphrase {
        Some([]) => {
            return Err(Error::InvalidRequest(
                "passphrase is empty: give none for an unencrypted key".into(),
            ))
        }
        Some(p) => key.to_encrypted_pkcs8_pem(p)?,
        None => key.to_pkcs8_pem()?,
    };
    crate::files::write_new_atomic(path, pem.as_bytes(), crate::files::SECRET_MODE)
}
