//! The access-token tamper suite: every way to break a token is denied with its own reason.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey};
use stellaops_poe::{
    Denial, FixedClock, Jwks, JwksSource, OpTok, OpTokPolicy, OpTokVerifier, Reason,
};

struct Fixture {
    key: SoftwareKey,
    verifier: OpTokVerifier,
    clock: Arc<FixedClock>,
}

fn fixture_for(alg: Algorithm) -> Fixture {
    let key = key(alg);
    let clock = clock();
    let verifier = OpTokVerifier::new(
        OpTokPolicy::new(ISSUER),
        jwks(&[("k1", key.public_key())]),
        clock.clone(),
    );
    Fixture {
        key,
        verifier,
        clock,
    }
}

fn fixture() -> Fixture {
    fixture_for(Algorithm::EcdsaP256Sha256)
}

impl Fixture {
    fn sign(&self, claims: &Value) -> String {
        token(&self.key, "k1", claims)
    }

    fn verify(&self, token: &str) -> Result<OpTok, Denial> {
        self.verifier.verify(token, TENANT)
    }

    fn denied(&self, token: &str) -> Reason {
        self.verify(token).expect_err("must be denied").reason
    }

    fn denied_claims(&self, edit: impl FnOnce(&mut Value)) -> Reason {
        let mut c = claims(Some("jkt"));
        edit(&mut c);
        self.denied(&self.sign(&c))
    }
}

#[test]
fn a_good_token_yields_its_facts() {
    let f = fixture();
    let tok = f.verify(&f.sign(&claims(Some("thumb")))).unwrap();
    assert_eq!(tok.subject, "svc:scanner-7");
    assert_eq!(tok.tenant, TENANT);
    assert_eq!(tok.issuer, ISSUER);
    assert_eq!(tok.token_id, "tok-1");
    assert_eq!(tok.key_id, "k1");
    assert_eq!(tok.client_id.as_deref(), Some("scanner"));
    assert_eq!(tok.scopes, ["signer.sign", "attestor.read"]);
    assert_eq!(tok.confirmation.jkt.as_deref(), Some("thumb"));
    assert_eq!(tok.expires_at, (NOW + 120) as f64);
}

#[test]
fn every_accepted_algorithm_verifies() {
    for alg in Algorithm::ALL {
        let f = fixture_for(alg);
        let tok = f.sign(&claims(None));
        let header: Value = serde_json::from_slice(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                tok.split('.').next().unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], alg.jose_name());
        f.verify(&tok).unwrap_or_else(|d| panic!("{alg}: {d}"));
    }
}

#[test]
fn changed_claim_is_a_bad_signature() {
    let f = fixture();
    let tok = f.sign(&claims(None));
    let mut forged = claims(None);
    forged["tid"] = json!("acme");
    forged["scope"] = json!("signer.sign signer.admin");
    assert_eq!(
        f.denied(&swap_payload(&tok, &forged)),
        Reason::OptokSignature
    );
}

#[test]
fn changed_signature() {
    let f = fixture();
    assert_eq!(
        f.denied(&flip_signature(&f.sign(&claims(None)))),
        Reason::OptokSignature
    );
}

#[test]
fn signed_by_another_key_under_a_known_kid() {
    let f = fixture();
    let other = key(Algorithm::EcdsaP256Sha256);
    assert_eq!(
        f.denied(&token(&other, "k1", &claims(None))),
        Reason::OptokSignature
    );
}

#[test]
fn expired() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| {
            c["iat"] = json!(NOW - 200);
            c["nbf"] = json!(NOW - 200);
            c["exp"] = json!(NOW - 31);
        }),
        Reason::OptokExpired
    );
}

#[test]
fn leeway_is_thirty_seconds() {
    let f = fixture();
    let mut c = claims(None);
    c["iat"] = json!(NOW - 200);
    c["nbf"] = json!(NOW - 200);
    c["exp"] = json!(NOW - 29);
    let tok = f.sign(&c);
    assert!(f.verify(&tok).is_ok(), "29 s past exp is within leeway");
    f.clock.advance(Duration::from_secs(2));
    assert_eq!(f.denied(&tok), Reason::OptokExpired);
}

