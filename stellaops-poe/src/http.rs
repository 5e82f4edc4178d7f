//! What the HTTP clients (introspection, OCI registries) share, from stellaops-http: the URL rule
//! and the agent.

use std::time::Duration;

use url::Url;

use crate::{Error, Result};

/// Parse `text` as a base URL that is HTTPS, or plain HTTP to a loopback address only: tenant
/// data and tokens never cross a network in clear text.
pub(crate) fn base_url(text: &str) -> Result<Url> {
    stellaops_http::base_url(text).map_err(|e| Error::config_from("service url", e))
}

/// A blocking agent with a whole-request `timeout` that returns error statuses as answers.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    stellaops_http::agent(timeout)
}
