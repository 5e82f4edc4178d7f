//! What an attestation says about itself, for people investigating it: a DSSE envelope or a
//! Sigstore bundle (v0.1–v0.3) read without trusting it, then checked against the keys given.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use der::Decode as _;
use serde::Serialize;
use serde_json::Value;
use stellaops_crypto::VerifyingKey;
use stellaops_dsse::canon::{self, Limits};
use stellaops_dsse::{Envelope, EnvelopeLimits, VerificationPolicy};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

use crate::verify::statement_of;
use crate::{Error, Result};

/// Fulcio's OIDC issuer extension (v2, a DER UTF8String).
const FULCIO_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
/// Fulcio's OIDC issuer extension (v1, the raw string).
const FULCIO_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";

/// One subject of the statement.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectFacts {
    /// Its name.
    pub name: String,
    /// Its digest set.
    pub digest: std::collections::BTreeMap<String, String>,
}

/// One signature of the envelope.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureFacts {
    /// The key id hint, as written (often empty in Sigstore bundles).
    pub keyid: String,
    /// Which trusted key verified it (`key <key id>`), or `null` when none given did.
    pub verified_by: Option<String>,
    /// The algorithm of the key that verified it (a trusted key, else the embedded certificate's
    /// key).
    pub algorithm: Option<String>,
    /// Whether it verifies under the key of the certificate the bundle carries: consistency
    /// only, never trust (anyone can make a certificate); `null` without a certificate.
    pub matches_embedded_certificate: Option<bool>,
}

/// The signing certificate of a keyless bundle.
#[derive(Clone, Debug, Serialize)]
pub struct CertificateFacts {
    /// The identities in the subject alternative name (emails, URIs).
    pub identities: Vec<String>,
    /// The OIDC issuer Fulcio recorded.
    pub issuer: Option<String>,
    /// Validity start (RFC 3339).
    pub not_before: String,
    /// Validity end (RFC 3339).
    pub not_after: String,
}

/// One transparency-log entry of a bundle.
#[derive(Clone, Debug, Serialize)]
pub struct TlogFacts {
    /// The log index.
    pub log_index: String,
    /// When the log integrated the entry (Unix seconds).
    pub integrated_time: String,
    /// The entry kind and version (`dsse 0.0.1`, `intoto 0.0.2`, `hashedrekord 0.0.1`).
    pub kind: String,
    /// Whether the entry carries an inclusion proof (as opposed to only a promise).
    pub inclusion_proof: bool,
}

/// Everything [`inspect_attestation`] found.
#[derive(Clone, Debug, Serialize)]
pub struct AttestationFacts {
    /// `dsse` for a bare envelope, else the bundle's media type.
    pub container: String,
    /// The envelope's payload type.
    pub payload_type: String,
    /// The statement's predicate type, when the payload is an in-toto statement.
    pub predicate_type: Option<String>,
    /// The statement's subjects.
    pub subjects: Vec<SubjectFacts>,
    /// Each signature.
    pub signatures: Vec<SignatureFacts>,
    /// The signing certificate, if the bundle has one.
    pub certificate: Option<CertificateFacts>,
    /// A public-key hint, if the bundle names its key that way.
    pub public_key_hint: Option<String>,
    /// The transparency-log entries.
    pub tlog_entries: Vec<TlogFacts>,
    /// True when at least one signature verified under a trusted key given by the caller.
    /// Nothing else (a bundle's own certificate, its log entries) makes this true.
    pub verified: bool,
    /// What was checked, in words.
    pub checked: Vec<String>,
    /// What was not checked, in words: for a verdict on those, verify the bundle against a
    /// trusted root (`stella verify --bundle --trusted-root`).
    pub not_checked: Vec<String>,
}