#[test]
fn missing_exp() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| {
            c.as_object_mut().unwrap().remove("exp");
        }),
        Reason::OptokExpired
    );
}

#[test]
fn not_yet_valid() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| c["nbf"] = json!(NOW + 60)),
        Reason::OptokNotYetValid
    );
    assert_eq!(
        f.denied_claims(|c| {
            c["iat"] = json!(NOW + 60);
            c["exp"] = json!(NOW + 120);
        }),
        Reason::OptokNotYetValid
    );
}

#[test]
fn lifetime_longer_than_five_minutes() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| c["exp"] = json!(NOW + 3600)),
        Reason::OptokLifetime
    );
}

#[test]
fn wrong_audience() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| c["aud"] = json!("attestor")),
        Reason::OptokAudience
    );
    assert_eq!(
        f.denied_claims(|c| {
            c.as_object_mut().unwrap().remove("aud");
        }),
        Reason::OptokAudience
    );
}

#[test]
fn audience_may_be_a_string() {
    let f = fixture();
    let mut c = claims(None);
    c["aud"] = json!("signer");
    assert!(f.verify(&f.sign(&c)).is_ok());
}

#[test]
fn wrong_issuer() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| c["iss"] = json!("https://evil.test")),
        Reason::OptokIssuer
    );
}

#[test]
fn wrong_tenant() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| c["tid"] = json!("globex")),
        Reason::OptokTenant
    );
    assert_eq!(
        f.denied_claims(|c| {
            c.as_object_mut().unwrap().remove("tid");
        }),
        Reason::OptokTenant
    );
}

#[test]
fn missing_scope() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| c["scope"] = json!("signer.signx attestor.read")),
        Reason::OptokScope
    );
}

#[test]
fn scope_as_scp_array() {
    let f = fixture();
    let mut c = claims(None);
    c.as_object_mut().unwrap().remove("scope");
    c["scp"] = json!(["signer.sign"]);
    assert!(f.verify(&f.sign(&c)).is_ok());
}

#[test]
fn missing_jti() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| {
            c.as_object_mut().unwrap().remove("jti");
        }),
        Reason::OptokJti
    );
}

#[test]
fn missing_sub() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| {
            c.as_object_mut().unwrap().remove("sub");
        }),
        Reason::OptokSubject
    );
}

#[test]
fn alg_none() {
    let f = fixture();
    let tok = raw_jws(&json!({"alg": "none", "kid": "k1"}), &claims(None), b"");
    assert_eq!(f.denied(&tok), Reason::OptokAlgorithm);
    let tok = raw_jws(&json!({"alg": "None", "kid": "k1"}), &claims(None), b"");
    assert_eq!(f.denied(&tok), Reason::OptokAlgorithm);
}

#[test]
fn hmac_with_the_public_key_as_secret() {
    // The classic confusion: a real HS256 MAC keyed with the verifier's public key PEM, which a
    // library that lets the header pick the algorithm would accept.
    use hmac::Mac;
    let f = fixture();
    let public = f.key.public_key().to_spki_pem().unwrap();
    let header = json!({"alg": "HS256", "kid": "k1", "typ": "JWT"});
    let unsigned = raw_jws(&header, &claims(None), b"");
    let input = unsigned.trim_end_matches('.');
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(public.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let tag = mac.finalize().into_bytes();
    let tok = format!(
        "{input}.{}",
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, tag)
    );
    assert_eq!(f.denied(&tok), Reason::OptokAlgorithm);
}

#[test]
fn algorithm_that_does_not_fit_the_key() {
    // An RSA signature under an EC key's kid, claiming RS256.
    let f = fixture();
    let rsa = key(Algorithm::RsaPkcs1Sha256);
    assert_eq!(
        f.denied(&token(&rsa, "k1", &claims(None))),
        Reason::OptokAlgorithm
    );
}

#[test]
fn pss_and_pkcs1_are_not_interchangeable_on_a_pinned_key() {
    let rsa = key(Algorithm::RsaPssSha256);
    let mut jwk = public_jwk(rsa.public_key());
    jwk.insert("kid".into(), json!("r1"));
    jwk.insert("alg".into(), json!("RS256"));
    let set = json!({"keys": [Value::Object(jwk)]}).to_string();
    let verifier = OpTokVerifier::new(
        OpTokPolicy::new(ISSUER),
        JwksSource::fixed(Jwks::from_json(set.as_bytes()).unwrap()),
        clock(),
    );
    let tok = token(&rsa, "r1", &claims(None));
    assert_eq!(
        verifier.verify(&tok, TENANT).unwrap_err().reason,
        Reason::OptokAlgorithm
    );
}

