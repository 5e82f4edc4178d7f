//! What a caller plugs in: a signature operation of its own ([`CallerSigner`], for a key this
//! crate cannot hold, such as a GOST key in a CryptoPro or OpenSSL engine) and verifiers for
//! algorithms this crate does not implement ([`VerifierRegistry`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::{Algorithm, Error, ExternalAlgorithm, Result, SigningKey, VerifyingKey};

/// The largest signature a caller's signer may return: far above any real algorithm's
/// (RSA-4096 is 512 bytes, GOST 2012-512 128), small enough that a broken callback cannot
/// make an envelope huge.
pub const MAX_CALLER_SIGNATURE_LEN: usize = 16 * 1024;

/// The longest message kept from a caller's own error (an exception's text, a Go error).
pub const MAX_CALLER_ERROR_LEN: usize = 512;

/// An error the caller's code reported (an exception, a Go `error`, a non-zero status), with its
/// message cut to [`MAX_CALLER_ERROR_LEN`] bytes so it cannot flood a log or an error message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerError(String);

impl CallerError {
    /// The caller's message, bounded.
    pub fn new(message: &str) -> Self {
        CallerError(crate::cause::bounded(message, MAX_CALLER_ERROR_LEN))
    }

    /// The bounded message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CallerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CallerError {}

/// The signature operation of a [`CallerSigner`]: sign the message (the DSSE PAE, hashing it as
/// the algorithm does) and return the signature in the algorithm's wire encoding.
pub type SignFn = dyn Fn(&[u8]) -> std::result::Result<Vec<u8>, CallerError> + Send + Sync;

/// A signing key whose signature operation the caller supplies: usable wherever a key is
/// (envelopes, statements, the authority), with its public key for the key id and for
/// verification.
///
/// Every signature it returns is checked before use: not empty, at most
/// [`MAX_CALLER_SIGNATURE_LEN`] bytes, and, when the public key can verify (a built-in algorithm,
/// or an external one with a verifier), valid under the public key. A broken callback gives
/// [`Error::CallerSigner`], never a bad envelope.
///
/// The operation may be called from any thread, and from several at once.
pub struct CallerSigner {
    public: VerifyingKey,
    chain: Vec<Vec<u8>>,
    sign: Box<SignFn>,
}

impl CallerSigner {
    /// A signer for `public` that signs with `sign`. Pin RSA keys to their padding
    /// ([`VerifyingKey::with_algorithm`]); an external algorithm's key comes from
    /// [`VerifyingKey::external`] or [`VerifierRegistry::verifying_key`].
    pub fn new(
        public: VerifyingKey,
        sign: impl Fn(&[u8]) -> std::result::Result<Vec<u8>, CallerError> + Send + Sync + 'static,
    ) -> Self {
        CallerSigner {
            public,
            chain: Vec::new(),
            sign: Box::new(sign),
        }
    }

    /// The DER certificates binding the key, leaf first (for bundles that carry a chain).
    pub fn with_certificate_chain(mut self, chain: Vec<Vec<u8>>) -> Self {
        self.chain = chain;
        self
    }
}

impl fmt::Debug for CallerSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallerSigner")
            .field("algorithm", &self.public.algorithm())
            .field("key_id", &self.public.key_id().as_str())
            .finish_non_exhaustive()
    }
}

impl SigningKey for CallerSigner {
    fn algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    fn public_key(&self) -> &VerifyingKey {
        &self.public
    }

    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let signature = (self.sign)(message).map_err(|e| Error::CallerSigner {
            reason: "the signer reported an error",
            source: Some(e),
        })?;
        let refuse = |reason| {
            Err(Error::CallerSigner {
                reason,
                source: None,
            })
        };
        if signature.is_empty() {
            return refuse("the signer returned an empty signature");
        }
        if signature.len() > MAX_CALLER_SIGNATURE_LEN {
            return refuse("the signer returned more than 16 KiB");
        }
        if self.public.can_verify() && self.public.verify(message, &signature).is_err() {
            return refuse("the signature does not verify under the signer's public key");
        }
        Ok(signature)
    }
}

