//! Registry authentication as the OCI distribution token protocol has it (what docker, crane
//! and oras do): a request answered `401` with `WWW-Authenticate: Bearer realm=…,service=…,
//! scope=…` is retried with a token fetched from the realm, anonymously or with Basic
//! credentials (from a docker `config.json`); `WWW-Authenticate: Basic` is answered with the
//! credentials directly. Tokens are cached per scope until shortly before they expire.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use crate::{Error, Result};

/// Largest token answer read.
const MAX_TOKEN_ANSWER: u64 = 64 << 10;

/// A username and password for one registry. Shown as `***` by `Debug`.
#[derive(Clone)]
pub struct RegistryCredentials {
    username: String,
    password: zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for RegistryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryCredentials")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

impl RegistryCredentials {
    /// Credentials from a username and a password (or an identity token as password).
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        RegistryCredentials {
            username: username.into(),
            password: zeroize::Zeroizing::new(password.into()),
        }
    }

    /// The credentials a docker `config.json` at `path` holds for `host` (`host[:port]`, as in
    /// the registry URL): its `auths` entry's `auth` (base64 `user:password`) or `username` and
    /// `password`. `None` when it has no entry for the host (credential helpers are not run).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::Config`] when it is not a docker
    /// config or its entry for the host is malformed.
    pub fn from_docker_config(path: &Path, host: &str) -> Result<Option<Self>> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let doc: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::config_from("docker config.json", e))?;
        let auths = doc.get("auths").and_then(Value::as_object);
        let entry = auths.and_then(|a| a.iter().find(|(k, _)| url_host(k) == host).map(|(_, v)| v));
        let Some(entry) = entry else {
            return Ok(None);
        };
        if let Some(auth) = entry.get("auth").and_then(Value::as_str) {
            let decoded = STANDARD
                .decode(auth.trim())
                .map_err(|e| Error::config_from("docker config.json auth", e))?;
            let text = String::from_utf8(decoded)
                .map_err(|e| Error::config_from("docker config.json auth", e))?;
            let (user, pass) = text
                .split_once(':')
                .ok_or_else(|| Error::config("docker config.json auth: not user:password"))?;
            return Ok(Some(RegistryCredentials::new(user, pass)));
        }
        match (
            entry.get("username").and_then(Value::as_str),
            entry.get("password").and_then(Value::as_str),
        ) {
            (Some(u), Some(p)) => Ok(Some(RegistryCredentials::new(u, p))),
            _ => Ok(None),
        }
    }

    fn basic(&self) -> String {
        let pair = zeroize::Zeroizing::new(format!("{}:{}", self.username, *self.password));
        format!("Basic {}", STANDARD.encode(pair.as_bytes()))
    }
}

/// The host (and port) of a registry URL, or of a docker config `auths` key, which may be a
/// bare host or a URL.
pub(crate) fn url_host(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

/// One `WWW-Authenticate` challenge: its scheme and parameters.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) scheme: String,
    pub(crate) params: HashMap<String, String>,
}

/// Parse a `WWW-Authenticate` value with one challenge: `Scheme k="v", k2=v2`. Quoted values
/// may hold commas and `\"` escapes.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.is_empty() {
        return None;
    }
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

