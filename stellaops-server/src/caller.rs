//! The caller, from the request as it arrived: the token from `Authorization`, the proof from
//! `DPoP`, the method and the URL the client called (the configured external URL plus the
//! request's path), the client certificate of the TLS session, the tenant header and the trace
//! id of `traceparent`.

use std::sync::Arc;

use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use stellaops_signer::CallerContext;
use url::Url;

use crate::problem::Problem;

/// The tenant header: which tenant the caller signs for (the token's `tid` must agree).
pub const TENANT_HEADER: &str = "x-stellaops-tenant";

/// The client certificate of the TLS session a request came on, put into its extensions by the
/// connection loop.
#[derive(Clone, Debug)]
pub(crate) struct Peer {
    pub(crate) certificate: Option<Arc<[u8]>>,
}

/// The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), if one is there
/// and well formed.
pub(crate) fn trace_id(parts: &Parts) -> Option<String> {
    let value = parts.headers.get("traceparent")?.to_str().ok()?;
    let mut fields = value.split('-');
    let (_version, id) = (fields.next()?, fields.next()?);
    let hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (id.len() == 32 && hex(id) && id.bytes().any(|b| b != b'0')).then(|| id.to_owned())
}

fn single<'a>(parts: &'a Parts, name: &str) -> Result<Option<&'a str>, Problem> {
    let mut values = parts.headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            format!("more than one {name} header"),
        ));
    }
    first.to_str().map(Some).map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid_argument",
            format!("the {name} header is not visible ASCII"),
        )
    })
}

/// The caller of a request to `external_url` + the request's path, with the client certificate
/// of the TLS session it came on.
pub(crate) fn caller(parts: &Parts, external_url: &Url) -> Result<CallerContext, Problem> {
    let peer = parts.extensions.get::<Peer>();
    let access_token = match single(parts, header::AUTHORIZATION.as_str())? {
        None => String::new(),
        Some(value) => {
            let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case("dpop") && !scheme.eq_ignore_ascii_case("bearer") {
                return Err(Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "optok.missing",
                    "Authorization must use the DPoP or Bearer scheme",
                ));
            }
            token.trim().to_owned()
        }
    };
    let dpop_proof = single(parts, "dpop")?.map(str::to_owned);
    let tenant = single(parts, TENANT_HEADER)?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid_argument",
                "the X-StellaOps-Tenant header is required",
            )
        })?
        .to_owned();
    // What the client called: the external URL's scheme, host and port, its path prefix, and
    // the path as the request gives it (the query and fragment are not part of htu).
    let mut uri = external_url.clone();
    let prefix = external_url.path().trim_end_matches('/');
    uri.set_path(&format!("{prefix}{}", parts.uri.path()));
    uri.set_query(None);
    uri.set_fragment(None);
    Ok(CallerContext {
        access_token,
        dpop_proof,
        method: parts.method.as_str().to_owned(),
        uri: uri.to_string(),
        client_certificate: peer
            .and_then(|p| p.certificate.as_deref())
            .map(<[u8]>::to_vec),
        tenant,
        scanner_release: None,
        trace_id: trace_id(parts),
    })
}
