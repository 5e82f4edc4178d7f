//! The server's error type: what stops it from starting (configuration, TLS material, the
//! listening socket) or the pipeline behind it. Per-request failures are problem documents
//! ([`crate::problem`]), not errors.

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file the configuration names could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML or its `[server]` section is wrong.
    #[error("{path}: {source}")]
    ConfigSyntax {
        /// The configuration file.
        path: String,
        /// What the TOML parser found.
        #[source]
        source: toml::de::Error,
    },
    /// The `[server]` section is valid TOML but says something the server cannot do.
    #[error("server configuration: {0}")]
    Config(String),
    /// A certificate or private key file is not PEM of the expected kind.
    #[error("{path}: {source}")]
    Pem {
        /// The file.
        path: String,
        /// What the PEM reader found.
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    /// rustls refused the certificate, key or protocol configuration.
    #[error("tls: {0}")]
    Tls(#[from] tokio_rustls::rustls::Error),
    /// The client CA file cannot make a client certificate verifier.
    #[error("tls client verifier: {0}")]
    ClientVerifier(#[from] tokio_rustls::rustls::server::VerifierBuilderError),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The socket error.
        #[source]
        source: std::io::Error,
    },
    /// The signing pipeline could not be built from the configuration.
    #[error(transparent)]
    Signer(#[from] stellaops_signer::Error),
}

/// Result with the server's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}
