//! Private keys held in process memory.

use std::fmt;

use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use signature::Signer;
use zeroize::Zeroizing;

use crate::oid::{self, KeyKind};
use crate::verifying_key::{check_rsa_size, Public};
use crate::{jwk, pem, Algorithm, Cause, Error, Result, SigningKey, VerifyingKey};

/// The most PBKDF2 iterations an encrypted key file may ask for (16 times what we write).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// The most memory scrypt may use for an encrypted key file (`128 · r · N · p` bytes).
pub const MAX_SCRYPT_BYTES: u64 = 256 << 20;

/// Refuse key-derivation parameters above [`MAX_PBKDF2_ITERATIONS`] / [`MAX_SCRYPT_BYTES`].
fn check_kdf_cost(scheme: &pkcs8::pkcs5::EncryptionScheme<'_>) -> Result<()> {
    use pkcs8::pkcs5::pbes2::Kdf;
    let Some(params) = scheme.pbes2() else {
        // PBES1 is refused by decryption itself.
        return Ok(());
    };
    match &params.kdf {
        Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => Err(Error::UnsupportedKey(
            "encrypted key asks for more than 10,000,000 pbkdf2 iterations",
        )),
        Kdf::Scrypt(p) => {
            let bytes = 128u64
                .saturating_mul(u64::from(p.block_size))
                .saturating_mul(p.cost_parameter)
                .saturating_mul(u64::from(p.parallelization.max(1)));
            if bytes > MAX_SCRYPT_BYTES {
                return Err(Error::UnsupportedKey(
                    "encrypted key asks scrypt for more than 256 MiB (128 * r * N * p)",
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// PBKDF2-HMAC-SHA256 iterations for keys we encrypt (OWASP's 2023 figure).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// Default RSA modulus size for generated keys.
pub const DEFAULT_RSA_BITS: usize = 3072;

/// A private key in memory: ECDSA P-256/P-384, Ed25519 or RSA.
///
/// Secrets are zeroized when the key is dropped (each inner key type zeroizes itself) and every
/// serialization of secret material is returned in a [`Zeroizing`] buffer. `Debug` prints only the
/// algorithm and key id.
pub struct SoftwareKey {
    secret: Secret,
    algorithm: Algorithm,
    public: VerifyingKey,
    /// The same key loaded into AWS-LC, which signs when the `aws-lc` feature is on.
    #[cfg(feature = "aws-lc")]
    fast: crate::aws_lc::Signer,
    /// ECDSA with RFC 6979 nonces even when AWS-LC (randomized nonces) is built in.
    rfc6979: bool,
}

pub(crate) enum Secret {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl SoftwareKey {
    pub(crate) fn from_secret(secret: Secret, algorithm: Option<Algorithm>) -> Result<Self> {
        let (public, default) = match &secret {
            Secret::P256(k) => (Public::P256(*k.verifying_key()), Algorithm::EcdsaP256Sha256),
            Secret::P384(k) => (Public::P384(*k.verifying_key()), Algorithm::EcdsaP384Sha384),
            Secret::Ed25519(k) => (Public::Ed25519(k.verifying_key()), Algorithm::Ed25519),
            Secret::Rsa(k) => {
                check_rsa_size(k.as_ref())?;
                (Public::Rsa(k.to_public_key()), Algorithm::RsaPssSha256)
            }
        };
        let algorithm = algorithm.unwrap_or(default);
        let public = VerifyingKey::from_public(public, Some(algorithm))?;
        #[cfg(feature = "aws-lc")]
        let fast = crate::aws_lc::Signer::from_pkcs8(algorithm, &pkcs8_der(&secret)?)?;
        Ok(SoftwareKey {
            secret,
            algorithm,
            public,
            #[cfg(feature = "aws-lc")]
            fast,
            rfc6979: false,
        })
    }

    /// Generate a fresh key for `algorithm` (RSA keys get [`DEFAULT_RSA_BITS`]).
    ///
    /// # Errors
    /// Only if the operating system's random source fails.
    pub fn generate(algorithm: Algorithm) -> Result<Self> {
        Self::generate_with_rsa_bits(algorithm, DEFAULT_RSA_BITS)
    }

    /// Generate a fresh key; `rsa_bits` (2048–4096) applies to RSA algorithms only.
    ///
    /// # Errors
    /// [`Error::RsaKeySize`] for a size outside the range; RSA generation failures.
    pub fn generate_with_rsa_bits(algorithm: Algorithm, rsa_bits: usize) -> Result<Self> {
        let secret = match algorithm {
            Algorithm::EcdsaP256Sha256 => Secret::P256(p256::ecdsa::SigningKey::random(&mut OsRng)),
            Algorithm::EcdsaP384Sha384 => Secret::P384(p384::ecdsa::SigningKey::random(&mut OsRng)),
            Algorithm::Ed25519 => Secret::Ed25519(ed25519_dalek::SigningKey::generate(&mut OsRng)),
            Algorithm::RsaPssSha256 | Algorithm::RsaPkcs1Sha256 => {
                if !crate::verifying_key::RSA_BITS.contains(&rsa_bits) {
                    return Err(Error::RsaKeySize { bits: rsa_bits });
                }
                Secret::Rsa(Box::new(rsa::RsaPrivateKey::new(&mut OsRng, rsa_bits)?))
            }
            Algorithm::External(_) => return Err(Error::Unsupported(algorithm)),
        };
        Self::from_secret(secret, Some(algorithm))
    }

    /// Decode an unencrypted PKCS#8 `PrivateKeyInfo` (DER). RSA keys sign with
    /// [`Algorithm::RsaPssSha256`] unless [`SoftwareKey::with_algorithm`] says otherwise.
    ///
    /// # Errors
    /// [`Error::Pkcs8`] for malformed DER, [`Error::UnsupportedKey`] for other key types.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfo::try_from(der)?;
        let curve = info.algorithm.parameters_oid().ok();
        let secret = match oid::classify(info.algorithm.oid, curve) {
            Some(KeyKind::P256) => Secret::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der)?),
            Some(KeyKind::P384) => Secret::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der)?),
            Some(KeyKind::Ed25519) => {
                Secret::Ed25519(ed25519_dalek::SigningKey::from_pkcs8_der(der)?)
            }
            Some(KeyKind::Rsa) => Secret::Rsa(Box::new(rsa::RsaPrivateKey::from_pkcs8_der(der)?)),
            None => return Err(Error::UnsupportedKey("private key algorithm or curve")),
        };
        Self::from_secret(secret, None)
    }

    /// Decode a passphrase-encrypted PKCS#8 `EncryptedPrivateKeyInfo` (DER; PBES2 with PBKDF2 or
    /// scrypt and AES-CBC, as OpenSSL and pyca/cryptography write them).
    ///
    /// # Errors
    /// [`Error::Decryption`] for a wrong passphrase, otherwise as [`SoftwareKey::from_pkcs8_der`].
    ///
    /// The key-derivation cost is bounded before anything is derived: at most
    /// [`MAX_PBKDF2_ITERATIONS`] PBKDF2 iterations, and scrypt with at most
    /// [`MAX_SCRYPT_BYTES`] of memory (`128 · r · N · p`). A hostile key file cannot make
    /// loading it take hours or gigabytes; OpenSSL's own scrypt default allows 32 MiB.
    pub fn from_encrypted_pkcs8_der(der: &[u8], passphrase: &[u8]) -> Result<Self> {
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der)?;
        check_kdf_cost(&info.encryption_algorithm)?;
        let doc = info.decrypt(passphrase).map_err(|_| Error::Decryption)?;
        Self::from_pkcs8_der(doc.as_bytes())
    }

    /// Decode PEM: `PRIVATE KEY` (PKCS#8), `ENCRYPTED PRIVATE KEY` (needs `passphrase`),
    /// `EC PRIVATE KEY` (SEC1) or `RSA PRIVATE KEY` (PKCS#1). A `Stella-Algorithm:` line before the
    /// block chooses the RSA padding.
    ///
    /// # Errors
    /// [`Error::PassphraseRequired`], [`Error::Decryption`], [`Error::UnexpectedPemLabel`] and the
    /// decoding errors of the formats.
    pub fn from_pem(text: &str, passphrase: Option<&[u8]>) -> Result<Self> {
        let block = pem::decode(text.as_bytes())?;
        let key = match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der)?,
            "ENCRYPTED PRIVATE KEY" => {
                let pass = passphrase.ok_or(Error::PassphraseRequired)?;
                Self::from_encrypted_pkcs8_der(&block.der, pass)?
            }
            "EC PRIVATE KEY" => Self::from_sec1_der(&block.der)?,
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                let k = rsa::RsaPrivateKey::from_pkcs1_der(&block.der)
                    .map_err(|e| Error::Rsa(Cause::new(rsa::Error::Pkcs1(e))))?;
                Self::from_secret(Secret::Rsa(Box::new(k)), None)?
            }
            other => return Err(Error::UnexpectedPemLabel(other.to_owned())),
        };
        match block.hint {
            Some(a) => key.with_algorithm(a),
            None => Ok(key),
        }
    }

    fn from_sec1_der(der: &[u8]) -> Result<Self> {
        if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
            return Self::from_secret(Secret::P256(k.into()), None);
        }
        match p384::SecretKey::from_sec1_der(der) {
            Ok(k) => Self::from_secret(Secret::P384(k.into()), None),
            Err(_) => Err(Error::UnsupportedKey(
                "sec1 key on a curve other than p-256/p-384",
            )),
        }
    }

    /// Decode a private JWK (`EC` with `d`, `OKP` Ed25519 with `d`, `RSA` with `d`, `p`, `q`).
    ///
    /// # Errors
    /// [`Error::Jwk`] for malformed, public-only or unsupported JWKs.
    pub fn from_jwk(json: &str) -> Result<Self> {
        jwk::private_from_jwk(json)
    }

    /// Read whichever encoding `bytes` hold: PEM text (any label above), a private JWK, or
    /// PKCS#8 DER (plain, or encrypted when `passphrase` is given).
    ///
    /// # Errors
    /// The specific decoding error, or [`Error::UnrecognisedEncoding`].
    pub fn from_bytes(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Self> {
        if jwk::is_jwk(bytes) {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::UnrecognisedEncoding("jwk is not utf-8"))?;
            return Self::from_jwk(text);
        }
        if pem::is_pem(bytes) {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::UnrecognisedEncoding("pem is not utf-8"))?;
            return Self::from_pem(text, passphrase);
        }
        match Self::from_pkcs8_der(bytes) {
            Ok(k) => Ok(k),
            Err(Error::Pkcs8(_)) if pkcs8::EncryptedPrivateKeyInfo::try_from(bytes).is_ok() => {
                let pass = passphrase.ok_or(Error::PassphraseRequired)?;
                Self::from_encrypted_pkcs8_der(bytes, pass)
            }
            Err(Error::Pkcs8(_)) => Err(Error::UnrecognisedEncoding(
                "neither pem, jwk nor pkcs#8 der",
            )),
            Err(e) => Err(e),
        }
    }

    /// Choose the algorithm (the RSA padding; for other keys it must be the key's own).
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when the key cannot sign with `algorithm`.
    pub fn with_algorithm(self, algorithm: Algorithm) -> Result<Self> {
        let public = self.public.clone().with_algorithm(algorithm)?;
        Ok(SoftwareKey {
            secret: self.secret,
            algorithm,
            public,
            #[cfg(feature = "aws-lc")]
            fast: self.fast,
            rfc6979: self.rfc6979,
        })
    }

    /// Sign ECDSA with RFC 6979 deterministic nonces, so the same key and message always give the
    /// same signature (golden vectors, reproducible envelopes). The RustCrypto backend always does;
    /// the aws-lc backend signs ECDSA with random nonces (AWS-LC has no RFC 6979) unless this is
    /// set, and then signs ECDSA with RustCrypto at RustCrypto's speed. Ed25519 and RSA-PKCS1 are
    /// deterministic in both backends.
    pub fn deterministic(mut self) -> Self {
        self.rfc6979 = true;
        self
    }

    /// A borrowed view of this key that signs as [`SoftwareKey::deterministic`] does, for one
    /// reproducible signing job (an export manifest, golden vectors) without giving up the fast
    /// randomized path elsewhere.
    pub fn as_deterministic(&self) -> Deterministic<'_> {
        Deterministic(self)
    }

    /// PKCS#8 `PrivateKeyInfo` DER (version 1, without the optional public key, which is what
    /// OpenSSL writes and what OpenSSL 3.0 and pyca/cryptography read; version 2 is accepted on
    /// input).
    ///
    /// # Errors
    /// Only if encoding fails, which does not happen for valid keys.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        pkcs8_der(&self.secret)
    }

    /// PKCS#8 PEM (`PRIVATE KEY`); RSA keys get a `Stella-Algorithm:` line naming their padding.
    ///
    /// # Errors
    /// Only if encoding fails, which does not happen for valid keys.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        pem::encode("PRIVATE KEY", &self.to_pkcs8_der()?, self.pem_hint())
    }

    /// Passphrase-encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`): PBES2 with PBKDF2-HMAC-SHA256
    /// ([`PBKDF2_ITERATIONS`] iterations, 16-byte random salt) and AES-256-CBC, readable by OpenSSL
    /// and pyca/cryptography.
    ///
    /// # Errors
    /// Only if encryption or encoding fails.
    pub fn to_encrypted_pkcs8_pem(&self, passphrase: &[u8]) -> Result<Zeroizing<String>> {
        let der = self.to_pkcs8_der()?;
        let info = pkcs8::PrivateKeyInfo::try_from(der.as_slice())?;
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut iv);
        let params =
            pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, &iv)
                .map_err(|e| Error::Pkcs8(Cause::new(pkcs8::Error::EncryptedPrivateKey(e))))?;
        let doc = info.encrypt_with_params(params, passphrase)?;
        pem::encode("ENCRYPTED PRIVATE KEY", doc.as_bytes(), self.pem_hint())
    }

    /// The private key as a JWK (contains the secret).
    ///
    /// # Errors
    /// Only if encoding fails, which does not happen for valid keys.
    pub fn to_jwk(&self) -> Result<Zeroizing<String>> {
        jwk::private_to_jwk(self)
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    fn pem_hint(&self) -> Option<Algorithm> {
        self.algorithm.is_rsa().then_some(self.algorithm)
    }
}

