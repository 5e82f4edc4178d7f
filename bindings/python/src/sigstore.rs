//! Sigstore bundles: `TrustedRoot`, `verify_bundle`, `BundleVerification`, `BundleSigner`,
//! `BundleAttestation`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::canon::Limits;
use stellaops_signer::sigstore::{
    self, BundleSigner as CoreBundleSigner, IdentityToken, KeyfulConfig, KeyfulSigner,
    KeylessConfig, KeylessSigner, VerifyOptions,
};
use stellaops_signer::{
    Authority, BundlePolicy, ErrorCode, Issuer, IssuerMode, OpenedKey, OwnedArtifact,
};

use crate::attest::allow_list;
use crate::errors::{raise, to_py};
use crate::input::{artifact_arg, document_arg, json_arg};
use crate::keys::{SigningKey, VerifyingKey};

fn sigstore_err(e: sigstore::Error) -> PyErr {
    to_py(stellaops_signer::Error::from(e))
}

/// A Sigstore trusted root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys, timestamp
/// authorities), the file cosign, sigstore-python and sigstore-js read. Immutable; share it.
#[pyclass(frozen, module = "stellaops_signer")]
#[derive(Debug)]
pub struct TrustedRoot {
    root: Arc<sigstore::TrustedRoot>,
}

#[pymethods]
impl TrustedRoot {
    /// Read a trusted root (strict JSON as bytes, str or dict; its media type must say trusted
    /// root).
    #[staticmethod]
    fn from_json(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = json_arg(data, "data")?;
        let root = sigstore::TrustedRoot::from_json(&data).map_err(sigstore_err)?;
        Ok(TrustedRoot {
            root: Arc::new(root),
        })
    }

    /// Read a trusted root from a file (at most 96 MiB), as sigstore-go's
    /// `NewTrustedRootFromPath`.
    #[staticmethod]
    fn from_path(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let root = py
            .detach(|| stellaops_signer::trusted_root_from_path(&path))
            .map_err(to_py)?;
        Ok(TrustedRoot {
            root: Arc::new(root),
        })
    }
}

/// What a verified bundle says.
#[pyclass(frozen, get_all, module = "stellaops_signer")]
#[derive(Debug)]
pub struct BundleVerification {
    /// The bundle's media type (its version).
    media_type: String,
    /// The certificate's identity (keyless), else None.
    identity: Option<String>,
    /// The certificate's OIDC issuer (keyless), else None.
    issuer: Option<String>,
    /// When the log integrated the entry (RFC 3339), as the log signed it.
    integrated_time: Option<String>,
    /// The verified signing times (RFC 3339): RFC 3161 timestamps and log integration times.
    verified_times: Vec<String>,
    /// Whether the certificate chain was checked (keyless).
    certificate_verified: bool,
    /// Whether the certificate's SCT was checked (keyless).
    sct_verified: bool,
    /// Whether the transparency-log entry was checked.
    tlog_verified: bool,
    /// The DSSE payload type.
    payload_type: Option<String>,
    /// The in-toto statement's predicate type.
    predicate_type: Option<String>,
    /// The verified in-toto statement (JSON), for DSSE bundles: its subjects and predicate.
    statement: Option<Py<PyBytes>>,
    /// Whether an artifact was given and checked.
    artifact_checked: bool,
    /// The checked log entry as (kind and version, log index), e.g. ("hashedrekord 0.0.2", 7).
    tlog_entry: Option<(String, u64)>,
    /// Why each RFC 3161 timestamp that did not count was left out.
    unverified_timestamps: Vec<String>,
    /// What verified but deserves a look (a root CA inside the bundle's chain).
    warnings: Vec<String>,
}

