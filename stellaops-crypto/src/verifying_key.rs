//! Public keys that check signatures.

use std::fmt;
use std::sync::Arc;

use pkcs8::{DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::BigUint;
use sha2::{Digest, Sha256};
use signature::Verifier;

use crate::fido2::{
    signed_bytes, Fido2Assertion, Fido2Credential, Fido2Policy, Fido2Signature, COSE_EDDSA,
    COSE_ES256,
};
use crate::oid::{self, KeyKind};
use crate::{
    jwk, pem, Algorithm, Cause, Error, ExternalAlgorithm, KeyId, Result, SignatureVerifier,
};

/// Accepted RSA modulus sizes, in bits.
pub const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// A public key able to verify signatures, built from SPKI (PEM/DER), JWK or an X.509 certificate.
///
/// An RSA key says nothing about its padding. A key loaded without an algorithm (from plain SPKI or
/// a certificate) verifies both RSA-PSS-SHA256 (any salt length, as securesystemslib does) and
/// RSA-PKCS1-SHA256; [`VerifyingKey::with_algorithm`], a JWK `alg` member or the PEM hint line
/// pins one.
#[derive(Clone)]
pub struct VerifyingKey {
    inner: Public,
    pinned: Option<Algorithm>,
    spki_der: Vec<u8>,
    key_id: KeyId,
    /// Set for a FIDO2 credential: signatures are `stellaops.fido2/v1` assertions for this
    /// relying party (docs/fido2-signature.md), not plain signatures over the message.
    fido2: Option<Box<Fido2Policy>>,
    /// The same key loaded into AWS-LC (ECDSA and RSA), which verifies when `aws-lc` is on.
    #[cfg(feature = "aws-lc")]
    fast: Option<crate::aws_lc::Verifier>,
}

#[derive(Clone)]
pub(crate) enum Public {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
    /// A key of an algorithm this crate does not implement, checked by the caller's verifier.
    External(ExternalPublic),
}

/// An external algorithm's public key: the name, and the caller's verifier if it gave one
/// (without one, nothing verifies under the key).
#[derive(Clone)]
pub(crate) struct ExternalPublic {
    algorithm: ExternalAlgorithm,
    verifier: Option<Arc<dyn SignatureVerifier>>,
}

impl VerifyingKey {
    pub(crate) fn from_public(inner: Public, pinned: Option<Algorithm>) -> Result<Self> {
        let spki_der = match &inner {
            Public::P256(k) => k.to_public_key_der()?,
            Public::P384(k) => k.to_public_key_der()?,
            Public::Ed25519(k) => k.to_public_key_der()?,
            Public::Rsa(k) => {
                check_rsa_size(k)?;
                k.to_public_key_der()?
            }
            Public::External(_) => {
                return Err(Error::UnsupportedKey(
                    "an external algorithm's key is made with VerifyingKey::external",
                ))
            }
        }
        .into_vec();
        let key_id = KeyId::from_spki_der(&spki_der);
        #[cfg(feature = "aws-lc")]
        let fast = match &inner {
            Public::P256(k) => crate::aws_lc::Verifier::ecdsa(
                Algorithm::EcdsaP256Sha256,
                k.to_encoded_point(false).as_bytes().to_vec(),
            ),
            Public::P384(k) => crate::aws_lc::Verifier::ecdsa(
                Algorithm::EcdsaP384Sha384,
                k.to_encoded_point(false).as_bytes().to_vec(),
            ),
            Public::Ed25519(_) | Public::External(_) => None,
            Public::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                Some(crate::aws_lc::Verifier::rsa(
                    k.to_pkcs1_der()
                        .map_err(|e| Error::Rsa(Cause::new(rsa::Error::Pkcs1(e))))?
                        .into_vec(),
                ))
            }
        };
        let key = VerifyingKey {
            inner,
            pinned: None,
            spki_der,
            key_id,
            fido2: None,
            #[cfg(feature = "aws-lc")]
            fast,
        };
        match pinned {
            Some(a) => key.with_algorithm(a),
            None => Ok(key),
        }
    }

    /// Decode a DER SubjectPublicKeyInfo (P-256, P-384, Ed25519 or RSA).
    ///
    /// # Errors
    /// [`Error::Spki`] for malformed DER, [`Error::UnsupportedKey`] for other key types,
    /// [`Error::RsaKeySize`] for RSA keys outside 2048–4096 bits.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let info = spki::SubjectPublicKeyInfoRef::try_from(der)?;
        let curve = info.algorithm.parameters_oid().ok();
        let inner = match oid::classify(info.algorithm.oid, curve) {
            Some(KeyKind::P256) => {
                Public::P256(p256::ecdsa::VerifyingKey::from_public_key_der(der)?)
            }
            Some(KeyKind::P384) => {
                Public::P384(p384::ecdsa::VerifyingKey::from_public_key_der(der)?)
            }
            Some(KeyKind::Ed25519) => {
                Public::Ed25519(ed25519_dalek::VerifyingKey::from_public_key_der(der)?)
            }
            Some(KeyKind::Rsa) => Public::Rsa(rsa::RsaPublicKey::from_public_key_der(der)?),
            None => return Err(Error::UnsupportedKey("public key algorithm or curve")),
        };
        Self::from_public(inner, None)
    }

    /// The public key of an algorithm this crate does not implement: `public_key` is its
    /// SubjectPublicKeyInfo (PEM `PUBLIC KEY` or DER), kept as given, and its key id is the
    /// SHA-256 of that DER as for every key. Signatures verify through `verifier`; without one
    /// (a [`CallerSigner`](crate::CallerSigner)'s own key, when nobody can check it) nothing
    /// verifies under the key. [`VerifierRegistry::verifying_key`](crate::VerifierRegistry)
    /// makes these from names.
    ///
    /// # Errors
    /// [`Error::Spki`] / [`Error::Der`] when `public_key` is not a SubjectPublicKeyInfo.
    pub fn external(
        algorithm: ExternalAlgorithm,
        public_key: &[u8],
        verifier: Option<Arc<dyn SignatureVerifier>>,
    ) -> Result<Self> {
        let spki_der = if pem::is_pem(public_key) {
            let block = pem::decode(public_key)?;
            if block.label != "PUBLIC KEY" {
                return Err(Error::UnexpectedPemLabel(block.label));
            }
            block.der.to_vec()
        } else {
            public_key.to_vec()
        };
        // Structure only: the algorithm's own parameters are the verifier's business. The DER
        // must be exactly one SubjectPublicKeyInfo, nothing after it.
        spki::SubjectPublicKeyInfoRef::try_from(spki_der.as_slice())?;
        let key_id = KeyId::from_spki_der(&spki_der);
        Ok(VerifyingKey {
            inner: Public::External(ExternalPublic {
                algorithm,
                verifier,
            }),
            pinned: None,
            spki_der,
            key_id,
            fido2: None,
            #[cfg(feature = "aws-lc")]
            fast: None,
        })
    }

    /// False only for an external algorithm's key without a verifier, under which nothing can
    /// verify.
    pub fn can_verify(&self) -> bool {
        !matches!(&self.inner, Public::External(e) if e.verifier.is_none())
    }

    /// Decode PEM text: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or `CERTIFICATE`.
    /// A `Stella-Algorithm:` line before the block pins the algorithm.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_spki_der`], plus [`Error::UnexpectedPemLabel`] for other labels.
    pub fn from_pem(text: &str) -> Result<Self> {
        let block = pem::decode(text.as_bytes())?;
        let key = match block.label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&block.der)?,
            "RSA PUBLIC KEY" => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                let k = rsa::RsaPublicKey::from_pkcs1_der(&block.der)
                    .map_err(|e| Error::Rsa(Cause::new(rsa::Error::Pkcs1(e))))?;
                Self::from_public(Public::Rsa(k), None)?
            }
            "CERTIFICATE" => Self::from_certificate_der(&block.der)?,
            other => return Err(Error::UnexpectedPemLabel(other.to_owned())),
        };
        match block.hint {
            Some(a) => key.with_algorithm(a),
            None => Ok(key),
        }
    }

    /// Decode a JSON Web Key (RFC 7517): `EC` P-256/P-384, `OKP` Ed25519 or `RSA`.
    /// Private members, if present, are ignored; an `alg` member pins the algorithm.
    ///
    /// # Errors
    /// [`Error::Jwk`] for malformed or unsupported JWKs.
    pub fn from_jwk(json: &str) -> Result<Self> {
        jwk::public_from_jwk(json)
    }

    /// The subject public key of a DER X.509 certificate. The certificate is not validated:
    /// chains and identities are the keyless verifier's business.
    ///
    /// # Errors
    /// [`Error::Certificate`] for malformed certificates, then as [`VerifyingKey::from_spki_der`].
    pub fn from_certificate_der(der: &[u8]) -> Result<Self> {
        use der::{Decode, Encode};
        let cert =
            x509_cert::Certificate::from_der(der).map_err(|e| Error::Certificate(Cause::new(e)))?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| Error::Certificate(Cause::new(e)))?;
        Self::from_spki_der(&spki)
    }

    /// Read whichever encoding `bytes` hold: PEM text, a JWK, DER SPKI, a DER certificate, or a
    /// FIDO2 credential file (a key bound to its relying party; user verification not required).
    ///
    /// # Errors
    /// [`Error::UnrecognisedEncoding`] when it is none of these, or the specific decoding error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if Fido2Credential::is_credential(bytes) {
            return Fido2Credential::from_json(bytes)?.verifying_key(false);
        }
        if jwk::is_jwk(bytes) {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::UnrecognisedEncoding("jwk is not utf-8"))?;
            return Self::from_jwk(text);
        }
        if pem::is_pem(bytes) {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::UnrecognisedEncoding("pem is not utf-8"))?;
            return Self::from_pem(text);
        }
        match Self::from_spki_der(bytes) {
            Ok(k) => Ok(k),
            Err(Error::Spki(_)) => Self::from_certificate_der(bytes).map_err(|_| {
                Error::UnrecognisedEncoding("neither pem, jwk, der spki nor der certificate")
            }),
            Err(e) => Err(e),
        }
    }

    /// Pin the algorithm this key accepts (meaningful for RSA; for other keys it must match).
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when the key cannot be used with `algorithm`.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Result<Self> {
        let fits = match (&self.inner, algorithm) {
            (Public::P256(_), Algorithm::EcdsaP256Sha256)
            | (Public::P384(_), Algorithm::EcdsaP384Sha384)
            | (Public::Ed25519(_), Algorithm::Ed25519) => true,
            (Public::Rsa(_), a) => a.is_rsa(),
            (Public::External(e), Algorithm::External(a)) => e.algorithm == a,
            _ => false,
        };
        if !fits {
            return Err(Error::AlgorithmMismatch {
                key: self.key_type(),
                requested: algorithm,
            });
        }
        // Only RSA needs a pin: every other key type has exactly one algorithm.
        if matches!(self.inner, Public::Rsa(_)) {
            self.pinned = Some(algorithm);
        }
        Ok(self)
    }

    /// The algorithm of this key; an unpinned RSA key reports [`Algorithm::RsaPssSha256`] but also
    /// accepts RSA-PKCS1-SHA256 (see [`VerifyingKey::accepts`]).
    pub fn algorithm(&self) -> Algorithm {
        match (&self.inner, self.pinned) {
            (_, Some(a)) => a,
            (Public::P256(_), None) => Algorithm::EcdsaP256Sha256,
            (Public::P384(_), None) => Algorithm::EcdsaP384Sha384,
            (Public::Ed25519(_), None) => Algorithm::Ed25519,
            (Public::Rsa(_), None) => Algorithm::RsaPssSha256,
            (Public::External(e), None) => Algorithm::External(e.algorithm),
        }
    }

    /// Whether a signature made with `algorithm` can verify under this key.
    pub fn accepts(&self, algorithm: Algorithm) -> bool {
        match self.pinned {
            Some(a) => a == algorithm,
            None => {
                self.algorithm() == algorithm
                    || (matches!(self.inner, Public::Rsa(_)) && algorithm.is_rsa())
            }
        }
    }

    /// True when the key accepts exactly one algorithm: always for non-RSA keys, and for RSA keys
    /// whose padding was pinned.
    pub fn is_pinned(&self) -> bool {
        self.pinned.is_some() || !matches!(self.inner, Public::Rsa(_))
    }

    /// A short name of the key type: `p256`, `p384`, `ed25519`, `rsa`, or an external
    /// algorithm's name.
    pub fn key_type(&self) -> &'static str {
        match &self.inner {
            Public::P256(_) => "p256",
            Public::P384(_) => "p384",
            Public::Ed25519(_) => "ed25519",
            Public::Rsa(_) => "rsa",
            Public::External(e) => e.algorithm.name(),
        }
    }

    /// RSA modulus size in bits, `None` for other keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        match &self.inner {
            Public::Rsa(k) => Some(k.n().bits()),
            _ => None,
        }
    }

    /// The key id: lowercase hex SHA-256 of [`VerifyingKey::to_spki_der`].
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The canonical DER SubjectPublicKeyInfo (EC points uncompressed).
    pub fn to_spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// SPKI as PEM (`PUBLIC KEY`), with the algorithm hint line for pinned RSA keys.
    ///
    /// # Errors
    /// Only if PEM encoding fails, which does not happen for valid keys.
    pub fn to_spki_pem(&self) -> Result<String> {
        let hint = match (&self.inner, self.pinned) {
            (Public::Rsa(_), Some(a)) => Some(a),
            _ => None,
        };
        pem::encode("PUBLIC KEY", &self.spki_der, hint).map(|s| s.to_string())
    }

    /// The key as a public JWK, with `alg` when the algorithm is known and `kid` = key id.
    ///
    /// # Errors
    /// Only if JSON encoding fails, which does not happen for valid keys.
    pub fn to_jwk(&self) -> Result<String> {
        jwk::public_to_jwk(self)
    }

    pub(crate) fn public(&self) -> &Public {
        &self.inner
    }

    pub(crate) fn pinned(&self) -> Option<Algorithm> {
        self.pinned
    }

    /// Bind this key to a FIDO2 relying party: it then verifies `stellaops.fido2/v1` assertions
    /// made by the credential (docs/fido2-signature.md) and nothing else. Only P-256 (ES256) and
    /// Ed25519 (EdDSA) keys can be FIDO2 credentials.
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] for other keys.
    pub fn with_fido2(mut self, policy: Fido2Policy) -> Result<Self> {
        if !matches!(self.inner, Public::P256(_) | Public::Ed25519(_)) {
            return Err(Error::UnsupportedKey(
                "a FIDO2 credential is a P-256 (ES256) or Ed25519 (EdDSA) key",
            ));
        }
        self.fido2 = Some(Box::new(policy));
        Ok(self)
    }

    /// The FIDO2 relying party this key is bound to, if it is a FIDO2 credential.
    pub fn fido2_policy(&self) -> Option<&Fido2Policy> {
        self.fido2.as_deref()
    }

    /// The name of the signature scheme this key verifies: the algorithm's name, or
    /// `fido2-es256` / `fido2-eddsa` for a FIDO2 credential.
    pub fn scheme_name(&self) -> &'static str {
        match (&self.fido2, &self.inner) {
            (Some(_), Public::P256(_)) => "fido2-es256",
            (Some(_), _) => "fido2-eddsa",
            (None, _) => self.algorithm().name(),
        }
    }

    /// Verify a FIDO2 signature over `message` with this credential (see
    /// docs/fido2-signature.md), and with `last_counter` that the signature counter went up.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] whatever the reason, also when this key is not a FIDO2
    /// credential.
    pub fn verify_fido2(
        &self,
        message: &[u8],
        signature: &[u8],
        last_counter: Option<u32>,
    ) -> Result<Fido2Assertion> {
        let policy = self.fido2.as_deref().ok_or(Error::InvalidSignature)?;
        let decoded = Fido2Signature::decode(signature).map_err(|_| Error::InvalidSignature)?;
        let alg_fits = matches!(
            (&self.inner, decoded.alg),
            (Public::P256(_), COSE_ES256) | (Public::Ed25519(_), COSE_EDDSA)
        );
        if !alg_fits {
            return Err(Error::InvalidSignature);
        }
        crate::fido2::check_assertion(&decoded, policy, last_counter)?;
        let signed = signed_bytes(&decoded.auth_data, message);
        let algorithm = self.verify_plain(&signed, &decoded.sig)?;
        Ok(Fido2Assertion {
            algorithm,
            counter: decoded.counter(),
            user_verified: decoded.flags() & 0x04 != 0,
        })
    }

    /// Verify `signature` over `message`, returning the algorithm that verified it.
    ///
    /// ECDSA signatures must be strict DER; RSA-PSS accepts any salt length. A FIDO2 credential
    /// ([`VerifyingKey::with_fido2`]) verifies FIDO2 assertions only, as
    /// [`VerifyingKey::verify_fido2`] without a counter check.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`], and nothing more specific, whatever the reason.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<Algorithm> {
        if self.fido2.is_some() {
            return Ok(self.verify_fido2(message, signature, None)?.algorithm);
        }
        self.verify_plain(message, signature)
    }

    /// Verify a plain signature (not a FIDO2 assertion).
    fn verify_plain(&self, message: &[u8], signature: &[u8]) -> Result<Algorithm> {
        #[cfg(feature = "aws-lc")]
        if let Some(fast) = &self.fast {
            return self.verify_aws_lc(fast, message, signature);
        }
        self.verify_rustcrypto(message, signature)
    }

    /// The aws-lc backend's verification (see the `aws_lc` module for what it covers).
    #[cfg(feature = "aws-lc")]
    fn verify_aws_lc(
        &self,
        fast: &crate::aws_lc::Verifier,
        message: &[u8],
        signature: &[u8],
    ) -> Result<Algorithm> {
        if let Public::Rsa(_) = &self.inner {
            for alg in [Algorithm::RsaPssSha256, Algorithm::RsaPkcs1Sha256] {
                if self.accepts(alg) && fast.verify_rsa(alg, message, signature) {
                    return Ok(alg);
                }
            }
            // AWS-LC verifies PSS with a 32-byte salt only; other salt lengths (which
            // securesystemslib and others accept) go through the RustCrypto path.
            if !self.accepts(Algorithm::RsaPssSha256) {
                return Err(Error::InvalidSignature);
            }
            return self.verify_rustcrypto(message, signature);
        }
        if fast.verify_ecdsa(message, signature) {
            Ok(self.algorithm())
        } else {
            Err(Error::InvalidSignature)
        }
    }

    /// Verification with the RustCrypto implementations, whichever backend is compiled in.
    pub(crate) fn verify_rustcrypto(&self, message: &[u8], signature: &[u8]) -> Result<Algorithm> {
        match &self.inner {
            Public::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::InvalidSignature)?;
                k.verify(message, &sig)
                    .map_err(|_| Error::InvalidSignature)?;
            }
            Public::P384(k) => {
                let sig = p384::ecdsa::Signature::from_der(signature)
                    .map_err(|_| Error::InvalidSignature)?;
                k.verify(message, &sig)
                    .map_err(|_| Error::InvalidSignature)?;
            }
            Public::Ed25519(k) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| Error::InvalidSignature)?;
                k.verify_strict(message, &sig)
                    .map_err(|_| Error::InvalidSignature)?;
            }
            Public::Rsa(k) => {
                let digest = Sha256::digest(message);
                if self.accepts(Algorithm::RsaPssSha256)
                    && verify_pss_any_salt(k, &digest, signature)
                {
                    return Ok(Algorithm::RsaPssSha256);
                }
                if self.accepts(Algorithm::RsaPkcs1Sha256)
                    && k.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
                        .is_ok()
                {
                    return Ok(Algorithm::RsaPkcs1Sha256);
                }
                return Err(Error::InvalidSignature);
            }
            Public::External(e) => {
                let valid = e
                    .verifier
                    .as_ref()
                    .is_some_and(|v| v.verify(&self.spki_der, message, signature));
                if !valid {
                    return Err(Error::InvalidSignature);
                }
            }
        }
        Ok(self.algorithm())
    }

    /// Verify an RSA-PSS-SHA256 signature with exactly `salt_len` bytes of salt (strict mode, for
    /// policies and test vectors that fix the salt).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`]; [`Error::Unsupported`] for non-RSA keys.
    pub fn verify_rsa_pss_with_salt_len(
        &self,
        message: &[u8],
        signature: &[u8],
        salt_len: usize,
    ) -> Result<()> {
        match &self.inner {
            Public::Rsa(k) => k
                .verify(
                    rsa::Pss::new_with_salt::<Sha256>(salt_len),
                    &Sha256::digest(message),
                    signature,
                )
                .map_err(|_| Error::InvalidSignature),
            _ => Err(Error::Unsupported(self.algorithm())),
        }
    }
}

