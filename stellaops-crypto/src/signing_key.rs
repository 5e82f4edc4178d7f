//! The one trait every signing backend implements.

use std::fmt;

use crate::{Algorithm, KeyId, Result, VerifyingKey};

/// A key that can sign: software keys here; PKCS#11, AWS KMS, Vault/OpenBao and FIDO2 keys in
/// `stellaops-keys`, the ephemeral keyless keys in `stellaops-sigstore`, and any key a caller
/// brings.
///
/// The trait is object-safe (`Box<dyn SigningKey>` / `&dyn SigningKey`), `Send + Sync` so one key
/// can serve many threads, and signing is fallible because hardware and remote backends fail.
pub trait SigningKey: fmt::Debug + Send + Sync {
    /// The algorithm this key signs with.
    fn algorithm(&self) -> Algorithm;

    /// The public half, able to verify this key's signatures.
    fn public_key(&self) -> &VerifyingKey;

    /// The key id (SHA-256 of the SPKI DER), taken from the public key.
    fn key_id(&self) -> &KeyId {
        self.public_key().key_id()
    }

    /// DER certificates binding the key, leaf first; empty for raw keys.
    fn certificate_chain(&self) -> &[Vec<u8>] {
        &[]
    }

    /// Sign `message` and return the signature in its wire encoding
    /// (DER for ECDSA, 64 bytes for Ed25519, modulus-sized for RSA).
    ///
    /// # Errors
    /// Whatever the backend reports; software keys fail only on internal errors.
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>>;
}

/// A pointer to a signing key signs as the key does.
macro_rules! forward_signing_key {
    ($($pointer:ty),+) => {$(
        impl<T: SigningKey + ?Sized> SigningKey for $pointer {
            fn algorithm(&self) -> Algorithm {
                (**self).algorithm()
            }
            fn public_key(&self) -> &VerifyingKey {
                (**self).public_key()
            }
            fn key_id(&self) -> &KeyId {
                (**self).key_id()
            }
            fn certificate_chain(&self) -> &[Vec<u8>] {
                (**self).certificate_chain()
            }
            fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>> {
                (**self).try_sign(message)
            }
        }
    )+};
}

forward_signing_key!(Box<T>, &T, std::sync::Arc<T>);
