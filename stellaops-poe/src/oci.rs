//! Release signatures from an OCI registry: the DSSE envelopes attached to a release digest as
//! referrers (OCI distribution 1.1), found through the Referrers API or, on registries without
//! it, through the referrers tag schema (`<alg>-<hex>` tags holding an image index).

use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::oci_auth::RegistryAuth;
pub use crate::oci_auth::RegistryCredentials;
use crate::release::{is_sha256_digest, ReleaseSignatures};
use crate::{json, Error, Result};

/// The layer media type of a DSSE envelope.
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
const INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Largest manifest, index or envelope read from the registry.
const MAX_DOCUMENT: u64 = 4 << 20;

/// A read-only client for one repository of an OCI registry.
pub struct OciRegistry {
    agent: ureq::Agent,
    base: String,
    repository: String,
    bearer: Option<String>,
    auth: RegistryAuth,
    /// The last `WWW-Authenticate` challenge, so later requests send its cached token first.
    challenge: std::sync::Mutex<Option<String>>,
    max_referrers: usize,
}

/// Shows the registry and repository and whether a token is set, never the token.
impl std::fmt::Debug for OciRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OciRegistry")
            .field("base", &self.base)
            .field("repository", &self.repository)
            .field("bearer", &self.bearer.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// How a registry listed the referrers (for tests and diagnostics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferrersVia {
    /// `GET /v2/<name>/referrers/<digest>`.
    Api,
    /// The `<alg>-<hex>` tag of the referrers tag schema.
    TagSchema,
}

fn is_repository_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'))
                && part
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        })
}

impl OciRegistry {
    /// A client for `repository` (e.g. `stellaops/scanner`) at `base_url` (HTTPS, or plain HTTP to
    /// a loopback address), with a whole-request `timeout`.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad URL, scheme or repository name.
    pub fn new(base_url: &str, repository: &str, timeout: Duration) -> Result<Self> {
        let base = crate::http::base_url(base_url)?;
        if !is_repository_name(repository) {
            return Err(Error::config(format!(
                "{repository:?} is not an OCI repository name"
            )));
        }
        Ok(OciRegistry {
            agent: crate::http::agent(timeout),
            base: base.as_str().trim_end_matches('/').to_owned(),
            repository: repository.to_owned(),
            bearer: None,
            auth: RegistryAuth::default(),
            challenge: std::sync::Mutex::new(None),
            max_referrers: 16,
        })
    }

    /// Authenticate with a fixed bearer token (no token exchange).
    pub fn with_bearer(mut self, token: impl Into<String>) -> Self {
        self.bearer = Some(token.into());
        self
    }

    /// Use `credentials` when the registry asks: Basic directly, or to fetch a token from a
    /// Bearer challenge's realm. Without them, tokens are fetched anonymously.
    pub fn with_credentials(mut self, credentials: RegistryCredentials) -> Self {
        self.auth = RegistryAuth::new(Some(credentials));
        self
    }

    /// The registry's `host[:port]`, as docker `config.json` keys name it.
    pub fn host(&self) -> &str {
        crate::oci_auth::url_host(&self.base)
    }

