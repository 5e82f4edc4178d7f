#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod b64;
pub mod canon;
mod envelope;
mod error;
mod pae;
mod verify;

pub use envelope::{Envelope, EnvelopeLimits, Signature};
pub use error::{Error, Result};
pub use pae::pae;
pub use verify::{VerificationPolicy, Verified, VerifiedKey};

/// Re-exported so users of this crate name keys without a second dependency.
pub use stellaops_crypto;
