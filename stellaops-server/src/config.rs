//! The `[server]` section of the signer's configuration file; every other section is the
//! pipeline's ([`SignerPipeline::from_config_table`]).
//!
//! ```toml
//! [server]
//! listen = "0.0.0.0:8443"
//! external_url = "https://signer.example"   # what clients call: DPoP htu is checked against it
//! certificate = "tls/server.pem"            # chain, leaf first
//! private_key = "tls/server.key"
//! client_ca = "tls/clients-ca.pem"          # optional: ask for client certificates (mTLS)
//! client_auth = "optional"                  # "optional" (default with client_ca) or "required"
//! max_body_bytes = 8388608                  # 413 above this
//! max_header_bytes = 16384                  # 431 above this
//! header_timeout_seconds = 10               # the request head must arrive within this
//! body_timeout_seconds = 30                 # the body must arrive within this (408 after)
//! handshake_timeout_seconds = 10
//! max_connections = 1024                    # further connections are closed at once
//! max_in_flight = 256                       # signing requests at a time (503 above)
//! drain_timeout_seconds = 20                # SIGTERM: in-flight requests get this long
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use stellaops_signer::SignerPipeline;
use url::Url;

use crate::error::{io, Error, Result};

/// Whether and how clients present certificates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// Ask for a certificate; connections without one are served (tokens bound to a certificate
    /// are then refused with `mtls.missing`).
    #[default]
    Optional,
    /// Refuse the TLS handshake without a certificate the client CA issued.
    Required,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    listen: SocketAddr,
    external_url: String,
    certificate: PathBuf,
    private_key: PathBuf,
    client_ca: Option<PathBuf>,
    client_auth: Option<ClientAuth>,
    max_body_bytes: Option<usize>,
    max_header_bytes: Option<usize>,
    header_timeout_seconds: Option<u64>,
    body_timeout_seconds: Option<u64>,
    handshake_timeout_seconds: Option<u64>,
    max_connections: Option<usize>,
    max_in_flight: Option<usize>,
    drain_timeout_seconds: Option<u64>,
    readyz_detail: Option<bool>,
}

/// Bounds on what one client can make the server hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body (413 above it).
    pub max_body_bytes: usize,
    /// Largest request head (431 above it).
    pub max_header_bytes: usize,
    /// Time for the request head to arrive.
    pub header_timeout: Duration,
    /// Time for the body to arrive (408 after it).
    pub body_timeout: Duration,
    /// Time for the TLS handshake.
    pub handshake_timeout: Duration,
    /// Open connections at a time.
    pub max_connections: usize,
    /// Signing requests in the pipeline at a time (503 `overloaded` above it).
    pub max_in_flight: usize,
    /// After SIGTERM, how long in-flight requests get to finish.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 8 << 20,
            max_header_bytes: 16 << 10,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_in_flight: 256,
            drain_timeout: Duration::from_secs(20),
        }
    }
}

/// The server's configuration and the pipeline it serves.
#[derive(Debug)]
pub struct ServerConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The URL clients call (scheme, host, port, path prefix): DPoP `htu` is compared with it
    /// plus the request's path, never with the `Host` header a client can set.
    pub external_url: Url,
    /// The server's certificate chain (PEM, leaf first).
    pub certificate: PathBuf,
    /// The server's private key (PEM).
    pub private_key: PathBuf,
    /// CA certificates that issue client certificates (PEM); `None`: no mTLS.
    pub client_ca: Option<PathBuf>,
    /// With a client CA: whether a certificate is required.
    pub client_auth: ClientAuth,
    /// Request bounds.
    pub limits: Limits,
    /// Whether `/readyz` shows why a check fails (backend error text) to anyone who asks;
    /// otherwise it says the reason is withheld and the server log has it. Off by default:
    /// `/readyz` answers unauthenticated probes.
    pub readyz_detail: bool,
    /// The signing pipeline, from the rest of the file.
    pub pipeline: SignerPipeline,
}

fn bad(message: impl Into<String>) -> Error {
    Error::Config(message.into())
}

impl ServerConfig {
    /// Read the configuration at `path`: `[server]` here, the rest the pipeline's. Relative
    /// paths are relative to the file's directory.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::ConfigSyntax`], [`Error::Config`] for the file and its
    /// `[server]` section; [`Error::Signer`] for the pipeline's sections.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        let syntax = |source| Error::ConfigSyntax {
            path: path.display().to_string(),
            source,
        };
        let mut table: toml::Table = toml::from_str(&text).map_err(syntax)?;
        let section = table
            .remove("server")
            .ok_or_else(|| bad(format!("{}: no [server] section", path.display())))?;
        let section = Section::deserialize(section).map_err(syntax)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let pipeline = SignerPipeline::from_config_table(table, path)?;
        let at = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let external_url = Url::parse(&section.external_url)
            .map_err(|e| bad(format!("external_url {:?}: {e}", section.external_url)))?;
        if !matches!(external_url.scheme(), "https" | "http") || external_url.cannot_be_a_base() {
            return Err(bad("external_url must be an http or https URL"));
        }
        let d = Limits::default();
        let secs = |s: Option<u64>, default: Duration| s.map_or(default, Duration::from_secs);
        let limits = Limits {
            max_body_bytes: section.max_body_bytes.unwrap_or(d.max_body_bytes),
            max_header_bytes: section.max_header_bytes.unwrap_or(d.max_header_bytes),
            header_timeout: secs(section.header_timeout_seconds, d.header_timeout),
            body_timeout: secs(section.body_timeout_seconds, d.body_timeout),
            handshake_timeout: secs(section.handshake_timeout_seconds, d.handshake_timeout),
            max_connections: section.max_connections.unwrap_or(d.max_connections),
            max_in_flight: section.max_in_flight.unwrap_or(d.max_in_flight),
            drain_timeout: secs(section.drain_timeout_seconds, d.drain_timeout),
        };
        // hyper's smallest read buffer is 8 KiB.
        if limits.max_header_bytes < 8192 {
            return Err(bad("max_header_bytes: at least 8192"));
        }
        if limits.max_connections == 0 || limits.max_in_flight == 0 {
            return Err(bad("max_connections and max_in_flight: at least 1"));
        }
        if section.client_auth.is_some() && section.client_ca.is_none() {
            return Err(bad("client_auth needs client_ca"));
        }
        Ok(ServerConfig {
            listen: section.listen,
            external_url,
            certificate: at(section.certificate),
            private_key: at(section.private_key),
            client_ca: section.client_ca.map(at),
            client_auth: section.client_auth.unwrap_or_default(),
            limits,
            readyz_detail: section.readyz_detail.unwrap_or(false),
            pipeline,
        })
    }
}