    /// `GET /v2/<repository>/<path>`: with the fixed token, or the cached token of the last
    /// challenge; a `401` with a challenge is answered (token exchange or Basic) and retried
    /// once.
    fn get(&self, path: &str, accept: &str) -> std::result::Result<(u16, Vec<u8>), String> {
        let url = format!("{}/v2/{}/{path}", self.base, self.repository);
        let send = |authorization: Option<&str>| {
            let mut request = self.agent.get(&url).header("accept", accept);
            if let Some(a) = authorization {
                request = request.header("authorization", a);
            }
            request.call().map_err(|e| format!("{url}: {e}"))
        };
        let first = match &self.bearer {
            Some(token) => Some(format!("Bearer {token}")),
            None => self
                .challenge
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_deref()
                .and_then(|c| self.auth.cached(c)),
        };
        let mut response = send(first.as_deref())?;
        if response.status().as_u16() == 401 && self.bearer.is_none() {
            let challenge = response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| format!("{url}: 401 without WWW-Authenticate"))?;
            let authorization = self
                .auth
                .answer(&self.agent, &challenge)
                .map_err(|e| format!("{url}: {e}"))?;
            *self.challenge.lock().unwrap_or_else(|p| p.into_inner()) = Some(challenge);
            response = send(Some(&authorization))?;
            if response.status().as_u16() == 401 {
                // The token was issued but grants too little: a private repository read
                // anonymously, or credentials without pull rights on it.
                let error = response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::oci_auth::challenge_error)
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                return Err(format!(
                    "{url}: registry answered 401{error} to the token issued for {}",
                    self.auth.whom()
                ));
            }
        }
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_DOCUMENT)
            .read_to_vec()
            .map_err(|e| format!("{url}: {e}"))?;
        Ok((status, body))
    }

    /// Fetch a content-addressed object and check that it is what its digest says.
    fn get_verified(
        &self,
        path: &str,
        accept: &str,
        digest: &str,
    ) -> std::result::Result<Vec<u8>, String> {
        let (status, body) = self.get(path, accept)?;
        if status != 200 {
            return Err(format!("{path}: registry answered {status}"));
        }
        let actual = format!("sha256:{}", hex::encode(Sha256::digest(&body)));
        if actual != digest {
            return Err(format!("{path}: content is {actual}, not {digest}"));
        }
        Ok(body)
    }

    /// The referrer descriptors of `digest`, and how they were found.
    ///
    /// # Errors
    /// A description when the registry cannot be asked or answers nonsense.
    pub fn referrers(
        &self,
        digest: &str,
    ) -> std::result::Result<(Vec<Value>, ReferrersVia), String> {
        if !is_sha256_digest(digest) {
            return Err(format!("{digest:?} is not a sha256 digest"));
        }
        let (status, body) = self.get(&format!("referrers/{digest}"), INDEX_MEDIA_TYPE)?;
        let (body, via) = match status {
            200 => (body, ReferrersVia::Api),
            // Registries without the Referrers API: the tag schema.
            400 | 404 | 405 | 501 => {
                let tag = digest.replacen(':', "-", 1);
                let (status, body) = self.get(&format!("manifests/{tag}"), INDEX_MEDIA_TYPE)?;
                match status {
                    200 => (body, ReferrersVia::TagSchema),
                    404 => return Ok((Vec::new(), ReferrersVia::TagSchema)),
                    other => return Err(format!("referrers tag {tag}: registry answered {other}")),
                }
            }
            other => return Err(format!("referrers api: registry answered {other}")),
        };
        let index = json::object(&body, MAX_DOCUMENT as usize)
            .map_err(|e| format!("referrers index: {e}"))?;
        let manifests = match index.get("manifests") {
            Some(Value::Array(list)) => list.clone(),
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return Err(String::from("referrers index: manifests is not an array")),
        };
        Ok((manifests, via))
    }
}

impl ReleaseSignatures for OciRegistry {
    fn envelopes(&self, digest: &str) -> std::result::Result<Vec<(String, Vec<u8>)>, String> {
        let (referrers, _) = self.referrers(digest)?;
        let mut found = Vec::new();
        for descriptor in referrers.iter().take(self.max_referrers) {
            let Some(referrer) = descriptor.get("digest").and_then(Value::as_str) else {
                continue;
            };
            if !is_sha256_digest(referrer)
                || descriptor.get("mediaType").and_then(Value::as_str) != Some(MANIFEST_MEDIA_TYPE)
            {
                continue;
            }
            let bytes = self.get_verified(
                &format!("manifests/{referrer}"),
                MANIFEST_MEDIA_TYPE,
                referrer,
            )?;
            let manifest = json::object(&bytes, MAX_DOCUMENT as usize)
                .map_err(|e| format!("manifest {referrer}: {e}"))?;
            // The manifest must point back at the release: a referrer listed under the wrong
            // subject (a confused or hostile tag index) is ignored.
            let subject = manifest
                .get("subject")
                .and_then(|s| s.get("digest"))
                .and_then(Value::as_str);
            if subject != Some(digest) {
                continue;
            }
            let layers = manifest
                .get("layers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for layer in layers {
                if layer.get("mediaType").and_then(Value::as_str) != Some(DSSE_MEDIA_TYPE) {
                    continue;
                }
                let Some(blob) = layer.get("digest").and_then(Value::as_str) else {
                    continue;
                };
                if !is_sha256_digest(blob) {
                    continue;
                }
                let envelope =
                    self.get_verified(&format!("blobs/{blob}"), DSSE_MEDIA_TYPE, blob)?;
                found.push((referrer.to_owned(), envelope));
            }
        }
        Ok(found)
    }
}
