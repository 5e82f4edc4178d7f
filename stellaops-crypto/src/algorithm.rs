//! Signature algorithms and the one place that knows each one's names.

use std::fmt;
use std::str::FromStr;

use sha2::Digest as _;

use crate::Error;

/// A signature algorithm: key type, hash and padding together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA over NIST P-256 with SHA-256; DER-encoded signatures, RFC 6979 nonces.
    EcdsaP256Sha256,
    /// ECDSA over NIST P-384 with SHA-384; DER-encoded signatures, RFC 6979 nonces.
    EcdsaP384Sha384,
    /// Ed25519 (pure EdDSA, RFC 8032).
    Ed25519,
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256; signs with salt = 32 bytes.
    RsaPssSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// An algorithm this crate does not implement (a regional one such as GOST R 34.10-2012):
    /// signed by a [`CallerSigner`](crate::CallerSigner), verified only by a verifier the
    /// caller registered in a [`VerifierRegistry`](crate::VerifierRegistry).
    External(ExternalAlgorithm),
}

/// The name of an algorithm the caller implements, such as `gost3410-2012-256`.
///
/// Names are interned once per process, so the type stays `Copy` like the built-in algorithms:
/// at most [`ExternalAlgorithm::MAX_NAMES`] distinct names of at most
/// [`ExternalAlgorithm::MAX_NAME_LEN`] bytes each, which bounds what the interning keeps.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternalAlgorithm(&'static str);

/// Every external algorithm name seen by this process.
static EXTERNAL_NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

impl ExternalAlgorithm {
    /// The most distinct external names one process may use.
    pub const MAX_NAMES: usize = 256;
    /// The longest external name, in bytes.
    pub const MAX_NAME_LEN: usize = 64;

    /// The external algorithm called `name`: lowercase ASCII letters, digits, `-`, `.` and `_`,
    /// starting with a letter or digit, and no name of a built-in algorithm.
    ///
    /// # Errors
    /// [`Error::InvalidAlgorithmName`] for a malformed name, a built-in one, or a new name once
    /// [`ExternalAlgorithm::MAX_NAMES`] are in use.
    pub fn new(name: &str) -> Result<Self, Error> {
        let well_formed = (1..=Self::MAX_NAME_LEN).contains(&name.len())
            && name.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || (i > 0 && matches!(b, b'-' | b'.' | b'_'))
            });
        if !well_formed {
            return Err(Error::InvalidAlgorithmName(
                "an external algorithm name is 1 to 64 of a-z, 0-9, '-', '.', '_'",
            ));
        }
        if Algorithm::builtin(name).is_some() {
            return Err(Error::InvalidAlgorithmName(
                "the name is a built-in algorithm's, which cannot be replaced",
            ));
        }
        // A poisoned lock only means another thread panicked while holding it; the list of
        // names is still whole (pushes are the only writes).
        let mut names = EXTERNAL_NAMES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = names.iter().find(|n| **n == name) {
            return Ok(ExternalAlgorithm(known));
        }
        if names.len() >= Self::MAX_NAMES {
            return Err(Error::InvalidAlgorithmName(
                "too many distinct external algorithm names in this process",
            ));
        }
        let interned: &'static str = Box::leak(name.to_owned().into_boxed_str());
        names.push(interned);
        Ok(ExternalAlgorithm(interned))
    }

    /// The name.
    pub fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for ExternalAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternalAlgorithm({:?})", self.0)
    }
}

/// A hash function used by an [`Algorithm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Digest of `data` with this hash.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }
}

