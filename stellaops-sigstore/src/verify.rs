//! [`verify_bundle`]: one bundle, one trusted root, one required signer.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use sigstore_verify::types::{Artifact, ArtifactDigest, Bundle, DerPublicKey, HashAlgorithm};
use sigstore_verify::{
    IdentityMatcher, PublicKeyVerificationPolicy, VerificationPolicy, VerificationResult, Verifier,
};
use stellaops_dsse::canon::{self, Limits};

use crate::{Error, Identity, Result};

/// A Sigstore trusted root (`trusted_root.json`): Fulcio CAs, Rekor and CT log keys, timestamp
/// authorities, each with its validity window. Loading it prepares the keyrings once; one root
/// verifies any number of bundles.
pub struct TrustedRoot {
    verifier: Verifier,
    /// The timestamp authorities, for sorting out the timestamps that do not count.
    tsa: Vec<sigstore_verify::types::TsaAuthority>,
    /// The certificate authorities' certificates (DER), to tell a trusted root CA in a
    /// bundle's chain from a foreign one.
    ca_certificates: Vec<Vec<u8>>,
    /// The document as given.
    json: Vec<u8>,
}

impl std::fmt::Debug for TrustedRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedRoot").finish_non_exhaustive()
    }
}

impl TrustedRoot {
    /// Read a trusted root, strictly (duplicate keys and malformed JSON are refused).
    ///
    /// # Errors
    /// [`Error::TrustedRoot`] for a document that is not a usable trusted root.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        let text = strict_json(json).map_err(Error::TrustedRoot)?;
        // The verifier's parser takes any object with the right optional members; a bundle or
        // some other Sigstore document given by mistake must not become an empty root.
        let doc: Value =
            serde_json::from_str(text).map_err(|e| Error::TrustedRoot(e.to_string()))?;
        let media_type = doc["mediaType"].as_str().unwrap_or_default();
        if !media_type.starts_with("application/vnd.dev.sigstore.trustedroot") {
            return Err(Error::TrustedRoot(format!(
                "media type {media_type:?} is not a Sigstore trusted root"
            )));
        }
        let root = sigstore_verify::trust_root::TrustedRoot::from_json(text)
            .map_err(|e| Error::TrustedRoot(e.to_string()))?;
        let verifier = Verifier::new(&root).map_err(|e| Error::TrustedRoot(e.to_string()))?;
        Ok(TrustedRoot {
            verifier,
            tsa: root.tsa_authorities(),
            ca_certificates: root
                .fulcio_certs()
                .iter()
                .map(|c| c.as_bytes().to_vec())
                .collect(),
            json: json.to_vec(),
        })
    }

    /// The trusted root's JSON, byte for byte as it was read.
    pub fn as_json(&self) -> &[u8] {
        &self.json
    }

    /// Every certificate of the trusted root's timestamp authorities (leaves, intermediates,
    /// roots), DER.
    pub fn timestamp_authority_certificates(&self) -> Vec<Vec<u8>> {
        self.tsa
            .iter()
            .flat_map(|a| {
                std::iter::once(&a.leaf)
                    .chain(&a.intermediates)
                    .chain(std::iter::once(&a.root))
                    .map(|c| c.as_bytes().to_vec())
            })
            .collect()
    }

    /// [`TrustedRoot::from_json`] on a file.
    ///
    /// # Errors
    /// [`Error::Io`]; as [`TrustedRoot::from_json`].
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::from_json(&std::fs::read(path).map_err(|e| Error::io(path, e))?)
    }
}

