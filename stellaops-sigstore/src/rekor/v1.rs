//! Rekor v1: a signed envelope enters the transparency log as a `dsse` 0.0.1 entry, a blob's
//! signature as a `hashedrekord` 0.0.1 entry.
//!
//! `POST /api/v1/log/entries` with the envelope and its verifier — the Fulcio certificate, or
//! the public key of a keyful signature — as PEM (Rekor verifies the signature itself, then
//! records the envelope's and payload's hashes). The answer — the
//! canonicalized entry body, integrated time, log id and index, the inclusion proof with its
//! signed checkpoint, and the signed entry timestamp — becomes the bundle's `tlogEntries[0]`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;
use sigstore_types::{DsseEnvelope, KindVersion, TransparencyLogEntry};

use super::rekor_answer;
use crate::http::Service;
use crate::{Error, Result};

/// Log `envelope` (one signature) with its verifier (`verifier_pem`: a PEM certificate or
/// public key) and return the bundle's log entry.
pub(super) fn log_dsse(
    rekor: &Service,
    envelope: &DsseEnvelope,
    verifier_pem: &str,
) -> Result<TransparencyLogEntry> {
    // Rekor takes the envelope as a JSON string and each verifier as base64 of its PEM; the
    // signatures are read from the envelope ("proposedContent"). Built here rather than with
    // sigstore-rekor's `DsseEntry`, which only takes a certificate.
    let envelope_json =
        serde_json::to_string(envelope).map_err(|e| Error::Signing(e.to_string()))?;
    let entry = json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "proposedContent": {
                "envelope": envelope_json,
                "verifiers": [STANDARD.encode(verifier_pem)],
            }
        }
    });
    post(rekor, &entry, KindVersion::DsseV001)
}

/// Log `signature` over the message whose SHA-256 is `digest`, with its verifier
/// (`verifier_pem`: a PEM certificate or public key), as a `hashedrekord` 0.0.1 entry, and
/// return the bundle's log entry. Rekor verifies the signature over the digest itself.
pub(super) fn log_hashed(
    rekor: &Service,
    digest: &[u8; 32],
    signature: &[u8],
    verifier_pem: &str,
) -> Result<TransparencyLogEntry> {
    let entry = json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": { "hash": { "algorithm": "sha256", "value": hex::encode(digest) } },
            "signature": {
                "content": STANDARD.encode(signature),
                "publicKey": { "content": STANDARD.encode(verifier_pem) },
            }
        }
    });
    post(rekor, &entry, KindVersion::HashedRekordV001)
}

/// Post a proposed entry; Rekor answers with the logged entry, which becomes the bundle's.
fn post(
    rekor: &Service,
    entry: &serde_json::Value,
    kind: KindVersion,
) -> Result<TransparencyLogEntry> {
    let body = serde_json::to_vec(entry).map_err(|e| Error::Signing(e.to_string()))?;
    let answer = rekor.post_json("/api/v1/log/entries", &body)?;
    // The answer maps the entry's UUID to the entry.
    let serde_json::Value::Object(map) = answer else {
        return Err(rekor_answer("not a JSON object"));
    };
    let mut entries = map.into_iter();
    let (Some((_uuid, entry)), None) = (entries.next(), entries.next()) else {
        return Err(rekor_answer("not exactly one entry"));
    };
    let entry: sigstore_rekor::LogEntry =
        serde_json::from_value(entry).map_err(|e| rekor_answer(&e.to_string()))?;
    let verification = entry
        .verification
        .as_ref()
        .ok_or_else(|| rekor_answer("no verification (inclusion proof, signed entry timestamp)"))?;
    if verification.inclusion_proof.is_none() {
        return Err(rekor_answer("no inclusion proof"));
    }
    entry
        .to_bundle_entry(kind)
        .map_err(|e| rekor_answer(&e.to_string()))
}
