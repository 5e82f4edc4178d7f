//! `POST /api/v1/signer/sign/dsse` and `POST /api/v1/signer/sign/export`: the pipeline on behalf
//! of the caller the request identifies.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use stellaops_signer::{CallerContext, SignerPipeline};

use super::{observe, AppState};
use crate::caller::{caller, new_trace_id, Peer};
use crate::problem::Problem;

type Signing = fn(&SignerPipeline, &CallerContext, &[u8]) -> stellaops_signer::Result<Vec<u8>>;

pub(super) async fn sign_dsse(State(state): State<Arc<AppState>>, request: Request) -> Response {
    run("sign_dsse", &state, request, SignerPipeline::sign_body_json).await
}

pub(super) async fn sign_export(State(state): State<Arc<AppState>>, request: Request) -> Response {
    run(
        "sign_export",
        &state,
        request,
        SignerPipeline::sign_export_body_json,
    )
    .await
}

async fn run(
    route: &'static str,
    state: &Arc<AppState>,
    request: Request,
    sign: Signing,
) -> Response {
    let started = Instant::now();
    let response = match signed(state, request, sign).await {
        Ok(json) => {
            let mut response = (StatusCode::OK, json).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(problem) => problem.into_response(),
    };
    observe(route, response.status(), started);
    response
}

async fn signed(
    state: &Arc<AppState>,
    request: Request,
    sign: Signing,
) -> Result<Vec<u8>, Problem> {
    let (parts, body): (_, Body) = request.into_parts();
    let peer = parts.extensions.get::<Peer>().cloned().unwrap_or_default();
    // The body first: a refusal that leaves it unread must close the connection, or the next
    // request on it would be read from the middle of this one's body.
    let body = crate::body::json_body(&parts, body, &state.limits).await?;
    let mut caller = caller(&parts, &state.external_url, &peer)?;
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
    let pipeline = state.pipeline.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        sign(&pipeline, &caller, &body)
    })
    .await;
    match joined {
        Ok(Ok(json)) => Ok(json),
        Ok(Err(e)) => {
            Err(Problem::from_error(&e, state.pipeline.dpop_nonce()).trace(Some(trace_id)))
        }
        Err(_) => Err(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the signing task failed",
        )
        .trace(Some(trace_id))),
    }
}
