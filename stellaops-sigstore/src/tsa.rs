//! RFC 3161 timestamps: a timestamp authority (TSA) countersigns the SHA-256 of a bundle's
//! signature, and its answer goes into the bundle's `timestampVerificationData` (the
//! `signedTimestamp` is the whole DER `TimeStampResp`, as the bundle specification and
//! sigstore-go, sigstore-python and sigstore-js read it), where verifiers take its time as a
//! verified signing time beside or instead of a log's integrated time.
//!
//! The request asks for the TSA's certificates (`certReq`) and carries a fresh nonce; the token
//! is checked where every bundle is, against the trusted root's timestamp authorities, when the
//! signer has a trusted root (the imprint binds it to this signature, so an old token cannot be
//! replayed onto it).

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode, Reader, Sequence, SliceReader, Tag, Tagged};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use sigstore_types::TimestampToken;

use crate::http::Service;
use crate::rekor::RekorVersion;
use crate::{Error, Result};

/// A timestamp authority to ask for each bundle's timestamp: its full request URL (for
/// sigstore/timestamp-authority, `…/api/v1/timestamp`).
#[derive(Debug, Clone)]
pub(crate) struct Timestamper(Service);

impl Timestamper {
    /// The timestamp authority at `url` (`https://`, or `http://` to a loopback host) when one
    /// is given; refused when the log is Rekor v2 and none is, since its entries carry no
    /// signing time.
    pub(crate) fn for_log(
        log: RekorVersion,
        url: Option<&str>,
        timeout: std::time::Duration,
        retries: u32,
    ) -> Result<Option<Self>> {
        crate::rekor::check_timestamped(log, url)?;
        url.map(|url| Service::new("timestamp authority", url, timeout, retries).map(Timestamper))
            .transpose()
    }

    /// Ask the authority to timestamp `signature` (the raw signature bytes the bundle
    /// carries): its `TimeStampResp` (DER), checked to be granted and to carry a token.
    ///
    /// # Errors
    /// [`Error::Unreachable`] / [`Error::Service`] when the authority does not answer or
    /// refuses, also when its answer is not a granted `TimeStampResp` carrying a token.
    pub(crate) fn stamp(&self, signature: &[u8]) -> Result<TimestampToken> {
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        nonce[0] &= 0x7f;
        nonce[0] |= 0x01; // positive and minimal: the first byte is neither 0 nor over 0x7f
        let body = request(signature, &nonce)?;
        let answer = self.0.post(
            "",
            &body,
            "application/timestamp-query",
            "application/timestamp-reply",
        )?;
        check_response(&answer).map_err(|message| Error::Service {
            service: "timestamp authority",
            message,
        })?;
        Ok(TimestampToken::new(answer))
    }
}

/// CMS `id-signedData` (1.2.840.113549.1.7.2).
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

/// `id-ct-TSTInfo` (1.2.840.113549.1.9.16.1.4).
const TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// The signature algorithms a token's signer info may name for its digest algorithm, as
/// (digest OID, signature OID, parameters are NULL): ECDSA with the same SHA-2 (no
/// parameters), RSA PKCS#1 v1.5 with it or as `rsaEncryption` (NULL parameters), Ed25519.
const SIGNATURE_ALGORITHMS: &[(&str, &str, bool)] = &[
    ("2.16.840.1.101.3.4.2.1", "1.2.840.10045.4.3.2", false),
    ("2.16.840.1.101.3.4.2.2", "1.2.840.10045.4.3.3", false),
    ("2.16.840.1.101.3.4.2.3", "1.2.840.10045.4.3.4", false),
    ("2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.11", true),
    ("2.16.840.1.101.3.4.2.2", "1.2.840.113549.1.1.12", true),
    ("2.16.840.1.101.3.4.2.3", "1.2.840.113549.1.1.13", true),
    ("2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.1", true),
    ("2.16.840.1.101.3.4.2.2", "1.2.840.113549.1.1.1", true),
    ("2.16.840.1.101.3.4.2.3", "1.2.840.113549.1.1.1", true),
    ("2.16.840.1.101.3.4.2.3", "1.3.101.112", false),
];

/// SHA-256 (NIST, 2.16.840.1.101.3.4.2.1).
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// `AlgorithmIdentifier` with absent parameters.
#[derive(Sequence)]
struct Algorithm {
    algorithm: ObjectIdentifier,
}

/// `MessageImprint`.
#[derive(Sequence)]
struct MessageImprint<'a> {
    hash_algorithm: Algorithm,
    hashed_message: OctetStringRef<'a>,
}

