//! RFC 9457 problem documents: every refusal carries the stable code (a pipeline reason such as
//! `optok.expired`, a facade error name such as `audit_failed`, or one of the transport's own
//! below) and the status that fits it.
//!
//! Transport codes: `not_found`, `method_not_allowed`, `unsupported_media_type`,
//! `too_large`, `request_timeout`, `overloaded`, `invalid_argument`, `internal`.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use stellaops_signer::policy::audit::bound_text;
use stellaops_signer::policy::Reason;
use stellaops_signer::{Error, ErrorCode};

/// The `type` of every problem is this plus its code.
pub const TYPE_BASE: &str = "https://stella-ops.org/problems/signer/";

/// Longest `detail` sent: details can quote caller data (a bounded `htu`, a member name).
const MAX_DETAIL: usize = 512;

/// One problem document and the headers that go with it.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) detail: String,
    pub(crate) trace_id: Option<String>,
    /// `Retry-After` (429, 503), `WWW-Authenticate` (401), `DPoP-Nonce` (401 when the server
    /// requires nonces).
    headers: Vec<(HeaderName, String)>,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Problem {
            status,
            code: code.to_owned(),
            detail: detail.into(),
            trace_id: None,
            headers: Vec::new(),
        }
    }

    /// Add a header to the answer.
    pub(crate) fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// `Retry-After: seconds`.
    pub(crate) fn retry_after(self, seconds: u64) -> Self {
        self.header(header::RETRY_AFTER, seconds.to_string())
    }

    /// The problem for a facade error: the denial's reason, or the error's code.
    pub(crate) fn from_error(e: &Error, dpop_nonce: Option<String>) -> Self {
        let p = match e {
            Error::Denied(d) => {
                let mut p = Problem::new(status_of_reason(d.reason), d.reason.code(), &d.detail);
                if let Some(challenge) = www_authenticate(d.reason) {
                    p = p.header(header::WWW_AUTHENTICATE, challenge);
                }
                if let Some(seconds) = retry_after(d.reason) {
                    p = p.retry_after(seconds);
                }
                p
            }
            _ => {
                let code = e.code();
                let status = status_of_code(code);
                // Internal failures name their code; their text can name files and backends.
                let detail = if status == StatusCode::INTERNAL_SERVER_ERROR {
                    String::from("the signer failed; its log has the details")
                } else {
                    e.to_string()
                };
                let p = Problem::new(status, code.name(), detail);
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    p.retry_after(5)
                } else {
                    p
                }
            }
        };
        match dpop_nonce {
            Some(nonce) if p.status == StatusCode::UNAUTHORIZED => {
                p.header(HeaderName::from_static("dpop-nonce"), nonce)
            }
            _ => p,
        }
    }

    pub(crate) fn trace(mut self, trace_id: Option<String>) -> Self {
        self.trace_id = trace_id;
        self
    }
}

/// The status a pipeline denial maps to.
pub(crate) fn status_of_reason(reason: Reason) -> StatusCode {
    use Reason as R;
    match reason {
        R::OptokScope => StatusCode::FORBIDDEN,
        R::DpopCapacity | R::DpopStore | R::QuotaStore | R::PoeUnavailable | R::PoeStale => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        R::QuotaRate | R::QuotaConcurrency => StatusCode::TOO_MANY_REQUESTS,
        R::QuotaSize => StatusCode::PAYLOAD_TOO_LARGE,
        r if matches!(r.code().split('.').next(), Some("optok" | "dpop" | "mtls")) => {
            StatusCode::UNAUTHORIZED
        }
        _ => StatusCode::FORBIDDEN,
    }
}

fn status_of_code(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::PredicateNotAllowed => StatusCode::FORBIDDEN,
        C::AuditFailed
        | C::PolicyFailed
        | C::BackendFailed
        | C::BackendUnavailable
        | C::BackendUnreachable
        | C::BackendRefused
        | C::TokenAbsent
        | C::NoActiveKey
        | C::SigningFailed => StatusCode::SERVICE_UNAVAILABLE,
        C::Panic | C::Internal | C::Io | C::NoHome | C::BackendConfiguration => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

/// RFC 9449 §7.1 / RFC 6750 §3: the challenge, with `error` unless no credentials came.
fn www_authenticate(reason: Reason) -> Option<String> {
    use Reason as R;
    const ALGS: &str = "algs=\"ES256 ES384 EdDSA PS256 RS256\"";
    let error = match reason {
        R::OptokMissing => return Some(format!("DPoP {ALGS}")),
        R::DpopNonce => "use_dpop_nonce",
        R::OptokScope => "insufficient_scope",
        r if r.code().starts_with("dpop.") => "invalid_dpop_proof",
        r if matches!(r.code().split('.').next(), Some("optok" | "mtls")) => "invalid_token",
        _ => return None,
    };
    Some(format!(
        "DPoP error=\"{error}\", error_description=\"{}\", {ALGS}",
        reason.code()
    ))
}

fn retry_after(reason: Reason) -> Option<u64> {
    match status_of_reason(reason) {
        StatusCode::TOO_MANY_REQUESTS => Some(1),
        StatusCode::SERVICE_UNAVAILABLE => Some(5),
        _ => None,
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut body = json!({
            "type": format!("{TYPE_BASE}{}", self.code),
            "title": title,
            "status": self.status.as_u16(),
            "detail": bound_text(&self.detail, MAX_DETAIL).0,
            "code": self.code,
        });
        if let Some(t) = &self.trace_id {
            body["trace_id"] = t.as_str().into();
        }
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(name, value);
            }
        }
        response
    }
}
