//! Credentials for the service load test (benches/load/run.py), as an Authority, a licensing
//! service and a client would mint them:
//!
//! - `load_credentials setup DIR`: the Authority's, the licensing service's, the signer's and the
//!   DPoP client's keys (`*.pem`), their key sets and the tenant `acme`'s entitlement;
//! - `load_credentials mtls-token DIR`: an access token bound to `DIR/client.der` (`x5t#S256`);
//! - `load_credentials dpop DIR HTU N`: a DPoP-bound access token on the first line, then `N`
//!   proofs for `POST HTU`, one per line, each with its own `jti`.
//!
//! Tokens live ten minutes: mint them just before a run.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use stellaops_signer::policy::jws::sign_compact;
use stellaops_signer::policy::thumbprint::{certificate_thumbprint, jwk_thumbprint};
use stellaops_signer::{Algorithm, SigningKey, SoftwareKey};

const ISSUER: &str = "https://authority.stella.test";

type Failure = Box<dyn std::error::Error>;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn public_jwk(k: &SoftwareKey) -> Result<Map<String, Value>, Failure> {
    Ok(object(serde_json::from_str(&k.public_key().to_jwk()?)?))
}

fn key(dir: &Path, name: &str, alg: Algorithm) -> Result<SoftwareKey, Failure> {
    let path = dir.join(format!("{name}.pem"));
    if path.exists() {
        return Ok(SoftwareKey::from_pem(
            &std::fs::read_to_string(path)?,
            None,
        )?);
    }
    let k = SoftwareKey::generate(alg)?;
    std::fs::write(&path, k.to_pkcs8_pem()?.as_bytes())?;
    Ok(k)
}

fn write_jwks(dir: &Path, file: &str, kid: &str, k: &SoftwareKey) -> Result<(), Failure> {
    let mut jwk = public_jwk(k)?;
    jwk.insert("kid".into(), json!(kid));
    let set = json!({"keys": [Value::Object(jwk)]}).to_string();
    std::fs::write(dir.join(file), set)?;
    Ok(())
}

fn token(dir: &Path, cnf: Value) -> Result<String, Failure> {
    let authority = key(dir, "authority", Algorithm::EcdsaP256Sha256)?;
    let claims = json!({"iss": ISSUER, "aud": "signer", "sub": "svc:exporter", "tid": "acme",
        "scope": "signer.sign", "jti": format!("load-{}", now()), "iat": now(),
        "exp": now() + 600, "cnf": cnf});
    Ok(sign_compact(
        &authority,
        object(json!({"typ": "at+jwt", "kid": "a1"})),
        claims.to_string().as_bytes(),
    )?)
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: load_credentials setup DIR | mtls-token DIR | dpop DIR HTU N";
    let (command, dir) = match args.as_slice() {
        [c, d, ..] => (c.as_str(), Path::new(d)),
        _ => return Err(usage.into()),
    };
    match (command, &args[2..]) {
        ("setup", []) => {
            let authority = key(dir, "authority", Algorithm::EcdsaP256Sha256)?;
            let licensing = key(dir, "licensing", Algorithm::Ed25519)?;
            key(dir, "signer", Algorithm::EcdsaP256Sha256)?;
            key(dir, "dpop-client", Algorithm::EcdsaP256Sha256)?;
            write_jwks(dir, "authority-jwks.json", "a1", &authority)?;
            write_jwks(dir, "licensing-jwks.json", "lic", &licensing)?;
            std::fs::create_dir_all(dir.join("entitlements"))?;
            let claims = json!({"tid": "acme", "plan": "team", "features": ["signer.sign"],
                "license_id": "lic-1", "exp": now() + 86_400});
            let entitlement = sign_compact(
                &licensing,
                object(json!({"typ": "entitlement+jwt", "kid": "lic"})),
                claims.to_string().as_bytes(),
            )?;
            std::fs::write(dir.join("entitlements/acme.jws"), entitlement)?;
        }
        ("mtls-token", []) => {
            let der = std::fs::read(dir.join("client.der"))?;
            let x5t = certificate_thumbprint(&der);
            println!("{}", token(dir, json!({"x5t#S256": x5t}))?);
        }
        ("dpop", [htu, n]) => {
            let client = key(dir, "dpop-client", Algorithm::EcdsaP256Sha256)?;
            let jwk = public_jwk(&client)?;
            let access = token(dir, json!({"jkt": jwk_thumbprint(&jwk)?}))?;
            let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(access.as_bytes()));
            let header = object(json!({"typ": "dpop+jwt", "jwk": Value::Object(jwk)}));
            let mut out = String::with_capacity(access.len() + 1);
            out.push_str(&access);
            out.push('\n');
            let start = now();
            for i in 0..n.parse::<u64>()? {
                let claims = json!({"jti": format!("p{start}-{i}"), "htm": "POST", "htu": htu,
                    "iat": now(), "ath": ath});
                out.push_str(&sign_compact(
                    &client,
                    header.clone(),
                    claims.to_string().as_bytes(),
                )?);
                out.push('\n');
            }
            print!("{out}");
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}