/// `TimeStampReq` (RFC 3161 §2.4.1), version 1, no policy, no extensions.
#[derive(Sequence)]
struct TimeStampReq<'a> {
    version: u8,
    message_imprint: MessageImprint<'a>,
    nonce: UintRef<'a>,
    cert_req: bool,
}

/// The DER request for `signature`'s timestamp.
fn request(signature: &[u8], nonce: &[u8]) -> Result<Vec<u8>> {
    let digest = Sha256::digest(signature);
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: Algorithm { algorithm: SHA256 },
            hashed_message: OctetStringRef::new(&digest).map_err(der_error)?,
        },
        nonce: UintRef::new(nonce).map_err(der_error)?,
        cert_req: true,
    };
    req.to_der().map_err(der_error)
}

/// That `answer` is a `TimeStampResp` (RFC 3161 §2.4.2), nothing after it, whose status is
/// granted (0) or granted with modifications (1) and which carries a token (a SEQUENCE, the
/// CMS `ContentInfo`).
fn check_response(answer: &[u8]) -> std::result::Result<(), String> {
    let bad = |e: der::Error| format!("the answer is not an RFC 3161 TimeStampResp: {e}");
    let mut reader = SliceReader::new(answer).map_err(bad)?;
    let (status, token) = reader
        .sequence(|seq| {
            let status_info = AnyRef::decode(seq)?;
            let token = if seq.is_finished() {
                None
            } else {
                Some(AnyRef::decode(seq)?)
            };
            Ok((status_info, token))
        })
        .map_err(bad)?;
    reader.finish(()).map_err(bad)?;
    if status.tag() != Tag::Sequence {
        return Err(String::from(
            "the answer is not an RFC 3161 TimeStampResp: PKIStatusInfo is not a SEQUENCE",
        ));
    }
    let code = SliceReader::new(status.value())
        .and_then(|mut r| u8::decode(&mut r))
        .map_err(bad)?;
    if code > 1 {
        return Err(format!(
            "the timestamp authority refused the request (PKIStatus {code})"
        ));
    }
    let token = token.ok_or_else(|| {
        String::from("the timestamp authority granted the request but sent no token")
    })?;
    if token.tag() != Tag::Sequence {
        return Err(String::from("the timestamp token is not a CMS ContentInfo"));
    }
    Ok(())
}

