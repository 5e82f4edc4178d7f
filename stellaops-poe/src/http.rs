//! What the HTTP clients (introspection, OCI registries) share: the URL rule and the agent.

use std::time::Duration;

use url::{Host, Url};

use crate::{Error, Result};

/// Parse `text` as a base URL that is HTTPS, or plain HTTP to a loopback address only: tenant
/// data and tokens never cross a network in clear text.
pub(crate) fn base_url(text: &str) -> Result<Url> {
    let base = Url::parse(text).map_err(|e| Error::Config(format!("{text}: {e}")))?;
    let loopback = match base.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match base.scheme() {
        "https" => Ok(base),
        "http" if loopback => Ok(base),
        other => Err(Error::Config(format!(
            "{text}: scheme {other} is not allowed (https, or http to loopback)"
        ))),
    }
}

/// A blocking agent with a whole-request `timeout` that returns error statuses as answers.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("stellaops-signer/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}
