//! Proof-of-Entitlement from signed documents, and the bypass. The introspection endpoint and
//! the outage cache are in `introspection.rs`.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use serde_json::{json, Value};
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey};
use stellaops_poe::{
    Bypass, EntitlementSource, PoeEvaluator, PoePolicy, PoeState, Reason, SignedEntitlements,
    SourceError,
};

fn document(key: &dyn SigningKey, kid: &str, claims: &Value) -> String {
    jwt(key, json!({"typ": "entitlement+jwt", "kid": kid}), claims)
}

struct Docs {
    key: SoftwareKey,
    source: Arc<SignedEntitlements>,
    poe: PoeEvaluator,
}

fn docs() -> Docs {
    let key = key(Algorithm::Ed25519);
    let source = Arc::new(
        SignedEntitlements::in_memory(jwks(&[("lic-1", key.public_key())])).with_issuer(LICENSING),
    );
    let poe = PoeEvaluator::new(Box::new(source.clone()), PoePolicy::default(), clock());
    Docs { key, source, poe }
}

impl Docs {
    fn reason_for(&self, doc: &str) -> Reason {
        self.source.insert(TENANT, doc);
        self.poe
            .evaluate(TENANT)
            .expect_err("must be denied")
            .reason
    }

    fn reason_for_claims(&self, edit: impl FnOnce(&mut Value)) -> Reason {
        let mut c = doc_claims();
        edit(&mut c);
        self.reason_for(&document(&self.key, "lic-1", &c))
    }
}

#[test]
fn a_signed_document_grants_its_plan() {
    let d = docs();
    d.source
        .insert(TENANT, &document(&d.key, "lic-1", &doc_claims()));
    let outcome = d.poe.evaluate(TENANT).unwrap();
    assert_eq!(outcome.state, PoeState::Fresh);
    let e = outcome.entitlement.unwrap();
    assert_eq!(e.plan, "enterprise");
    assert_eq!(e.license_id, "lic-0042");
    assert_eq!(e.expires_at, NOW + 86400);
    assert_eq!(e.quotas.unwrap().max_concurrent, Some(8));
}

#[test]
fn changed_document_claim() {
    let d = docs();
    let doc = document(&d.key, "lic-1", &doc_claims());
    let mut richer = doc_claims();
    richer["plan"] = json!("unlimited");
    assert_eq!(
        d.reason_for(&swap_payload(&doc, &richer)),
        Reason::PoeSignature
    );
}

#[test]
fn changed_document_signature() {
    let d = docs();
    assert_eq!(
        d.reason_for(&flip_signature(&document(&d.key, "lic-1", &doc_claims()))),
        Reason::PoeSignature
    );
}

#[test]
fn document_from_an_unknown_key() {
    let d = docs();
    let rogue = key(Algorithm::Ed25519);
    assert_eq!(
        d.reason_for(&document(&rogue, "lic-2", &doc_claims())),
        Reason::PoeSignature
    );
    assert_eq!(
        d.reason_for(&document(&rogue, "lic-1", &doc_claims())),
        Reason::PoeSignature
    );
}

#[test]
fn document_alg_none() {
    let d = docs();
    let doc = raw_jws(
        &json!({"alg": "none", "typ": "entitlement+jwt", "kid": "lic-1"}),
        &doc_claims(),
        b"",
    );
    assert_eq!(d.reason_for(&doc), Reason::PoeSignature);
}

#[test]
fn expired_document() {
    let d = docs();
    assert_eq!(
        d.reason_for_claims(|c| c["exp"] = json!(NOW - 1)),
        Reason::PoeExpired
    );
}

#[test]
fn document_for_another_tenant() {
    let d = docs();
    assert_eq!(
        d.reason_for_claims(|c| c["tid"] = json!("globex")),
        Reason::PoeTenant
    );
}

#[test]
fn document_from_another_issuer() {
    let d = docs();
    assert_eq!(
        d.reason_for_claims(|c| c["iss"] = json!("https://evil.test")),
        Reason::PoeSignature
    );
}

#[test]
fn document_without_the_feature() {
    let d = docs();
    assert_eq!(
        d.reason_for_claims(|c| c["features"] = json!(["signer.verify"])),
        Reason::PoeFeature
    );
}

#[test]
fn document_with_a_wrong_typ_or_shape() {
    let d = docs();
    let access_token_shaped = jwt(&d.key, json!({"typ": "JWT", "kid": "lic-1"}), &doc_claims());
    assert_eq!(d.reason_for(&access_token_shaped), Reason::PoeMalformed);
    assert_eq!(
        d.reason_for_claims(|c| {
            c.as_object_mut().unwrap().remove("plan");
        }),
        Reason::PoeMalformed
    );
    assert_eq!(d.reason_for("not a jws"), Reason::PoeMalformed);
}

#[test]
fn inactive_document() {
    let d = docs();
    assert_eq!(
        d.reason_for_claims(|c| c["active"] = json!(false)),
        Reason::PoeInactive
    );
}

#[test]
fn no_document() {
    let d = docs();
    assert_eq!(
        d.poe.evaluate("globex").unwrap_err().reason,
        Reason::PoeMissing
    );
}

#[test]
fn directory_store_and_unsafe_tenant_names() {
    let key = key(Algorithm::EcdsaP256Sha256);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.jws"),
        document(&key, "lic-1", &doc_claims()),
    )
    .unwrap();
    let source = SignedEntitlements::directory(jwks(&[("lic-1", key.public_key())]), dir.path());
    assert_eq!(source.fetch(TENANT).unwrap().plan, "enterprise");
    for bad in ["../acme", ".hidden", "a/b", ""] {
        match source.fetch(bad) {
            Err(SourceError::Denied(d)) => assert_eq!(d.reason, Reason::PoeTenant, "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    match source.fetch("globex") {
        Err(SourceError::Denied(d)) => assert_eq!(d.reason, Reason::PoeMissing),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bypass_applies_until_it_expires() {
    let d = docs();
    let clock = clock();
    let policy = PoePolicy {
        bypass: Some(Bypass {
            reason: "INC-2211: licensing outage, approved by j.doe".into(),
            expires_at: UNIX_EPOCH + Duration::from_secs(NOW as u64 + 600),
        }),
        ..PoePolicy::default()
    };
    let poe = PoeEvaluator::new(Box::new(d.source.clone()), policy, clock.clone());
    let outcome = poe.evaluate("no-such-tenant").unwrap();
    assert_eq!(outcome.entitlement, None);
    assert_eq!(
        outcome.state,
        PoeState::Bypass {
            reason: "INC-2211: licensing outage, approved by j.doe".into()
        }
    );
    clock.advance(Duration::from_secs(600));
    assert_eq!(
        poe.evaluate("no-such-tenant").unwrap_err().reason,
        Reason::PoeMissing
    );
}
