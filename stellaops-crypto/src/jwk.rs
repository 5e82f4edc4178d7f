//! JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037) for P-256, P-384, Ed25519 and RSA.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::BigUint;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::software::Secret;
use crate::verifying_key::Public;
use crate::{Algorithm, Error, JwkError, Result, SoftwareKey, VerifyingKey};

/// base64url as JWK writes it (no padding); padded input is tolerated.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Default, Deserialize, Serialize, Zeroize, ZeroizeOnDrop)]
struct Jwk {
    kty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    y: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dq: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qi: Option<String>,
}

/// True when `bytes` look like a JWK: a JSON object, after leading whitespace.
pub(crate) fn is_jwk(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().first() == Some(&b'{')
}

fn parse(json: &str) -> Result<Jwk> {
    serde_json::from_str(json).map_err(|e| Error::Jwk(JwkError::Json(crate::Cause::new(e))))
}

fn member(value: &Option<String>, name: &'static str) -> Result<Zeroizing<Vec<u8>>> {
    let text = value.as_deref().ok_or(JwkError::Missing(name))?;
    Ok(Zeroizing::new(
        B64URL.decode(text).map_err(|_| JwkError::Base64(name))?,
    ))
}

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N]> {
    bytes
        .try_into()
        .map_err(|_| Error::Jwk(JwkError::InvalidKey))
}

fn alg_of(jwk: &Jwk) -> Result<Option<Algorithm>> {
    match jwk.alg.as_deref() {
        None => Ok(None),
        Some(a) => a
            .parse::<Algorithm>()
            .map(Some)
            .map_err(|_| Error::Jwk(JwkError::Alg(a.to_owned()))),
    }
}

fn unsupported(jwk: &Jwk) -> Error {
    Error::Jwk(JwkError::Unsupported {
        kty: jwk.kty.clone(),
        crv: jwk.crv.clone(),
    })
}

/// An EC public point as its two affine coordinates.
type Coordinates = (Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>);

fn ec_point(jwk: &Jwk, coord_len: usize) -> Result<Coordinates> {
    let x = member(&jwk.x, "x")?;
    let y = member(&jwk.y, "y")?;
    if x.len() != coord_len || y.len() != coord_len {
        return Err(Error::Jwk(JwkError::InvalidKey));
    }
    Ok((x, y))
}

fn public_of(jwk: &Jwk) -> Result<Public> {
    match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("EC", Some("P-256")) => {
            let (x, y) = ec_point(jwk, 32)?;
            let point = p256::EncodedPoint::from_affine_coordinates(
                p256::FieldBytes::from_slice(&x),
                p256::FieldBytes::from_slice(&y),
                false,
            );
            p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map(Public::P256)
                .map_err(|_| Error::Jwk(JwkError::InvalidKey))
        }
        ("EC", Some("P-384")) => {
            let (x, y) = ec_point(jwk, 48)?;
            let point = p384::EncodedPoint::from_affine_coordinates(
                p384::FieldBytes::from_slice(&x),
                p384::FieldBytes::from_slice(&y),
                false,
            );
            p384::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map(Public::P384)
                .map_err(|_| Error::Jwk(JwkError::InvalidKey))
        }
        ("OKP", Some("Ed25519")) => {
            let x = fixed::<32>(&member(&jwk.x, "x")?)?;
            ed25519_dalek::VerifyingKey::from_bytes(&x)
                .map(Public::Ed25519)
                .map_err(|_| Error::Jwk(JwkError::InvalidKey))
        }
        ("RSA", _) => {
            let n = BigUint::from_bytes_be(&member(&jwk.n, "n")?);
            let e = BigUint::from_bytes_be(&member(&jwk.e, "e")?);
            rsa::RsaPublicKey::new(n, e)
                .map(Public::Rsa)
                .map_err(|_| Error::Jwk(JwkError::InvalidKey))
        }
        _ => Err(unsupported(jwk)),
    }
}

fn pin(result: Result<VerifyingKey>, alg: Option<Algorithm>) -> Result<VerifyingKey> {
    let key = result?;
    match alg {
        None => Ok(key),
        Some(a) => key
            .with_algorithm(a)
            .map_err(|_| Error::Jwk(JwkError::Alg(a.jose_name().to_owned()))),
    }
}

pub(crate) fn public_from_jwk(json: &str) -> Result<VerifyingKey> {
    let jwk = parse(json)?;
    let alg = alg_of(&jwk)?;
    pin(VerifyingKey::from_public(public_of(&jwk)?, None), alg)
}