/// Checks a signature of an external algorithm: `public_key` is the key's DER
/// SubjectPublicKeyInfo, `message` the signed bytes (the DSSE PAE). True only for a valid
/// signature; an error in the caller's code counts as invalid.
///
/// It may be called from any thread, and from several at once.
pub trait SignatureVerifier: Send + Sync {
    /// Whether `signature` is valid over `message` under `public_key`.
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool;
}

impl<F> SignatureVerifier for F
where
    F: Fn(&[u8], &[u8], &[u8]) -> bool + Send + Sync,
{
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        self(public_key, message, signature)
    }
}

/// Verification by algorithm name: the built-in algorithms, plus the external ones the caller
/// registered a verifier for. A key of an algorithm nobody registered is refused
/// ([`Error::UnknownAlgorithm`]), so an envelope signed with it cannot verify by default.
#[derive(Clone, Default)]
pub struct VerifierRegistry {
    verifiers: BTreeMap<ExternalAlgorithm, Arc<dyn SignatureVerifier>>,
}

impl VerifierRegistry {
    /// The built-in algorithms only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Verify signatures of the external algorithm `algorithm` with `verifier` (replacing an
    /// earlier verifier for the same name).
    ///
    /// # Errors
    /// [`Error::InvalidAlgorithmName`] for a malformed or built-in name.
    pub fn register(
        &mut self,
        algorithm: &str,
        verifier: Arc<dyn SignatureVerifier>,
    ) -> Result<ExternalAlgorithm> {
        let name = ExternalAlgorithm::new(algorithm)?;
        self.verifiers.insert(name, verifier);
        Ok(name)
    }

    /// The external algorithms with a verifier, by name.
    pub fn algorithms(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.verifiers.keys().map(|a| a.name())
    }

    /// A key that verifies `algorithm`'s signatures: for a built-in algorithm (any of its names)
    /// the key read from `public_key` in any encoding [`VerifyingKey::from_bytes`] reads, pinned
    /// to it; for a registered external one, the SubjectPublicKeyInfo in `public_key` (PEM
    /// `PUBLIC KEY` or DER) checked by the registered verifier.
    ///
    /// # Errors
    /// [`Error::UnknownAlgorithm`] for a name that is neither built-in nor registered; the key
    /// decoding errors.
    pub fn verifying_key(&self, algorithm: &str, public_key: &[u8]) -> Result<VerifyingKey> {
        if let Ok(builtin) = algorithm.parse::<Algorithm>() {
            return VerifyingKey::from_bytes(public_key)?.with_algorithm(builtin);
        }
        // Found by name, not through ExternalAlgorithm::new: a lookup of a name nobody registered
        // must not intern it (and use up the process's names).
        let verifier = self
            .verifiers
            .iter()
            .find(|(name, _)| name.name() == algorithm);
        match verifier {
            Some((name, verifier)) => {
                VerifyingKey::external(*name, public_key, Some(Arc::clone(verifier)))
            }
            None => Err(Error::UnknownAlgorithm(crate::cause::bounded(
                algorithm,
                ExternalAlgorithm::MAX_NAME_LEN,
            ))),
        }
    }
}

