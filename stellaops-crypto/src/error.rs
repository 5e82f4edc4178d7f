//! The one error type of this crate.

use crate::{Algorithm, Cause};

/// Everything that can go wrong with keys and signatures.
///
/// Variants are stable: new ones may be added (the enum is `#[non_exhaustive]`), existing
/// ones keep their meaning. Verification failure is deliberately one opaque variant,
/// [`Error::InvalidSignature`], so a caller cannot learn *why* a forgery failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The algorithm name is not one this crate knows.
    #[error("unknown algorithm name {0:?}")]
    UnknownAlgorithm(String),
    /// The key's type or parameters are not supported (e.g. an unsupported curve or key type).
    #[error("unsupported key: {0}")]
    UnsupportedKey(&'static str),
    /// An RSA key outside the accepted 2048–4096 bit range.
    #[error("rsa key of {bits} bits is outside the accepted range 2048-4096")]
    RsaKeySize {
        /// The modulus size found.
        bits: usize,
    },
    /// The key cannot be used with the requested algorithm.
    #[error("key of type {key} cannot be used with algorithm {requested}")]
    AlgorithmMismatch {
        /// What the key is.
        key: &'static str,
        /// What was asked for.
        requested: Algorithm,
    },
    /// A PKCS#8 private key could not be decoded or encoded.
    #[error("pkcs#8 private key: {0}")]
    Pkcs8(#[source] Cause),
    /// A SubjectPublicKeyInfo could not be decoded or encoded.
    #[error("subject public key info: {0}")]
    Spki(#[source] Cause),
    /// DER or PEM framing is malformed.
    #[error("der/pem encoding: {0}")]
    Der(#[source] Cause),
    /// The input is neither PEM, DER nor JWK of a kind we read.
    #[error("unrecognised key encoding: {0}")]
    UnrecognisedEncoding(&'static str),
    /// The PEM label is not one we accept at this place.
    #[error("unexpected pem label {0:?}")]
    UnexpectedPemLabel(String),
    /// The private key is passphrase-encrypted and no passphrase was given.
    #[error("the private key is encrypted and needs a passphrase")]
    PassphraseRequired,
    /// Decryption of an encrypted PKCS#8 key failed (wrong passphrase or corrupt key).
    #[error("cannot decrypt the private key: wrong passphrase or corrupt key")]
    Decryption,
    /// A JWK is malformed or of an unsupported kind.
    #[error("jwk: {0}")]
    Jwk(#[from] JwkError),
    /// An X.509 certificate could not be decoded.
    #[error("x.509 certificate: {0}")]
    Certificate(#[source] Cause),
    /// The RSA implementation rejected the key or operation.
    #[error("rsa: {0}")]
    Rsa(#[source] Cause),
    /// Signing failed inside the software implementation.
    #[error("signing failed: {0}")]
    Signing(#[source] Cause),
    /// A signing backend (HSM, KMS, device) failed.
    #[error("{backend} backend: {source}")]
    Backend {
        /// Which backend, e.g. `"pkcs11"`.
        backend: &'static str,
        /// What it reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// FIDO2 signature bytes that are not the `stellaops.fido2/v1` encoding (when decoded on
    /// their own; verification reports [`Error::InvalidSignature`] whatever the reason).
    #[error("fido2 signature encoding: {0}")]
    Fido2Encoding(&'static str),
    /// The signature does not verify. Deliberately carries no detail.
    #[error("invalid signature")]
    InvalidSignature,
    /// The operation is not possible for this algorithm (e.g. pre-hashed Ed25519).
    #[error("operation not supported for {0}")]
    Unsupported(Algorithm),
    /// A name given for an external algorithm is malformed, a built-in algorithm's, or one too
    /// many (see [`crate::ExternalAlgorithm::new`]).
    #[error("external algorithm name: {0}")]
    InvalidAlgorithmName(&'static str),
    /// A signer the caller supplied ([`crate::CallerSigner`]) failed, or returned a signature
    /// that is empty, too large or does not verify under its own public key.
    /// The message ends with the caller's own (bounded) message, as the errors with an optional
    /// [`Cause`](crate::Cause) do, since faces show only the top message.
    #[error("caller-supplied signer: {reason}{}", source.as_ref().map_or_else(String::new, |s| format!(": {s}")))]
    CallerSigner {
        /// What went wrong.
        reason: &'static str,
        /// The caller's own error, when it reported one.
        #[source]
        source: Option<crate::CallerError>,
    },
}

/// What is wrong with a JWK.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwkError {
    /// Not a JSON object of the JWK shape.
    #[error("malformed json: {0}")]
    Json(#[source] Cause),
    /// A member is missing.
    #[error("missing member {0:?}")]
    Missing(&'static str),
    /// A member is not valid base64url.
    #[error("member {0:?} is not valid base64url")]
    Base64(&'static str),
    /// `kty`/`crv` combination we do not support.
    #[error("unsupported key type {kty:?} (crv {crv:?})")]
    Unsupported {
        /// The `kty` member.
        kty: String,
        /// The `crv` member, if any.
        crv: Option<String>,
    },
    /// The `alg` member names an algorithm that does not fit the key.
    #[error("alg {0:?} does not fit the key")]
    Alg(String),
    /// The key material is not a valid key (point not on curve, wrong length, ...).
    #[error("invalid key material")]
    InvalidKey,
}

impl From<pkcs8::Error> for Error {
    fn from(e: pkcs8::Error) -> Self {
        Error::Pkcs8(Cause::new(e))
    }
}

impl From<spki::Error> for Error {
    fn from(e: spki::Error) -> Self {
        Error::Spki(Cause::new(e))
    }
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Der(Cause::new(e))
    }
}

impl From<rsa::Error> for Error {
    fn from(e: rsa::Error) -> Self {
        Error::Rsa(Cause::new(e))
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
