//! Key and certificate thumbprints that bind a token to its sender.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::jws::b64url;

/// The RFC 7638 JWK thumbprint (SHA-256, unpadded base64url) of a public JWK: the hash of the
/// JSON object of its required members only (`crv`, `kty`, `x`, `y` for EC; `crv`, `kty`, `x`
/// for OKP; `e`, `kty`, `n` for RSA), keys sorted, no whitespace.
///
/// # Errors
/// A short description when `kty` is missing or unsupported or a required member is missing or
/// not a string.
pub fn jwk_thumbprint(jwk: &Map<String, Value>) -> Result<String, String> {
    let kty = jwk
        .get("kty")
        .and_then(Value::as_str)
        .ok_or_else(|| String::from("jwk has no kty"))?;
    let required: &[&str] = match kty {
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        "RSA" => &["e", "kty", "n"],
        other => return Err(format!("unsupported kty {other:?}")),
    };
    let mut members = BTreeMap::new();
    for name in required {
        let value = jwk
            .get(*name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("jwk lacks {name}"))?;
        members.insert(*name, value);
    }
    // Members are base64url or short ASCII names, so serde_json's output is the canonical form.
    let json = serde_json::to_vec(&members).map_err(|e| e.to_string())?;
    Ok(b64url(&Sha256::digest(json)))
}

/// The RFC 8705 `x5t#S256` value of a DER certificate: SHA-256, unpadded base64url.
pub fn certificate_thumbprint(der: &[u8]) -> String {
    b64url(&Sha256::digest(der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example() {
        // RFC 7638 §3.1: the RSA key and its thumbprint.
        let jwk = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let Value::Object(map) = jwk else {
            unreachable!()
        };
        assert_eq!(
            jwk_thumbprint(&map).as_deref(),
            Ok("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
    }

    #[test]
    fn unsupported_or_incomplete_keys_are_refused() {
        let oct = serde_json::json!({"kty": "oct", "k": "AAAA"});
        let ec = serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AAAA"});
        for jwk in [oct, ec] {
            let Value::Object(map) = jwk else {
                unreachable!()
            };
            assert!(jwk_thumbprint(&map).is_err());
        }
    }
}