/// Read an envelope or a Sigstore bundle and report what it claims; check its signatures against
/// `trusted` keys, and whether they match the key of the certificate the bundle carries. Only a
/// trusted key makes a signature verified: the bundle's own certificate proves nothing by itself
/// (a forger makes one in a second), and certificate chains, SCTs and log proofs need the trust
/// roots of offline verification. [`AttestationFacts::checked`] and
/// [`AttestationFacts::not_checked`] say which is which.
///
/// # Errors
/// Malformed JSON, envelope, statement or certificate; a bundle without a DSSE envelope.
pub fn inspect_attestation(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<AttestationFacts> {
    let limits = EnvelopeLimits::default();
    let doc = canon::parse(
        bytes,
        &Limits {
            max_bytes: limits.max_payload_bytes.saturating_mul(2),
            max_depth: limits.max_depth,
        },
    )?
    .to_serde();
    let media_type = doc.get("mediaType").and_then(Value::as_str);
    let (container, envelope_value) = match media_type {
        Some(m) if m.starts_with("application/vnd.dev.sigstore.bundle") => {
            let envelope = doc.get("dsseEnvelope").ok_or_else(|| {
                Error::InvalidRequest(
                    "the bundle holds a message signature, not a DSSE envelope".into(),
                )
            })?;
            (m.to_owned(), envelope.clone())
        }
        _ => ("dsse".to_owned(), doc.clone()),
    };
    let envelope_json =
        serde_json::to_vec(&envelope_value).map_err(|e| Error::InvalidRequest(e.to_string()))?;
    let envelope = Envelope::from_json(&envelope_json, &limits)?;
    let statement = statement_of(&envelope, &limits)?;
    let material = &doc["verificationMaterial"];
    let certificate_der = material["certificate"]["rawBytes"]
        .as_str()
        .or_else(|| material["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str())
        .map(|b64| STANDARD.decode(b64))
        .transpose()
        .map_err(|e| Error::InvalidRequest(format!("certificate: {e}")))?;
    let certificate = certificate_der
        .as_deref()
        .map(certificate_facts)
        .transpose()?;

    let mut signatures: Vec<SignatureFacts> = envelope
        .signatures()
        .iter()
        .map(|s| SignatureFacts {
            keyid: s.keyid().to_owned(),
            verified_by: None,
            algorithm: None,
            matches_embedded_certificate: certificate_der.as_ref().map(|_| false),
        })
        .collect();
    let mut checked = Vec::new();
    let mut not_checked = Vec::new();
    if trusted.is_empty() {
        not_checked.push("signatures against a trusted key (none given)".to_owned());
    } else {
        let policy = VerificationPolicy::new(trusted.to_vec(), 1, None)?;
        if let Ok(verified) = envelope.verify(&policy) {
            for k in verified.keys() {
                if let Some(s) = signatures.get_mut(k.signature_index) {
                    s.verified_by = Some(format!("key {}", k.key_id));
                    s.algorithm = Some(k.algorithm.name().to_owned());
                }
            }
        }
        checked.push(format!(
            "signatures against the {} key(s) given",
            trusted.len()
        ));
    }
    let certificate_key = certificate_der
        .as_deref()
        .map(|der| VerifyingKey::from_bytes(der).ok());
    if let Some(None) = certificate_key {
        not_checked.push(
            "signatures against the embedded certificate's key (a key type we do not read)"
                .to_owned(),
        );
    }
    if let Some(Some(key)) = certificate_key {
        let policy = VerificationPolicy::new([key], 1, None)?;
        if let Ok(verified) = envelope.verify(&policy) {
            for k in verified.keys() {
                if let Some(s) = signatures.get_mut(k.signature_index) {
                    s.matches_embedded_certificate = Some(true);
                    s.algorithm
                        .get_or_insert_with(|| k.algorithm.name().to_owned());
                }
            }
        }
        checked.push(
            "signatures against the embedded certificate's key (consistency, not trust)".to_owned(),
        );
    }
    if certificate_der.is_some() {
        not_checked.push("the certificate chain to a trusted Fulcio root".to_owned());
        not_checked.push("the certificate's SCT".to_owned());
        not_checked.push("the identity and issuer in the certificate".to_owned());
    }
    if material["tlogEntries"]
        .as_array()
        .is_some_and(|e| !e.is_empty())
    {
        not_checked
            .push("transparency-log entries (inclusion proofs, checkpoints, SETs)".to_owned());
    }
    let tlog_entries = material["tlogEntries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| TlogFacts {
            log_index: json_text(&e["logIndex"]),
            integrated_time: json_text(&e["integratedTime"]),
            kind: format!(
                "{} {}",
                e["kindVersion"]["kind"].as_str().unwrap_or("?"),
                e["kindVersion"]["version"].as_str().unwrap_or("?")
            ),
            inclusion_proof: e.get("inclusionProof").is_some(),
        })
        .collect();
    Ok(AttestationFacts {
        container,
        payload_type: envelope.payload_type().to_owned(),
        predicate_type: statement.as_ref().map(|s| s.predicate_type().to_owned()),
        subjects: statement
            .as_ref()
            .map(|s| {
                s.subjects()
                    .iter()
                    .map(|x| SubjectFacts {
                        name: x.name().to_owned(),
                        digest: x.digest().clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        verified: signatures.iter().any(|s| s.verified_by.is_some()),
        checked,
        not_checked,
        signatures,
        certificate,
        public_key_hint: material["publicKey"]["hint"].as_str().map(str::to_owned),
        tlog_entries,
    })
}

/// A number or string field as text (bundles write int64 values as strings).
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn certificate_facts(der: &[u8]) -> Result<CertificateFacts> {
    let bad = |e: der::Error| Error::InvalidRequest(format!("certificate: {e}"));
    let cert = Certificate::from_der(der).map_err(bad)?;
    let tbs = &cert.tbs_certificate;
    let mut identities = Vec::new();
    let mut issuer = None;
    for ext in tbs.extensions.iter().flatten() {
        let value = ext.extn_value.as_bytes();
        match ext.extn_id.to_string().as_str() {
            "2.5.29.17" => {
                for name in SubjectAltName::from_der(value).map_err(bad)?.0 {
                    match name {
                        GeneralName::Rfc822Name(s) => identities.push(s.to_string()),
                        GeneralName::UniformResourceIdentifier(s) => identities.push(s.to_string()),
                        GeneralName::DnsName(s) => identities.push(s.to_string()),
                        GeneralName::OtherName(o) => {
                            // Fulcio's username SAN: a UTF8String inside the other-name.
                            if let Ok(s) = o.value.decode_as::<der::asn1::Utf8StringRef<'_>>() {
                                identities.push(s.as_str().to_owned());
                            }
                        }
                        _ => {}
                    }
                }
            }
            FULCIO_ISSUER_V2 => {
                issuer = der::asn1::Utf8StringRef::from_der(value)
                    .ok()
                    .map(|s| s.as_str().to_owned());
            }
            FULCIO_ISSUER_V1 if issuer.is_none() => {
                issuer = std::str::from_utf8(value).ok().map(str::to_owned);
            }
            _ => {}
        }
    }
    Ok(CertificateFacts {
        identities,
        issuer,
        not_before: tbs.validity.not_before.to_string(),
        not_after: tbs.validity.not_after.to_string(),
    })
}

/// The facts as the faces' JSON (the CLI's `forensic attest show --json`): the fields of
/// [`AttestationFacts`] by their Rust names.
pub fn facts_json(facts: &AttestationFacts) -> Vec<u8> {
    // Plain strings, booleans and numbers: serialization cannot fail.
    serde_json::to_vec(facts).unwrap_or_default()
}