#[test]
fn disallowed_algorithm() {
    let key = key(Algorithm::Ed25519);
    let mut policy = OpTokPolicy::new(ISSUER);
    policy.algorithms = vec![Algorithm::EcdsaP256Sha256];
    let verifier = OpTokVerifier::new(policy, jwks(&[("k1", key.public_key())]), clock());
    let tok = token(&key, "k1", &claims(None));
    assert_eq!(
        verifier.verify(&tok, TENANT).unwrap_err().reason,
        Reason::OptokAlgorithm
    );
}

#[test]
fn unknown_kid() {
    let f = fixture();
    assert_eq!(
        f.denied(&token(&f.key, "k2", &claims(None))),
        Reason::OptokKid
    );
}

#[test]
fn missing_kid() {
    let f = fixture();
    let tok = jwt(&f.key, json!({"typ": "JWT"}), &claims(None));
    assert_eq!(f.denied(&tok), Reason::OptokKid);
}

#[test]
fn duplicate_claims_are_malformed() {
    let f = fixture();
    let header = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        json!({"alg": "ES256", "kid": "k1"}).to_string(),
    );
    let body = claims(None).to_string();
    let dup = format!("{}, \"tid\": \"globex\"}}", &body[..body.len() - 1]);
    let payload = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &dup);
    let input = format!("{header}.{payload}");
    let der = f.key.try_sign(input.as_bytes()).unwrap();
    let sig =
        stellaops_crypto::hazmat::ecdsa_der_to_fixed(Algorithm::EcdsaP256Sha256, &der).unwrap();
    let tok = format!(
        "{input}.{}",
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig)
    );
    assert_eq!(f.denied(&tok), Reason::OptokMalformed);
}

#[test]
fn a_dpop_proof_is_not_an_access_token() {
    let f = fixture();
    let tok = jwt(
        &f.key,
        json!({"typ": "dpop+jwt", "kid": "k1"}),
        &claims(None),
    );
    assert_eq!(f.denied(&tok), Reason::OptokType);
}

#[test]
fn malformed_tokens() {
    let f = fixture();
    for bad in ["a.b", "a.b.c.d", "!!.e30.AA", "e30.e30.AA=", "", "...."] {
        let reason = f.denied(bad);
        assert!(
            matches!(reason, Reason::OptokMalformed | Reason::OptokMissing),
            "{bad:?}: {reason}"
        );
    }
    let huge = format!("{}.e30.AA", "A".repeat(20_000));
    assert_eq!(f.denied(&huge), Reason::OptokMalformed);
}

#[test]
fn crit_header_is_refused() {
    let f = fixture();
    let tok = jwt(
        &f.key,
        json!({"kid": "k1", "crit": ["exp"], "exp": 1}),
        &claims(None),
    );
    assert_eq!(f.denied(&tok), Reason::OptokMalformed);
}

#[test]
fn unknown_cnf_is_not_silently_bearer() {
    let f = fixture();
    assert_eq!(
        f.denied_claims(|c| c["cnf"] = json!({"jwk": {"kty": "EC"}})),
        Reason::OptokMalformed
    );
}

