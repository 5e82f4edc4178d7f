//! `GET /api/v1/signer/verify/referrers?digest=sha256:<hex>`: the scanner release verdict for a
//! digest (allow-list, release signatures found as OCI referrers, overrides), for an
//! authenticated caller.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{observe, AppState};
use crate::caller::{caller, Peer};
use crate::problem::Problem;

pub(super) async fn referrers(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let started = Instant::now();
    let digest = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "digest")
            .map(|(_, value)| value.into_owned())
    });
    let response = match verdict(&state, digest, request).await {
        Ok(json) => {
            let mut r = (StatusCode::OK, json).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Err(p) => p.into_response(),
    };
    observe("verify_referrers", response.status(), started);
    response
}

async fn verdict(
    state: &Arc<AppState>,
    digest: Option<String>,
    request: Request,
) -> Result<Vec<u8>, Problem> {
    let (parts, _body) = request.into_parts();
    let peer = parts.extensions.get::<Peer>().cloned().unwrap_or_default();
    let caller = caller(&parts, &state.external_url, &peer)?;
    let digest = digest.filter(|d| is_sha256(d)).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_digest",
            "digest must be sha256:<64 lowercase hex>",
        )
    })?;
    let pipeline = state.pipeline.clone();
    let joined =
        tokio::task::spawn_blocking(move || pipeline.release_verdict_json_for(&caller, &digest))
            .await;
    match joined {
        Ok(Ok(json)) => Ok(json),
        Ok(Err(e)) => Err(Problem::from_error(&e, state.pipeline.dpop_nonce())),
        Err(_) => Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the release check failed",
        )),
    }
}

fn is_sha256(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}
