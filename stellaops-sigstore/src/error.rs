//! The errors of this crate.

/// Why a bundle was not accepted. [`Error::is_verification_failure`] separates "the bundle does
/// not verify" from "the input could not be read".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The trusted root is not a Sigstore `trusted_root.json`, or holds unusable keys or
    /// certificates.
    #[error("trusted root: {0}")]
    TrustedRoot(String),
    /// The bundle is malformed (JSON, duplicate keys, fields, encodings) or of a kind no
    /// verifier accepts (several signatures, an unknown media type).
    #[error("bundle: {0}")]
    InvalidBundle(String),
    /// The identity pattern is not a regular expression.
    #[error("identity pattern: {0}")]
    InvalidPattern(#[source] stellaops_crypto::Cause),
    /// The identity pattern is a regular expression, but too large to compile.
    #[error("identity pattern: {0}")]
    PatternTooLarge(#[source] stellaops_crypto::Cause),
    /// The public key given for a keyful bundle cannot be read.
    #[error("public key: {0}")]
    InvalidKey(String),
    /// Without an artifact, the bundle names no digest to check the signature against.
    #[error("bundle: {0}")]
    ArtifactRequired(String),
    /// The signing certificate's identity or OIDC issuer is not the required one.
    #[error("identity: {0}")]
    IdentityMismatch(String),
    /// A signature, the certificate chain, the SCT, the transparency-log proof, the signed
    /// entry timestamp or a time check did not verify.
    #[error("{0}")]
    Verification(String),
    /// The artifact is not the one the bundle signs.
    #[error("artifact: {0}")]
    ArtifactMismatch(String),
    /// Keyless signing: no identity token, an unreadable or expired one, or one from an issuer
    /// other than the configured.
    #[error("identity token: {0}")]
    Token(String),
    /// Signing into a bundle: an unusable Fulcio or Rekor URL, or a key Rekor cannot log.
    #[error("configuration: {0}")]
    Config(String),
    /// Signing into a bundle: Fulcio or Rekor could not be reached (after the retries).
    #[error("{service} unreachable: {message}")]
    Unreachable {
        /// `Fulcio` or `Rekor`.
        service: &'static str,
        /// What happened.
        message: String,
    },
    /// Signing into a bundle: Fulcio or Rekor refused the request (an HTTP error status, also a 5xx
    /// after the retries) or gave an unusable answer.
    #[error("{service}: {message}")]
    Service {
        /// `Fulcio` or `Rekor`.
        service: &'static str,
        /// What happened.
        message: String,
    },
    /// Signing into a bundle: a payload no Sigstore verifier can bind to an artifact (a DSSE
    /// bundle must carry an in-toto statement).
    #[error("payload: {0}")]
    Payload(String),
    /// Signing into a bundle: the key (ephemeral or ours), the envelope or the bundle failed.
    #[error("signing: {0}")]
    Signing(String),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether verification ran and said no (as opposed to unreadable input).
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            Error::IdentityMismatch(_) | Error::Verification(_) | Error::ArtifactMismatch(_)
        )
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

impl From<sigstore_verify::Error> for Error {
    fn from(e: sigstore_verify::Error) -> Self {
        use sigstore_verify::Error as E;
        let text = e.to_string();
        match e {
            E::IdentityMismatch { .. } | E::IssuerMismatch { .. } => Error::IdentityMismatch(text),
            E::ArtifactMismatch(_) => Error::ArtifactMismatch(text),
            // A bundle of a kind we cannot read is unusable input; a readable bundle that lacks
            // what verification requires (an inclusion proof, a checkpoint, a signing time) or
            // whose proof and checkpoint disagree is a bundle that does not verify.
            E::Bundle(
                sigstore_bundle::Error::UnsupportedMediaType(_)
                | sigstore_bundle::Error::UnsupportedVerificationMaterial,
            )
            | E::InvalidBundle(_)
            | E::UnsupportedBundle(_)
            | E::Types(_) => Error::InvalidBundle(text),
            E::InvalidTrustRoot(_) | E::TrustRoot(_) | E::TrustedCertificate(_) => {
                Error::TrustedRoot(text)
            }
            E::ArtifactRead(source) => Error::Io {
                path: String::from("artifact"),
                source,
            },
            // Signatures, certificates, logs, timestamps, crypto: the bundle does not verify.
            _ => Error::Verification(text),
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