/// Who must have signed.
#[derive(Clone, Debug)]
pub enum Signer {
    /// Keyless: a Fulcio certificate for this identity, issued on a token from this OIDC issuer
    /// (exactly, as cosign's `--certificate-oidc-issuer`, or by a pattern anchored at both
    /// ends, as its `--certificate-oidc-issuer-regexp` but anchored).
    Keyless {
        /// The certificate's SAN.
        identity: Identity,
        /// The OIDC issuer recorded in the certificate.
        issuer: Identity,
    },
    /// A certificate for this identity that names no OIDC issuer: what a certificate authority
    /// issues to its operator's own services, such as GitHub's release attestations
    /// (`https://dotcom.releases.github.com`). A certificate from an OIDC sign-in always names
    /// its issuer, so this never matches one — an email address cannot be claimed through
    /// another provider this way.
    IssuerlessCertificate {
        /// The certificate's SAN.
        identity: Identity,
    },
    /// Keyful: this public key (SubjectPublicKeyInfo DER); the bundle carries a key hint.
    PublicKey(Vec<u8>),
}

impl Signer {
    /// A keyful signer from a PEM (`PUBLIC KEY`) or DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the bytes are neither.
    pub fn public_key(bytes: &[u8]) -> Result<Self> {
        if let Ok(text) = std::str::from_utf8(bytes) {
            if text.contains("-----BEGIN") {
                let key =
                    DerPublicKey::from_pem(text).map_err(|e| Error::InvalidKey(e.to_string()))?;
                return Ok(Signer::PublicKey(key.as_bytes().to_vec()));
            }
        }
        if bytes.first() != Some(&0x30) {
            return Err(Error::InvalidKey(
                "neither a PEM public key nor DER SubjectPublicKeyInfo".into(),
            ));
        }
        Ok(Signer::PublicKey(bytes.to_vec()))
    }
}

/// Checks a verification may leave out, for trust domains that lack a part; everything is
/// checked by default. Mirrors cosign's `--insecure-ignore-tlog` and `--insecure-ignore-sct`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Do not require a checked transparency-log entry: for a trust domain without a public log,
    /// such as GitHub's private-repository attestations, whose bundles carry an RFC 3161
    /// timestamp instead. The signing time must still come from a verified timestamp (a TSA
    /// token from the trusted root, or a log's signed entry timestamp) for a certificate to be
    /// accepted; what is lost is the proof that the signature was ever made public.
    pub insecure_ignore_tlog: bool,
    /// Do not check the certificate's SCT: for a Fulcio without a certificate-transparency log
    /// (GitHub's).
    pub insecure_ignore_sct: bool,
}

/// What a verified bundle says. Only made by a successful [`verify_bundle`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BundleVerification {
    /// The bundle's media type (its version).
    pub media_type: String,
    /// The certificate's SAN (keyless).
    pub identity: Option<String>,
    /// The certificate's OIDC issuer (keyless).
    pub issuer: Option<String>,
    /// When the log integrated the entry (RFC 3339), as the log signed it.
    pub integrated_time: Option<String>,
    /// Whether the certificate chain, EKU and validity were checked (keyless: always).
    pub certificate_verified: bool,
    /// Whether the certificate's SCT was checked (keyless: always).
    pub sct_verified: bool,
    /// Whether the transparency-log entry was checked (always, unless
    /// [`VerifyOptions::insecure_ignore_tlog`]).
    pub tlog_verified: bool,
    /// The log entry's kind and version (`dsse 0.0.1`, `hashedrekord 0.0.2` for Rekor v2, ...)
    /// and its index in the log, when the bundle has one.
    pub tlog_entry: Option<(String, u64)>,
    /// The verified signing times (RFC 3339): RFC 3161 timestamps and log integration times.
    pub verified_times: Vec<String>,
    /// The RFC 3161 timestamps that did not count, each with why (no trusted authority
    /// verified it); sigstore-go's rules, see the `timestamps` module.
    pub unverified_timestamps: Vec<String>,
    /// What verified but breaks the bundle specification's client rules harmlessly (a trusted
    /// root CA carried in an old bundle's chain).
    pub warnings: Vec<String>,
    /// The DSSE payload type, for DSSE bundles.
    pub payload_type: Option<String>,
    /// The in-toto statement, for DSSE bundles.
    pub statement: Option<Value>,
    /// Whether an artifact was given and checked against the signed digest(s); otherwise the
    /// signature was checked against the digest the bundle itself names.
    pub artifact_checked: bool,
}

