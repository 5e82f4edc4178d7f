//! Key identifiers: lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.

use std::fmt;

use sha2::{Digest, Sha256};

/// A key id: the lowercase hex SHA-256 of the key's SubjectPublicKeyInfo DER encoding.
///
/// It is a hint for finding a key, never a reason to trust one: verification policies hold the
/// trusted keys themselves, and a signature's `keyid` only orders which of them is tried first.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// The key id of a DER-encoded SubjectPublicKeyInfo.
    pub fn from_spki_der(spki_der: &[u8]) -> Self {
        KeyId(hex::encode(Sha256::digest(spki_der)))
    }

    /// The id as text (64 lowercase hex characters).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

impl AsRef<str> for KeyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
