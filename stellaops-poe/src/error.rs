//! The one error type of this crate: failures of the policy machinery itself.
//!
//! A caller who is refused gets a [`Denial`](crate::Denial), not an `Error`. An `Error` means the
//! machinery could not decide (a key set that does not parse, an audit log that cannot be written,
//! a quota store that cannot be reached) and the request must not be signed.

use std::path::PathBuf;

use stellaops_crypto::Cause;

/// Failures of configuration, storage and I/O. Variants are stable; new ones may be added.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A JSON Web Key Set could not be read or parsed.
    #[error("jwks: {context}{}", Cause::suffix(.source.as_ref()))]
    Jwks {
        /// What is wrong with the set.
        context: String,
        /// The key's decoding error, when one key did not decode.
        #[source]
        source: Option<Cause>,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The audit log could not be opened or appended to; nothing may be signed.
    #[error("audit log {path}: {context}{}", Cause::suffix(.source.as_ref()))]
    Audit {
        /// The log file.
        path: PathBuf,
        /// What went wrong.
        context: String,
        /// The underlying error (the write, the serializer), when there is one.
        #[source]
        source: Option<Cause>,
    },
    /// An existing audit log does not verify, so appending to it would hide the damage.
    #[error("audit log {path} is broken at line {line}: {problem}")]
    AuditChain {
        /// The log file.
        path: PathBuf,
        /// The first bad line (1-based).
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The quota store (e.g. Redis) failed.
    #[error("quota store: {context}{}", Cause::suffix(.source.as_ref()))]
    QuotaStore {
        /// Which store, doing what.
        context: String,
        /// The store client's error.
        #[source]
        source: Option<Cause>,
    },
    /// The shared DPoP replay store (e.g. Redis) failed.
    #[error("replay store: {context}{}", Cause::suffix(.source.as_ref()))]
    ReplayStore {
        /// Which store, doing what.
        context: String,
        /// The store client's error.
        #[source]
        source: Option<Cause>,
    },
    /// A configuration value is invalid.
    #[error("configuration: {context}{}", Cause::suffix(.source.as_ref()))]
    Config {
        /// Which setting, and what is wrong with it.
        context: String,
        /// The parser's or client's error, when there is one.
        #[source]
        source: Option<Cause>,
    },
    /// Signing a JWS failed.
    #[error(transparent)]
    Crypto(#[from] stellaops_crypto::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// [`Error::Config`] saying what is wrong, with no underlying error.
    pub(crate) fn config(context: impl Into<String>) -> Self {
        Error::Config {
            context: context.into(),
            source: None,
        }
    }

    /// [`Error::Config`] for `context`, caused by `error`.
    pub(crate) fn config_from(
        context: impl Into<String>,
        error: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Config {
            context: context.into(),
            source: Some(Cause::new(error)),
        }
    }

    /// [`Error::Jwks`] saying what is wrong, with no underlying error.
    pub(crate) fn jwks(context: impl Into<String>) -> Self {
        Error::Jwks {
            context: context.into(),
            source: None,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