/// Verify a Sigstore bundle (v0.1-v0.3) offline against `root`, for a keyless signer
/// (`certificate_identity` or `certificate_identity_regexp` (anchored), with
/// `certificate_oidc_issuer`, or `no_certificate_oidc_issuer=True` for a certificate naming none,
/// as GitHub's release attestations) or a keyful one (`public_key`). `bundle` is the JSON
/// (bytes, str or dict) or an `os.PathLike` to read it from. `artifact` binds the signature to
/// the artifact: its bytes, a path (str or `os.PathLike`), or `"sha256:<hex>"` its digest (None
/// checks the signature against the digest the bundle names). `predicate_type` (a URI or catalog
/// short name) is required of the signed statement, as cosign's `--type`. `insecure_ignore_tlog`
/// and `insecure_ignore_sct` accept a trust domain without a log or CT log (GitHub's). No network
/// access. Raises VerificationError when the bundle does not verify. Releases the GIL.
#[pyfunction]
#[pyo3(signature = (bundle, root, *, certificate_identity = None, certificate_identity_regexp = None, certificate_oidc_issuer = None, no_certificate_oidc_issuer = false, public_key = None, artifact = None, predicate_type = None, insecure_ignore_tlog = false, insecure_ignore_sct = false))]
#[allow(clippy::too_many_arguments)]
pub fn verify_bundle(
    py: Python<'_>,
    bundle: &Bound<'_, PyAny>,
    root: &TrustedRoot,
    certificate_identity: Option<String>,
    certificate_identity_regexp: Option<String>,
    certificate_oidc_issuer: Option<String>,
    no_certificate_oidc_issuer: bool,
    public_key: Option<PyRef<'_, VerifyingKey>>,
    artifact: Option<&Bound<'_, PyAny>>,
    predicate_type: Option<&str>,
    insecure_ignore_tlog: bool,
    insecure_ignore_sct: bool,
) -> PyResult<BundleVerification> {
    let bundle = document_arg(bundle, "bundle")?;
    let artifact = artifact.map(|a| artifact_arg(a, "artifact")).transpose()?;
    let issuer =
        Issuer::choose(certificate_oidc_issuer, no_certificate_oidc_issuer).map_err(to_py)?;
    let signer = stellaops_signer::bundle_policy(
        certificate_identity,
        certificate_identity_regexp,
        issuer,
        public_key.as_ref().map(|k| k.key.to_spki_der()),
    )
    .map_err(to_py)?;
    let mut policy = BundlePolicy::new(signer);
    policy.options = VerifyOptions {
        insecure_ignore_tlog,
        insecure_ignore_sct,
    };
    if let Some(required) = predicate_type {
        policy = policy.require_predicate_type(required).map_err(to_py)?;
    }
    let root = Arc::clone(&root.root);
    let v = py
        .detach(|| {
            let artifact = artifact.as_ref().map(OwnedArtifact::borrow).transpose()?;
            stellaops_signer::verify_bundle(&bundle, &root, &policy, artifact)
        })
        .map_err(to_py)?;
    Ok(BundleVerification {
        statement: v
            .statement
            .as_ref()
            .map(|s| PyBytes::new(py, s.to_string().as_bytes()).unbind()),
        predicate_type: v
            .statement
            .as_ref()
            .and_then(|s| s["predicateType"].as_str())
            .map(str::to_owned),
        media_type: v.media_type,
        identity: v.identity,
        issuer: v.issuer,
        integrated_time: v.integrated_time,
        verified_times: v.verified_times,
        certificate_verified: v.certificate_verified,
        sct_verified: v.sct_verified,
        tlog_verified: v.tlog_verified,
        payload_type: v.payload_type,
        artifact_checked: v.artifact_checked,
        tlog_entry: v.tlog_entry,
        unverified_timestamps: v.unverified_timestamps,
        warnings: v.warnings,
    })
}

/// Rekor's API version, 1 or 2.
fn rekor_version_arg(version: u8) -> PyResult<stellaops_signer::sigstore::RekorVersion> {
    match version {
        1 => Ok(stellaops_signer::sigstore::RekorVersion::V1),
        2 => Ok(stellaops_signer::sigstore::RekorVersion::V2),
        other => Err(usage(&format!("rekor_version is 1 or 2, not {other}"))),
    }
}

