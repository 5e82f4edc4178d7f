//! `GET /healthz` (the process serves), `GET /readyz` (keys sign, the quota store answers, the
//! audit log appends, not draining; cached for a few seconds), `GET /metrics` (Prometheus text).
//!
//! `/readyz` answers anyone (load balancers probe it without credentials), so a failing check's
//! reason, which is a backend's error text (hosts, key names, paths), is withheld there unless
//! `[server] readyz_detail = true`, as Kubernetes' `/readyz` does; the server log has it.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use stellaops_signer::pipeline::ReadinessCheck;

use super::{json_response, AppState};

/// How long a readiness answer is reused: each probe signs with every key and pings Redis.
const READINESS_TTL: Duration = Duration::from_secs(2);

/// What `/readyz` says instead of a failing check's reason.
const WITHHELD: &str = "reason withheld: see the server log";

pub(super) async fn healthz() -> Response {
    json_response(StatusCode::OK, json!({"status": "ok"}).to_string())
}

/// The readiness checks, from the cache when fresh; each check's gauge is set.
async fn checks(state: &Arc<AppState>) -> Option<Vec<ReadinessCheck>> {
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
            let checks = tokio::task::spawn_blocking(move || pipeline.readiness())
                .await
                .ok()?;
            *state.readiness.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((Instant::now(), checks.clone()));
            // A required check failing stops signing: an error; a reported one (the entitlement
            // source while its cache serves) a warning. The log sink bounds and escapes fields.
            for c in checks.iter().filter(|c| !c.ready) {
                if c.required {
                    tracing::error!(check = c.name, reason = %c.detail, "readiness check failing");
                } else {
                    tracing::warn!(check = c.name, reason = %c.detail, "readiness check failing");
                }
            }
            checks
        }
    };
    for c in &checks {
        metrics::gauge!("stellaops_signer_ready", "check" => c.name)
            .set(f64::from(u8::from(c.ready)));
    }
    Some(checks)
}

pub(super) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let draining = state.draining.load(Ordering::SeqCst);
    let Some(checks) = checks(&state).await else {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"ready": false, "draining": draining}).to_string(),
        );
    };
    let ready = !draining && checks.iter().all(|c| c.ready || !c.required);
    let body = json!({
        "ready": ready,
        "draining": draining,
        "checks": checks.iter().map(|c| {
            let detail = if c.ready || state.readyz_detail { c.detail.as_str() } else { WITHHELD };
            json!({"name": c.name, "ready": c.ready, "required": c.required, "detail": detail})
        }).collect::<Vec<_>>(),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(status, body.to_string())
}

/// The metrics, with the readiness gauges (and key validity ends) brought up to date first, so
/// alerts on them do not depend on someone calling `/readyz`.
pub(super) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let _ = checks(&state).await;
    let mut r = (StatusCode::OK, stellaops_signer::metrics_snapshot()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}
