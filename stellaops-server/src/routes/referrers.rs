//! `GET /api/v1/signer/verify/referrers?digest=sha256:<hex>`: the scanner release verdict for a
//! digest (allow-list, release signatures found as OCI referrers, overrides), for an
//! authenticated caller.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use stellaops_signer::policy::is_sha256_digest;

use super::{answer, blocking, AppState};
use crate::caller::caller;
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
    let result = verdict(&state, digest, request).await;
    answer("verify_referrers", started, result)
}

async fn verdict(
    state: &AppState,
    digest: Option<String>,
    request: Request,
) -> Result<Vec<u8>, Problem> {
    let (parts, _body) = request.into_parts();
    let caller = caller(&parts, &state.external_url)?;
    let digest = digest.filter(|d| is_sha256_digest(d)).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_digest",
            "digest must be sha256:<64 lowercase hex>",
        )
    })?;
    blocking(state, move |pipeline| {
        pipeline.release_verdict_json_for(&caller, &digest)
    })
    .await
}
