//! The Signer service: `stella serve --config signer.toml`, the stellaops-signer pipeline over
//! HTTPS for services that cannot embed the library.
//!
//! - `POST /api/v1/signer/sign/dsse`: a statement (or predicate and subjects) in, the DSSE
//!   envelope (or Sigstore bundle) out with the outcome's identity metadata;
//! - `POST /api/v1/signer/sign/export`: an export manifest in, the manifest and its envelope out;
//! - `GET /api/v1/signer/verify/referrers?digest=sha256:…`: the scanner release verdict;
//! - `GET /healthz`, `GET /readyz`, `GET /metrics`.
//!
//! The caller is the request: the token from `Authorization: DPoP …` (or `Bearer`), the proof
//! from `DPoP` (its `htm` checked against the request's method, its `htu` against the configured
//! external URL plus the request's path), the client certificate of the TLS session for
//! certificate-bound tokens (`cnf.x5t#S256`), the tenant from `X-StellaOps-Tenant`, the trace id
//! from `traceparent`. Refusals are RFC 9457 problem documents carrying the stable reason code.
//! `docs/service.md` and `docs/openapi.yaml` describe the API.
//!
//! Signing is the facade's [`SignerPipeline`]: the server adds no second signing path.

#![forbid(unsafe_code)]

mod anchor;
mod body;
mod caller;
mod config;
mod error;
pub mod http_metrics;
mod listener;
pub mod problem;
mod routes;
mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

pub use caller::TENANT_HEADER;
pub use config::{ClientAuth, Limits, ServerConfig};
pub use error::{Error, Result};
pub use routes::ROUTES;
use stellaops_signer::SignerPipeline;
use tokio::sync::Semaphore;
use tokio_rustls::rustls;
use url::Url;

/// A bound server, not yet serving: [`Server::local_addr`] is known (listen on port 0 and ask).
#[derive(Debug)]
pub struct Server {
    listener: std::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    pipeline: Arc<SignerPipeline>,
    external_url: Url,
    limits: Limits,
    readyz_detail: bool,
}

impl Server {
    /// Load the TLS material and bind the listening socket.
    ///
    /// # Errors
    /// [`Error::Pem`], [`Error::Tls`], [`Error::ClientVerifier`] for the TLS material;
    /// [`Error::Bind`] for the socket.
    pub fn bind(config: ServerConfig) -> Result<Self> {
        let tls = tls::server_config(&config)?;
        let listener =
            std::net::TcpListener::bind(config.listen).map_err(|source| Error::Bind {
                addr: config.listen.to_string(),
                source,
            })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| Error::Bind {
                addr: config.listen.to_string(),
                source,
            })?;
        stellaops_signer::metrics_text::install();
        stellaops_signer::metrics_text::describe(http_metrics::SERVER_METRICS);
        Ok(Server {
            listener,
            tls,
            pipeline: Arc::new(config.pipeline),
            external_url: config.external_url,
            limits: config.limits,
            readyz_detail: config.readyz_detail,
        })
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    /// [`Error::Bind`] when the socket cannot say.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener.local_addr().map_err(|source| Error::Bind {
            addr: String::from("(bound socket)"),
            source,
        })
    }

    /// Serve until SIGTERM or SIGINT, then drain ([`Server::run_until`]).
    ///
    /// # Errors
    /// As [`Server::run_until`].
    pub fn run(self) -> Result<bool> {
        self.run_until(shutdown_signal())
    }

    /// Serve until `shutdown` completes: then stop accepting, turn `/readyz` false, give
    /// in-flight requests the drain timeout to finish, and return (every audit record of an
    /// answered request is already on disk: the pipeline answers only after writing it). True
    /// when every connection finished within the drain timeout.
    ///
    /// # Errors
    /// [`Error::Bind`] when the runtime or the socket cannot be set up.
    pub fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> Result<bool> {
        let bind_error = |source| Error::Bind {
            addr: String::from("(runtime)"),
            source,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("stellaops-server")
            .build()
            .map_err(bind_error)?;
        let state = Arc::new(routes::AppState {
            pipeline: self.pipeline,
            external_url: self.external_url,
            limits: self.limits,
            in_flight: Arc::new(Semaphore::new(self.limits.max_in_flight)),
            draining: AtomicBool::new(false),
            readiness: Mutex::new(None),
            readyz_detail: self.readyz_detail,
        });
        let app = routes::router(state.clone());
        let limits = self.limits;
        let tls = self.tls;
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener).map_err(bind_error)?;
            let drained = listener::serve(listener, tls, app, limits, async {
                shutdown.await;
                state
                    .draining
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                tracing::info!("shutting down: draining in-flight requests");
            })
            .await;
            // The drained requests' records are on disk: publish the final head before exit
            // (the pipeline's own thread anchors until then).
            anchor::final_round(&state.pipeline).await;
            Ok(drained)
        })
    }
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
