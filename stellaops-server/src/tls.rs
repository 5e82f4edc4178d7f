//! The TLS side: rustls with the server's certificate, and client certificates (mTLS) checked
//! against the configured CA when one is given.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore};

use crate::config::{ClientAuth, ServerConfig};
use crate::error::{Error, Result};

fn pem_error(path: &Path) -> impl Fn(rustls_pki_types::pem::Error) -> Error + '_ {
    move |source| Error::Pem {
        path: path.display().to_string(),
        source,
    }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(pem_error(path))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error(path))?;
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "{}: no CERTIFICATE in the file",
            path.display()
        )));
    }
    Ok(certs)
}

/// The rustls configuration for `config`: HTTP/1.1 over TLS 1.2 or 1.3, with client
/// certificates when a client CA is configured.
///
/// # Errors
/// [`Error::Pem`] for unreadable PEM, [`Error::Tls`] and [`Error::ClientVerifier`] for what
/// rustls refuses.
pub(crate) fn server_config(config: &ServerConfig) -> Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = certificates(&config.certificate)?;
    let key = PrivateKeyDer::from_pem_file(&config.private_key)
        .map_err(pem_error(&config.private_key))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = match &config.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for cert in certificates(ca)? {
                roots.add(cert)?;
            }
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
            let verifier = match config.client_auth {
                ClientAuth::Optional => verifier.allow_unauthenticated(),
                ClientAuth::Required => verifier,
            };
            builder.with_client_cert_verifier(verifier.build()?)
        }
    };
    let mut tls = builder.with_single_cert(chain, key)?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(tls))
}