/// PKCS#8 v1 DER of a secret (see [`SoftwareKey::to_pkcs8_der`]).
fn pkcs8_der(secret: &Secret) -> Result<Zeroizing<Vec<u8>>> {
    let doc = match secret {
        Secret::P256(k) => k.to_pkcs8_der()?,
        Secret::P384(k) => k.to_pkcs8_der()?,
        // ed25519-dalek writes v2 with the public key attached; write v1. KeypairBytes
        // zeroizes its secret when dropped.
        Secret::Ed25519(k) => ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: k.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_der()?,
        Secret::Rsa(k) => k.to_pkcs8_der()?,
    };
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}

impl SoftwareKey {
    /// Sign with the RustCrypto implementation, whichever backend is compiled in (the aws-lc
    /// backend's tests compare the two).
    pub(crate) fn sign_rustcrypto(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.secret {
            Secret::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .try_sign(message)
                    .map_err(|e| Error::Signing(Cause::new(e)))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Secret::P384(k) => {
                let sig: p384::ecdsa::Signature = k
                    .try_sign(message)
                    .map_err(|e| Error::Signing(Cause::new(e)))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Secret::Ed25519(k) => Ok(k
                .try_sign(message)
                .map_err(|e| Error::Signing(Cause::new(e)))?
                .to_bytes()
                .to_vec()),
            Secret::Rsa(k) => {
                let digest = Sha256::digest(message);
                // Both paddings pass the RNG into the private-key operation, which blinds it.
                let sig = match self.algorithm {
                    Algorithm::RsaPkcs1Sha256 => {
                        k.sign_with_rng(&mut OsRng, rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)?
                    }
                    _ => k.sign_with_rng(&mut OsRng, rsa::Pss::new_blinded::<Sha256>(), &digest)?,
                };
                Ok(sig)
            }
        }
    }
}

impl SigningKey for SoftwareKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &VerifyingKey {
        &self.public
    }

    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let rfc6979 = self.rfc6979
            && matches!(
                self.algorithm,
                Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384
            );
        #[cfg(feature = "aws-lc")]
        if !rfc6979 {
            return self.fast.sign(self.algorithm, message);
        }
        let _ = rfc6979;
        self.sign_rustcrypto(message)
    }
}

/// A software key signing ECDSA with RFC 6979 nonces; see [`SoftwareKey::as_deterministic`].
#[derive(Debug)]
pub struct Deterministic<'a>(&'a SoftwareKey);

impl SigningKey for Deterministic<'_> {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm
    }

    fn public_key(&self) -> &VerifyingKey {
        &self.0.public
    }

    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match self.0.algorithm {
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
                self.0.sign_rustcrypto(message)
            }
            _ => self.0.try_sign(message),
        }
    }
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.public.key_id().as_str())
            .finish_non_exhaustive()
    }
}
