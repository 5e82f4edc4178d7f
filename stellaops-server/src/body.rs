//! Reading a request body within bounds: the content type first, the declared length next, then
//! the bytes themselves under a size cap and a deadline (a client that sends slowly is cut off).

use axum::body::{Body, Bytes};
use axum::http::{header, request::Parts, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::config::Limits;
use crate::problem::Problem;

/// Whether the request says its body is JSON (`application/json`, parameters allowed).
fn is_json(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The JSON body of a request, or the problem that refuses it: 415 for another content type,
/// 413 over `max_body_bytes` (before reading when the length is declared), 408 when it does
/// not arrive within `body_timeout`.
pub(crate) async fn json_body(
    parts: &Parts,
    body: Body,
    limits: &Limits,
) -> Result<Bytes, Problem> {
    // Refusals before the body is read close the connection (`Connection: close`): what is left
    // of the body on it is not a next request.
    let close = |p: Problem| p.header(header::CONNECTION, "close");
    if !is_json(parts) {
        let problem = Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be application/json",
        );
        return Err(if drain(body, limits).await {
            problem
        } else {
            close(problem)
        });
    }
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body exceeds {} bytes", limits.max_body_bytes),
        )
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return Err(close(too_large()));
    }
    let read = Limited::new(body, limits.max_body_bytes).collect();
    match tokio::time::timeout(limits.body_timeout, read).await {
        Err(_) => Err(close(Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the body did not arrive within {} s",
                limits.body_timeout.as_secs()
            ),
        ))),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(close(too_large())),
        Ok(Err(_)) => Err(close(Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            "the body could not be read",
        ))),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// Read and drop a body the answer does not need, within `max_body_bytes` and `body_timeout`:
/// true when all of it was read. A connection closed with request bytes unread is reset by the
/// kernel, and the reset can destroy the answer before the client reads it; a drained
/// connection stays usable. When it is not drained, answer with `Connection: close`.
pub(crate) async fn drain(body: Body, limits: &Limits) -> bool {
    let read = Limited::new(body, limits.max_body_bytes).collect();
    matches!(
        tokio::time::timeout(limits.body_timeout, read).await,
        Ok(Ok(_))
    )
}
