//! Scanner release verification against real OCI registries on loopback, started by
//! `scripts/services.sh`: Debian's docker-registry (no Referrers API: the tag schema) and
//! go-containerregistry's registry (the Referrers API). Without them these tests fail.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey};
use stellaops_dsse::Envelope;
use stellaops_poe::oci::{OciRegistry, ReferrersVia, DSSE_MEDIA_TYPE};
use stellaops_poe::{Reason, ReleaseOverride, ReleaseTrust, ReleaseVerifier};
use stellaops_predicates::{StatementBuilder, Subject, PAYLOAD_TYPE};

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const RELEASE_PREDICATE: &str = "https://stella.ops/scannerRelease@v1";

fn registry_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start the registries with scripts/services.sh (scripts/test.sh does)")
    })
}

fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Unique repository names, so tests sharing a registry do not see each other's referrers.
fn repository(name: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "stellaops/{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The pushing side: what a release pipeline does to publish a scanner and its signature.
struct Pusher {
    agent: ureq::Agent,
    base: String,
    repo: String,
}

impl Pusher {
    fn new(base: &str, repo: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Pusher {
            agent,
            base: base.to_owned(),
            repo: repo.to_owned(),
        }
    }

    fn blob(&self, bytes: &[u8]) -> String {
        let digest = digest_of(bytes);
        let start = self
            .agent
            .post(&format!("{}/v2/{}/blobs/uploads/", self.base, self.repo))
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
            .agent
            .put(&format!("{location}{sep}digest={digest}"))
            .header("content-type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(done.status().as_u16(), 201, "upload of {digest}");
        digest
    }

    fn manifest(&self, reference: &str, media_type: &str, body: &Value) -> (String, usize) {
        let bytes = serde_json::to_vec(body).unwrap();
        let response = self
            .agent
            .put(&format!(
                "{}/v2/{}/manifests/{reference}",
                self.base, self.repo
            ))
            .header("content-type", media_type)
            .send(&bytes[..])
            .unwrap();
        let status = response.status().as_u16();
        let text = response.into_body().read_to_string().unwrap_or_default();
        assert_eq!(status, 201, "manifest {reference}: {text}");
        (digest_of(&bytes), bytes.len())
    }

    /// Push a scanner "release" image and return its manifest digest.
    fn release(&self, version: &str) -> (String, usize) {
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
    fn attach(&self, subject: &(String, usize), envelope: &[u8], tag_schema: bool) -> String {
        let empty = self.blob(b"{}");
        let layer = self.blob(envelope);
        let (digest, size) = self.manifest_by_digest(&json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "artifactType": "application/vnd.stellaops.release-signature.v1+json",
            "config": {"mediaType": EMPTY, "digest": empty, "size": 2},
            "layers": [{"mediaType": DSSE_MEDIA_TYPE, "digest": layer, "size": envelope.len()}],
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

/// A DSSE envelope over an in-toto statement naming `digest` as its subject.
fn release_signature(key: &dyn SigningKey, digest: &str, predicate_type: &str) -> Vec<u8> {
    let mut d = BTreeMap::new();
    d.insert("sha256".to_owned(), digest["sha256:".len()..].to_owned());
    let statement = StatementBuilder::new(predicate_type)
        .subject(Subject::new("registry.stella.test/stellaops/scanner", d).unwrap())
        .predicate(json!({"version": "1.2.3", "builder": "release-pipeline"}))
        .build()
        .unwrap();
    Envelope::sign(PAYLOAD_TYPE, statement.to_json().unwrap(), &[key])
        .unwrap()
        .to_json()
}

struct Setup {
    pusher: Pusher,
    registry: OciRegistry,
    release_key: SoftwareKey,
}

fn setup(var: &str, name: &str) -> Setup {
    let base = registry_url(var);
    let repo = repository(name);
    Setup {
        pusher: Pusher::new(&base, &repo),
        registry: OciRegistry::new(&base, &repo, Duration::from_secs(10)).unwrap(),
        release_key: key(Algorithm::EcdsaP256Sha256),
    }
}

fn verifier(s: Setup) -> (ReleaseVerifier, SoftwareKey) {
    let key = s.release_key;
    let v = ReleaseVerifier::new([])
        .with_signatures(vec![key.public_key().clone()], Box::new(s.registry))
        .with_predicate_type(RELEASE_PREDICATE);
    (v, key)
}

/// The verifier of `s` refuses `digest` as `release.untrusted`, saying `why`.
fn assert_untrusted(s: Setup, digest: &str, why: &str) {
    let (v, _) = verifier(s);
    let denial = v.check(digest, &*clock()).unwrap_err();
    assert_eq!(denial.reason, Reason::ReleaseUntrusted);
    assert!(denial.detail.contains(why), "{}", denial.detail);
}

fn signed_release_is_trusted(var: &str, tag_schema: bool, via: ReferrersVia) {
    let s = setup(var, "scanner");
    let release = s.pusher.release("1.2.3");
    let envelope = release_signature(&s.release_key, &release.0, RELEASE_PREDICATE);
    let referrer = s.pusher.attach(&release, &envelope, tag_schema);
    let (found, how) = s.registry.referrers(&release.0).unwrap();
    assert_eq!(how, via);
    assert_eq!(found.len(), 1);
    let (v, key) = verifier(s);
    let trust = v.check(&release.0, &*clock()).unwrap();
    assert_eq!(
        trust,
        ReleaseTrust::Signed {
            key_id: key.key_id().to_string(),
            referrer
        }
    );
}

#[test]
fn signed_release_through_the_referrers_api() {
    signed_release_is_trusted(
        "STELLAOPS_TEST_REGISTRY_REFERRERS",
        false,
        ReferrersVia::Api,
    );
}

#[test]
fn signed_release_through_the_tag_schema() {
    signed_release_is_trusted(
        "STELLAOPS_TEST_REGISTRY_TAGS",
        true,
        ReferrersVia::TagSchema,
    );
}

#[test]
fn signature_by_an_untrusted_key() {
    let s = setup("STELLAOPS_TEST_REGISTRY_REFERRERS", "rogue");
    let release = s.pusher.release("6.6.6");
    let rogue = key(Algorithm::EcdsaP256Sha256);
    s.pusher.attach(
        &release,
        &release_signature(&rogue, &release.0, RELEASE_PREDICATE),
        false,
    );
    assert_untrusted(s, &release.0, "no valid release signature");
}

#[test]
fn a_signature_for_another_release_does_not_transfer() {
    let s = setup("STELLAOPS_TEST_REGISTRY_TAGS", "replay");
    let good = s.pusher.release("1.0.0");
    let bad = s.pusher.release("1.0.1-evil");
    // A genuine signature over the good release, attached to the bad one.
    let envelope = release_signature(&s.release_key, &good.0, RELEASE_PREDICATE);
    s.pusher.attach(&bad, &envelope, true);
    assert_untrusted(s, &bad.0, "does not name this release");
}

#[test]
fn a_signature_with_another_predicate_type_does_not_count() {
    let s = setup("STELLAOPS_TEST_REGISTRY_REFERRERS", "ptype");
    let release = s.pusher.release("2.0.0");
    let envelope = release_signature(&s.release_key, &release.0, "https://stella.ops/sbom@v1");
    s.pusher.attach(&release, &envelope, false);
    let (v, _) = verifier(s);
    assert_eq!(
        v.check(&release.0, &*clock()).unwrap_err().reason,
        Reason::ReleaseUntrusted
    );
}

#[test]
fn unsigned_release_allowlist_and_override() {
    let s = setup("STELLAOPS_TEST_REGISTRY_TAGS", "unsigned");
    let release = s.pusher.release("3.0.0");
    let clock = clock();
    let key = s.release_key.public_key().clone();
    let plain = ReleaseVerifier::new([]).with_signatures(vec![key.clone()], Box::new(s.registry));
    let denial = plain.check(&release.0, &*clock).unwrap_err();
    assert_eq!(denial.reason, Reason::ReleaseUntrusted);
    assert!(
        denial.detail.contains("no signature referrers"),
        "{}",
        denial.detail
    );

    let listed = ReleaseVerifier::new([release.0.clone()]);
    assert_eq!(
        listed.check(&release.0, &*clock).unwrap(),
        ReleaseTrust::Allowlisted
    );

    let overridden = ReleaseVerifier::new([]).with_override(ReleaseOverride {
        digest: release.0.clone(),
        reason: "CHG-778 hotfix scanner, signature pending".into(),
        approved_by: "sec-oncall".into(),
        expires_at: UNIX_EPOCH + Duration::from_secs(NOW as u64 + 3600),
    });
    assert_eq!(
        overridden.check(&release.0, &*clock).unwrap(),
        ReleaseTrust::Override {
            reason: "CHG-778 hotfix scanner, signature pending".into(),
            approved_by: "sec-oncall".into()
        }
    );
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        overridden.check(&release.0, &*clock).unwrap_err().reason,
        Reason::ReleaseUntrusted,
        "an expired override no longer applies"
    );
}

#[test]
fn unreachable_registry_is_untrusted_not_a_crash() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let registry = OciRegistry::new(
        &format!("http://127.0.0.1:{port}"),
        "stellaops/scanner",
        Duration::from_secs(2),
    )
    .unwrap();
    let key = key(Algorithm::Ed25519);
    let v = ReleaseVerifier::new([])
        .with_signatures(vec![key.public_key().clone()], Box::new(registry));
    let digest = digest_of(b"release");
    assert_eq!(
        v.check(&digest, &*clock()).unwrap_err().reason,
        Reason::ReleaseUntrusted
    );
    assert_eq!(
        v.check("sha256:XYZ", &*clock()).unwrap_err().reason,
        Reason::ReleaseUntrusted
    );
}

#[test]
fn registry_names_and_schemes_are_checked() {
    let t = Duration::from_secs(1);
    assert!(OciRegistry::new("http://registry.example", "a/b", t).is_err());
    assert!(OciRegistry::new("https://registry.example", "A/b", t).is_err());
    assert!(OciRegistry::new("https://registry.example", "a//b", t).is_err());
    assert!(OciRegistry::new("https://registry.example", "../b", t).is_err());
    assert!(OciRegistry::new("https://registry.example", "stellaops/scanner", t).is_ok());
}

#[test]
fn a_tampered_release_signature_is_untrusted() {
    let s = setup("STELLAOPS_TEST_REGISTRY_REFERRERS", "tampered");
    let release = s.pusher.release("4.0.0");
    let envelope = release_signature(&s.release_key, &release.0, RELEASE_PREDICATE);
    // Change one base64 character of the signature: still a well-formed envelope.
    let mut doc: Value = serde_json::from_slice(&envelope).unwrap();
    let sig = doc["signatures"][0]["sig"].as_str().unwrap().to_owned();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    doc["signatures"][0]["sig"] = json!(format!("{flipped}{}", &sig[1..]));
    s.pusher
        .attach(&release, &serde_json::to_vec(&doc).unwrap(), false);
    assert_untrusted(s, &release.0, "no valid release signature");
}