fn usage(message: &str) -> PyErr {
    raise(ErrorCode::InvalidArgument, message.to_owned())
}

/// An attestation signed into a Sigstore bundle.
#[pyclass(frozen, get_all, module = "stellaops_signer")]
#[derive(Debug)]
pub struct BundleAttestation {
    /// The Sigstore bundle v0.3, canonical JSON.
    bundle: Py<PyBytes>,
    /// The statement JSON (RFC 8785) it signs.
    statement: Py<PyBytes>,
    /// "allowed" (in the catalog) or "unlisted" (admitted by "warn" or "log-only").
    admission: &'static str,
}

/// Signs into Sigstore bundles v0.3 (canonical JSON): keylessly (an ephemeral key Fulcio
/// certifies for an OIDC identity) or with one of our keys, each signature logged in Rekor.
/// Thread-safe; the GIL is released while signing.
#[pyclass(frozen, module = "stellaops_signer")]
#[derive(Debug)]
pub struct BundleSigner {
    signer: Box<dyn CoreBundleSigner + Send + Sync>,
    mode: IssuerMode,
}

#[pymethods]
impl BundleSigner {
    /// A keyless signer. `token` is the OIDC identity token (None reads $STELLAOPS_OIDC_TOKEN,
    /// $STELLAOPS_OIDC_TOKEN_FILE or the ambient cosign token file); `oidc_issuer` refuses a
    /// token from any other issuer; `trusted_root` (a path) verifies each bundle before it is
    /// returned; `timestamp_url` (an RFC 3161 timestamp authority's request URL) timestamps each
    /// signature; `rekor_version` 2 writes to Rekor v2 (needs `timestamp_url`). Nothing is sent
    /// until the first signature.
    #[staticmethod]
    #[pyo3(signature = (*, fulcio_url, rekor_url, token = None, oidc_issuer = None, trusted_root = None, timeout = 30.0, retries = 2, require_sct = true, timestamp_url = None, rekor_version = 1))]
    #[allow(clippy::too_many_arguments)]
    fn keyless(
        fulcio_url: String,
        rekor_url: String,
        token: Option<&str>,
        oidc_issuer: Option<String>,
        trusted_root: Option<PathBuf>,
        timeout: f64,
        retries: u32,
        require_sct: bool,
        timestamp_url: Option<String>,
        rekor_version: u8,
    ) -> PyResult<Self> {
        let mut config = KeylessConfig::new(fulcio_url, rekor_url);
        config.timeout = seconds(timeout)?;
        config.retries = retries;
        config.oidc_issuer = oidc_issuer;
        config.trusted_root = trusted_root;
        config.require_sct = require_sct;
        config.timestamp_url = timestamp_url;
        config.rekor_version = rekor_version_arg(rekor_version)?;
        let token = match token {
            Some(token) => IdentityToken::parse(token),
            None => IdentityToken::from_environment(),
        }
        .map_err(sigstore_err)?;
        let signer = KeylessSigner::new(&config, token).map_err(sigstore_err)?;
        Ok(BundleSigner {
            signer: Box::new(signer),
            mode: IssuerMode::Keyless,
        })
    }

    /// A signer for `key`, logged in the Rekor at `rekor_url`. Rekor v1 checks DSSE signatures
    /// with SHA-256, so only ES256, Ed25519 and RSA PKCS#1 keys are accepted; Rekor v2
    /// (`rekor_version=2`, which needs `timestamp_url`) ES256 only.
    #[staticmethod]
    #[pyo3(signature = (key, *, rekor_url, trusted_root = None, timeout = 30.0, retries = 2, timestamp_url = None, rekor_version = 1))]
    fn keyful(
        key: PyRef<'_, SigningKey>,
        rekor_url: String,
        trusted_root: Option<PathBuf>,
        timeout: f64,
        retries: u32,
        timestamp_url: Option<String>,
        rekor_version: u8,
    ) -> PyResult<Self> {
        let mut config = KeyfulConfig::new(rekor_url);
        config.timeout = seconds(timeout)?;
        config.retries = retries;
        config.trusted_root = trusted_root;
        config.timestamp_url = timestamp_url;
        config.rekor_version = rekor_version_arg(rekor_version)?;
        let key: Arc<OpenedKey> = key.key()?;
        let mode = IssuerMode::of_scheme(key.scheme());
        let signer = KeyfulSigner::new(&config, key).map_err(sigstore_err)?;
        Ok(BundleSigner {
            signer: Box::new(signer),
            mode,
        })
    }

