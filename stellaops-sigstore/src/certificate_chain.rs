//! The certificates an older bundle (v0.1, v0.2) carries after its leaf in
//! `x509CertificateChain`.
//!
//! The bundle specification's client rules say that list must not hold a root CA: trust comes
//! from the trusted root, never from the bundle. Old bundles break the rule harmlessly — npm's
//! v0.1 provenance carries the public-good root itself, and sigstore-go accepts it while
//! sigstore-python warns — so a root that *is* one of the trusted root's CA certificates is a
//! warning here too. A root that is not (a self-signed CA certificate from elsewhere, which no
//! legitimate signer has reason to ship) fails the bundle: nothing about it can be trusted, and
//! a verifier that looked at the bundle's chain for anchors would be fooled by it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use der::asn1::ObjectIdentifier;
use der::Decode;
use serde_json::Value;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::Certificate;

use crate::{Error, Result};

/// id-ce-basicConstraints (RFC 5280).
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// Check the certificates after the leaf of `document`'s `x509CertificateChain` against the
/// trusted root's CA certificates (`trusted`, DER); the warnings for roots that are trusted
/// ones.
///
/// # Errors
/// [`Error::Verification`] for a root CA that is not in the trusted root;
/// [`Error::InvalidBundle`] for a certificate that is not base64 DER.
pub(crate) fn screen(document: &Value, trusted: &[Vec<u8>]) -> Result<Vec<String>> {
    let Some(certificates) =
        document["verificationMaterial"]["x509CertificateChain"]["certificates"].as_array()
    else {
        return Ok(Vec::new());
    };
    let mut warnings = Vec::new();
    for (i, entry) in certificates.iter().enumerate().skip(1) {
        let der = entry["rawBytes"]
            .as_str()
            .and_then(|b64| STANDARD.decode(b64).ok())
            .ok_or_else(|| {
                Error::InvalidBundle(format!("certificate {} of the chain is not base64", i + 1))
            })?;
        let certificate = Certificate::from_der(&der).map_err(|e| {
            Error::InvalidBundle(format!("certificate {} of the chain: {e}", i + 1))
        })?;
        if !is_root_ca(&certificate) {
            continue;
        }
        let subject = certificate.tbs_certificate.subject.to_string();
        if trusted.contains(&der) {
            warnings.push(format!(
                "the bundle's certificate chain includes the trusted root CA {subject} (the \
                 bundle specification forbids it; ignored: trust comes from the trusted root)"
            ));
        } else {
            return Err(Error::Verification(format!(
                "the bundle's certificate chain includes a root CA that is not in the trusted \
                 root ({subject}): a bundle must not carry its own trust anchor"
            )));
        }
    }
    Ok(warnings)
}

/// A CA certificate (basic constraints `cA`) that names itself as its issuer.
fn is_root_ca(certificate: &Certificate) -> bool {
    let tbs = &certificate.tbs_certificate;
    let is_ca = tbs
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == BASIC_CONSTRAINTS)
        .filter_map(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .any(|bc| bc.ca);
    is_ca && tbs.subject == tbs.issuer
}
