//! The one error type of this crate.

use stellaops_crypto::Cause;

/// Everything that can go wrong while finding, loading or using a key by URI.
///
/// Variants are stable: new ones may be added (the enum is `#[non_exhaustive]`), existing ones
/// keep their meaning. Errors raised while *signing* reach callers wrapped in
/// [`stellaops_crypto::Error::Backend`], whose source is one of these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key URI is malformed or names an unknown scheme.
    #[error("invalid key uri: {0}")]
    InvalidUri(String),
    /// The URI's scheme is known but its backend is not compiled into this build.
    #[error("the {0} backend is not available in this build")]
    BackendNotAvailable(&'static str),
    /// Reading a key file, PIN file or configuration file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Key material (from a file, a token or a server) is not a key we accept.
    #[error(transparent)]
    Key(#[from] stellaops_crypto::Error),
    /// The token rejected the PIN.
    #[error("the token rejected the pin")]
    WrongPin,
    /// A PIN is needed and none was given (`pin-value` or `pin-source`).
    #[error("the token needs a pin; give pin-value or pin-source in the uri")]
    PinRequired,
    /// A FIDO2 authenticator needs its PIN for this operation and no PIN source gave one.
    #[error(
        "the fido2 authenticator needs its pin: give pin-source=FILE in the fido2: uri, set \
         STELLAOPS_FIDO2_PIN, or run on a terminal to be asked"
    )]
    Fido2PinRequired,
    /// No key matches the URI's attributes.
    #[error("no key found for {0}")]
    KeyNotFound(String),
    /// More than one key matches and the URI does not say which.
    #[error("{0} matches more than one key; add an object label or id")]
    AmbiguousKey(String),
    /// No token matches the URI's token attributes, or the token was removed.
    #[error("no token present matching {context}{}", Cause::suffix(.source.as_ref()))]
    TokenAbsent {
        /// Which token was looked for, or what happened to it.
        context: String,
        /// The PKCS#11 module's or device library's error, when it reported one.
        #[source]
        source: Option<Cause>,
    },
    /// The token or server cannot do the operation the key's algorithm needs.
    #[error("mechanism not supported: {context}{}", Cause::suffix(.source.as_ref()))]
    MechanismUnsupported {
        /// What cannot be done.
        context: String,
        /// The module's or service's error, when it reported one.
        #[source]
        source: Option<Cause>,
    },
    /// A FIDO2 authenticator refused or failed an operation (its CTAP2 status), or answered what
    /// cannot be used.
    #[error("fido2 authenticator: {context}{}", Cause::suffix(.source.as_ref()))]
    Authenticator {
        /// What was being done, or what was wrong with the answer.
        context: String,
        /// The authenticator library's error, when it reported one.
        #[source]
        source: Option<Cause>,
    },
    /// A PKCS#11 call failed for another reason, or the token holds what cannot be used.
    #[error("pkcs#11: {context}{}", Cause::suffix(.source.as_ref()))]
    Pkcs11 {
        /// What was being done, or what was wrong.
        context: String,
        /// The PKCS#11 module's error (its CKR_ value), when it reported one.
        #[source]
        source: Option<Cause>,
    },
    /// A remote service (KMS, Vault) answered with an error.
    #[error("{backend} answered {status}: {message}")]
    Remote {
        /// Which backend.
        backend: &'static str,
        /// The HTTP status code.
        status: u16,
        /// What the service said.
        message: String,
    },
    /// A remote service could not be reached or answered something unreadable.
    #[error("{backend}: {context}{}", Cause::suffix(.source.as_ref()))]
    Transport {
        /// Which backend.
        backend: &'static str,
        /// What was being done, or what was wrong with the answer.
        context: String,
        /// The HTTP client's or decoder's error, when there is one.
        #[source]
        source: Option<Cause>,
    },
    /// Credentials or settings for a remote backend are missing.
    #[error("{backend} configuration: {message}")]
    Configuration {
        /// Which backend.
        backend: &'static str,
        /// What is missing or wrong.
        message: String,
    },
    /// The tenant key configuration file is invalid (the old configuration stays in force).
    #[error("key configuration {path}: {message}")]
    Registry {
        /// The configuration file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The tenant has no key that is active now (for the plan and family asked).
    #[error("tenant {tenant:?} has no active signing key{detail}")]
    NoActiveKey {
        /// The tenant.
        tenant: String,
        /// Plan and family, when given.
        detail: String,
    },
    /// The key is revoked; it signs nothing, and signatures made after the revocation are rejected.
    #[error("key {key_id} is revoked since {revoked_at}: {reason}")]
    KeyRevoked {
        /// The revoked key's id.
        key_id: String,
        /// When (RFC 3339).
        revoked_at: String,
        /// Why.
        reason: String,
    },
    /// The key found for a configuration entry is not the key the entry pins with `key_id`.
    #[error("key uri {uri} resolved to key id {found}, but the configuration pins {expected}")]
    KeyIdMismatch {
        /// The URI.
        uri: String,
        /// The pinned key id.
        expected: String,
        /// The key id found.
        found: String,
    },
}

impl Error {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// [`Error::MechanismUnsupported`] saying what cannot be done.
    #[cfg(any(
        feature = "pkcs11",
        feature = "awskms",
        feature = "hashivault",
        feature = "fido2"
    ))]
    pub(crate) fn unsupported(context: impl Into<String>) -> Self {
        Error::MechanismUnsupported {
            context: context.into(),
            source: None,
        }
    }

    /// [`Error::TokenAbsent`] naming the token looked for.
    #[cfg(any(feature = "pkcs11", feature = "fido2-hid"))]
    pub(crate) fn token_absent(context: impl Into<String>) -> Self {
        Error::TokenAbsent {
            context: context.into(),
            source: None,
        }
    }

    /// [`Error::Pkcs11`] saying what was wrong, with no underlying error.
    #[cfg(feature = "pkcs11")]
    pub(crate) fn pkcs11(context: impl Into<String>) -> Self {
        Error::Pkcs11 {
            context: context.into(),
            source: None,
        }
    }

    /// [`Error::Authenticator`] saying what was wrong, with the library's error if there is one.
    #[cfg(feature = "fido2")]
    pub(crate) fn authenticator(context: impl Into<String>, source: Option<Cause>) -> Self {
        Error::Authenticator {
            context: context.into(),
            source,
        }
    }

    /// Wrap this error as the crypto crate's backend error, for [`stellaops_crypto::SigningKey::try_sign`].
    pub(crate) fn into_backend(self, backend: &'static str) -> stellaops_crypto::Error {
        match self {
            Error::Key(inner) => inner,
            other => stellaops_crypto::Error::Backend {
                backend,
                source: Box::new(other),
            },
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
