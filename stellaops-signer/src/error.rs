//! The facade's error type.

use stellaops_crypto::Cause;

/// Everything the facade reports. [`Error::is_verification_failure`] separates "the signature or
/// artifact does not check out" from "the input or usage is wrong".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key or signature error.
    #[error(transparent)]
    Crypto(#[from] stellaops_crypto::Error),
    /// An envelope or canonical-JSON error, including verification failure.
    #[error(transparent)]
    Dsse(#[from] stellaops_dsse::Error),
    /// A statement or predicate-type error.
    #[error(transparent)]
    Predicates(#[from] stellaops_predicates::Error),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An artifact's digests match no subject of the verified statement.
    #[error("artifact {path} matches no subject of the statement")]
    ArtifactNotInSubjects {
        /// The artifact.
        path: String,
    },
    /// The statement lists no digest we can compute (sha256, sha384, sha512).
    #[error("the statement's subjects list no sha256, sha384 or sha512 digest to check artifacts against")]
    NoComparableDigest,
    /// Artifacts were given but the payload is not an in-toto statement.
    #[error("payload type {0:?} is not an in-toto statement; artifacts cannot be checked")]
    NotAStatement(String),
    /// The verified statement has another predicate type than the one required.
    #[error("the statement's predicate type is {found:?}, expected {expected:?}")]
    PredicateTypeMismatch {
        /// The predicate type required.
        expected: String,
        /// The predicate type signed.
        found: String,
    },
    /// A signed export manifest and what is shipped with it disagree (the manifest file is not
    /// the signed one, or the statement's subjects are not the manifest's files).
    #[error("export manifest: {0}")]
    ManifestMismatch(String),
    /// The export on disk differs from its signed manifest (the verification report names every
    /// file).
    #[error("export differs from its signed manifest: {missing} missing, {extra} extra, {changed} changed")]
    ExportChanged {
        /// Files in the manifest, not on disk.
        missing: usize,
        /// Files on disk, not in the manifest.
        extra: usize,
        /// Files whose content or kind differs.
        changed: usize,
    },
    /// The verified predicate does not say what the verifier requires (a target environment, a
    /// policy digest, an artifact digest).
    #[error("predicate: {0}")]
    PredicateMismatch(String),
    /// A key URI, key backend or tenant key configuration error.
    #[error(transparent)]
    Keys(#[from] stellaops_keys::Error),
    /// A Sigstore bundle or trusted root was unusable, the bundle did not verify, or keyless
    /// signing failed. The variant exists in every build; its source is a
    /// `stellaops_sigstore::Error` ([`Error::sigstore`] with the `sigstore` feature).
    #[error(transparent)]
    Sigstore(Cause),
    /// The key lives in a backend (HSM, KMS, Vault) that never hands out its private key.
    #[error("the {scheme} key cannot be exported: its private key never leaves the backend")]
    NotExportable {
        /// The backend's scheme name.
        scheme: &'static str,
    },
    /// The signing pipeline's policy refused the request; the denial carries the stable reason
    /// code (`optok.expired`, `quota.rate`, ...; see docs/entitlement.md).
    #[error(transparent)]
    Denied(stellaops_poe::Denial),
    /// The audit record could not be written, so nothing was returned.
    #[error("audit: {0}")]
    Audit(#[source] stellaops_poe::Error),
    /// The policy machinery failed (a key set, a store, a configuration file).
    #[error(transparent)]
    Policy(#[from] stellaops_poe::Error),
    /// The signing pipeline is missing a part, or its configuration file is invalid.
    #[error("pipeline configuration: {0}")]
    PipelineConfig(String),
    /// An audit log's hash chain does not verify ([`verify_audit_chain`](crate::verify_audit_chain));
    /// the source names the first bad line and what is wrong with it.
    #[error(transparent)]
    AuditChainBroken(stellaops_poe::Error),
    /// A pipeline request (JSON) is malformed.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// An Offline Kit's entry (its bundle or manifest) did not check out; the source says why.
    /// A kit is one input: what is wrong inside it is a verification failure (the source's
    /// code when the source is one, else `manifest_mismatch`).
    #[error("Offline Kit entry {entry}: {source}")]
    KitEntry {
        /// The entry's path in the kit.
        entry: String,
        /// What is wrong with it.
        #[source]
        source: Box<Error>,
    },
}

#[cfg(feature = "sigstore")]
impl From<stellaops_sigstore::Error> for Error {
    fn from(e: stellaops_sigstore::Error) -> Self {
        Error::Sigstore(Cause::new(e))
    }
}

impl Error {
    /// The Sigstore error behind [`Error::Sigstore`].
    #[cfg(feature = "sigstore")]
    pub fn sigstore(&self) -> Option<&stellaops_sigstore::Error> {
        match self {
            Error::Sigstore(cause) => cause.get_ref().downcast_ref(),
            _ => None,
        }
    }

    /// True when verification ran and the envelope, signature or artifact did not check out
    /// (the CLI's exit code 1), as opposed to bad input or usage (exit code 2).
    pub fn is_verification_failure(&self) -> bool {
        self.code().is_verification_failure()
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Result with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
