//! The aws-lc-rs backend (feature `aws-lc`): the signature primitives of AWS-LC behind the same
//! `SoftwareKey` / `VerifyingKey` API.
//!
//! Keys are still read, written and identified by the RustCrypto types (PKCS#8, SPKI, JWK, key
//! ids do not change); at construction each key is also loaded into AWS-LC, and signing and
//! verifying go through AWS-LC:
//!
//! | algorithm | sign | verify |
//! | --- | --- | --- |
//! | ES256, ES384 | AWS-LC (randomized nonces: AWS-LC has no RFC 6979) | AWS-LC, strict DER |
//! | Ed25519 | AWS-LC (deterministic: byte-identical to RustCrypto) | ed25519-dalek `verify_strict` (as fast, and rejects weak keys) |
//! | RSA-PKCS1-SHA256 | AWS-LC (deterministic: byte-identical) | AWS-LC |
//! | RSA-PSS-SHA256 | AWS-LC (salt = 32 bytes, as before) | AWS-LC for salt = 32; other salt lengths fall back to RustCrypto, so any salt still verifies |
//!
//! AWS-LC's RSA is constant-time, which settles RUSTSEC-2023-0071 (Marvin) for signing with this
//! backend.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair, UnparsedPublicKey, VerificationAlgorithm,
};

use crate::{Algorithm, Cause, Error, Result};

/// A private key loaded into AWS-LC.
pub(crate) enum Signer {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

impl Signer {
    /// Load the PKCS#8 DER of a key for `algorithm`.
    pub(crate) fn from_pkcs8(algorithm: Algorithm, der: &[u8]) -> Result<Self> {
        let bad = |_| Error::UnsupportedKey("the aws-lc backend rejects this key");
        Ok(match algorithm {
            Algorithm::EcdsaP256Sha256 => Signer::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der)
                    .map_err(bad)?,
            ),
            Algorithm::EcdsaP384Sha384 => Signer::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, der)
                    .map_err(bad)?,
            ),
            Algorithm::Ed25519 => {
                Signer::Ed25519(Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(bad)?)
            }
            Algorithm::RsaPssSha256 | Algorithm::RsaPkcs1Sha256 => {
                Signer::Rsa(RsaKeyPair::from_pkcs8(der).map_err(bad)?)
            }
            Algorithm::External(_) => return Err(Error::Unsupported(algorithm)),
        })
    }

    /// Sign `message` for `algorithm` (which picks the RSA padding).
    pub(crate) fn sign(&self, algorithm: Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        let failed = |_| Error::Signing(Cause::new(signature_error()));
        match self {
            Signer::Ecdsa(k) => Ok(k
                .sign(&SystemRandom::new(), message)
                .map_err(failed)?
                .as_ref()
                .to_vec()),
            Signer::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
            Signer::Rsa(k) => {
                let padding: &dyn signature::RsaEncoding = match algorithm {
                    Algorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                    _ => &signature::RSA_PSS_SHA256,
                };
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign(padding, &SystemRandom::new(), message, &mut out)
                    .map_err(failed)?;
                Ok(out)
            }
        }
    }
}

fn signature_error() -> ::signature::Error {
    // aws-lc-rs errors carry no detail; signature::Error is what the Signing variant holds.
    ::signature::Error::new()
}

/// A public key loaded into AWS-LC, for the algorithms AWS-LC verifies here.
#[derive(Clone)]
pub(crate) enum Verifier {
    Ec(&'static dyn VerificationAlgorithm, Vec<u8>),
    /// RSA public key as PKCS#1 `RSAPublicKey` DER.
    Rsa(Vec<u8>),
}

impl Verifier {
    /// ECDSA over the uncompressed SEC1 point.
    pub(crate) fn ecdsa(algorithm: Algorithm, point: Vec<u8>) -> Option<Self> {
        match algorithm {
            Algorithm::EcdsaP256Sha256 => {
                Some(Verifier::Ec(&signature::ECDSA_P256_SHA256_ASN1, point))
            }
            Algorithm::EcdsaP384Sha384 => {
                Some(Verifier::Ec(&signature::ECDSA_P384_SHA384_ASN1, point))
            }
            _ => None,
        }
    }

    /// RSA from the PKCS#1 `RSAPublicKey` DER.
    pub(crate) fn rsa(pkcs1_der: Vec<u8>) -> Self {
        Verifier::Rsa(pkcs1_der)
    }

    /// ECDSA: true when `signature` verifies.
    pub(crate) fn verify_ecdsa(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            Verifier::Ec(alg, point) => UnparsedPublicKey::new(*alg, point)
                .verify(message, sig)
                .is_ok(),
            Verifier::Rsa(_) => false,
        }
    }

    /// RSA with `algorithm`'s padding (PSS: salt = hash length only).
    pub(crate) fn verify_rsa(&self, algorithm: Algorithm, message: &[u8], sig: &[u8]) -> bool {
        let Verifier::Rsa(der) = self else {
            return false;
        };
        let alg: &'static dyn VerificationAlgorithm = match algorithm {
            Algorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            _ => &signature::RSA_PSS_2048_8192_SHA256,
        };
        UnparsedPublicKey::new(alg, der)
            .verify(message, sig)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Algorithm, SigningKey, SoftwareKey};

    const MESSAGE: &[u8] = b"DSSEv1 28 application/vnd.in-toto+json 2 {}";

    fn key(algorithm: Algorithm) -> SoftwareKey {
        SoftwareKey::generate_with_rsa_bits(algorithm, 2048).unwrap()
    }

    #[test]
    fn deterministic_algorithms_give_byte_identical_signatures_in_both_backends() {
        for alg in [Algorithm::Ed25519, Algorithm::RsaPkcs1Sha256] {
            let k = key(alg);
            assert_eq!(
                k.try_sign(MESSAGE).unwrap(),
                k.sign_rustcrypto(MESSAGE).unwrap(),
                "{alg}"
            );
        }
    }

    #[test]
    fn each_backend_verifies_the_others_signatures() {
        for alg in Algorithm::ALL {
            let k = key(alg);
            let fast = k.try_sign(MESSAGE).unwrap();
            let reference = k.sign_rustcrypto(MESSAGE).unwrap();
            let public = k.public_key();
            assert_eq!(
                public.verify_rustcrypto(MESSAGE, &fast).unwrap(),
                alg,
                "{alg}"
            );
            assert_eq!(public.verify(MESSAGE, &reference).unwrap(), alg, "{alg}");
            let mut bad = fast.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(public.verify(MESSAGE, &bad).is_err(), "{alg}");
            assert!(public.verify(b"other", &fast).is_err(), "{alg}");
        }
    }

    #[test]
    fn pss_with_other_salt_lengths_still_verifies() {
        use rsa::pkcs8::DecodePrivateKey;
        use sha2::Digest;
        let k = key(Algorithm::RsaPssSha256);
        let private = rsa::RsaPrivateKey::from_pkcs8_der(&k.to_pkcs8_der().unwrap()).unwrap();
        let digest = sha2::Sha256::digest(MESSAGE);
        for salt in [0usize, 20, 64, 190] {
            let sig = private
                .sign_with_rng(
                    &mut rand_core::OsRng,
                    rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                    &digest,
                )
                .unwrap();
            assert_eq!(
                k.public_key().verify(MESSAGE, &sig).unwrap(),
                Algorithm::RsaPssSha256,
                "salt {salt}"
            );
        }
    }
}
