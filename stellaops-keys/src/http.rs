//! The blocking HTTPS client the remote backends (AWS KMS, Vault) share.

use std::time::Duration;

use crate::{Error, Result};

/// Answers larger than this are refused; no key or signature answer comes near it.
const MAX_ANSWER: u64 = 1 << 20;

/// A client bound to one backend's name (for errors) with timeouts set.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    agent: ureq::Agent,
    backend: &'static str,
}

impl Http {
    pub(crate) fn new(backend: &'static str, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("stellaops-signer/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http { agent, backend }
    }

    /// POST `body` and return the answer's status and JSON body.
    pub(crate) fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(u16, serde_json::Value)> {
        let mut request = self.agent.post(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        self.answer(request.send(body))
    }

    /// GET and return the answer's status and JSON body.
    #[cfg(feature = "hashivault")]
    pub(crate) fn get(
        &self,
        url: &str,
        headers: &[(String, String)],
    ) -> Result<(u16, serde_json::Value)> {
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        self.answer(request.call())
    }

    fn answer(
        &self,
        response: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, serde_json::Value)> {
        let response = response.map_err(|e| self.transport_from("request", e))?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(|e| self.transport_from("reading the answer", e))?;
        let json = if text.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| {
                if (200..300).contains(&status) {
                    self.transport_from("answer is not JSON", e)
                } else {
                    Error::Remote {
                        backend: self.backend,
                        status,
                        message: text.chars().take(300).collect(),
                    }
                }
            })?
        };
        Ok((status, json))
    }

    /// [`Error::Transport`] saying what was wrong with an answer.
    pub(crate) fn transport(&self, context: impl Into<String>) -> Error {
        Error::Transport {
            backend: self.backend,
            context: context.into(),
            source: None,
        }
    }

    /// [`Error::Transport`] for `context`, caused by `error`.
    pub(crate) fn transport_from(
        &self,
        context: &str,
        error: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Transport {
            backend: self.backend,
            context: context.to_owned(),
            source: Some(stellaops_crypto::Cause::new(error)),
        }
    }
}

/// True for `localhost`, `127.0.0.0/8` and `[::1]` hosts (with or without a port): the only
/// endpoints a URI may reach over plain HTTP.
pub(crate) fn is_loopback(host_port: &str) -> bool {
    let host = match host_port.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts() {
        for yes in [
            "localhost",
            "localhost:4566",
            "127.0.0.1:8200",
            "127.3.4.5",
            "[::1]:80",
        ] {
            assert!(super::is_loopback(yes), "{yes}");
        }
        for no in [
            "kms.example.com",
            "10.0.0.1:80",
            "localhost.example.com",
            "[::2]:1",
        ] {
            assert!(!super::is_loopback(no), "{no}");
        }
    }
}
