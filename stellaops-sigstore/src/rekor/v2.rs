//! Rekor v2 (rekor-tiles): a signature enters the log as a `hashedrekord` 0.0.2 entry: a blob's
//! signature with the blob's SHA-256, a DSSE envelope's as below.
//!
//! Rekor v2 has no `dsse` entry type: a DSSE envelope is logged as a `hashedrekord` whose digest
//! is the SHA-256 of the envelope's PAE (the bytes the signature covers) and whose signature is
//! the envelope's (the Rekor v2 specification; sigstore-go, sigstore-python, sigstore-js and
//! sigstore-rust write and read it so). `POST /api/v2/log/entries` answers with the bundle's
//! `TransparencyLogEntry` itself: log index and id, kind and version, the canonicalized body,
//! and the inclusion proof with its signed checkpoint; no integrated time and no signed entry
//! timestamp, so the signing time comes from an RFC 3161 timestamp.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use sigstore_types::{DsseEnvelope, KindVersion, TransparencyLogEntry};
use stellaops_crypto::Algorithm;

use super::rekor_answer;
use crate::http::Service;
use crate::{Error, Result};

/// Who verifies the signature: the Fulcio certificate or the signer's public key (DER).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Verifier<'a> {
    /// A leaf certificate, DER.
    Certificate(&'a [u8]),
    /// A public key, DER SubjectPublicKeyInfo.
    PublicKey(&'a [u8]),
}

/// The `keyDetails` Rekor v2 states for `algorithm`'s signatures over a SHA-256 digest.
///
/// # Errors
/// [`Error::Config`] for an algorithm that does not sign such a digest.
pub(super) fn key_details(algorithm: Algorithm) -> Result<&'static str> {
    match algorithm {
        Algorithm::EcdsaP256Sha256 => Ok("PKIX_ECDSA_P256_SHA_256"),
        other => Err(Error::Config(format!(
            "Rekor v2 logs a DSSE envelope as a hashedrekord over the SHA-256 of its PAE: \
             ECDSA P-256 signatures only here, not {other}"
        ))),
    }
}

/// Log `envelope` (one signature, made with `algorithm`) for `verifier` and return the
/// bundle's log entry: a hashedrekord over the SHA-256 of its PAE.
///
/// # Errors
/// As [`log_hashed`].
pub(super) fn log_dsse(
    rekor: &Service,
    envelope: &DsseEnvelope,
    algorithm: Algorithm,
    verifier: Verifier<'_>,
) -> Result<TransparencyLogEntry> {
    let digest: [u8; 32] = Sha256::digest(envelope.pae()).into();
    log_hashed(
        rekor,
        &digest,
        envelope.signature.sig.as_bytes(),
        algorithm,
        verifier,
    )
}

/// Log `signature` (made with `algorithm` over the message whose SHA-256 is `digest`) for
/// `verifier` as a `hashedrekord` 0.0.2 entry and return the bundle's log entry.
///
/// # Errors
/// [`Error::Config`] for a key Rekor v2's `hashedrekord` cannot take over a SHA-256 digest;
/// [`Error::Service`] / [`Error::Unreachable`] for Rekor.
pub(super) fn log_hashed(
    rekor: &Service,
    digest: &[u8; 32],
    signature: &[u8],
    algorithm: Algorithm,
    verifier: Verifier<'_>,
) -> Result<TransparencyLogEntry> {
    let key_details = key_details(algorithm)?;
    let mut verifier = match verifier {
        Verifier::Certificate(der) => {
            json!({ "x509Certificate": { "rawBytes": STANDARD.encode(der) } })
        }
        Verifier::PublicKey(der) => json!({ "publicKey": { "rawBytes": STANDARD.encode(der) } }),
    };
    verifier["keyDetails"] = json!(key_details);
    let request = json!({
        "hashedRekordRequestV002": {
            "digest": STANDARD.encode(digest),
            "signature": {
                "content": STANDARD.encode(signature),
                "verifier": verifier,
            }
        }
    });
    let body = serde_json::to_vec(&request).map_err(|e| Error::Signing(e.to_string()))?;
    let answer = rekor.post_json("/api/v2/log/entries", &body)?;
    let entry: TransparencyLogEntry =
        serde_json::from_value(answer).map_err(|e| rekor_answer(&e.to_string()))?;
    if entry.kind_version != KindVersion::HashedRekordV002 {
        return Err(rekor_answer("the entry is not a hashedrekord 0.0.2"));
    }
    let has_checkpoint = entry
        .inclusion_proof
        .as_ref()
        .is_some_and(|p| p.checkpoint.checkpoint().is_some());
    if !has_checkpoint {
        return Err(rekor_answer("no inclusion proof with a signed checkpoint"));
    }
    Ok(entry)
}
