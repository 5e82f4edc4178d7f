//! Scanner release verification against real OCI registries on loopback, started by
//! `scripts/services.sh`: Debian's docker-registry (no Referrers API: the tag schema), the same
//! with token authentication (the OCI distribution token protocol, credentials from a docker
//! `config.json`), and go-containerregistry's registry (the Referrers API). Without them these
//! tests fail.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "support/oci_push.rs"]
mod oci_push;

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use oci_push::*;
use serde_json::{json, Value};
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey};
use stellaops_dsse::Envelope;
use stellaops_poe::oci::{OciRegistry, ReferrersVia, RegistryCredentials};
use stellaops_poe::{Reason, ReleaseOverride, ReleaseTrust, ReleaseVerifier};
use stellaops_predicates::{StatementBuilder, Subject, PAYLOAD_TYPE};

const RELEASE_PREDICATE: &str = "https://stella.ops/scannerRelease@v1";

/// Unique repository names, so tests sharing a registry do not see each other's referrers.
fn repository(name: &str) -> String {
    repository_under("stellaops", name)
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

/// A signed release in a repository of the token-auth registry (Debian's docker-registry with
/// `auth: token`, tag schema), pushed with the token service's user.
fn authed_release(prefix: &str, name: &str) -> (Setup, (String, usize), String, String) {
    let base = registry_url("STELLAOPS_TEST_REGISTRY_AUTHED");
    let repo = repository_under(prefix, name);
    let s = Setup {
        pusher: Pusher::with_token(&base, &repo, &registry_user()),
        registry: OciRegistry::new(&base, &repo, Duration::from_secs(10)).unwrap(),
        release_key: key(Algorithm::EcdsaP256Sha256),
    };
    let release = s.pusher.release("7.0.0");
    let envelope = release_signature(&s.release_key, &release.0, RELEASE_PREDICATE);
    s.pusher.attach(&release, &envelope, true);
    (s, release, base, repo)
}

#[test]
fn token_auth_registry_with_docker_config_credentials() {
    let (s, release, base, repo) = authed_release("private", "scanner");
    let registry = |credentials: Option<RegistryCredentials>| {
        let r = OciRegistry::new(&base, &repo, Duration::from_secs(10)).unwrap();
        match credentials {
            Some(c) => r.with_credentials(c),
            None => r,
        }
    };
    let check = |r: OciRegistry| {
        ReleaseVerifier::new([])
            .with_signatures(vec![s.release_key.public_key().clone()], Box::new(r))
            .with_predicate_type(RELEASE_PREDICATE)
            .check(&release.0, &*clock())
    };

    // The credentials `docker login` would have written: the token service grants them pull.
    let dir = tempfile::tempdir().unwrap();
    let user = registry_user();
    let config = docker_config(dir.path(), &base, &user);
    let host = registry(None).host().to_owned();
    let credentials = RegistryCredentials::from_docker_config(&config, &host)
        .unwrap()
        .expect("an entry for the registry's host");
    let trust = check(registry(Some(credentials))).unwrap();
    assert!(
        matches!(&trust, ReleaseTrust::Signed { key_id, .. } if *key_id == s.release_key.key_id().to_string()),
        "{trust:?}"
    );

    // Anonymous: the token service grants nothing outside public/, the registry refuses.
    let denial = check(registry(None)).unwrap_err();
    assert_eq!(denial.reason, Reason::ReleaseUntrusted);
    assert!(
        denial.detail.contains(
            "answered 401 (insufficient_scope) to the token issued for an anonymous request"
        ),
        "{}",
        denial.detail
    );

    // Wrong password: the token service refuses it, and the message does not carry it.
    let wrong = RegistryCredentials::new(&user.0, "not-the-password");
    let denial = check(registry(Some(wrong))).unwrap_err();
    assert_eq!(denial.reason, Reason::ReleaseUntrusted);
    assert!(
        denial.detail.contains("401 to the configured credentials")
            && !denial.detail.contains("not-the-password"),
        "{}",
        denial.detail
    );
}

#[test]
fn token_auth_registry_public_repository_anonymously() {
    let (s, release, _, _) = authed_release("public", "scanner");
    let (v, key) = verifier(s);
    let trust = v.check(&release.0, &*clock()).unwrap();
    assert!(
        matches!(&trust, ReleaseTrust::Signed { key_id, .. } if *key_id == key.key_id().to_string()),
        "{trust:?}"
    );
}
