//! The blocking HTTP client keyless signing talks to Fulcio and Rekor with, and a log monitor
//! reads checkpoints and proofs with.

use std::time::Duration;

use crate::{Error, Result};

/// Answers larger than this are refused; a certificate chain or log entry is a few kilobytes.
const MAX_ANSWER: u64 = 1 << 20;

/// One service (for errors), its base URL, timeouts and retry budget.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    agent: ureq::Agent,
    name: &'static str,
    base: String,
    retries: u32,
}

impl Service {
    /// `base` must be `https://`, or `http://` to a loopback host (a local test instance).
    pub(crate) fn new(
        name: &'static str,
        base: &str,
        timeout: Duration,
        retries: u32,
    ) -> Result<Self> {
        let base = base.trim_end_matches('/');
        // One rule for every service URL: https, or plain http to a loopback host only.
        stellaops_http::base_url(base).map_err(|e| Error::Config(format!("{name} URL {e}")))?;
        let agent = stellaops_http::agent(timeout);
        Ok(Service {
            agent,
            name,
            base: base.to_owned(),
            retries,
        })
    }

    /// POST `body` as JSON to `path` and return the JSON answer of a 2xx status. Transport
    /// failures and 5xx answers are retried (200 ms, doubling); 4xx answers are not.
    pub(crate) fn post_json(&self, path: &str, body: &[u8]) -> Result<serde_json::Value> {
        let answer = self.post(path, body, "application/json", "application/json")?;
        serde_json::from_slice(&answer).map_err(|e| Error::Service {
            service: self.name,
            message: format!("POST {}{path}: the answer is not JSON: {e}", self.base),
        })
    }

    /// POST `body` (of `content_type`) to `path` and return the answer of a 2xx status, at most
    /// [`MAX_ANSWER`] bytes. Retried as [`post_json`](Self::post_json).
    pub(crate) fn post(
        &self,
        path: &str,
        body: &[u8],
        content_type: &str,
        accept: &str,
    ) -> Result<Vec<u8>> {
        self.call(path, Some((body, content_type)), accept)
    }

    /// GET `path` and return the answer of a 2xx status, at most [`MAX_ANSWER`] bytes. Retried
    /// as [`post_json`](Self::post_json).
    pub(crate) fn get(&self, path: &str, accept: &str) -> Result<Vec<u8>> {
        self.call(path, None, accept)
    }

    /// [`get`](Self::get) of a JSON answer.
    pub(crate) fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        let answer = self.get(path, "application/json")?;
        serde_json::from_slice(&answer).map_err(|e| Error::Service {
            service: self.name,
            message: format!("GET {}{path}: the answer is not JSON: {e}", self.base),
        })
    }

    fn call(&self, path: &str, body: Option<(&[u8], &str)>, accept: &str) -> Result<Vec<u8>> {
        let url = format!("{}{path}", self.base);
        let mut delay = Duration::from_millis(200);
        let mut attempt = 0;
        loop {
            let outcome = self.once(&url, body, accept);
            match outcome {
                Err(Failure::Transport(_) | Failure::Status(_, true)) if attempt < self.retries => {
                    std::thread::sleep(delay);
                    delay *= 2;
                    attempt += 1;
                }
                Err(Failure::Transport(message)) => {
                    return Err(Error::Unreachable {
                        service: self.name,
                        message,
                    })
                }
                Err(Failure::Status(message, _)) => {
                    return Err(Error::Service {
                        service: self.name,
                        message,
                    })
                }
                Ok(answer) => return Ok(answer),
            }
        }
    }

    fn once(
        &self,
        url: &str,
        body: Option<(&[u8], &str)>,
        accept: &str,
    ) -> std::result::Result<Vec<u8>, Failure> {
        let method = if body.is_some() { "POST" } else { "GET" };
        let response = match body {
            Some((body, content_type)) => self
                .agent
                .post(url)
                .header("Content-Type", content_type)
                .header("Accept", accept)
                .send(body),
            None => self.agent.get(url).header("Accept", accept).call(),
        }
        .map_err(|e| Failure::Transport(format!("{method} {url}: {e}")))?;
        let status = response.status().as_u16();
        let answer = response
            .into_body()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(|e| Failure::Transport(format!("{method} {url}: reading the answer: {e}")))?;
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(&answer);
            let message = format!(
                "{method} {url}: HTTP {status}: {}",
                text.chars()
                    .take(300)
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect::<String>()
            );
            return Err(Failure::Status(message, status >= 500));
        }
        Ok(answer)
    }
}

enum Failure {
    /// No answer (connection, timeout, a broken read).
    Transport(String),
    /// An answer that says no or cannot be used; true when a retry may help (5xx).
    Status(String, bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        let t = Duration::from_secs(1);
        for ok in [
            "https://fulcio.sigstore.dev",
            "http://127.0.0.1:5555/",
            "http://localhost:80",
            "http://[::1]:9",
        ] {
            assert!(Service::new("Fulcio", ok, t, 0).is_ok(), "{ok}");
        }
        for bad in [
            "http://fulcio.example",
            "http://10.0.0.1:80",
            "ftp://x",
            "https://",
            "fulcio.sigstore.dev",
        ] {
            assert!(
                matches!(Service::new("Fulcio", bad, t, 0), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_refused_connection_is_unreachable_after_the_retries() {
        // A port nothing listens on: bind, read the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let s = Service::new(
            "Rekor",
            &format!("http://127.0.0.1:{port}"),
            Duration::from_secs(2),
            1,
        )
        .unwrap();
        let started = std::time::Instant::now();
        let err = s.post_json("/api/v1/log/entries", b"{}").unwrap_err();
        assert!(
            matches!(
                err,
                Error::Unreachable {
                    service: "Rekor",
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "no retry happened"
        );
    }
}