/// The artifact a bundle's signature must be bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleArtifact<'a> {
    /// A file, hashed by streaming (read whole only for Ed25519 message signatures, which sign
    /// the bytes themselves).
    File(&'a Path),
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// The artifact's SHA-256 digest (`sha256:<hex>` as sigstore-go and cosign take it): enough
    /// for DSSE bundles and SHA-256 message digests, not for Ed25519 message signatures.
    Sha256([u8; 32]),
}

impl<'a> BundleArtifact<'a> {
    /// An artifact named by text, as every face takes it: `sha256:<hex>` is the artifact's
    /// digest, anything else a file path (write `./sha256:…` for a file named like a digest).
    ///
    /// # Errors
    /// [`Error::ArtifactRequired`] for a `sha256:` text that is not 64 lowercase hex digits.
    pub fn from_reference(text: &'a str) -> Result<BundleArtifact<'a>> {
        if text.starts_with("sha256:") {
            Self::sha256_digest(text)
        } else {
            Ok(BundleArtifact::File(Path::new(text)))
        }
    }

    /// `sha256:<64 lowercase hex>` as a digest artifact.
    ///
    /// # Errors
    /// [`Error::ArtifactRequired`] for anything else.
    pub fn sha256_digest(text: &str) -> Result<BundleArtifact<'a>> {
        let bad = || Error::ArtifactRequired("a digest is sha256:<64 lowercase hex>".into());
        let hex_digest = text.strip_prefix("sha256:").ok_or_else(bad)?;
        if hex_digest.len() != 64 || hex_digest.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(bad());
        }
        let mut digest = [0u8; 32];
        hex::decode_to_slice(hex_digest, &mut digest).map_err(|_| bad())?;
        Ok(BundleArtifact::Sha256(digest))
    }
}

/// A [`BundleArtifact`] held by value, for callers that hand the artifact to another thread
/// before verifying (the faces: a released GIL, Node's thread pool).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedArtifact {
    /// A file.
    File(std::path::PathBuf),
    /// The artifact's bytes.
    Bytes(Vec<u8>),
    /// Text naming the artifact, as [`BundleArtifact::from_reference`] reads it.
    Reference(String),
}

impl OwnedArtifact {
    /// The artifact to verify against.
    ///
    /// # Errors
    /// As [`BundleArtifact::from_reference`].
    pub fn borrow(&self) -> Result<BundleArtifact<'_>> {
        match self {
            OwnedArtifact::File(path) => Ok(BundleArtifact::File(path)),
            OwnedArtifact::Bytes(bytes) => Ok(BundleArtifact::Bytes(bytes)),
            OwnedArtifact::Reference(text) => BundleArtifact::from_reference(text),
        }
    }
}

/// Verify a bundle against `root`, requiring `signer`, with `artifact` (a file, hashed by
/// streaming) bound to the signature: for a DSSE bundle the artifact must match one of the
/// statement's subjects, for a message signature it must be the signed message. Without an
/// artifact the signature is checked against the digest the bundle names (the first subject,
/// or the message digest), so everything but the binding to a file is verified.
///
/// No network access: everything comes from the bundle, the root and the artifact.
///
/// # Errors
/// Input errors: [`Error::InvalidBundle`], [`Error::ArtifactRequired`], [`Error::Io`].
/// Verification failures ([`Error::is_verification_failure`]): [`Error::IdentityMismatch`],
/// [`Error::Verification`], [`Error::ArtifactMismatch`].
pub fn verify_bundle(
    bundle_json: &[u8],
    root: &TrustedRoot,
    signer: &Signer,
    artifact: Option<&Path>,
) -> Result<BundleVerification> {
    verify_bundle_with(
        bundle_json,
        root,
        signer,
        artifact.map(BundleArtifact::File),
        VerifyOptions::default(),
    )
}