pub(crate) fn private_from_jwk(json: &str) -> Result<SoftwareKey> {
    let jwk = parse(json)?;
    let alg = alg_of(&jwk)?;
    let public = public_of(&jwk)?;
    let secret = match (&public, jwk.kty.as_str()) {
        (Public::P256(p), _) => {
            let k = p256::ecdsa::SigningKey::from_slice(&member(&jwk.d, "d")?)
                .map_err(|_| JwkError::InvalidKey)?;
            if k.verifying_key() != p {
                return Err(Error::Jwk(JwkError::InvalidKey));
            }
            Secret::P256(k)
        }
        (Public::P384(p), _) => {
            let k = p384::ecdsa::SigningKey::from_slice(&member(&jwk.d, "d")?)
                .map_err(|_| JwkError::InvalidKey)?;
            if k.verifying_key() != p {
                return Err(Error::Jwk(JwkError::InvalidKey));
            }
            Secret::P384(k)
        }
        (Public::Ed25519(p), _) => {
            let d = Zeroizing::new(fixed::<32>(&member(&jwk.d, "d")?)?);
            let k = ed25519_dalek::SigningKey::from_bytes(&d);
            if &k.verifying_key() != p {
                return Err(Error::Jwk(JwkError::InvalidKey));
            }
            Secret::Ed25519(k)
        }
        (Public::Rsa(p), _) => {
            let d = BigUint::from_bytes_be(&member(&jwk.d, "d")?);
            let primes = vec![
                BigUint::from_bytes_be(&member(&jwk.p, "p")?),
                BigUint::from_bytes_be(&member(&jwk.q, "q")?),
            ];
            let k = rsa::RsaPrivateKey::from_components(p.n().clone(), p.e().clone(), d, primes)
                .map_err(|_| JwkError::InvalidKey)?;
            k.validate().map_err(|_| JwkError::InvalidKey)?;
            Secret::Rsa(Box::new(k))
        }
        (Public::External(_), _) => return Err(Error::Jwk(JwkError::InvalidKey)),
    };
    let key = SoftwareKey::from_secret(secret, None)?;
    match alg {
        None => Ok(key),
        Some(a) => key
            .with_algorithm(a)
            .map_err(|_| Error::Jwk(JwkError::Alg(a.jose_name().to_owned()))),
    }
}

fn b64(bytes: &[u8]) -> Option<String> {
    Some(B64URL.encode(bytes))
}

fn public_jwk(key: &VerifyingKey) -> Jwk {
    let alg = match (key.public(), key.pinned()) {
        (Public::Rsa(_), None) => None,
        _ => Some(key.algorithm().jose_name().to_owned()),
    };
    let mut jwk = Jwk::default();
    jwk.alg = alg;
    jwk.kid = Some(key.key_id().to_string());
    match key.public() {
        Public::P256(k) => {
            let point = k.to_encoded_point(false);
            jwk.kty = "EC".into();
            jwk.crv = Some("P-256".into());
            jwk.x = point.x().and_then(|x| b64(x));
            jwk.y = point.y().and_then(|y| b64(y));
        }
        Public::P384(k) => {
            let point = k.to_encoded_point(false);
            jwk.kty = "EC".into();
            jwk.crv = Some("P-384".into());
            jwk.x = point.x().and_then(|x| b64(x));
            jwk.y = point.y().and_then(|y| b64(y));
        }
        Public::Ed25519(k) => {
            jwk.kty = "OKP".into();
            jwk.crv = Some("Ed25519".into());
            jwk.x = b64(k.as_bytes());
        }
        Public::Rsa(k) => {
            jwk.kty = "RSA".into();
            jwk.n = b64(&k.n().to_bytes_be());
            jwk.e = b64(&k.e().to_bytes_be());
        }
        // public_to_jwk refuses these before coming here: JWK has no encoding for them.
        Public::External(_) => {}
    }
    jwk
}

fn to_json(jwk: &Jwk) -> Result<Zeroizing<String>> {
    serde_json::to_string(jwk)
        .map(Zeroizing::new)
        .map_err(|e| Error::Jwk(JwkError::Json(crate::Cause::new(e))))
}

pub(crate) fn public_to_jwk(key: &VerifyingKey) -> Result<String> {
    if let Public::External(_) = key.public() {
        return Err(Error::Unsupported(key.algorithm()));
    }
    to_json(&public_jwk(key)).map(|s| s.to_string())
}

pub(crate) fn private_to_jwk(key: &SoftwareKey) -> Result<Zeroizing<String>> {
    use crate::SigningKey as _;
    let mut jwk = public_jwk(key.public_key());
    match key.secret() {
        Secret::P256(k) => jwk.d = b64(&Zeroizing::new(k.to_bytes().to_vec())),
        Secret::P384(k) => jwk.d = b64(&Zeroizing::new(k.to_bytes().to_vec())),
        Secret::Ed25519(k) => jwk.d = b64(&Zeroizing::new(k.to_bytes())[..]),
        Secret::Rsa(k) => {
            let primes = k.primes();
            jwk.d = b64(&Zeroizing::new(k.d().to_bytes_be()));
            jwk.p = primes
                .first()
                .map(|p| B64URL.encode(Zeroizing::new(p.to_bytes_be())));
            jwk.q = primes
                .get(1)
                .map(|q| B64URL.encode(Zeroizing::new(q.to_bytes_be())));
            jwk.dp = k
                .dp()
                .map(|v| B64URL.encode(Zeroizing::new(v.to_bytes_be())));
            jwk.dq = k
                .dq()
                .map(|v| B64URL.encode(Zeroizing::new(v.to_bytes_be())));
            jwk.qi = k
                .crt_coefficient()
                .map(|v| B64URL.encode(Zeroizing::new(v.to_bytes_be())));
        }
    }
    to_json(&jwk)
}
