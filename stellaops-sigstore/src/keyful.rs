//! Keyful bundles: a DSSE envelope signed by one of our keys (software, PKCS#11, KMS — any
//! [`SigningKey`]), logged in Rekor with the key as its verifier, in a Sigstore bundle v0.3
//! whose verification material is a public-key hint. Verifiers are given the key itself
//! (`cosign verify-blob-attestation --key`, `stella verify --bundle --key`); the hint only names
//! it (our key id, hex SHA-256 of the SPKI).

use std::path::PathBuf;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sigstore_bundle::{BundleV03, VerificationMaterialV03};
use sigstore_types::bundle::{MessageDigest, MessageSignature, SignatureContent};
use sigstore_types::{HashAlgorithm, SignatureBytes};
use stellaops_crypto::SigningKey;

use crate::bundle::{
    check_blob, check_payload_type, finish, sign_envelope, sigstore_envelope, stamp,
    with_timestamp, BundleSigner, SignedBundle, SignedMessage,
};
use crate::rekor::{Log, RekorVersion, Verifier};
use crate::tsa::Timestamper;
use crate::{Error, Result, Signer, TrustedRoot};

/// Where to log keyful signatures.
#[derive(Clone, Debug)]
pub struct KeyfulConfig {
    /// Rekor's base URL (`https://`, or `http://` to a loopback host).
    pub rekor_url: String,
    /// Which Rekor API to write to (v1 by default; v2 needs [`timestamp_url`](Self::timestamp_url)
    /// and an ECDSA P-256 key).
    pub rekor_version: RekorVersion,
    /// Timeout of each HTTP request.
    pub timeout: Duration,
    /// Further attempts after a transport failure or a 5xx answer.
    pub retries: u32,
    /// When set, every bundle is verified offline against this `trusted_root.json` (log proofs
    /// and the signature with the key) before it is returned.
    pub trusted_root: Option<PathBuf>,
    /// When set, each bundle also carries an RFC 3161 timestamp of its signature from this
    /// timestamp authority (the full request URL).
    pub timestamp_url: Option<String>,
}

impl KeyfulConfig {
    /// Defaults for the given Rekor: 30 s timeout, 2 retries, no verification after signing.
    pub fn new(rekor_url: impl Into<String>) -> Self {
        KeyfulConfig {
            rekor_url: rekor_url.into(),
            rekor_version: RekorVersion::V1,
            timeout: Duration::from_secs(30),
            retries: 2,
            trusted_root: None,
            timestamp_url: None,
        }
    }
}

/// Signs keyful bundles with one key.
#[derive(Debug)]
pub struct KeyfulSigner<K> {
    key: K,
    log: Log,
    trusted_root: Option<TrustedRoot>,
    tsa: Option<Timestamper>,
}

impl<K: SigningKey> KeyfulSigner<K> {
    /// Check the configuration and that the log can verify the key's signatures
    /// (`Log::accepts`: ES256, Ed25519 and RSA PKCS#1 v1.5 for Rekor v1, ES256 for v2), and
    /// read the trusted root if one is configured. Nothing is sent anywhere yet.
    ///
    /// # Errors
    /// [`Error::Config`] for an unusable URL, a key the log cannot check, or Rekor v2 without
    /// a timestamp authority; [`Error::TrustedRoot`] / [`Error::Io`] for the trusted root.
    pub fn new(config: &KeyfulConfig, key: K) -> Result<Self> {
        let (log, tsa) = Log::with_timestamper(
            (&config.rekor_url, config.rekor_version),
            config.timestamp_url.as_deref(),
            config.timeout,
            config.retries,
        )?;
        log.accepts(key.algorithm())?;
        let trusted_root = config
            .trusted_root
            .as_deref()
            .map(TrustedRoot::from_file)
            .transpose()?;
        Ok(KeyfulSigner {
            key,
            log,
            trusted_root,
            tsa,
        })
    }

    /// The key that signs.
    pub fn key(&self) -> &K {
        &self.key
    }
}

