//! Credentials minted for the pipeline tests: the Authority's and the licensing service's key
//! sets, signed entitlements, access tokens and DPoP proofs, as an Authority, a licensing
//! service and a client would make them. Shared by `pipeline.rs` (the CLI) and `service.rs`
//! (`stella serve`).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use stellaops_signer::policy::jws::sign_compact;
use stellaops_signer::policy::thumbprint::jwk_thumbprint;
use stellaops_signer::{SigningKey, SoftwareKey};

/// The Authority the tokens come from.
pub const ISSUER: &str = "https://authority.stella.test";

pub fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

pub fn public_jwk(k: &SoftwareKey) -> Map<String, Value> {
    object(serde_json::from_str(&k.public_key().to_jwk().unwrap()).unwrap())
}

/// A JWKS file holding `k` as `kid`.
pub fn write_jwks(path: &Path, kid: &str, k: &SoftwareKey) {
    let mut jwk = public_jwk(k);
    jwk.insert("kid".into(), json!(kid));
    std::fs::write(path, json!({"keys": [Value::Object(jwk)]}).to_string()).unwrap();
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `tenant`'s entitlement (plan "team", a day long) with `features`, signed by the licensing
/// key `lic`.
pub fn entitlement(licensing: &SoftwareKey, tenant: &str, features: &[&str]) -> String {
    sign_compact(
        licensing,
        object(json!({"typ": "entitlement+jwt", "kid": "lic"})),
        json!({"tid": tenant, "plan": "team", "features": features,
               "license_id": "lic-1", "exp": now() + 86_400})
        .to_string()
        .as_bytes(),
    )
    .unwrap()
}

/// An access token from the Authority's key `a1` for `tenant` (two minutes, scope
/// `signer.sign`) with confirmation `cnf`.
pub fn token(authority: &SoftwareKey, tenant: &str, jti: &str, cnf: Value) -> String {
    sign_compact(
        authority,
        object(json!({"typ": "at+jwt", "kid": "a1"})),
        json!({"iss": ISSUER, "aud": "signer", "sub": "svc:exporter", "tid": tenant,
               "scope": "signer.sign", "jti": jti, "iat": now(), "exp": now() + 120,
               "cnf": cnf})
        .to_string()
        .as_bytes(),
    )
    .unwrap()
}

/// The confirmation of a token bound to `client`'s DPoP key.
pub fn dpop_cnf(client: &SoftwareKey) -> Value {
    json!({"jkt": jwk_thumbprint(&public_jwk(client)).unwrap()})
}

/// `client`'s DPoP proof for `method` on `htu`, bound to `token`.
pub fn proof(client: &SoftwareKey, token: &str, method: &str, htu: &str, jti: &str) -> String {
    sign_compact(
        client,
        object(json!({"typ": "dpop+jwt", "jwk": Value::Object(public_jwk(client))})),
        json!({"jti": jti, "htm": method, "htu": htu, "iat": now(),
               "ath": URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))})
        .to_string()
        .as_bytes(),
    )
    .unwrap()
}
