//! The release verdict of `stella serve` read from a real registry with token authentication
//! (Debian's docker-registry with `auth: token`, started by `scripts/services.sh`): a scanner
//! release pushed with its DSSE signature to a private repository is trusted when
//! `[release] docker_config` holds credentials for the registry, and refused, saying why, when
//! it does not or when they are wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod minted;
#[path = "../../stellaops-poe/tests/support/oci_push.rs"]
mod oci_push;
mod server;

use std::collections::BTreeMap;

use oci_push::{registry_url, registry_user, repository_under, Pusher};
use serde_json::{json, Value};
use server::{answer, Setup};
use stellaops_signer::crypto::{Algorithm, SoftwareKey};
use stellaops_signer::predicates::{StatementBuilder, Subject, PAYLOAD_TYPE};
use stellaops_signer::{Envelope, SigningKey};

const RELEASE_PREDICATE: &str = "https://stella.ops/scannerRelease@v1";

/// Push a scanner release and its signature by `key` to `repo`; the release's digest.
fn push_signed_release(base: &str, repo: &str, key: &SoftwareKey) -> String {
    let pusher = Pusher::with_token(base, repo, &registry_user());
    let release = pusher.release("9.1.0");
    let mut digests = BTreeMap::new();
    digests.insert("sha256".to_owned(), release.0["sha256:".len()..].to_owned());
    let statement = StatementBuilder::new(RELEASE_PREDICATE)
        .subject(Subject::new("registry.stella.test/stellaops/scanner", digests).unwrap())
        .predicate(json!({"version": "9.1.0"}))
        .build()
        .unwrap();
    let envelope = Envelope::sign(PAYLOAD_TYPE, statement.to_json().unwrap(), &[key]).unwrap();
    // distribution 2.8 has no Referrers API: the tag schema.
    pusher.attach(&release, &envelope.to_json(), true);
    release.0
}

/// `GET /api/v1/signer/verify/referrers` for `digest` from the server on config `name`.
fn verdict(setup: &Setup, name: &str, digest: &str) -> Value {
    let served = setup.serve_with(name);
    let token = setup.mtls_token(&format!("release-{name}"), "client");
    let a = answer(
        setup
            .agent(Some("client"))
            .get(served.url(&format!("/api/v1/signer/verify/referrers?digest={digest}")))
            .header("authorization", &format!("Bearer {token}"))
            .header("x-stellaops-tenant", "acme")
            .call(),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.body
}

#[test]
fn the_release_verdict_reads_a_token_auth_registry_with_docker_config_credentials() {
    let base = registry_url("STELLAOPS_TEST_REGISTRY_AUTHED");
    let repo = repository_under("private", "served");
    let release_key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let digest = push_signed_release(&base, &repo, &release_key);

    let setup = Setup::new("", "");
    std::fs::write(
        setup.path("release.pub"),
        release_key.public_key().to_spki_pem().unwrap(),
    )
    .unwrap();
    let user = registry_user();
    for (dir, who) in [
        ("docker", Some(user.clone())),
        (
            "wrong",
            Some((user.0.clone(), "not-the-password".to_owned())),
        ),
    ] {
        std::fs::create_dir(setup.path(dir)).unwrap();
        oci_push::docker_config(&setup.path(dir), &base, &who.unwrap());
    }
    std::fs::create_dir(setup.path("nobody")).unwrap();
    std::fs::write(setup.path("nobody/config.json"), r#"{"auths": {}}"#).unwrap();
    for dir in ["docker", "wrong", "nobody"] {
        setup.edited(
            &format!("{dir}.toml"),
            &format!("{dir}.jsonl"),
            &[(
                "[release]\n",
                &format!(
                    "[release]\nregistry = \"{base}\"\nrepository = \"{repo}\"\nkeys = [\"release.pub\"]\n\
                     predicate_type = \"{RELEASE_PREDICATE}\"\ndocker_config = \"{dir}/config.json\"\n"
                ),
            )],
        );
    }

    let trusted = verdict(&setup, "docker.toml", &digest);
    assert_eq!(trusted["trusted"], true, "{trusted}");
    assert_eq!(trusted["trust"], "signature", "{trusted}");
    assert_eq!(
        trusted["key_id"],
        release_key.key_id().to_string(),
        "{trusted}"
    );

    let anonymous = verdict(&setup, "nobody.toml", &digest);
    assert_eq!(
        (&anonymous["trusted"], &anonymous["reason"]),
        (&json!(false), &json!("release.untrusted")),
        "{anonymous}"
    );
    let detail = anonymous["detail"].as_str().unwrap();
    assert!(
        detail.contains("401 (insufficient_scope) to the token issued for an anonymous request"),
        "{detail}"
    );

    let wrong = verdict(&setup, "wrong.toml", &digest);
    let detail = wrong["detail"].as_str().unwrap();
    assert_eq!(wrong["trusted"], false, "{wrong}");
    assert!(
        detail.contains("answered 401 to the configured credentials")
            && !detail.contains("not-the-password"),
        "{detail}"
    );
}