#[test]
fn key_rotation_through_the_jwks_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    let old = key(Algorithm::EcdsaP256Sha256);
    let new = key(Algorithm::Ed25519);
    std::fs::write(&path, jwks_json(&[("old", old.public_key())])).unwrap();
    let verifier = OpTokVerifier::new(
        OpTokPolicy::new(ISSUER),
        JwksSource::file(&path).unwrap(),
        clock(),
    );
    let with_old = token(&old, "old", &claims(None));
    let with_new = token(&new, "new", &claims(None));
    assert!(verifier.verify(&with_old, TENANT).is_ok());
    assert_eq!(
        verifier.verify(&with_new, TENANT).unwrap_err().reason,
        Reason::OptokKid
    );

    // Publish the new key beside the old one; then drop the old one.
    std::fs::write(
        &path,
        jwks_json(&[("old", old.public_key()), ("new", new.public_key())]),
    )
    .unwrap();
    assert!(verifier.verify(&with_new, TENANT).is_ok());
    assert!(verifier.verify(&with_old, TENANT).is_ok());
    std::fs::write(&path, jwks_json(&[("new", new.public_key())])).unwrap();
    assert_eq!(
        verifier.verify(&with_old, TENANT).unwrap_err().reason,
        Reason::OptokKid
    );
    assert!(verifier.verify(&with_new, TENANT).is_ok());

    // A broken file fails closed instead of falling back to the keys it replaced.
    std::fs::write(&path, "{\"keys\": [ broken").unwrap();
    assert_eq!(
        verifier.verify(&with_new, TENANT).unwrap_err().reason,
        Reason::OptokKeys
    );
}

/// Issue 20 ("check and settle"): a token verified and cached under `kid` is not accepted from
/// the cache once that `kid` names other key material: it is verified again, and fails.
#[test]
fn a_cached_token_does_not_survive_its_kid_being_rekeyed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    let first = key(Algorithm::EcdsaP256Sha256);
    let second = key(Algorithm::Ed25519);
    std::fs::write(&path, jwks_json(&[("k", first.public_key())])).unwrap();
    let verifier = OpTokVerifier::new(
        OpTokPolicy::new(ISSUER),
        JwksSource::file(&path).unwrap(),
        clock(),
    );
    let tok = token(&first, "k", &claims(None));
    assert!(verifier.verify(&tok, TENANT).is_ok());
    assert!(
        verifier.verify(&tok, TENANT).is_ok(),
        "served from the cache"
    );
    std::fs::write(&path, jwks_json(&[("k", second.public_key())])).unwrap();
    // Verified again: the token's ES256 does not fit the Ed25519 key now named "k".
    assert_eq!(
        verifier.verify(&tok, TENANT).unwrap_err().reason,
        Reason::OptokAlgorithm
    );
    // Tokens of the new key under the same kid verify.
    assert!(verifier
        .verify(&token(&second, "k", &claims(None)), TENANT)
        .is_ok());
}

#[test]
fn jwks_refuses_duplicate_and_kidless_keys_and_skips_symmetric_ones() {
    let k = key(Algorithm::EcdsaP256Sha256);
    let dup = jwks_json(&[("a", k.public_key()), ("a", k.public_key())]);
    assert!(Jwks::from_json(dup.as_bytes()).is_err());
    let mut jwk = public_jwk(k.public_key());
    jwk.remove("kid");
    let kidless = json!({"keys": [Value::Object(jwk)]}).to_string();
    assert!(Jwks::from_json(kidless.as_bytes()).is_err());
    let oct = json!({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}).to_string();
    let set = Jwks::from_json(oct.as_bytes()).unwrap();
    assert!(
        set.is_empty(),
        "an HMAC key never becomes a verification key"
    );
}

#[test]
fn a_remembered_token_is_still_checked_for_tenant_and_expiry() {
    let f = fixture();
    let tok = f.sign(&claims(None));
    assert!(f.verify(&tok).is_ok());
    assert!(
        f.verify(&tok).is_ok(),
        "second use comes from the verified-token cache"
    );
    assert_eq!(
        f.verifier.verify(&tok, "globex").unwrap_err().reason,
        Reason::OptokTenant
    );
    f.clock.advance(Duration::from_secs(151));
    assert_eq!(f.denied(&tok), Reason::OptokExpired);
}

#[test]
fn the_token_cache_can_be_turned_off() {
    let key = key(Algorithm::EcdsaP256Sha256);
    let mut policy = OpTokPolicy::new(ISSUER);
    policy.token_cache = 0;
    let verifier = OpTokVerifier::new(policy, jwks(&[("k1", key.public_key())]), clock());
    let tok = token(&key, "k1", &claims(None));
    assert!(verifier.verify(&tok, TENANT).is_ok());
    assert!(verifier.verify(&tok, TENANT).is_ok());
    assert_eq!(
        verifier
            .verify(&flip_signature(&tok), TENANT)
            .unwrap_err()
            .reason,
        Reason::OptokSignature
    );
}
