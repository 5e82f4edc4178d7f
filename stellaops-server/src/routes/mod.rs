//! The routes and what they share.

mod health;
mod referrers;
mod sign;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use stellaops_signer::pipeline::ReadinessCheck;
use stellaops_signer::SignerPipeline;
use tokio::sync::Semaphore;
use url::Url;

use crate::config::Limits;
use crate::problem::Problem;

/// Every route of the API, in the OpenAPI document's order.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/signer/sign/dsse"),
    ("POST", "/api/v1/signer/sign/export"),
    ("GET", "/api/v1/signer/verify/referrers"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
];

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) pipeline: Arc<SignerPipeline>,
    pub(crate) external_url: Url,
    pub(crate) limits: Limits,
    /// Signing requests in the pipeline (its blocking calls run on tokio's blocking pool).
    pub(crate) in_flight: Arc<Semaphore>,
    /// Set on SIGTERM: readiness turns false so a load balancer stops sending.
    pub(crate) draining: AtomicBool,
    /// The last readiness answer and when it was made.
    pub(crate) readiness: Mutex<Option<(Instant, Vec<ReadinessCheck>)>>,
}

/// The router over `state`.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/v1/signer/sign/dsse", post(sign::sign_dsse))
        .route("/api/v1/signer/sign/export", post(sign::sign_export))
        .route("/api/v1/signer/verify/referrers", get(referrers::referrers))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "not_found", "no such route").into_response()
}

async fn method_not_allowed(method: Method) -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed here",
            crate::problem::bounded(method.as_str(), 16)
        ),
    )
    .into_response()
}

/// Count a finished request under its route and status.
pub(crate) fn observe(route: &'static str, status: StatusCode, started: Instant) {
    metrics::counter!("stellaops_signer_http_requests_total", "route" => route, "status" => status.as_u16().to_string())
        .increment(1);
    metrics::histogram!("stellaops_signer_http_request_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
}
