#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod algorithm;
#[cfg(feature = "aws-lc")]
mod aws_lc;
mod caller;
mod cause;
mod error;
pub mod fido2;
pub mod hazmat;
mod jwk;
mod key_id;
mod oid;
mod pem;
pub mod rfc3339;
mod signing_key;
mod software;
mod verifying_key;

pub use algorithm::{Algorithm, ExternalAlgorithm, HashAlgorithm};
pub use caller::{
    CallerError, CallerSigner, SignFn, SignatureVerifier, VerifierRegistry, MAX_CALLER_ERROR_LEN,
    MAX_CALLER_SIGNATURE_LEN,
};
pub use cause::Cause;
pub use error::{Error, JwkError, Result};
pub use key_id::KeyId;
pub use signing_key::SigningKey;
pub use software::{
    Deterministic, SoftwareKey, DEFAULT_RSA_BITS, MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_BYTES,
    PBKDF2_ITERATIONS,
};
pub use verifying_key::{VerifyingKey, RSA_BITS};
