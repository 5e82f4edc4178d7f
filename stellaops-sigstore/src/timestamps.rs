//! Which of a bundle's RFC 3161 timestamps count, by sigstore-go's rules (sigstore-python
//! follows them too): a timestamp that no trusted timestamp authority verifies — unknown
//! authority, altered content, a signature over another signature, a time outside the
//! authority's validity — does not count and does not fail the bundle by itself; the bundle
//! still needs enough verified times (its log entry's, or the remaining timestamps). More than
//! [`MAX_TIMESTAMPS`] timestamps, or the same timestamp twice (which would count one authority
//! twice towards a threshold), fail the bundle.
//!
//! sigstore-js and the Rust `sigstore-verify` refuse a bundle with any unverifiable timestamp;
//! we follow sigstore-go here, as its specification-facing verifier, and report each timestamp
//! that did not count with the reason.

use sigstore_verify::tsa::verify_timestamp_for_authority;
use sigstore_verify::types::{Bundle, SignatureBytes, SignatureContent, TsaAuthority};

use crate::{Error, Result};

/// The most timestamps a bundle may carry (sigstore-go's limit, against denial of service).
pub const MAX_TIMESTAMPS: usize = 32;

/// Remove from `bundle` the timestamps no authority in `authorities` verifies, and say why
/// each did not count (numbered from 1, in the bundle's order).
///
/// # Errors
/// [`Error::Verification`] for more than [`MAX_TIMESTAMPS`] timestamps or a duplicate one.
pub(crate) fn screen(bundle: &mut Bundle, authorities: &[TsaAuthority]) -> Result<Vec<String>> {
    let stamps = &bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps;
    if stamps.is_empty() {
        return Ok(Vec::new());
    }
    if stamps.len() > MAX_TIMESTAMPS {
        return Err(Error::Verification(format!(
            "the bundle carries {} RFC 3161 timestamps, more than the {MAX_TIMESTAMPS} a verifier \
             accepts",
            stamps.len()
        )));
    }
    for (i, a) in stamps.iter().enumerate() {
        if stamps[i + 1..]
            .iter()
            .any(|b| b.signed_timestamp.as_bytes() == a.signed_timestamp.as_bytes())
        {
            return Err(Error::Verification(format!(
                "RFC 3161 timestamp {} appears twice: one authority cannot count twice",
                i + 1
            )));
        }
    }
    let Some(signature) = signature_of(&bundle.content) else {
        // A content kind this verifier does not know: it refuses the bundle itself.
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    let stamps = std::mem::take(
        &mut bundle
            .verification_material
            .timestamp_verification_data
            .rfc3161_timestamps,
    );
    for (i, stamp) in stamps.into_iter().enumerate() {
        match verified_by_any(&stamp.signed_timestamp, &signature, authorities) {
            Ok(()) => kept.push(stamp),
            Err(reason) => dropped.push(format!("timestamp {}: {reason}", i + 1)),
        }
    }
    bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps = kept;
    Ok(dropped)
}

/// Take the line breaks and spaces out of each timestamp's base64 (`signedTimestamp`), as
/// MIME-style encoders wrap it every 76 characters and sigstore-python's decoder accepts it;
/// true when one changed. Anything else that is not base64 is still refused when the bundle is
/// read.
pub(crate) fn unwrap_base64(document: &mut serde_json::Value) -> bool {
    // `get_mut` all the way: indexing a hostile document of the wrong shape would panic.
    let Some(stamps) = document
        .get_mut("verificationMaterial")
        .and_then(|m| m.get_mut("timestampVerificationData"))
        .and_then(|t| t.get_mut("rfc3161Timestamps"))
        .and_then(serde_json::Value::as_array_mut)
    else {
        return false;
    };
    let mut changed = false;
    for value in stamps
        .iter_mut()
        .filter_map(|s| s.get_mut("signedTimestamp"))
    {
        let Some(text) = value.as_str() else { continue };
        if text.contains([' ', '\t', '\r', '\n']) {
            let compact: String = text
                .chars()
                .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
                .collect();
            *value = serde_json::Value::String(compact);
            changed = true;
        }
    }
    changed
}

/// The signature the timestamps are over: the message signature, or the DSSE envelope's.
fn signature_of(content: &SignatureContent) -> Option<SignatureBytes> {
    match content {
        SignatureContent::MessageSignature(m) => Some(m.signature.clone()),
        SignatureContent::DsseEnvelope(e) => Some(e.signature.sig.clone()),
        _ => None,
    }
}

/// Ok when one authority verifies `stamp` over `signature` at a time within its validity;
/// otherwise the last reason.
fn verified_by_any(
    stamp: &sigstore_verify::types::TimestampToken,
    signature: &SignatureBytes,
    authorities: &[TsaAuthority],
) -> std::result::Result<(), String> {
    let mut reason = String::from("the trusted root names no timestamp authority");
    for authority in authorities {
        match verify_timestamp_for_authority(stamp, signature, authority) {
            Ok(_) => return Ok(()),
            Err(e) => reason = e.to_string(),
        }
    }
    Err(reason)
}
