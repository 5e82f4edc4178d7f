//! `GET /healthz` (the process serves), `GET /readyz` (keys sign, the quota store answers, the
//! audit log appends, not draining; cached for a few seconds), `GET /metrics` (Prometheus text).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{json_response, AppState};

/// How long a readiness answer is reused: each probe signs with every key and pings Redis.
const READINESS_TTL: Duration = Duration::from_secs(2);

pub(super) async fn healthz() -> Response {
    json_response(StatusCode::OK, json!({"status": "ok"}).to_string())
}

pub(super) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let draining = state.draining.load(Ordering::SeqCst);
    let cached = state
        .readiness
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .filter(|(at, _)| at.elapsed() < READINESS_TTL)
        .map(|(_, checks)| checks.clone());
    let checks = match cached {
        Some(c) => c,
        None => {
            let pipeline = state.pipeline.clone();
            let Ok(checks) = tokio::task::spawn_blocking(move || pipeline.readiness()).await else {
                return json_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"ready": false, "draining": draining}).to_string(),
                );
            };
            *state.readiness.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((Instant::now(), checks.clone()));
            checks
        }
    };
    for c in &checks {
        metrics::gauge!("stellaops_signer_ready", "check" => c.name)
            .set(f64::from(u8::from(c.ready)));
    }
    let ready = !draining && checks.iter().all(|c| c.ready);
    let body = json!({
        "ready": ready,
        "draining": draining,
        "checks": checks.iter().map(|c| json!({"name": c.name, "ready": c.ready, "detail": c.detail})).collect::<Vec<_>>(),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(status, body.to_string())
}

pub(super) async fn metrics() -> Response {
    let mut r = (StatusCode::OK, stellaops_signer::metrics_snapshot()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}
