//! The licensing service's introspection endpoint as an entitlement source.

use std::time::Duration;

use crate::entitlement::{from_claims, MAX_DOCUMENT_BYTES};
use crate::{json, Denial, Entitlement, EntitlementSource, Reason, Result, SourceError};

/// `POST <base>/license/introspect` with `{"tenant": "<tenant>"}`; the answer is the
/// entitlement's claims (`tid`, `plan`, `features`, `quotas`, `license_id`, `exp`) plus
/// `active`. `active: false` and `404` are answers (denied, not cached over); transport errors
/// and other statuses are outages (the cache may stand in).
pub struct IntrospectionSource {
    agent: ureq::Agent,
    endpoint: String,
    bearer: Option<String>,
}

/// Shows the endpoint and whether a token is set, never the token.
impl std::fmt::Debug for IntrospectionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionSource")
            .field("endpoint", &self.endpoint)
            .field("bearer", &self.bearer.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl IntrospectionSource {
    /// A client for the licensing service at `base_url` (HTTPS, or plain HTTP to a loopback
    /// address only), with a whole-request `timeout`.
    ///
    /// # Errors
    /// [`crate::Error::Config`] for a URL that does not parse or would send tenant data in clear text
    /// over a network.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self> {
        let base = crate::http::base_url(base_url)?;
        let endpoint = format!("{}/license/introspect", base.as_str().trim_end_matches('/'));
        Ok(IntrospectionSource {
            agent: crate::http::agent(timeout),
            endpoint,
            bearer: None,
        })
    }

    /// Authenticate to the licensing service with a bearer token.
    pub fn with_bearer(mut self, token: impl Into<String>) -> Self {
        self.bearer = Some(token.into());
        self
    }
}

impl EntitlementSource for IntrospectionSource {
    /// Any HTTP answer from the endpoint (a 404 for the empty tenant, most likely) shows the
    /// licensing service is reachable; a transport error shows it is not.
    fn probe(&self) -> Result<(), String> {
        let mut request = self
            .agent
            .post(&self.endpoint)
            .header("content-type", "application/json");
        if let Some(token) = &self.bearer {
            request = request.header("authorization", &format!("Bearer {token}"));
        }
        request
            .send(br#"{"tenant":""}"#.as_slice())
            .map(drop)
            .map_err(|e| format!("licensing service: {e}"))
    }

    fn name(&self) -> &'static str {
        "introspection"
    }

    fn fetch(&self, tenant: &str) -> std::result::Result<Entitlement, SourceError> {
        let body = serde_json::json!({ "tenant": tenant }).to_string();
        let mut request = self
            .agent
            .post(&self.endpoint)
            .header("content-type", "application/json")
            .header("accept", "application/json");
        if let Some(token) = &self.bearer {
            request = request.header("authorization", &format!("Bearer {token}"));
        }
        let response = request
            .send(body.as_bytes())
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        let status = response.status().as_u16();
        if status == 404 {
            return Err(SourceError::Denied(Denial::new(
                Reason::PoeMissing,
                "licensing service knows no license for the tenant",
            )));
        }
        if status != 200 {
            return Err(SourceError::Unavailable(format!(
                "licensing service answered {status}"
            )));
        }
        let bytes = response
            .into_body()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES as u64)
            .read_to_vec()
            .map_err(|e| SourceError::Unavailable(format!("reading the answer: {e}")))?;
        // A 200 that is not JSON is a proxy's error page more often than a license answer.
        let claims = json::object(&bytes, MAX_DOCUMENT_BYTES)
            .map_err(|e| SourceError::Unavailable(format!("answer is not a json object: {e}")))?;
        match from_claims(claims).map_err(SourceError::Denied)? {
            Some(e) => Ok(e),
            None => Err(SourceError::Denied(Denial::new(
                Reason::PoeInactive,
                "licensing service says the license is not active",
            ))),
        }
    }
}
