//! The connection loop: TCP accept, a bounded TLS handshake, HTTP/1.1 with a bounded head, the
//! TLS session's client certificate handed to the request, and a graceful drain at shutdown.

use std::future::Future;
use std::sync::Arc;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::caller::Peer;
use crate::config::Limits;

/// Serve `app` on `listener` until `shutdown` completes; then stop accepting and give open
/// connections `limits.drain_timeout` to finish their requests. True when every connection
/// finished in time.
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> bool {
    let acceptor = TlsAcceptor::from(tls);
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_header_bytes);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let tcp = match accepted {
                    Ok((tcp, _)) => tcp,
                    Err(e) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = connections.clone().try_acquire_owned() else {
                    metrics::counter!("stellaops_signer_http_connections_refused_total").increment(1);
                    drop(tcp);
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let app = app.clone();
                let http = http.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let _permit = permit;
                    let handshake = tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp)).await;
                    let tls = match handshake {
                        Ok(Ok(tls)) => tls,
                        failed => {
                            metrics::counter!("stellaops_signer_tls_handshake_failures_total").increment(1);
                            if let Ok(Err(e)) = failed {
                                tracing::debug!(error = %e, "tls handshake failed");
                            }
                            return;
                        }
                    };
                    let peer = Peer {
                        certificate: tls
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|chain| chain.first())
                            .map(|c| Arc::from(c.as_ref())),
                    };
                    let service = app.map_request(move |mut request: Request<Incoming>| {
                        request.extensions_mut().insert(peer.clone());
                        request
                    });
                    let connection =
                        http.serve_connection(TokioIo::new(tls), TowerToHyperService::new(service));
                    if let Err(e) = watcher.watch(connection).await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => true,
        () = tokio::time::sleep(limits.drain_timeout) => false,
    }
}
