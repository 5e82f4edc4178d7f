//! Object identifiers of the key types we read.

use pkcs8::ObjectIdentifier;

/// id-ecPublicKey (RFC 5480).
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / NIST P-256.
pub(crate) const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 / NIST P-384.
pub(crate) const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// id-Ed25519 (RFC 8410).
pub(crate) const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// rsaEncryption (RFC 8017).
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The kinds of key this crate handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    P256,
    P384,
    Ed25519,
    Rsa,
}

/// Classify an algorithm identifier (OID + optional curve parameter).
pub(crate) fn classify(oid: ObjectIdentifier, curve: Option<ObjectIdentifier>) -> Option<KeyKind> {
    match (oid, curve) {
        (EC_PUBLIC_KEY, Some(SECP256R1)) => Some(KeyKind::P256),
        (EC_PUBLIC_KEY, Some(SECP384R1)) => Some(KeyKind::P384),
        (ED25519, _) => Some(KeyKind::Ed25519),
        (RSA_ENCRYPTION, _) => Some(KeyKind::Rsa),
        _ => None,
    }
}
