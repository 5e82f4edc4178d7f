//! Keyless signing: an ephemeral key, certified by Fulcio for an OIDC identity, signs one DSSE
//! envelope, which Rekor logs; the result is a Sigstore bundle v0.3.
//!
//! The ephemeral key is a [`SigningKey`] like any other (issuer mode `keyless`): a P-256 key
//! generated in memory, never written anywhere, holding Fulcio's chain as its certificate chain,
//! and zeroized when the signing call returns (the software key wipes its secret on drop).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use sigstore_types::{DerCertificate, Sha256Hash, SignatureBytes};
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey, VerifyingKey};

use crate::bundle::{
    check_blob, check_payload_type, finish, sign_envelope, sigstore_envelope, stamp,
    with_timestamp, BundleSigner, SignedBundle, SignedMessage,
};
use crate::http::Service;
use crate::rekor::{Log, RekorVersion, Verifier};
use crate::token::IdentityToken;
use crate::tsa::Timestamper;
use crate::{fulcio, Error, Identity, Result, Signer, TrustedRoot};

/// Where and how to sign keylessly (the keyless guide's settings).
#[derive(Clone, Debug)]
pub struct KeylessConfig {
    /// Fulcio's base URL (`https://`, or `http://` to a loopback host).
    pub fulcio_url: String,
    /// Rekor's base URL.
    pub rekor_url: String,
    /// Which Rekor API to write to (v1 by default; v2 needs [`timestamp_url`](Self::timestamp_url)).
    pub rekor_version: RekorVersion,
    /// Timeout of each HTTP request.
    pub timeout: Duration,
    /// Further attempts after a transport failure or a 5xx answer.
    pub retries: u32,
    /// When set, a token from another issuer is refused before Fulcio is asked.
    pub oidc_issuer: Option<String>,
    /// When set, every bundle is verified offline against this `trusted_root.json` (chain, SCT,
    /// log proofs, and the token's identity and issuer) before it is returned.
    pub trusted_root: Option<PathBuf>,
    /// Require an SCT embedded in the certificate (default true).
    pub require_sct: bool,
    /// When set, each bundle also carries an RFC 3161 timestamp of its signature from this
    /// timestamp authority (the full request URL, e.g. `https://timestamp.sigstore.dev/api/v1/timestamp`).
    pub timestamp_url: Option<String>,
}

impl KeylessConfig {
    /// Defaults for the given Fulcio and Rekor: 30 s timeout, 2 retries, SCT required, no issuer
    /// restriction, no verification after signing.
    pub fn new(fulcio_url: impl Into<String>, rekor_url: impl Into<String>) -> Self {
        KeylessConfig {
            fulcio_url: fulcio_url.into(),
            rekor_url: rekor_url.into(),
            rekor_version: RekorVersion::V1,
            timeout: Duration::from_secs(30),
            retries: 2,
            oidc_issuer: None,
            trusted_root: None,
            require_sct: true,
            timestamp_url: None,
        }
    }
}

/// Signs keylessly with one identity token.
#[derive(Debug)]
pub struct KeylessSigner {
    fulcio: Service,
    log: Log,
    token: IdentityToken,
    require_sct: bool,
    trusted_root: Option<TrustedRoot>,
    tsa: Option<Timestamper>,
}

impl KeylessSigner {
    /// Check the configuration and the token (unexpired, from the required issuer), and read the
    /// trusted root if one is configured. Nothing is sent anywhere yet.
    ///
    /// # Errors
    /// [`Error::Config`] for unusable URLs, [`Error::Token`] for an expired token or another
    /// issuer's, [`Error::TrustedRoot`] / [`Error::Io`] for the trusted root.
    pub fn new(config: &KeylessConfig, token: IdentityToken) -> Result<Self> {
        let fulcio = Service::new("Fulcio", &config.fulcio_url, config.timeout, config.retries)?;
        let (log, tsa) = Log::with_timestamper(
            (&config.rekor_url, config.rekor_version),
            config.timestamp_url.as_deref(),
            config.timeout,
            config.retries,
        )?;
        token.check_unexpired(unix_now())?;
        if let Some(required) = &config.oidc_issuer {
            if token.issuer() != required {
                return Err(Error::Token(format!(
                    "the token's issuer is {}, not the configured {required}",
                    token.issuer()
                )));
            }
        }
        let trusted_root = config
            .trusted_root
            .as_deref()
            .map(TrustedRoot::from_file)
            .transpose()?;
        Ok(KeylessSigner {
            fulcio,
            log,
            token,
            require_sct: config.require_sct,
            trusted_root,
            tsa,
        })
    }

    /// The identity the certificates will name (the token's email, else its subject).
    pub fn identity(&self) -> &str {
        self.token.identity()
    }

    /// The token's issuer, which the certificates record.
    pub fn issuer(&self) -> &str {
        self.token.issuer()
    }
}

