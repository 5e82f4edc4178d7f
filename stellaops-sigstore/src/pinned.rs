//! A pinned transparency-log key (`rekor.pub`) in place of a trusted root's logs, for
//! deployments that ship the log's public key rather than a trusted root (`--rekor-key`, as
//! cosign's `SIGSTORE_REKOR_PUBLIC_KEY`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use stellaops_crypto::{Algorithm, VerifyingKey};

use crate::{Error, Result, Signer, TrustedRoot};

/// An empty trusted root, the base of [`TrustedRoot::pinned_log_key`].
const EMPTY_ROOT: &str = r#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#;

impl TrustedRoot {
    /// This root with its transparency logs replaced by one pinned log key (PEM or SPKI DER: the
    /// log's `rekor.pub`): entries and checkpoints verify only with that key. Its log id is the
    /// SHA-256 of the key (Rekor v1's); for an Ed25519 key and a log `origin` (a Rekor v2 log's
    /// name, as its checkpoints carry it) also the signed-note key id rekor-tiles writes.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a key that is not an ECDSA P-256/P-384, Ed25519 or RSA public
    /// key; [`Error::TrustedRoot`] should the result not parse.
    pub fn with_pinned_log_key(&self, key: &[u8], origin: Option<&str>) -> Result<Self> {
        let Signer::PublicKey(der) = Signer::public_key(key)? else {
            return Err(Error::InvalidKey("not a public key".into()));
        };
        let parsed = VerifyingKey::from_spki_der(&der)
            .map_err(|e| Error::InvalidKey(format!("a log key: {e}")))?;
        let details = match parsed.algorithm() {
            Algorithm::EcdsaP256Sha256 => "PKIX_ECDSA_P256_SHA_256",
            Algorithm::EcdsaP384Sha384 => "PKIX_ECDSA_P384_SHA_384",
            Algorithm::Ed25519 => "PKIX_ED25519",
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256 => "PKIX_RSA_PKCS1V15_2048_SHA256",
            other => return Err(Error::InvalidKey(format!("a log key of algorithm {other}"))),
        };
        let ids = crate::monitor::log_key_ids(&der, origin);
        let tlogs: Vec<Value> = ids
            .iter()
            .map(|id| {
                json!({
                    "baseUrl": origin.map_or_else(|| "pinned".to_owned(), |o| format!("https://{o}")),
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": {
                        "rawBytes": STANDARD.encode(&der),
                        "keyDetails": details,
                        "validFor": { "start": "1970-01-01T00:00:00Z" },
                    },
                    "logId": { "keyId": STANDARD.encode(id) },
                })
            })
            .collect();
        let mut doc: Value = serde_json::from_slice(self.as_json())
            .map_err(|e| Error::TrustedRoot(e.to_string()))?;
        doc["tlogs"] = Value::Array(tlogs);
        TrustedRoot::from_json(doc.to_string().as_bytes())
    }

    /// A root of nothing but one pinned log key ([`TrustedRoot::with_pinned_log_key`] of an
    /// empty root): enough for keyful bundles verified with their public key, whose only other
    /// trust is the log.
    ///
    /// # Errors
    /// As [`TrustedRoot::with_pinned_log_key`].
    pub fn pinned_log_key(key: &[u8], origin: Option<&str>) -> Result<Self> {
        TrustedRoot::from_json(EMPTY_ROOT.as_bytes())?.with_pinned_log_key(key, origin)
    }
}