impl fmt::Debug for VerifierRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.algorithms()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SoftwareKey;

    /// A caller signer over a software key, as a face's callback would be.
    fn caller_over(key: SoftwareKey) -> CallerSigner {
        let public = key.public_key().clone();
        CallerSigner::new(public, move |m: &[u8]| {
            key.try_sign(m)
                .map_err(|e| CallerError::new(&e.to_string()))
        })
    }

    #[test]
    fn a_caller_signer_signs_as_its_key() {
        let signer = caller_over(SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap());
        let sig = signer.try_sign(b"pae").unwrap();
        assert_eq!(
            signer.public_key().verify(b"pae", &sig).unwrap(),
            Algorithm::EcdsaP256Sha256
        );
        assert_eq!(signer.algorithm(), Algorithm::EcdsaP256Sha256);
    }

    #[test]
    fn a_broken_callback_is_refused_not_used() {
        let public = SoftwareKey::generate(Algorithm::Ed25519)
            .unwrap()
            .public_key()
            .clone();
        let cases: [(Box<SignFn>, &str); 4] = [
            (Box::new(|_: &[u8]| Ok(Vec::new())), "empty"),
            (
                Box::new(|_: &[u8]| Ok(vec![1; MAX_CALLER_SIGNATURE_LEN + 1])),
                "16 KiB",
            ),
            (Box::new(|_: &[u8]| Ok(vec![7; 64])), "does not verify"),
            (
                Box::new(|_: &[u8]| Err(CallerError::new(&"x".repeat(10_000)))),
                "reported",
            ),
        ];
        for (sign, want) in cases {
            let signer = CallerSigner::new(public.clone(), sign);
            let err = signer.try_sign(b"pae").unwrap_err();
            assert!(matches!(err, Error::CallerSigner { .. }), "{err:?}");
            assert!(err.to_string().contains(want), "{err}");
            if let Some(source) = std::error::Error::source(&err) {
                assert!(source.to_string().len() <= MAX_CALLER_ERROR_LEN + '…'.len_utf8());
            }
        }
    }

    #[test]
    fn external_keys_verify_only_through_a_registered_verifier() {
        // An "external" algorithm played by Ed25519, checked by the verifier the caller gives.
        let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
        let spki = key.public_key().to_spki_der().to_vec();
        let sig = key.try_sign(b"pae").unwrap();
        let by_ed25519 = |public: &[u8], m: &[u8], s: &[u8]| {
            VerifyingKey::from_spki_der(public).is_ok_and(|k| k.verify(m, s).is_ok())
        };

        // Refused by default: nobody registered the name.
        let mut registry = VerifierRegistry::new();
        assert!(matches!(
            registry.verifying_key("test-ext-ed25519", &spki),
            Err(Error::UnknownAlgorithm(_))
        ));

        let name = registry
            .register("test-ext-ed25519", Arc::new(by_ed25519))
            .unwrap();
        let public = registry.verifying_key("test-ext-ed25519", &spki).unwrap();
        assert_eq!(public.algorithm(), Algorithm::External(name));
        assert_eq!(public.key_id(), key.public_key().key_id());
        assert_eq!(
            public.verify(b"pae", &sig).unwrap(),
            Algorithm::External(name)
        );
        assert!(public.verify(b"other", &sig).is_err());
        assert!(public.to_jwk().is_err());

        // Without a verifier the key exists (a caller signer's own) but nothing verifies.
        let mute = VerifyingKey::external(name, &spki, None).unwrap();
        assert!(!mute.can_verify() && mute.verify(b"pae", &sig).is_err());
        // Built-in names still read keys in every encoding, pinned.
        let pem = key.public_key().to_spki_pem().unwrap();
        assert!(registry.verifying_key("ed25519", pem.as_bytes()).is_ok());
        assert!(registry.verifying_key("es256", pem.as_bytes()).is_err());
        // Not a SubjectPublicKeyInfo.
        assert!(registry
            .verifying_key("test-ext-ed25519", b"\x30\x03\x02\x01\x01")
            .is_err());
    }

    #[test]
    fn looking_up_unknown_names_does_not_use_up_the_names() {
        let registry = VerifierRegistry::new();
        for i in 0..=ExternalAlgorithm::MAX_NAMES {
            assert!(matches!(
                registry.verifying_key(&format!("probe-{i}"), b"key"),
                Err(Error::UnknownAlgorithm(_))
            ));
        }
        // A name is still available to register afterwards.
        assert!(ExternalAlgorithm::new("registered-after-probes").is_ok());
    }
}
