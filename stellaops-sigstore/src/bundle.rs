//! What signing into Sigstore produces — one DSSE envelope, or one blob's signature, in a bundle
//! v0.3 — and the pieces the keyless and keyful signers share: the envelope's Sigstore form, the
//! canonical bundle bytes, and the offline check before a bundle is handed out.

use sigstore_types::{
    Bundle, DsseEnvelope, DsseSignature, KeyId as SigstoreKeyId, PayloadBytes, SignatureBytes,
};
use stellaops_dsse::canon::{canonicalize, Limits, Mode};
use stellaops_dsse::Envelope;

use crate::{
    verify_bundle_with, BundleArtifact, Error, Result, Signer, TrustedRoot, VerifyOptions,
};

/// The media type of the bundles this crate writes.
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// The one DSSE payload type Sigstore bundles carry.
const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A signed DSSE envelope in its Sigstore bundle.
#[derive(Clone, Debug)]
pub struct SignedBundle {
    /// The bundle v0.3, canonical JSON (RFC 8785).
    pub json: Vec<u8>,
    /// The DSSE envelope inside it (one signature, empty key id).
    pub envelope: Envelope,
    /// Keyless: Fulcio's chain for the ephemeral key, DER, leaf first. Keyful: empty.
    pub certificate_chain: Vec<Vec<u8>>,
    /// The id of the key that signed (keyless: the ephemeral key, as its certificate names it).
    pub key_id: String,
    /// The signature algorithm.
    pub algorithm: stellaops_crypto::Algorithm,
}

/// A blob's signature in its Sigstore bundle (`cosign sign-blob`'s kind: a message signature
/// with the blob's SHA-256, logged as a `hashedrekord`).
#[derive(Clone, Debug)]
pub struct SignedMessage {
    /// The bundle v0.3, canonical JSON (RFC 8785).
    pub json: Vec<u8>,
    /// The blob's SHA-256 digest, as the bundle names it.
    pub digest: [u8; 32],
    /// The signature over the blob.
    pub signature: Vec<u8>,
    /// Keyless: Fulcio's chain for the ephemeral key, DER, leaf first. Keyful: empty.
    pub certificate_chain: Vec<Vec<u8>>,
    /// The id of the key that signed.
    pub key_id: String,
    /// The signature algorithm.
    pub algorithm: stellaops_crypto::Algorithm,
}

/// The largest blob [`BundleSigner::sign_message`] takes: the keys sign the message itself
/// (a KMS, an HSM and the software keys hash it their own way), so it is held in memory once.
/// Larger artifacts are attested instead (`attest-blob`: the statement names their digest,
/// computed by streaming).
pub const MAX_BLOB_BYTES: u64 = 1 << 30;

/// Signs a payload into a Sigstore bundle: [`KeylessSigner`](crate::KeylessSigner) (Fulcio
/// certificate) or [`KeyfulSigner`](crate::KeyfulSigner) (a key of ours, public-key hint).
pub trait BundleSigner: std::fmt::Debug {
    /// Sign `blob` itself into a bundle with a message signature (`cosign sign-blob`'s kind):
    /// the signature over the blob, its SHA-256, the log entry (a `hashedrekord`) and, with a
    /// timestamp authority configured, an RFC 3161 timestamp of the signature.
    ///
    /// # Errors
    /// [`Error::Payload`] for a blob over [`MAX_BLOB_BYTES`]; [`Error::Config`] for a key whose
    /// signature the log cannot check over a digest (ECDSA P-256, or RSA PKCS#1 v1.5 with Rekor
    /// v1); as [`BundleSigner::sign`] otherwise.
    fn sign_message(&self, blob: &[u8]) -> Result<SignedMessage>;

    /// Sign `payload` (an in-toto statement) as `payload_type`
    /// (`application/vnd.in-toto+json`), log the signature in Rekor, and return the bundle.
    ///
    /// # Errors
    /// [`Error::Payload`] for another payload type (no Sigstore verifier accepts one); as the
    /// implementation says: service, token, signing and verification errors.
    fn sign(&self, payload_type: &str, payload: &[u8]) -> Result<SignedBundle>;
}

