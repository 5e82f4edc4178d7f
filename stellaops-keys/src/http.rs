//! The blocking HTTPS client the remote backends (AWS KMS, Vault) share, over stellaops-http's
//! agent and URL rule.

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
        Http {
            agent: stellaops_http::agent(timeout),
            backend,
        }
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