/// The `error` parameter of a challenge (`insufficient_scope`, `invalid_token`), when it is a
/// short token fit to repeat in a message.
pub(crate) fn challenge_error(header: &str) -> Option<String> {
    parse_challenge(header)?
        .params
        .remove("error")
        .filter(|e| e.len() <= 64 && e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

/// Authorization for one registry: its credentials (if any) and the tokens fetched for it.
#[derive(Debug, Default)]
pub(crate) struct RegistryAuth {
    credentials: Option<RegistryCredentials>,
    /// Bearer tokens by `service scope`, with when they stop being used.
    tokens: Mutex<HashMap<String, (zeroize::Zeroizing<String>, Instant)>>,
}

impl RegistryAuth {
    pub(crate) fn new(credentials: Option<RegistryCredentials>) -> Self {
        RegistryAuth {
            credentials,
            tokens: Mutex::default(),
        }
    }

    /// The `Authorization` header to retry a request that was answered `401` with
    /// `www_authenticate`, fetching a token from the challenge's realm with `agent` when the
    /// challenge is Bearer.
    pub(crate) fn answer(
        &self,
        agent: &ureq::Agent,
        www_authenticate: &str,
    ) -> std::result::Result<String, String> {
        let challenge = parse_challenge(www_authenticate)
            .ok_or_else(|| String::from("registry answered 401 without a usable challenge"))?;
        match challenge.scheme.as_str() {
            "basic" => self
                .credentials
                .as_ref()
                .map(RegistryCredentials::basic)
                .ok_or_else(|| {
                    String::from("registry asks for Basic credentials; none are configured")
                }),
            "bearer" => self.bearer(agent, &challenge),
            other => Err(format!(
                "registry asks for unsupported {other:?} authentication"
            )),
        }
    }

    /// Who tokens are fetched for, for messages: never the credentials themselves.
    pub(crate) fn whom(&self) -> &'static str {
        if self.credentials.is_some() {
            "the configured credentials"
        } else {
            "an anonymous request (no credentials configured for this registry)"
        }
    }

    /// A cached token for the challenge's service and scope.
    pub(crate) fn cached(&self, www_authenticate: &str) -> Option<String> {
        let challenge = parse_challenge(www_authenticate)?;
        let key = cache_key(&challenge);
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens
            .get(&key)
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(t, _)| format!("Bearer {}", t.as_str()))
    }

    fn bearer(
        &self,
        agent: &ureq::Agent,
        challenge: &Challenge,
    ) -> std::result::Result<String, String> {
        let key = cache_key(challenge);
        {
            let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((token, until)) = tokens.get(&key) {
                if Instant::now() < *until {
                    return Ok(format!("Bearer {}", token.as_str()));
                }
            }
        }
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| String::from("Bearer challenge without a realm"))?;
        // The realm gets the credentials: https, or plain http to loopback only.
        let mut url = crate::http::base_url(realm).map_err(|e| format!("token realm: {e}"))?;
        {
            let mut query = url.query_pairs_mut();
            for name in ["service", "scope"] {
                if let Some(v) = challenge.params.get(name) {
                    query.append_pair(name, v);
                }
            }
        }
        let mut request = agent.get(url.as_str());
        if let Some(c) = &self.credentials {
            request = request.header("authorization", &c.basic());
        }
        let response = request
            .call()
            .map_err(|e| format!("token realm {}: {e}", url.origin().ascii_serialization()))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(format!(
                "token realm {} answered {status} to {}",
                url.origin().ascii_serialization(),
                self.whom()
            ));
        }
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_TOKEN_ANSWER)
            .read_to_vec()
            .map_err(|e| format!("token answer: {e}"))?;
        let doc: Value =
            serde_json::from_slice(&body).map_err(|e| format!("token answer is not JSON: {e}"))?;
        let token = doc
            .get("token")
            .or_else(|| doc.get("access_token"))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| String::from("token answer holds no token"))?;
        // The protocol's default lifetime is 60 s; use a token until 10 s before it ends.
        let lifetime = doc
            .get("expires_in")
            .and_then(Value::as_u64)
            .unwrap_or(60)
            .clamp(10, 3600);
        let until = Instant::now() + Duration::from_secs(lifetime - 5);
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, (zeroize::Zeroizing::new(token.to_owned()), until));
        Ok(format!("Bearer {token}"))
    }
}

fn cache_key(challenge: &Challenge) -> String {
    format!(
        "{} {}",
        challenge.params.get("service").map_or("", String::as_str),
        challenge.params.get("scope").map_or("", String::as_str)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_with_quotes_commas_and_escapes() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push",error="x\"y""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.example/token");
        assert_eq!(c.params["scope"], "repository:a/b:pull,push");
        assert_eq!(c.params["error"], "x\"y");
        let b = parse_challenge(r#"Basic realm=registry"#).unwrap();
        assert_eq!(
            (b.scheme.as_str(), b.params["realm"].as_str()),
            ("basic", "registry")
        );
        assert_eq!(parse_challenge(""), None);
    }

    #[test]
    fn docker_config_credentials_by_host() {
        let dir =
            std::env::temp_dir().join(format!("stellaops-docker-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        let auth = STANDARD.encode("alice:s3cr:et");
        std::fs::write(
            &path,
            format!(
                r#"{{"auths": {{"https://registry.example:5000/v1/": {{"auth": "{auth}"}},
                    "other.example": {{"username": "bob", "password": "pw"}}}}}}"#
            ),
        )
        .unwrap();
        let a = RegistryCredentials::from_docker_config(&path, "registry.example:5000")
            .unwrap()
            .unwrap();
        assert_eq!(
            (a.username.as_str(), a.password.as_str()),
            ("alice", "s3cr:et")
        );
        let b = RegistryCredentials::from_docker_config(&path, "other.example")
            .unwrap()
            .unwrap();
        assert_eq!(b.username, "bob");
        assert!(
            RegistryCredentials::from_docker_config(&path, "none.example")
                .unwrap()
                .is_none()
        );
        assert!(!format!("{a:?}").contains("s3cr"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