/// PSS verification with whichever salt length the signer chose.
///
/// The `rsa` crate verifies one salt length at a time. Trying every length would cost up to
/// `emLen - hLen - 1` public-key operations for an invalid signature, a lever for denial of
/// service, so [`pss_salt_len_hint`] reads the length off the encoded message with one public-key
/// operation and the crate then verifies strictly at that length. The hint only chooses which
/// length to check; a wrong hint can make a signature fail, never pass.
fn verify_pss_any_salt(key: &rsa::RsaPublicKey, digest: &[u8], signature: &[u8]) -> bool {
    pss_salt_len_hint(key, digest.len(), signature).is_some_and(|salt| {
        key.verify(rsa::Pss::new_with_salt::<Sha256>(salt), digest, signature)
            .is_ok()
    })
}

/// The salt length an RSASSA-PSS (MGF1-SHA-256) signature was made with, read from the encoded
/// message per RFC 8017 §9.1.2 steps 4–10, or `None` when the encoding is malformed.
fn pss_salt_len_hint(key: &rsa::RsaPublicKey, h_len: usize, signature: &[u8]) -> Option<usize> {
    let s = BigUint::from_bytes_be(signature);
    if signature.len() != key.size() || &s >= key.n() {
        return None;
    }
    let m = rsa::hazmat::rsa_encrypt(key, &s).ok()?.to_bytes_be();
    let em_bits = key.n().bits() - 1;
    let em_len = em_bits.div_ceil(8);
    if m.len() > em_len || em_len < h_len + 2 {
        return None;
    }
    let mut em = vec![0u8; em_len - m.len()];
    em.extend_from_slice(&m);
    if em[em_len - 1] != 0xbc {
        return None;
    }
    let (masked_db, rest) = em.split_at_mut(em_len - h_len - 1);
    let h = &rest[..h_len];
    // MGF1-SHA-256: the mask is SHA-256(H || counter) for counter = 0, 1, ...
    for (counter, chunk) in masked_db.chunks_mut(32).enumerate() {
        let mask = Sha256::new()
            .chain_update(h)
            .chain_update((counter as u32).to_be_bytes())
            .finalize();
        chunk.iter_mut().zip(mask.iter()).for_each(|(b, m)| *b ^= m);
    }
    masked_db[0] &= 0xff >> (8 * em_len - em_bits);
    let one = masked_db.iter().position(|b| *b != 0)?;
    (masked_db[one] == 0x01).then(|| masked_db.len() - one - 1)
}

pub(crate) fn check_rsa_size(key: &impl PublicKeyParts) -> Result<()> {
    let bits = key.n().bits();
    if RSA_BITS.contains(&bits) {
        Ok(())
    } else {
        Err(Error::RsaKeySize { bits })
    }
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der && self.pinned == other.pinned
    }
}

impl Eq for VerifyingKey {}

impl fmt::Debug for ExternalPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalPublic")
            .field("algorithm", &self.algorithm)
            .field("verifier", &self.verifier.is_some())
            .finish()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("algorithm", &self.algorithm())
            .field("pinned", &self.is_pinned())
            .field("key_id", &self.key_id.as_str())
            .finish()
    }
}