/// Refuse what no Sigstore verifier accepts, before anything is signed or sent: every one
/// (cosign, sigstore-python, sigstore-js, sigstore-go, sigstore-verify) binds a DSSE bundle to
/// its artifact through an in-toto statement's subjects and refuses any other payload type.
pub(crate) fn check_payload_type(payload_type: &str) -> Result<()> {
    if payload_type == IN_TOTO_PAYLOAD_TYPE {
        return Ok(());
    }
    Err(Error::Payload(format!(
        "a Sigstore bundle carries an in-toto statement ({IN_TOTO_PAYLOAD_TYPE}), not \
         {payload_type:?}: no Sigstore verifier accepts another payload type; sign it into a \
         plain DSSE envelope instead"
    )))
}

/// An unsigned envelope signed by `sign`, with the empty key id every Sigstore client writes:
/// go-securesystemslib (under cosign and sigstore-go) skips a signature whose key id differs
/// from the one it derives for the verifying key (an SSH fingerprint), so ours (hex SHA-256 of
/// the SPKI) would make cosign find no signature at all.
pub(crate) fn sign_envelope(
    payload_type: &str,
    payload: &[u8],
    sign: impl FnOnce(&[u8]) -> stellaops_crypto::Result<Vec<u8>>,
) -> Result<Envelope> {
    let mut envelope = Envelope::unsigned(payload_type, payload);
    let sig = sign(envelope.pae()).map_err(|e| Error::Signing(e.to_string()))?;
    envelope.push_signature(stellaops_dsse::Signature::new("", sig));
    Ok(envelope)
}

/// The envelope (one signature) in the Sigstore types.
pub(crate) fn sigstore_envelope(envelope: &Envelope) -> DsseEnvelope {
    let signature = &envelope.signatures()[0];
    DsseEnvelope::new(
        envelope.payload_type(),
        PayloadBytes::new(envelope.payload().to_vec()),
        DsseSignature::new(
            SignatureBytes::new(signature.sig().to_vec()),
            SigstoreKeyId::new(signature.keyid()),
        ),
    )
}

/// Refuse a blob over [`MAX_BLOB_BYTES`] before anything is signed or sent.
pub(crate) fn check_blob(blob: &[u8]) -> Result<()> {
    if u64::try_from(blob.len()).map_or(true, |n| n > MAX_BLOB_BYTES) {
        return Err(Error::Payload(format!(
            "a blob signed into a bundle is at most {MAX_BLOB_BYTES} bytes (it is signed \
             whole); attest a larger artifact instead: the statement names its digest"
        )));
    }
    Ok(())
}

/// The RFC 3161 timestamp of `signature`, when a timestamp authority is configured.
pub(crate) fn stamp(
    tsa: Option<&crate::tsa::Timestamper>,
    signature: &[u8],
) -> Result<Option<sigstore_types::TimestampToken>> {
    tsa.map(|t| t.stamp(signature)).transpose()
}

/// `bundle` with `timestamp` in its verification material, when there is one.
pub(crate) fn with_timestamp(
    bundle: sigstore_bundle::BundleV03,
    timestamp: Option<sigstore_types::TimestampToken>,
) -> sigstore_bundle::BundleV03 {
    match timestamp {
        Some(t) => bundle.with_rfc3161_timestamp(t),
        None => bundle,
    }
}

/// The bundle as RFC 8785 canonical JSON (so the same bundle is always the same bytes and its
/// hash is reproducible), verified offline for `signer` when a trusted root is configured —
/// against `digest` when given (a message signature: the blob's digest, not only the one the
/// bundle names), else against what the bundle itself names.
pub(crate) fn finish(
    bundle: &Bundle,
    trusted_root: Option<&TrustedRoot>,
    signer: &Signer,
    digest: Option<[u8; 32]>,
) -> Result<Vec<u8>> {
    let json = bundle
        .to_json()
        .map_err(|e| Error::Signing(format!("bundle: {e}")))?;
    let json = canonicalize(json.as_bytes(), Mode::Jcs, &Limits::default())
        .map_err(|e| Error::Signing(format!("bundle: {e}")))?;
    if let Some(root) = trusted_root {
        verify_bundle_with(
            &json,
            root,
            signer,
            digest.map(BundleArtifact::Sha256),
            VerifyOptions::default(),
        )?;
    }
    Ok(json)
}
