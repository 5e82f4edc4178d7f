//! The routes and what they share.

mod health;
mod referrers;
mod sign;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use stellaops_signer::pipeline::{defer_audit, ReadinessCheck};
use stellaops_signer::policy::audit::bound_text;
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
    /// Whether `/readyz` shows failing checks' reasons (`[server] readyz_detail`).
    pub(crate) readyz_detail: bool,
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

async fn not_found(State(state): State<Arc<AppState>>, body: Body) -> Response {
    refuse_unrouted(
        &state,
        body,
        Problem::new(StatusCode::NOT_FOUND, "not_found", "no such route"),
    )
    .await
}

async fn method_not_allowed(
    State(state): State<Arc<AppState>>,
    method: Method,
    body: Body,
) -> Response {
    let problem = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed here", bound_text(method.as_str(), 16).0),
    );
    refuse_unrouted(&state, body, problem).await
}

/// A request no handler takes: its body is read and dropped (within the limits) so the
/// connection survives the answer; a body that cannot be drained closes it.
async fn refuse_unrouted(state: &AppState, body: Body, problem: Problem) -> Response {
    if crate::body::drain(body, &state.limits).await {
        problem.into_response()
    } else {
        problem.header(header::CONNECTION, "close").into_response()
    }
}

/// Count a finished request under its route and status.
fn observe(route: &'static str, status: StatusCode, started: Instant) {
    metrics::counter!("stellaops_signer_http_requests_total", "route" => route, "status" => status.as_u16().to_string())
        .increment(1);
    metrics::histogram!("stellaops_signer_http_request_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    let mut r = (status, body.into()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Run a pipeline call and answer with its JSON, or the problem its error maps to.
///
/// A pipeline that [runs in memory](SignerPipeline::runs_in_memory) (software keys, in-memory
/// stores) is called right here on the worker: handing tens of microseconds of CPU to the
/// blocking pool and back costs more than the call. Otherwise the call goes to tokio's blocking
/// pool (its key backends, Redis and registry clients block). Either way the audit records are
/// written during the call and made durable by the audit sink's own thread: no thread is held
/// while `fdatasync` runs, and this task waits until the records are on disk before it answers.
pub(crate) async fn blocking(
    state: &AppState,
    call: impl FnOnce(&SignerPipeline) -> stellaops_signer::Result<Vec<u8>> + Send + 'static,
) -> Result<Vec<u8>, Problem> {
    let pipeline = state.pipeline.clone();
    let run = move || defer_audit(|| call(&pipeline));
    let deferred = if state.pipeline.runs_in_memory() {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).map_err(drop)
    } else {
        tokio::task::spawn_blocking(run).await.map_err(drop)
    };
    match deferred {
        Ok(deferred) => deferred
            .settle()
            .await
            .map_err(|e| Problem::from_error(&e, state.pipeline.dpop_nonce())),
        Err(()) => Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the pipeline task failed",
        )),
    }
}

/// The answer for a route's result: 200 with the JSON, or the problem; counted under `route`.
pub(crate) fn answer(
    route: &'static str,
    started: Instant,
    result: Result<Vec<u8>, Problem>,
) -> Response {
    let response = match result {
        Ok(json) => json_response(StatusCode::OK, json),
        Err(problem) => problem.into_response(),
    };
    observe(route, response.status(), started);
    response
}