/// Check that an RFC 3161 `TimeStampResp` (DER, already verified against `trusted`'s
/// authority) is in the one form a signer that asked for it would keep, in the parts CMS leaves
/// outside the signature: status granted (0) with no text, a `SignedData` of version 3 whose
/// digest algorithms are exactly its one signer's, certificates (if any) among `trusted`
/// (DER), no CRLs, a signer identified by the trusted leaf's issuer and serial, no unsigned
/// attributes, and DER with nothing after it. A verifier anchored on the trusted root reads
/// none of these, so without this check they could change and the token still verify; an
/// Offline Kit must refuse any changed byte.
///
/// # Errors
/// A description of the first part that is not so.
pub fn check_strict_token(response: &[u8], trusted: &[Vec<u8>]) -> std::result::Result<(), String> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::{SignedData, SignerIdentifier};
    let der = |e: der::Error| format!("not DER: {e}");
    let resp = AnyRef::from_der(response).map_err(der)?;
    let mut outer = SliceReader::new(resp.value()).map_err(der)?;
    let status = AnyRef::decode(&mut outer).map_err(der)?;
    if status.value() != [0x02, 0x01, 0x00] {
        return Err(String::from("its status is not a bare \"granted\" (0)"));
    }
    let token = AnyRef::decode(&mut outer).map_err(der)?;
    if !outer.is_finished() {
        return Err(String::from("something follows its token"));
    }
    let token_der = token.to_der().map_err(der)?;
    let content_info = ContentInfo::from_der(&token_der).map_err(der)?;
    let signed_der = content_info.content.to_der().map_err(der)?;
    if SignedData::from_der(&signed_der)
        .and_then(|sd| sd.to_der())
        .map_err(der)?
        != signed_der
    {
        return Err(String::from(
            "its token is not DER (encoded another way than its content)",
        ));
    }
    if content_info.content_type != SIGNED_DATA {
        return Err(String::from("its token is not CMS SignedData"));
    }
    let signed = content_info
        .content
        .decode_as::<SignedData>()
        .map_err(der)?;
    if signed.version != cms::content_info::CmsVersion::V3 {
        return Err(String::from("its SignedData is not version 3"));
    }
    let signers: Vec<_> = signed.signer_infos.0.iter().collect();
    let [signer] = signers.as_slice() else {
        return Err(String::from("it has more or fewer than one signer"));
    };
    let algorithms: Vec<_> = signed.digest_algorithms.iter().collect();
    if algorithms.as_slice() != [&signer.digest_alg] {
        return Err(String::from(
            "its digest algorithms are not exactly its signer's",
        ));
    }
    if signed.encap_content_info.econtent_type != TST_INFO
        || signed.encap_content_info.econtent.as_ref().map(|c| c.tag()) != Some(Tag::OctetString)
    {
        return Err(String::from(
            "its content is not a TSTInfo in an OCTET STRING",
        ));
    }
    if signer.version != cms::content_info::CmsVersion::V1 {
        return Err(String::from("its signer info is not version 1"));
    }
    let signature = (
        signer.signature_algorithm.oid.to_string(),
        signer
            .signature_algorithm
            .parameters
            .as_ref()
            .map(|p| p.to_der()),
    );
    let digest = signer.digest_alg.oid.to_string();
    let allowed = SIGNATURE_ALGORITHMS.iter().any(|(d, oid, null)| {
        *d == digest && *oid == signature.0 && (signature.1.is_some() == *null)
    });
    if !allowed
        || signature
            .1
            .as_ref()
            .is_some_and(|p| !matches!(p, Ok(der) if der == &[0x05, 0x00]))
    {
        return Err(String::from(
            "its signature algorithm does not go with its digest algorithm",
        ));
    }
    if signed.crls.is_some() || signer.unsigned_attrs.is_some() {
        return Err(String::from("it carries CRLs or unsigned attributes"));
    }
    let mut certificates = Vec::new();
    for choice in signed.certificates.iter().flat_map(|set| set.0.iter()) {
        let encoded = choice.to_der().map_err(der)?;
        if !trusted.contains(&encoded) {
            return Err(String::from(
                "it carries a certificate that is not its trusted authority's",
            ));
        }
        certificates.push(encoded);
    }
    let SignerIdentifier::IssuerAndSerialNumber(id) = &signer.sid else {
        return Err(String::from("its signer is not named by issuer and serial"));
    };
    let named = trusted.iter().any(|c| {
        x509_cert::Certificate::from_der(c).is_ok_and(|c| {
            c.tbs_certificate.issuer == id.issuer
                && c.tbs_certificate.serial_number == id.serial_number
        })
    });
    if !named {
        return Err(String::from(
            "its signer is not named as the trusted authority's certificate",
        ));
    }
    Ok(())
}

fn der_error(e: der::Error) -> Error {
    Error::Signing(format!("encoding the timestamp request: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_the_rfc_3161_structure() {
        let der = request(b"signature", &[0x11; 16]).unwrap();
        // SEQUENCE { INTEGER 1, SEQUENCE { SEQUENCE { OID sha256 }, OCTET STRING(32) },
        //            INTEGER nonce, BOOLEAN TRUE }
        assert_eq!(der[0], 0x30);
        assert_eq!(&der[2..5], &[0x02, 0x01, 0x01]);
        let digest = Sha256::digest(b"signature");
        assert!(der.windows(32).any(|w| w == digest.as_slice()));
        assert_eq!(&der[der.len() - 3..], &[0x01, 0x01, 0xff]);
    }

    #[test]
    fn answers_that_are_not_granted_tokens_are_refused_with_the_reason() {
        // status 2 (rejection), no token
        let rejected = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02];
        assert!(check_response(&rejected)
            .unwrap_err()
            .contains("PKIStatus 2"));
        // granted, no token
        let empty = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert!(check_response(&empty).unwrap_err().contains("no token"));
        // granted, with a token that is a SEQUENCE
        let granted = [
            0x30, 0x09, 0x30, 0x03, 0x02, 0x01, 0x00, 0x30, 0x02, 0x05, 0x00,
        ];
        check_response(&granted).unwrap();
        // granted, with a token that is not
        let odd = [0x30, 0x07, 0x30, 0x03, 0x02, 0x01, 0x00, 0x05, 0x00];
        assert!(check_response(&odd).unwrap_err().contains("ContentInfo"));
        // trailing garbage, truncation, not DER at all
        for bad in [
            &[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00, 0xff][..],
            &granted[..6],
            b"<html>",
        ] {
            assert!(check_response(bad).unwrap_err().contains("not an RFC 3161"));
        }
    }
}
