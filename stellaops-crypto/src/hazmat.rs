//! Low-level signature encodings for backends and token formats: ECDSA between the DER form
//! DSSE carries and the fixed-width `r || s` form PKCS#11 tokens, JWS and WebAuthn use.
//!
//! Misuse here produces signatures that verify nowhere, so the module is named as a warning.
//! (There is no digest-signing adapter: the PKCS#11, KMS and Vault backends hash the message
//! themselves because they also need it, to check every signature the backend returns before it
//! goes into an envelope, and because Ed25519 signs the message itself.)

use crate::{Algorithm, Error, Result};

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

/// Convert a DER ECDSA signature (what [`SigningKey::try_sign`](crate::SigningKey::try_sign) returns) to the fixed-width
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
