//! Fulcio: a short-lived code-signing certificate for an ephemeral key and an OIDC identity.
//!
//! `POST /api/v2/signingCert` with the identity token and a public-key request whose proof of
//! possession is the key's signature over the identity the token names (Fulcio's challenge for
//! email and subject identities alike). The answer is the chain, leaf first, with the CT log's
//! SCT embedded in the leaf (or, from a Fulcio without a CT log, detached or absent).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use der::{Decode, Encode};
use stellaops_crypto::SigningKey;
use x509_cert::Certificate;

use crate::http::Service;
use crate::token::IdentityToken;
use crate::{Error, Result};

/// The X.509 extension carrying embedded SCTs (RFC 6962 section 3.3).
const SCT_LIST_OID: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");

/// Ask Fulcio to certify `key` for `token`'s identity. Returns the chain, DER, leaf first.
///
/// Checks of the answer: a chain of at least the leaf, every certificate parses, the leaf
/// certifies `key` (not some other key), and with `require_sct` the leaf carries an embedded
/// SCT (the only kind a Sigstore bundle can hold).
pub(crate) fn request_certificate(
    fulcio: &Service,
    token: &IdentityToken,
    key: &dyn SigningKey,
    require_sct: bool,
) -> Result<Vec<Vec<u8>>> {
    let public_key_pem = key
        .public_key()
        .to_spki_pem()
        .map_err(|e| Error::Signing(format!("ephemeral key: {e}")))?;
    let proof = key
        .try_sign(token.identity().as_bytes())
        .map_err(|e| Error::Signing(format!("proof of possession: {e}")))?;
    let request = serde_json::json!({
        "credentials": { "oidcIdentityToken": token.expose() },
        "publicKeyRequest": {
            "publicKey": { "algorithm": "ECDSA", "content": public_key_pem },
            "proofOfPossession": STANDARD.encode(proof),
        },
    });
    let body = serde_json::to_vec(&request).map_err(|e| Error::Signing(e.to_string()))?;
    let answer = fulcio.post_json("/api/v2/signingCert", &body)?;

    let (chain, detached_sct) = if let Some(embedded) = answer.get("signedCertificateEmbeddedSct") {
        (&embedded["chain"]["certificates"], false)
    } else if let Some(detached) = answer.get("signedCertificateDetachedSct") {
        (&detached["chain"]["certificates"], true)
    } else {
        return Err(fulcio_answer(
            "neither signedCertificateEmbeddedSct nor signedCertificateDetachedSct",
        ));
    };
    let pems = chain
        .as_array()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| fulcio_answer("no certificate chain"))?;
    let mut ders = Vec::with_capacity(pems.len());
    for pem in pems {
        let pem = pem
            .as_str()
            .ok_or_else(|| fulcio_answer("a certificate is not a PEM string"))?;
        let (label, der) = der::pem::decode_vec(pem.as_bytes())
            .map_err(|e| fulcio_answer(&format!("a certificate is not PEM: {e}")))?;
        if label != "CERTIFICATE" {
            return Err(fulcio_answer(&format!(
                "PEM label {label}, not CERTIFICATE"
            )));
        }
        ders.push(der);
    }
    let leaf = Certificate::from_der(&ders[0])
        .map_err(|e| fulcio_answer(&format!("leaf certificate: {e}")))?;
    let leaf_spki = leaf
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| fulcio_answer(&format!("leaf certificate: {e}")))?;
    if leaf_spki != key.public_key().to_spki_der() {
        return Err(fulcio_answer(
            "the certificate is for another key than the one sent",
        ));
    }
    for (i, der) in ders.iter().enumerate().skip(1) {
        Certificate::from_der(der)
            .map_err(|e| fulcio_answer(&format!("chain certificate {i}: {e}")))?;
    }
    if require_sct {
        let embedded = leaf
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .any(|ext| ext.extn_id == SCT_LIST_OID);
        if !embedded {
            return Err(Error::Service {
                service: "Fulcio",
                message: if detached_sct {
                    "the certificate's SCT is detached; a bundle carries only embedded SCTs (or set require_sct = false)".to_owned()
                } else {
                    "the certificate has no SCT (Fulcio without a CT log?); set require_sct = false to accept it".to_owned()
                },
            });
        }
    }
    Ok(ders)
}

fn fulcio_answer(what: &str) -> Error {
    Error::Service {
        service: "Fulcio",
        message: format!("unusable answer: {what}"),
    }
}
