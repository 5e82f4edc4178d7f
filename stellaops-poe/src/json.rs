//! Strict JSON for everything a caller controls: tokens, proofs, entitlement documents.
//!
//! serde_json alone keeps the last of two duplicate keys, which lets a forged claim hide behind a
//! genuine one; the canonical-JSON parser refuses duplicates, deep nesting and oversized input.

use serde_json::{Map, Value};
use stellaops_dsse::canon::{self, Limits};

/// The deepest nesting a token or document may have.
const MAX_DEPTH: usize = 32;

/// Parse `bytes` (at most `max_bytes`) as one JSON object.
pub(crate) fn object(bytes: &[u8], max_bytes: usize) -> Result<Map<String, Value>, String> {
    let limits = Limits {
        max_bytes,
        max_depth: MAX_DEPTH,
    };
    let value = canon::parse(bytes, &limits).map_err(|e| e.to_string())?;
    match value.to_serde() {
        Value::Object(map) => Ok(map),
        _ => Err(String::from("not a json object")),
    }
}

/// A NumericDate claim (RFC 7519 §2): a JSON number of seconds, possibly fractional.
pub(crate) fn numeric_date(claims: &Map<String, Value>, name: &str) -> Option<Result<f64, ()>> {
    claims.get(name).map(|v| match v.as_f64() {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(()),
    })
}

/// A string claim; `Err` when present with another type.
pub(crate) fn string<'a>(
    claims: &'a Map<String, Value>,
    name: &str,
) -> Option<Result<&'a str, ()>> {
    claims.get(name).map(|v| v.as_str().ok_or(()))
}
