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
        }
    }

    /// The JOSE (RFC 7518 / RFC 8037) name: `ES256`, `ES384`, `EdDSA`, `PS256`, `RS256`.
    pub fn jose_name(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ES256",
            Algorithm::EcdsaP384Sha384 => "ES384",
            Algorithm::Ed25519 => "EdDSA",
            Algorithm::RsaPssSha256 => "PS256",
            Algorithm::RsaPkcs1Sha256 => "RS256",
        }
    }

    /// The securesystemslib signature scheme name (`ecdsa-sha2-nistp256`, `ed25519`,
    /// `rsassa-pss-sha256`, ...).
    pub fn securesystemslib_scheme(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ecdsa-sha2-nistp256",
            Algorithm::EcdsaP384Sha384 => "ecdsa-sha2-nistp384",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::RsaPssSha256 => "rsassa-pss-sha256",
            Algorithm::RsaPkcs1Sha256 => "rsa-pkcs1v15-sha256",
        }
    }

    /// The hash the algorithm applies to the message, `None` for Ed25519 (which hashes internally
    /// and cannot sign a pre-computed digest).
    pub fn hash(self) -> Option<HashAlgorithm> {
        match self {
            Algorithm::EcdsaP256Sha256 | Algorithm::RsaPssSha256 | Algorithm::RsaPkcs1Sha256 => {
                Some(HashAlgorithm::Sha256)
            }
            Algorithm::EcdsaP384Sha384 => Some(HashAlgorithm::Sha384),
            Algorithm::Ed25519 => None,
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

    /// Accepts the short name, the JOSE name or the securesystemslib scheme, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| {
                s.eq_ignore_ascii_case(a.name())
                    || s.eq_ignore_ascii_case(a.jose_name())
                    || s.eq_ignore_ascii_case(a.securesystemslib_scheme())
            })
            .ok_or_else(|| Error::UnknownAlgorithm(s.to_owned()))
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
}
