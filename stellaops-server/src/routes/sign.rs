//! `POST /api/v1/signer/sign/dsse` and `POST /api/v1/signer/sign/export`: the pipeline on behalf
//! of the caller the request identifies.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use stellaops_signer::faces::new_trace_id;
use stellaops_signer::{CallerContext, SignerPipeline};

use super::{answer, blocking, AppState};
use crate::caller::caller;
use crate::problem::Problem;

type Signing = fn(&SignerPipeline, &CallerContext, &[u8]) -> stellaops_signer::Result<Vec<u8>>;

pub(super) async fn sign_dsse(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let result = signed(&state, request, SignerPipeline::sign_body_json).await;
    answer("sign_dsse", started, result)
}

pub(super) async fn sign_export(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let result = signed(&state, request, SignerPipeline::sign_export_body_json).await;
    answer("sign_export", started, result)
}

async fn signed(state: &AppState, request: Request, sign: Signing) -> Result<Vec<u8>, Problem> {
    let (parts, body) = request.into_parts();
    // The body first: a refusal that leaves it unread must close the connection, or the next
    // request on it would be read from the middle of this one's body.
    let body = crate::body::json_body(&parts, body, &state.limits).await?;
    let mut caller = caller(&parts, &state.external_url)?;
    // One trace id for the audit record, the log and the answer, made here when none came.
    let trace_id = caller.trace_id.get_or_insert_with(new_trace_id).clone();
    let Ok(permit) = state.in_flight.clone().try_acquire_owned() else {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "too many signing requests in flight",
        )
        .retry_after(1)
        .trace(Some(trace_id)));
    };
    blocking(state, move |pipeline| {
        let _permit = permit;
        sign(pipeline, &caller, &body)
    })
    .await
    .map_err(|p| p.trace(Some(trace_id)))
}
