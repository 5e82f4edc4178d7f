//! The pushing side of the scanner-release tests: what a release pipeline does to publish a
//! scanner image and attach its signature, against the real registries `scripts/services.sh`
//! starts. Shared by stellaops-poe's release tests and the service tests (through `#[path]`), so
//! it uses nothing but HTTP, JSON, base64 and SHA-256.
#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicU64, Ordering};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// The layer media type the release check reads envelopes from.
pub const DSSE_LAYER: &str = "application/vnd.dsse.envelope.v1+json";

/// The URL in the environment variable `var`, set by `scripts/services.sh`.
pub fn registry_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the registries with scripts/services.sh (scripts/test.sh does)")
    })
}

/// The user (`NAME`, `PASSWORD`) the token-auth registry's token service knows.
pub fn registry_user() -> (String, String) {
    let user = registry_url("STELLAOPS_TEST_REGISTRY_USER");
    let (name, password) = user.split_once(':').expect("NAME:PASSWORD");
    (name.to_owned(), password.to_owned())
}

pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Unique repository names under `prefix`, so tests sharing a registry do not see each other's
/// referrers.
pub fn repository_under(prefix: &str, name: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}/{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A pushing client for one repository.
pub struct Pusher {
    agent: ureq::Agent,
    base: String,
    repo: String,
    /// `Authorization` for a registry that wants a token.
    authorization: Option<String>,
}

impl Pusher {
    pub fn new(base: &str, repo: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Pusher {
            agent,
            base: base.to_owned(),
            repo: repo.to_owned(),
            authorization: None,
        }
    }

    /// A pusher for a registry with token authentication: the realm and service come from its
    /// `/v2/` challenge, the push token from the realm for `user`.
    pub fn with_token(base: &str, repo: &str, user: &(String, String)) -> Self {
        let mut p = Pusher::new(base, repo);
        let probe = p.agent.get(&format!("{base}/v2/")).call().unwrap();
        assert_eq!(probe.status().as_u16(), 401, "the registry wants a token");
        let challenge = probe
            .headers()
            .get("www-authenticate")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let param = |name: &str| {
            let at = challenge.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            let len = challenge[at..].find('"').unwrap();
            challenge[at..at + len].to_owned()
        };
        let basic = STANDARD.encode(format!("{}:{}", user.0, user.1));
        let mut answer = p
            .agent
            .get(&param("realm"))
            .query("service", param("service"))
            .query("scope", format!("repository:{repo}:pull,push"))
            .header("authorization", &format!("Basic {basic}"))
            .call()
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200, "push token");
        let token: Value =
            serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap();
        p.authorization = Some(format!("Bearer {}", token["token"].as_str().unwrap()));
        p
    }

    fn authorized<B>(&self, r: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(a) => r.header("authorization", a),
            None => r,
        }
    }

    pub fn blob(&self, bytes: &[u8]) -> String {
        let digest = digest_of(bytes);
        let start = self
            .authorized(
                self.agent
                    .post(&format!("{}/v2/{}/blobs/uploads/", self.base, self.repo)),
            )
            .send(&[][..])
            .unwrap();
        assert_eq!(start.status().as_u16(), 202, "upload start");
        let location = start
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let location = if location.starts_with("http") {
            location
        } else {
            format!("{}{location}", self.base)
        };
        let sep = if location.contains('?') { '&' } else { '?' };
        let done = self
            .authorized(self.agent.put(&format!("{location}{sep}digest={digest}")))
            .header("content-type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(done.status().as_u16(), 201, "upload of {digest}");
        digest
    }

    pub fn manifest(&self, reference: &str, media_type: &str, body: &Value) -> (String, usize) {
        let bytes = serde_json::to_vec(body).unwrap();
        let response = self
            .authorized(self.agent.put(&format!(
                "{}/v2/{}/manifests/{reference}",
                self.base, self.repo
            )))
            .header("content-type", media_type)
            .send(&bytes[..])
            .unwrap();
        let status = response.status().as_u16();
        let text = response.into_body().read_to_string().unwrap_or_default();
        assert_eq!(status, 201, "manifest {reference}: {text}");
        (digest_of(&bytes), bytes.len())
    }

    /// Push a scanner "release" image and return its manifest digest and size.
    pub fn release(&self, version: &str) -> (String, usize) {
        let config =
            format!("{{\"architecture\":\"amd64\",\"os\":\"linux\",\"version\":\"{version}\"}}");
        let config_digest = self.blob(config.as_bytes());
        let layer = format!("scanner binary {version}");
        let layer_digest = self.blob(layer.as_bytes());
        self.manifest(
            version,
            MANIFEST,
            &json!({
                "schemaVersion": 2,
                "mediaType": MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
            }),
        )
    }

    /// Attach `envelope` to `subject` as a referrer; with `tag_schema`, also maintain the
    /// referrers tag, as clients must on registries without the Referrers API.
    pub fn attach(&self, subject: &(String, usize), envelope: &[u8], tag_schema: bool) -> String {
        let empty = self.blob(b"{}");
        let layer = self.blob(envelope);
        let (digest, size) = self.manifest_by_digest(&json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "artifactType": "application/vnd.stellaops.release-signature.v1+json",
            "config": {"mediaType": EMPTY, "digest": empty, "size": 2},
            "layers": [{"mediaType": DSSE_LAYER, "digest": layer, "size": envelope.len()}],
            "subject": {"mediaType": MANIFEST, "digest": subject.0, "size": subject.1},
        }));
        if tag_schema {
            let tag = subject.0.replacen(':', "-", 1);
            self.manifest(
                &tag,
                INDEX,
                &json!({
                    "schemaVersion": 2,
                    "mediaType": INDEX,
                    "manifests": [{"mediaType": MANIFEST, "digest": digest, "size": size,
                        "artifactType": "application/vnd.stellaops.release-signature.v1+json"}],
                }),
            );
        }
        digest
    }

    fn manifest_by_digest(&self, body: &Value) -> (String, usize) {
        let bytes = serde_json::to_vec(body).unwrap();
        let digest = digest_of(&bytes);
        self.manifest(&digest, MANIFEST, body)
    }
}

/// A docker `config.json` in `dir` holding `user` for the registry at `base` (as `docker login`
/// writes it: base64 `user:password` under the host), and its path.
pub fn docker_config(
    dir: &std::path::Path,
    base: &str,
    user: &(String, String),
) -> std::path::PathBuf {
    let host = base
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let auth = STANDARD.encode(format!("{}:{}", user.0, user.1));
    let path = dir.join("config.json");
    std::fs::write(&path, json!({"auths": {host: {"auth": auth}}}).to_string()).unwrap();
    path
}