impl Algorithm {
    /// Every algorithm, in a stable order.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::EcdsaP256Sha256,
        Algorithm::EcdsaP384Sha384,
        Algorithm::Ed25519,
        Algorithm::RsaPssSha256,
        Algorithm::RsaPkcs1Sha256,
    ];

    /// The short name used by the CLI and in PEM hints: `es256`, `es384`, `ed25519`,
    /// `rsa-pss-sha256`, `rsa-pkcs1-sha256`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "es256",
            Algorithm::EcdsaP384Sha384 => "es384",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::RsaPssSha256 => "rsa-pss-sha256",
            Algorithm::RsaPkcs1Sha256 => "rsa-pkcs1-sha256",
            Algorithm::External(e) => e.name(),
        }
    }

    /// The JOSE (RFC 7518 / RFC 8037) name: `ES256`, `ES384`, `EdDSA`, `PS256`, `RS256`; an
    /// external algorithm has none and gives its own name.
    pub fn jose_name(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ES256",
            Algorithm::EcdsaP384Sha384 => "ES384",
            Algorithm::Ed25519 => "EdDSA",
            Algorithm::RsaPssSha256 => "PS256",
            Algorithm::RsaPkcs1Sha256 => "RS256",
            Algorithm::External(e) => e.name(),
        }
    }

    /// The securesystemslib signature scheme name (`ecdsa-sha2-nistp256`, `ed25519`,
    /// `rsassa-pss-sha256`, ...); an external algorithm gives its own name.
    pub fn securesystemslib_scheme(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ecdsa-sha2-nistp256",
            Algorithm::EcdsaP384Sha384 => "ecdsa-sha2-nistp384",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::RsaPssSha256 => "rsassa-pss-sha256",
            Algorithm::RsaPkcs1Sha256 => "rsa-pkcs1v15-sha256",
            Algorithm::External(e) => e.name(),
        }
    }

    /// The hash the algorithm applies to the message, `None` for Ed25519 (which hashes internally
    /// and cannot sign a pre-computed digest) and for external algorithms (whose hashing is
    /// the caller's business).
    pub fn hash(self) -> Option<HashAlgorithm> {
        match self {
            Algorithm::EcdsaP256Sha256 | Algorithm::RsaPssSha256 | Algorithm::RsaPkcs1Sha256 => {
                Some(HashAlgorithm::Sha256)
            }
            Algorithm::EcdsaP384Sha384 => Some(HashAlgorithm::Sha384),
            Algorithm::Ed25519 | Algorithm::External(_) => None,
        }
    }

    /// The built-in algorithm called `name` (short name, JOSE name or securesystemslib scheme,
    /// ignoring ASCII case).
    fn builtin(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| {
            name.eq_ignore_ascii_case(a.name())
                || name.eq_ignore_ascii_case(a.jose_name())
                || name.eq_ignore_ascii_case(a.securesystemslib_scheme())
        })
    }

    /// The external algorithm's name, `None` for built-in ones.
    pub fn external(self) -> Option<ExternalAlgorithm> {
        match self {
            Algorithm::External(e) => Some(e),
            _ => None,
        }
    }

    /// True for the two RSA algorithms.
    pub fn is_rsa(self) -> bool {
        matches!(self, Algorithm::RsaPssSha256 | Algorithm::RsaPkcs1Sha256)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Accepts the short name, the JOSE name or the securesystemslib scheme of a built-in
    /// algorithm, ignoring ASCII case. External algorithms are named with
    /// [`ExternalAlgorithm::new`], never parsed by accident.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::builtin(s).ok_or_else(|| {
            Error::UnknownAlgorithm(crate::cause::bounded(s, ExternalAlgorithm::MAX_NAME_LEN))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back() {
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>().ok(), Some(a));
            assert_eq!(a.jose_name().parse::<Algorithm>().ok(), Some(a));
            assert_eq!(
                a.securesystemslib_scheme().parse::<Algorithm>().ok(),
                Some(a)
            );
        }
        assert!(matches!(
            "es512".parse::<Algorithm>(),
            Err(Error::UnknownAlgorithm(_))
        ));
    }

    #[test]
    fn external_names_are_interned_and_checked() {
        let a = ExternalAlgorithm::new("gost3410-2012-256").unwrap();
        let b = ExternalAlgorithm::new("gost3410-2012-256").unwrap();
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.name(), b.name()));
        assert_eq!(Algorithm::External(a).name(), "gost3410-2012-256");
        assert_eq!(Algorithm::External(a).hash(), None);
        // An external name never parses as an algorithm by accident.
        assert!("gost3410-2012-256".parse::<Algorithm>().is_err());
        for bad in [
            "",
            "ES256",
            "es256",
            "ecdsa-sha2-nistp256",
            "Gost",
            "-x",
            "a b",
            &"x".repeat(65),
        ] {
            assert!(
                matches!(
                    ExternalAlgorithm::new(bad),
                    Err(Error::InvalidAlgorithmName(_))
                ),
                "{bad:?}"
            );
        }
    }
}
