//! Low-level pieces for backends that sign digests, not messages (PKCS#11, cloud KMS).
//!
//! Misuse here produces signatures over the wrong bytes, so the module is named as a warning.

use crate::{Algorithm, Error, Result, SigningKey, VerifyingKey};

/// A backend that signs a digest the caller computed with `algorithm().hash()`.
pub trait PrehashSigner: std::fmt::Debug + Send + Sync {
    /// The algorithm the produced signatures verify under.
    fn algorithm(&self) -> Algorithm;

    /// The public half of the key.
    fn public_key(&self) -> &VerifyingKey;

    /// DER certificates binding the key, leaf first; empty for raw keys.
    fn certificate_chain(&self) -> &[Vec<u8>] {
        &[]
    }

    /// Sign `digest` (the full hash of the message) and return the wire-format signature:
    /// DER for ECDSA (see [`ecdsa_fixed_to_der`] for backends that return `r || s`).
    ///
    /// # Errors
    /// Whatever the backend reports.
    fn sign_prehash(&self, digest: &[u8]) -> Result<Vec<u8>>;
}

/// Adapts a [`PrehashSigner`] to [`SigningKey`] by hashing the message locally.
#[derive(Debug)]
pub struct Prehashed<S>(S);

impl<S: PrehashSigner> Prehashed<S> {
    /// Wrap `signer`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for Ed25519, which signs the message itself and has no pre-hashed form
    /// compatible with DSSE verifiers.
    pub fn new(signer: S) -> Result<Self> {
        match signer.algorithm().hash() {
            Some(_) => Ok(Prehashed(signer)),
            None => Err(Error::Unsupported(signer.algorithm())),
        }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &S {
        &self.0
    }
}

impl<S: PrehashSigner> SigningKey for Prehashed<S> {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }

    fn public_key(&self) -> &VerifyingKey {
        self.0.public_key()
    }

    fn certificate_chain(&self) -> &[Vec<u8>] {
        self.0.certificate_chain()
    }

    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let algorithm = self.0.algorithm();
        let hash = algorithm.hash().ok_or(Error::Unsupported(algorithm))?;
        self.0.sign_prehash(&hash.digest(message))
    }
}

/// Convert an ECDSA signature in the fixed-width `r || s` form (PKCS#11 `CKM_ECDSA`, IEEE P1363)
/// to the DER form DSSE verifiers expect.
///
/// # Errors
/// [`Error::InvalidSignature`] when the length or the scalars are wrong for the curve;
/// [`Error::Unsupported`] for non-ECDSA algorithms.
pub fn ecdsa_fixed_to_der(algorithm: Algorithm, fixed: &[u8]) -> Result<Vec<u8>> {
    match algorithm {
        Algorithm::EcdsaP256Sha256 => p256::ecdsa::Signature::from_slice(fixed)
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|_| Error::InvalidSignature),
        Algorithm::EcdsaP384Sha384 => p384::ecdsa::Signature::from_slice(fixed)
            .map(|s| s.to_der().as_bytes().to_vec())
            .map_err(|_| Error::InvalidSignature),
        other => Err(Error::Unsupported(other)),
    }
}

/// Convert a DER ECDSA signature (what [`SigningKey::try_sign`] returns) to the fixed-width
/// `r || s` form JWS (RFC 7518 §3.4) and WebAuthn's COSE carry.
///
/// # Errors
/// [`Error::InvalidSignature`] when `der` is not a strict DER signature for the curve;
/// [`Error::Unsupported`] for non-ECDSA algorithms.
pub fn ecdsa_der_to_fixed(algorithm: Algorithm, der: &[u8]) -> Result<Vec<u8>> {
    match algorithm {
        Algorithm::EcdsaP256Sha256 => p256::ecdsa::Signature::from_der(der)
            .map(|s| s.to_bytes().to_vec())
            .map_err(|_| Error::InvalidSignature),
        Algorithm::EcdsaP384Sha384 => p384::ecdsa::Signature::from_der(der)
            .map(|s| s.to_bytes().to_vec())
            .map_err(|_| Error::InvalidSignature),
        other => Err(Error::Unsupported(other)),
    }
}
