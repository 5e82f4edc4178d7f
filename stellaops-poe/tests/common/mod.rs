//! Minting tokens, proofs and entitlement documents for the tests, with real keys.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey, VerifyingKey};
use stellaops_poe::jws::sign_compact;
use stellaops_poe::thumbprint::jwk_thumbprint;
use stellaops_poe::{FixedClock, Jwks, JwksSource};

/// The fixed "now" of the tests.
pub const NOW: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://authority.stella.test";
pub const TENANT: &str = "acme";
pub const METHOD: &str = "POST";
pub const URI: &str = "https://signer.stella.test/api/v1/sign";

/// The licensing service's issuer.
pub const LICENSING: &str = "https://licensing.stella.test";

/// A good entitlement for [`TENANT`] at [`NOW`]: the claims of a signed document or of an
/// introspection answer.
pub fn doc_claims() -> Value {
    json!({
        "iss": LICENSING,
        "tid": TENANT,
        "plan": "enterprise",
        "features": ["signer.sign", "signer.keyless"],
        "quotas": {"requests_per_second": 50.0, "burst": 100, "max_concurrent": 8, "max_artifact_bytes": 104857600},
        "license_id": "lic-0042",
        "iat": NOW - 3600,
        "exp": NOW + 86400,
    })
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at_unix(NOW))
}

pub fn key(alg: Algorithm) -> SoftwareKey {
    SoftwareKey::generate(alg).expect("key generation")
}

/// A JWK (as a JSON object) of `key`'s public half.
pub fn public_jwk(key: &VerifyingKey) -> Map<String, Value> {
    match serde_json::from_str(&key.to_jwk().expect("jwk")).expect("jwk json") {
        Value::Object(m) => m,
        _ => panic!("jwk is not an object"),
    }
}

/// A key set holding each `(kid, key)`.
pub fn jwks_json(keys: &[(&str, &VerifyingKey)]) -> String {
    let list: Vec<Value> = keys
        .iter()
        .map(|(kid, key)| {
            let mut jwk = public_jwk(key);
            jwk.insert("kid".into(), Value::from(*kid));
            jwk.insert("use".into(), Value::from("sig"));
            Value::Object(jwk)
        })
        .collect();
    json!({ "keys": list }).to_string()
}

pub fn jwks(keys: &[(&str, &VerifyingKey)]) -> JwksSource {
    JwksSource::fixed(Jwks::from_json(jwks_json(keys).as_bytes()).expect("jwks"))
}

pub fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

/// Sign `claims` with `header` members (alg is set from the key).
pub fn jwt(key: &dyn SigningKey, header: Value, claims: &Value) -> String {
    sign_compact(key, object(header), claims.to_string().as_bytes()).expect("sign")
}

/// Good access-token claims at [`NOW`], bound to `jkt` if given.
pub fn claims(jkt: Option<&str>) -> Value {
    let mut c = json!({
        "iss": ISSUER,
        "aud": ["signer", "other"],
        "sub": "svc:scanner-7",
        "tid": TENANT,
        "scope": "signer.sign attestor.read",
        "jti": "tok-1",
        "iat": NOW - 10,
        "nbf": NOW - 10,
        "exp": NOW + 120,
        "client_id": "scanner",
    });
    if let Some(jkt) = jkt {
        c["cnf"] = json!({ "jkt": jkt });
    }
    c
}

pub fn token(key: &dyn SigningKey, kid: &str, claims: &Value) -> String {
    jwt(key, json!({"typ": "at+jwt", "kid": kid}), claims)
}

/// Replace the payload of a compact JWS, keeping header and signature.
pub fn swap_payload(token: &str, payload: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    )
}

/// Flip one bit of the signature.
pub fn flip_signature(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
    sig[5] ^= 0x01;
    format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig))
}

/// A JWS with an arbitrary header and raw signature bytes (for `alg: none`, HMAC, ...).
pub fn raw_jws(header: &Value, payload: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

/// A DPoP client: its key and that key's thumbprint.
pub struct DpopClient {
    pub key: SoftwareKey,
    pub jwk: Map<String, Value>,
    pub jkt: String,
}

impl DpopClient {
    pub fn new(alg: Algorithm) -> Self {
        let key = key(alg);
        let jwk = public_jwk(key.public_key());
        let jkt = jwk_thumbprint(&jwk).expect("thumbprint");
        DpopClient { key, jwk, jkt }
    }

    pub fn claims(&self, access_token: &str, jti: &str) -> Value {
        json!({
            "jti": jti,
            "htm": METHOD,
            "htu": URI,
            "iat": NOW - 1,
            "ath": ath(access_token),
        })
    }

    pub fn proof_with(&self, claims: &Value) -> String {
        jwt(
            &self.key,
            json!({"typ": "dpop+jwt", "jwk": Value::Object(self.jwk.clone())}),
            claims,
        )
    }

    pub fn proof(&self, access_token: &str, jti: &str) -> String {
        self.proof_with(&self.claims(access_token, jti))
    }
}