/// [`verify_bundle`] with the artifact as a file, bytes or a digest, leaving out the checks
/// `options` names (see [`VerifyOptions`]).
///
/// # Errors
/// As [`verify_bundle`].
pub fn verify_bundle_with(
    bundle_json: &[u8],
    root: &TrustedRoot,
    signer: &Signer,
    artifact: Option<BundleArtifact<'_>>,
    options: VerifyOptions,
) -> Result<BundleVerification> {
    let text = strict_json(bundle_json).map_err(Error::InvalidBundle)?;
    let mut document: Value =
        serde_json::from_str(text).map_err(|e| Error::InvalidBundle(e.to_string()))?;
    let unwrapped;
    let text = if crate::timestamps::unwrap_base64(&mut document) {
        unwrapped = document.to_string();
        unwrapped.as_str()
    } else {
        text
    };
    let mut bundle = Bundle::from_json(text).map_err(|e| Error::InvalidBundle(e.to_string()))?;
    signed_the_required_way(&document, signer)?;
    let unverified_timestamps = crate::timestamps::screen(&mut bundle, &root.tsa)?;
    let warnings = crate::certificate_chain::screen(&document, &root.ca_certificates)?;
    if !options.insecure_ignore_tlog && timestamp_only(&document) {
        return Err(Error::Verification(
            "the bundle has no transparency-log entry, only an RFC 3161 timestamp: it comes from \
             a trust domain without a public log (such as GitHub's private-repository and release \
             attestations); accept that only by choice (--insecure-ignore-tlog)"
                .into(),
        ));
    }
    if timestamp_only(&document)
        && bundle
            .verification_material
            .timestamp_verification_data
            .rfc3161_timestamps
            .is_empty()
    {
        return Err(Error::Verification(format!(
            "no RFC 3161 timestamp verified, and the bundle has no log entry to give a signing \
             time: {}",
            unverified_timestamps.join("; ")
        )));
    }
    let result = match signer {
        Signer::Keyless { identity, issuer } => verify_certificate(
            root,
            &bundle,
            &document,
            (identity, Some(issuer)),
            options,
            artifact,
        )?,
        Signer::IssuerlessCertificate { identity } => verify_certificate(
            root,
            &bundle,
            &document,
            (identity, None),
            options,
            artifact,
        )?,
        Signer::PublicKey(spki) => {
            let mut policy = PublicKeyVerificationPolicy::new(DerPublicKey::new(spki.clone()));
            if options.insecure_ignore_tlog {
                policy = policy.skip_tlog_unsafe();
            }
            run(root, &bundle, &document, &policy, artifact)?
        }
    };
    let envelope = document.get("dsseEnvelope");
    Ok(BundleVerification {
        media_type: document["mediaType"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        identity: result.identity().map(|san| san.as_str().to_owned()),
        issuer: result.issuer().map(str::to_owned),
        integrated_time: result.integrated_time().map(|t| t.to_string()),
        certificate_verified: result.certificate_verified(),
        sct_verified: result.sct_verified(),
        tlog_verified: result.tlog_verified(),
        tlog_entry: bundle.verification_material.tlog_entries.first().map(|e| {
            (
                format!("{} {}", e.kind_version.kind(), e.kind_version.version()),
                e.log_index.get(),
            )
        }),
        verified_times: result
            .verified_timestamps()
            .iter()
            .map(ToString::to_string)
            .collect(),
        unverified_timestamps,
        warnings,
        payload_type: envelope
            .and_then(|e| e["payloadType"].as_str())
            .map(str::to_owned),
        statement: envelope.and_then(statement_of),
        artifact_checked: artifact.is_some(),
    })
}

/// Verify a certificate-signed bundle for `identity` and `issuer` (None: the certificate must
/// name no OIDC issuer).
fn verify_certificate(
    root: &TrustedRoot,
    bundle: &Bundle,
    document: &Value,
    (identity, issuer): (&Identity, Option<&Identity>),
    options: VerifyOptions,
    artifact: Option<BundleArtifact<'_>>,
) -> Result<VerificationResult> {
    // The verifier matches exact values only: for a pattern, let it check the issuer and
    // everything else, then match the pattern on the verified certificate's identity.
    let mut policy = VerificationPolicy::any_identity();
    if let Identity::Exact(value) = identity {
        policy = policy.require_identity(IdentityMatcher::Exact(value.clone()));
    }
    if let Some(Identity::Exact(issuer)) = issuer {
        policy = policy.require_issuer(issuer.clone());
    }
    if options.insecure_ignore_tlog {
        policy = policy.skip_tlog_unsafe();
    }
    if options.insecure_ignore_sct {
        policy = policy.skip_sct();
    }
    let result = run(root, bundle, document, &policy, artifact)?;
    let found = result.identity().map(|san| san.as_str().to_owned());
    if !found.as_deref().is_some_and(|san| identity.matches(san)) {
        return Err(Error::IdentityMismatch(format!(
            "the certificate is for {}, required {identity}",
            found.as_deref().unwrap_or("no identity")
        )));
    }
    if let Some(required @ Identity::Pattern(_)) = issuer {
        let found = result.issuer();
        if !found.is_some_and(|i| required.matches(i)) {
            return Err(Error::IdentityMismatch(format!(
                "the certificate's OIDC issuer is {}, required {required}",
                found.unwrap_or("none")
            )));
        }
    }
    if let (None, Some(found)) = (issuer, result.issuer()) {
        return Err(Error::IdentityMismatch(format!(
            "the certificate names the OIDC issuer {found}; the policy requires a certificate \
             without one"
        )));
    }
    Ok(result)
}

/// Whether the bundle carries signed timestamps but no transparency-log entry.
fn timestamp_only(document: &Value) -> bool {
    let material = &document["verificationMaterial"];
    let no_log = material["tlogEntries"]
        .as_array()
        .is_none_or(|entries| entries.is_empty());
    let timestamps = material["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array()
        .is_some_and(|t| !t.is_empty());
    no_log && timestamps
}

/// A well-formed bundle signed the other way — with a key where a certificate identity is
/// required, or the reverse — does not verify (rather than being unreadable input).
fn signed_the_required_way(document: &Value, signer: &Signer) -> Result<()> {
    let keyful = document["verificationMaterial"].get("publicKey").is_some();
    match (signer, keyful) {
        (Signer::Keyless { identity, .. } | Signer::IssuerlessCertificate { identity }, true) => {
            Err(Error::Verification(format!(
                "the bundle is signed with a key, not by a certificate for {identity}"
            )))
        }
        (Signer::PublicKey(_), false) => Err(Error::Verification(
            "the bundle is signed by a certificate, not with the given key".into(),
        )),
        _ => Ok(()),
    }
}

/// Verify with the artifact (file, bytes or digest), or with the digest the bundle names.
fn run<P: sigstore_verify::Policy>(
    root: &TrustedRoot,
    bundle: &Bundle,
    document: &Value,
    policy: &P,
    artifact: Option<BundleArtifact<'_>>,
) -> Result<VerificationResult> {
    let verifier = &root.verifier;
    let path = match artifact {
        None => return Ok(verifier.verify(named_digest(document)?, bundle, policy)?),
        Some(BundleArtifact::Bytes(bytes)) => return Ok(verifier.verify(bytes, bundle, policy)?),
        Some(BundleArtifact::Sha256(digest)) => {
            let artifact = self::digest(HashAlgorithm::Sha2256, digest.to_vec())?;
            return match verifier.verify(artifact, bundle, policy) {
                Err(sigstore_verify::Error::UnsupportedArtifact(_)) => Err(Error::ArtifactRequired(
                    "this bundle signs the artifact's bytes (Ed25519): give the artifact, not its \
                     digest"
                        .into(),
                )),
                other => Ok(other?),
            };
        }
        Some(BundleArtifact::File(path)) => path,
    };
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    match verifier.verify_reader(file, bundle, policy) {
        // Schemes that sign the message itself (Ed25519) need the bytes, not a digest.
        Err(sigstore_verify::Error::UnsupportedArtifact(_)) => {
            let mut bytes = Vec::new();
            File::open(path)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| Error::io(path, e))?;
            Ok(verifier.verify(bytes.as_slice(), bundle, policy)?)
        }
        Err(sigstore_verify::Error::ArtifactRead(e)) => Err(Error::io(path, e)),
        other => Ok(other?),
    }
}

/// The digest a bundle names for its artifact: the first subject of a DSSE statement with a
/// SHA-2 digest, or a message signature's digest.
fn named_digest(document: &Value) -> Result<Artifact<'static>> {
    if let Some(envelope) = document.get("dsseEnvelope") {
        let statement = statement_of(envelope).ok_or_else(|| {
            Error::ArtifactRequired("the DSSE payload is not an in-toto statement".into())
        })?;
        let subjects = statement["subject"].as_array().cloned().unwrap_or_default();
        for subject in &subjects {
            for (name, algorithm) in [
                ("sha256", HashAlgorithm::Sha2256),
                ("sha512", HashAlgorithm::Sha2512),
                ("sha384", HashAlgorithm::Sha2384),
            ] {
                if let Some(hex_digest) = subject["digest"][name].as_str() {
                    let bytes = hex::decode(hex_digest).map_err(|_| {
                        Error::InvalidBundle(format!("subject {name} digest is not hex"))
                    })?;
                    return digest(algorithm, bytes);
                }
            }
        }
        return Err(Error::ArtifactRequired(
            "no statement subject has a SHA-2 digest: give the artifact".into(),
        ));
    }
    let message = &document["messageSignature"]["messageDigest"];
    let algorithm = match message["algorithm"].as_str() {
        Some("SHA2_256") => HashAlgorithm::Sha2256,
        Some("SHA2_384") => HashAlgorithm::Sha2384,
        Some("SHA2_512") => HashAlgorithm::Sha2512,
        _ => {
            return Err(Error::ArtifactRequired(
                "the bundle names no message digest: give the artifact".into(),
            ))
        }
    };
    let bytes = message["digest"]
        .as_str()
        .and_then(|d| STANDARD.decode(d).ok())
        .ok_or_else(|| Error::InvalidBundle("messageDigest.digest is not base64".into()))?;
    digest(algorithm, bytes)
}

fn digest(algorithm: HashAlgorithm, bytes: Vec<u8>) -> Result<Artifact<'static>> {
    ArtifactDigest::new(algorithm, bytes)
        .map(Artifact::from_digest)
        .map_err(|e| Error::InvalidBundle(e.to_string()))
}

/// The in-toto statement in a bundle's DSSE envelope, if its payload is one.
fn statement_of(envelope: &Value) -> Option<Value> {
    let payload = STANDARD.decode(envelope["payload"].as_str()?).ok()?;
    let statement: Value = serde_json::from_slice(&payload).ok()?;
    statement.get("subject").is_some().then_some(statement)
}

/// The document as text, after our strict parser (duplicate keys, depth, size, UTF-8) has
/// accepted it: the verifier's serde parser would let a duplicate key silently win.
pub(crate) fn strict_json(json: &[u8]) -> std::result::Result<&str, String> {
    canon::parse(json, &Limits::default()).map_err(|e| e.to_string())?;
    std::str::from_utf8(json).map_err(|e| e.to_string())
}
