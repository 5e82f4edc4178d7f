#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

use std::net::IpAddr;
use std::time::Duration;

use stellaops_crypto::Cause;
pub use url::Url;

/// The user agent every request names.
pub const USER_AGENT: &str = concat!("stellaops-signer/", env!("CARGO_PKG_VERSION"));

/// Why a service URL is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not a URL.
    #[error("{url}: not a url: {source}")]
    NotUrl {
        /// The text, as given.
        url: String,
        /// The parser's error.
        #[source]
        source: Cause,
    },
    /// A URL without a host.
    #[error("{url}: no host")]
    NoHost {
        /// The URL.
        url: String,
    },
    /// A scheme other than https or http.
    #[error("{url}: scheme {scheme} is not allowed (https, or http to a loopback host)")]
    Scheme {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// Plain http to a host that is not loopback.
    #[error("{url}: plain http is allowed only to a loopback host (use https)")]
    PlainHttp {
        /// The URL.
        url: String,
    },
}

/// Parse a service's base URL: `https://`, or `http://` to a loopback host only.
///
/// # Errors
/// [`Error`] saying which rule the text breaks.
pub fn base_url(text: &str) -> Result<Url, Error> {
    let url = Url::parse(text).map_err(|e| Error::NotUrl {
        url: text.chars().take(200).collect(),
        source: Cause::new(e),
    })?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::NoHost {
            url: url.to_string(),
        })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_host(host) => Ok(url),
        "http" => Err(Error::PlainHttp {
            url: url.to_string(),
        }),
        other => Err(Error::Scheme {
            scheme: other.to_owned(),
            url: url.to_string(),
        }),
    }
}

/// True for `localhost`, `127.0.0.0/8` and `::1`, with or without a port and IPv6 brackets
/// (`127.0.0.1:8200`, `[::1]:80`): the only hosts plain http may reach.
pub fn is_loopback_host(host_port: &str) -> bool {
    let host = match host_port.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None if host_port.matches(':').count() > 1 => host_port,
        None => host_port.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A blocking agent with a whole-request `timeout` that returns error statuses as answers.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(USER_AGENT)
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_plain_http_only_to_loopback() {
        for ok in [
            "https://kms.example.com",
            "http://localhost:4566",
            "http://127.0.0.1:8200/v1",
            "http://127.3.4.5",
            "http://[::1]:80",
        ] {
            assert!(base_url(ok).is_ok(), "{ok}");
        }
        for (no, says) in [
            ("http://kms.example.com", "plain http"),
            ("http://10.0.0.1:80", "plain http"),
            ("http://localhost.example.com", "plain http"),
            ("http://[::2]:1", "plain http"),
            ("ftp://localhost", "scheme ftp"),
            ("not a url", "not a url"),
        ] {
            let err = base_url(no).unwrap_err().to_string();
            assert!(err.contains(says), "{no}: {err}");
        }
    }

    #[test]
    fn loopback_hosts_with_and_without_ports() {
        for yes in [
            "localhost",
            "LOCALHOST:4566",
            "127.0.0.1:8200",
            "127.3.4.5",
            "[::1]:80",
            "::1",
        ] {
            assert!(is_loopback_host(yes), "{yes}");
        }
        for no in [
            "kms.example.com",
            "10.0.0.1:80",
            "localhost.example.com",
            "[::2]:1",
        ] {
            assert!(!is_loopback_host(no), "{no}");
        }
    }
}