impl BundleSigner for KeylessSigner {
    /// Sign `payload` as `payload_type` into a bundle: a fresh ephemeral key, its Fulcio
    /// certificate, the DSSE envelope, its timestamp (with a timestamp authority configured),
    /// its Rekor entry, and (with a trusted root configured) an offline verification of the
    /// result.
    ///
    /// # Errors
    /// [`Error::Payload`] for a payload type other than in-toto's; [`Error::Service`] for Fulcio or Rekor failures and unusable answers, [`Error::Token`]
    /// for a token that expired meanwhile, [`Error::Signing`], and the verification errors when
    /// the bundle does not verify against the trusted root.
    fn sign(&self, payload_type: &str, payload: &[u8]) -> Result<SignedBundle> {
        check_payload_type(payload_type)?;
        self.token.check_unexpired(unix_now())?;
        let key = EphemeralKey::certify(&self.fulcio, &self.token, self.require_sct)?;
        let envelope = sign_envelope(payload_type, payload, |pae| key.try_sign(pae))?;
        let EphemeralKey { key, chain } = key;
        let (key_id, algorithm) = (key.key_id().to_string(), key.algorithm());
        drop(key); // the secret is wiped here, before any further network call
        let certificate = DerCertificate::new(chain[0].clone());

        let dsse = sigstore_envelope(&envelope);
        let timestamp = stamp(self.tsa.as_ref(), envelope.signatures()[0].sig())?;
        let entry = self.log.log_dsse(
            &dsse,
            algorithm,
            Verifier::Certificate(&chain[0]),
            &certificate.to_pem(),
        )?;
        let bundle = sigstore_bundle::BundleV03::with_certificate_and_dsse(certificate, dsse)
            .with_tlog_entry(entry);
        let bundle = with_timestamp(bundle, timestamp).into_bundle();
        let signer = Signer::Keyless {
            identity: Identity::exact(self.identity()),
            issuer: Identity::exact(self.issuer()),
        };
        let json = finish(&bundle, self.trusted_root.as_ref(), &signer, None)?;
        Ok(SignedBundle {
            json,
            envelope,
            certificate_chain: chain,
            key_id,
            algorithm,
        })
    }

    /// Sign `blob` into a bundle with a message signature: a fresh ephemeral key, its Fulcio
    /// certificate, the signature over the blob, its timestamp (with a timestamp authority
    /// configured), its `hashedrekord` entry, and (with a trusted root configured) an offline
    /// verification against the blob's digest.
    ///
    /// # Errors
    /// As [`KeylessSigner::sign`](BundleSigner::sign); [`Error::Payload`] for a blob over
    /// [`MAX_BLOB_BYTES`](crate::MAX_BLOB_BYTES).
    fn sign_message(&self, blob: &[u8]) -> Result<SignedMessage> {
        check_blob(blob)?;
        self.log.accepts_message(Algorithm::EcdsaP256Sha256)?;
        self.token.check_unexpired(unix_now())?;
        let key = EphemeralKey::certify(&self.fulcio, &self.token, self.require_sct)?;
        let signature = key
            .try_sign(blob)
            .map_err(|e| Error::Signing(e.to_string()))?;
        let EphemeralKey { key, chain } = key;
        let (key_id, algorithm) = (key.key_id().to_string(), key.algorithm());
        drop(key); // the secret is wiped here, before any further network call
        let digest: [u8; 32] = Sha256::digest(blob).into();
        let timestamp = stamp(self.tsa.as_ref(), &signature)?;
        let entry = self.log.log_message(
            (&digest, &signature),
            algorithm,
            Verifier::Certificate(&chain[0]),
            &DerCertificate::new(chain[0].clone()).to_pem(),
        )?;
        let bundle = sigstore_bundle::BundleV03::with_certificate_and_signature(
            DerCertificate::new(chain[0].clone()),
            SignatureBytes::new(signature.clone()),
            Sha256Hash::new(digest),
        )
        .with_tlog_entry(entry);
        let bundle = with_timestamp(bundle, timestamp).into_bundle();
        let signer = Signer::Keyless {
            identity: Identity::exact(self.identity()),
            issuer: Identity::exact(self.issuer()),
        };
        let json = finish(&bundle, self.trusted_root.as_ref(), &signer, Some(digest))?;
        Ok(SignedMessage {
            json,
            digest,
            signature,
            certificate_chain: chain,
            key_id,
            algorithm,
        })
    }
}

/// A P-256 key that lives for one signature, with the certificate Fulcio issued for it.
#[derive(Debug)]
pub struct EphemeralKey {
    key: SoftwareKey,
    chain: Vec<Vec<u8>>,
}

impl EphemeralKey {
    fn certify(fulcio: &Service, token: &IdentityToken, require_sct: bool) -> Result<Self> {
        let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256)
            .map_err(|e| Error::Signing(format!("ephemeral key: {e}")))?;
        let chain = fulcio::request_certificate(fulcio, token, &key, require_sct)?;
        Ok(EphemeralKey { key, chain })
    }
}

impl SigningKey for EphemeralKey {
    fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    fn public_key(&self) -> &VerifyingKey {
        self.key.public_key()
    }

    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn try_sign(&self, message: &[u8]) -> stellaops_crypto::Result<Vec<u8>> {
        self.key.try_sign(message)
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