impl<K: SigningKey> BundleSigner for KeyfulSigner<K> {
    /// Sign `payload` as `payload_type` with the key, log the envelope in Rekor with the public
    /// key as verifier, and (with a trusted root configured) verify the bundle offline.
    ///
    /// # Errors
    /// [`Error::Payload`] for a payload type other than in-toto's; [`Error::Signing`] when the
    /// key fails, [`Error::Service`] / [`Error::Unreachable`] for
    /// Rekor, and the verification errors when the bundle does not verify.
    fn sign(&self, payload_type: &str, payload: &[u8]) -> Result<SignedBundle> {
        check_payload_type(payload_type)?;
        let envelope = sign_envelope(payload_type, payload, |pae| self.key.try_sign(pae))?;
        let public = self.key.public_key();
        let pem = public
            .to_spki_pem()
            .map_err(|e| Error::Signing(format!("public key: {e}")))?;
        let dsse = sigstore_envelope(&envelope);
        let timestamp = stamp(self.tsa.as_ref(), envelope.signatures()[0].sig())?;
        let entry = self.log.log_dsse(
            &dsse,
            self.key.algorithm(),
            Verifier::PublicKey(public.to_spki_der()),
            &pem,
        )?;
        let hint = public.key_id().to_string();
        let bundle = BundleV03::new(
            VerificationMaterialV03::PublicKey { hint },
            SignatureContent::DsseEnvelope(dsse),
        )
        .with_tlog_entry(entry);
        let bundle = with_timestamp(bundle, timestamp).into_bundle();
        let signer = Signer::PublicKey(public.to_spki_der().to_vec());
        let json = finish(&bundle, self.trusted_root.as_ref(), &signer, None)?;
        Ok(SignedBundle {
            json,
            envelope,
            certificate_chain: Vec::new(),
            key_id: public.key_id().to_string(),
            algorithm: self.key.algorithm(),
        })
    }

    /// Sign `blob` with the key into a bundle with a message signature, log it as a
    /// `hashedrekord` with the public key as verifier, and (with a trusted root configured)
    /// verify the bundle offline against the blob's digest.
    ///
    /// # Errors
    /// [`Error::Config`] for a key the log cannot check over a digest; as
    /// [`KeyfulSigner::sign`](BundleSigner::sign) otherwise.
    fn sign_message(&self, blob: &[u8]) -> Result<SignedMessage> {
        check_blob(blob)?;
        let algorithm = self.key.algorithm();
        self.log.accepts_message(algorithm)?;
        let signature = self
            .key
            .try_sign(blob)
            .map_err(|e| Error::Signing(e.to_string()))?;
        let digest: [u8; 32] = Sha256::digest(blob).into();
        let public = self.key.public_key();
        let pem = public
            .to_spki_pem()
            .map_err(|e| Error::Signing(format!("public key: {e}")))?;
        let timestamp = stamp(self.tsa.as_ref(), &signature)?;
        let entry = self.log.log_message(
            (&digest, &signature),
            algorithm,
            Verifier::PublicKey(public.to_spki_der()),
            &pem,
        )?;
        let content =
            MessageSignature::new(SignatureBytes::new(signature.clone())).with_message_digest(
                MessageDigest::new(HashAlgorithm::Sha2256, digest.to_vec().into()),
            );
        let bundle = BundleV03::new(
            VerificationMaterialV03::PublicKey {
                hint: public.key_id().to_string(),
            },
            SignatureContent::MessageSignature(content),
        )
        .with_tlog_entry(entry);
        let bundle = with_timestamp(bundle, timestamp).into_bundle();
        let signer = Signer::PublicKey(public.to_spki_der().to_vec());
        let json = finish(&bundle, self.trusted_root.as_ref(), &signer, Some(digest))?;
        Ok(SignedMessage {
            json,
            digest,
            signature,
            certificate_chain: Vec::new(),
            key_id: public.key_id().to_string(),
            algorithm,
        })
    }
}