    /// Sign `payload` (an in-toto statement, `payload_type` "application/vnd.in-toto+json": the
    /// one type Sigstore verifiers accept) into a bundle.
    fn sign<'py>(
        &self,
        py: Python<'py>,
        payload_type: &str,
        payload: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let signed = py
            .detach(|| self.signer.sign(payload_type, payload))
            .map_err(sigstore_err)?;
        Ok(PyBytes::new(py, &signed.json))
    }

    /// Sign `blob` itself into a bundle, as `cosign sign-blob` does: a message signature with
    /// the blob's SHA-256, logged in Rekor as a hashedrekord (at most 1 GiB: it is signed whole).
    fn sign_blob<'py>(&self, py: Python<'py>, blob: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        let signed = py
            .detach(|| self.signer.sign_message(blob))
            .map_err(sigstore_err)?;
        Ok(PyBytes::new(py, &signed.json))
    }

    /// As `attest`, signed into a bundle; the statement is built and admitted before Fulcio or
    /// Rekor is asked.
    #[pyo3(signature = (predicate_type, predicate, subjects, enforcement = "warn"))]
    fn attest(
        &self,
        py: Python<'_>,
        predicate_type: &str,
        predicate: &Bound<'_, PyAny>,
        subjects: &Bound<'_, PyAny>,
        enforcement: &str,
    ) -> PyResult<BundleAttestation> {
        let predicate = json_arg(predicate, "predicate")?;
        let subjects = crate::attest::subjects_arg(subjects, "subjects")?;
        self.sign_made(py, enforcement, || {
            stellaops_signer::predicate_statement(
                predicate_type,
                &predicate,
                subjects,
                &Limits::default(),
            )
        })
    }

    /// As `sign_statement`, signed into a bundle: an in-toto statement already made (bytes, str
    /// or dict; StellaOps predicates checked), admitted before Fulcio or Rekor is asked.
    #[pyo3(signature = (statement, enforcement = "warn"))]
    fn sign_statement(
        &self,
        py: Python<'_>,
        statement: &Bound<'_, PyAny>,
        enforcement: &str,
    ) -> PyResult<BundleAttestation> {
        let statement = json_arg(statement, "statement")?;
        self.sign_made(py, enforcement, || {
            Ok(stellaops_signer::Statement::from_json(
                &statement,
                &Limits::default(),
            )?)
        })
    }
}

impl BundleSigner {
    /// Sign the statement `make` builds into a bundle under `enforcement`, with the GIL
    /// released: the one bundle path of `attest` and `sign_statement`.
    fn sign_made(
        &self,
        py: Python<'_>,
        enforcement: &str,
        make: impl FnOnce() -> stellaops_signer::Result<stellaops_signer::Statement> + Send,
    ) -> PyResult<BundleAttestation> {
        let allow_list = allow_list(enforcement)?;
        let outcome = py
            .detach(|| {
                let statement = make()?;
                Authority::bundle(self.signer.as_ref(), self.mode)
                    .allow_list(allow_list)
                    .sign_statement(statement, None)
            })
            .map_err(to_py)?;
        crate::attest::warn_unlisted(py, &outcome)?;
        Ok(BundleAttestation {
            bundle: PyBytes::new(py, outcome.json()).unbind(),
            statement: PyBytes::new(py, outcome.envelope().payload()).unbind(),
            admission: outcome.admission.name(),
        })
    }
}

fn seconds(timeout: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(timeout).map_err(|e| usage(&format!("timeout: {e}")))
}
