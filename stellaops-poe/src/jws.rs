//! JSON Web Signatures in compact serialization (RFC 7515), as tokens, DPoP proofs and
//! entitlement documents use them.
//!
//! Verification is strict: the `alg` must be one of the asymmetric algorithms the caller allows
//! (`none` and HMAC never are) and must fit the key, which stops algorithm confusion; a `crit`
//! header is refused because this code understands no extensions; segments are unpadded
//! base64url. The signature itself is checked by `stellaops-crypto`, so a JWS verifies with the
//! same backend (AWS-LC or RustCrypto) as every envelope.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use stellaops_crypto::hazmat::{ecdsa_der_to_fixed, ecdsa_fixed_to_der};
use stellaops_crypto::{Algorithm, SigningKey, VerifyingKey};

use crate::json;

/// Why a JWS was refused; the caller maps it to its own [`Reason`](crate::Reason).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Not three base64url segments, a header or payload that is not a JSON object, or a
    /// `crit` header.
    #[error("malformed jws: {0}")]
    Malformed(String),
    /// `alg` is missing, `none`, symmetric, not allowed, or does not fit the key.
    #[error("jws algorithm: {0}")]
    Algorithm(String),
    /// The signature does not verify.
    #[error("jws signature does not verify")]
    Signature,
}

/// A parsed, not yet verified, compact JWS.
#[derive(Debug)]
pub struct CompactJws<'a> {
    signing_input: &'a str,
    header: Map<String, Value>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

/// The asymmetric JOSE algorithms this crate knows, by exact name.
pub fn jose_algorithm(name: &str) -> Option<Algorithm> {
    Algorithm::ALL.into_iter().find(|a| a.jose_name() == name)
}

impl<'a> CompactJws<'a> {
    /// Split and decode `token` (at most `max_len` bytes). The header must be a JSON object; the
    /// payload is kept as bytes.
    ///
    /// # Errors
    /// [`JwsError::Malformed`].
    pub fn parse(token: &'a str, max_len: usize) -> Result<Self, JwsError> {
        if token.len() > max_len {
            return Err(JwsError::Malformed(format!(
                "{} bytes exceed the limit of {max_len}",
                token.len()
            )));
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Malformed(String::from(
                "compact serialization has three dot-separated parts",
            )));
        };
        let decode = |what: &str, text: &str| {
            URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| JwsError::Malformed(format!("{what} is not unpadded base64url")))
        };
        let header_bytes = decode("header", h)?;
        let header = json::object(&header_bytes, max_len)
            .map_err(|e| JwsError::Malformed(format!("header: {e}")))?;
        if header.contains_key("crit") {
            return Err(JwsError::Malformed(String::from(
                "crit header: no extensions are understood",
            )));
        }
        Ok(CompactJws {
            signing_input: &token[..h.len() + 1 + p.len()],
            header,
            payload: decode("payload", p)?,
            signature: decode("signature", s)?,
        })
    }

    /// The protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// A string member of the header.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    /// The payload bytes (unverified until [`verify`](Self::verify) succeeds).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload as a strict JSON object.
    ///
    /// # Errors
    /// [`JwsError::Malformed`].
    pub fn claims(&self) -> Result<Map<String, Value>, JwsError> {
        json::object(&self.payload, self.payload.len().max(1))
            .map_err(|e| JwsError::Malformed(format!("payload: {e}")))
    }

    /// The header's `alg` as one of `allowed`.
    ///
    /// # Errors
    /// [`JwsError::Algorithm`] for a missing, `none`, symmetric, unknown or disallowed `alg`.
    pub fn algorithm(&self, allowed: &[Algorithm]) -> Result<Algorithm, JwsError> {
        let name = self
            .header_str("alg")
            .ok_or_else(|| JwsError::Algorithm(String::from("no alg")))?;
        let alg = jose_algorithm(name)
            .ok_or_else(|| JwsError::Algorithm(format!("{name:?} is not an accepted algorithm")))?;
        if !allowed.contains(&alg) {
            return Err(JwsError::Algorithm(format!("{name} is not allowed here")));
        }
        Ok(alg)
    }

    /// Verify the signature with `key` under the header's `alg`, which must be in `allowed` and
    /// fit the key. Returns the algorithm.
    ///
    /// # Errors
    /// [`JwsError::Algorithm`] or [`JwsError::Signature`].
    pub fn verify(&self, key: &VerifyingKey, allowed: &[Algorithm]) -> Result<Algorithm, JwsError> {
        let alg = self.algorithm(allowed)?;
        if !key.accepts(alg) {
            return Err(JwsError::Algorithm(format!(
                "{} does not fit the {} key",
                alg.jose_name(),
                key.key_type()
            )));
        }
        let message = self.signing_input.as_bytes();
        let ok = match alg {
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
                let der =
                    ecdsa_fixed_to_der(alg, &self.signature).map_err(|_| JwsError::Signature)?;
                key.verify(message, &der).is_ok()
            }
            // RFC 7518 §3.5: the PSS salt is as long as the hash.
            Algorithm::RsaPssSha256 => key
                .verify_rsa_pss_with_salt_len(message, &self.signature, 32)
                .is_ok(),
            Algorithm::RsaPkcs1Sha256 => key
                .clone()
                .with_algorithm(Algorithm::RsaPkcs1Sha256)
                .is_ok_and(|k| k.verify(message, &self.signature).is_ok()),
            _ => matches!(key.verify(message, &self.signature), Ok(a) if a == alg),
        };
        if ok {
            Ok(alg)
        } else {
            Err(JwsError::Signature)
        }
    }
}

/// Sign `payload` as a compact JWS with `key`. `header` gets `alg` set from the key; everything
/// else in it (`typ`, `kid`, `jwk`) is the caller's.
///
/// # Errors
/// Whatever the key reports.
pub fn sign_compact(
    key: &dyn SigningKey,
    mut header: Map<String, Value>,
    payload: &[u8],
) -> Result<String, stellaops_crypto::Error> {
    let alg = key.algorithm();
    header.insert(String::from("alg"), Value::from(alg.jose_name()));
    let header_json = serde_json::to_vec(&header).unwrap_or_default();
    let mut out = URL_SAFE_NO_PAD.encode(header_json);
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(payload));
    let raw = key.try_sign(out.as_bytes())?;
    let sig = match alg {
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => ecdsa_der_to_fixed(alg, &raw)?,
        _ => raw,
    };
    out.push('.');
    out.push_str(&URL_SAFE_NO_PAD.encode(sig));
    Ok(out)
}

/// Unpadded base64url of `bytes`.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
