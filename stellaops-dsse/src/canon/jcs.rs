//! RFC 8785 JSON Canonicalization Scheme.

use std::cmp::Ordering;

use super::value::{Number, Value};
use super::write::{self, Dialect};
use crate::{Error, Result};

/// Largest integer magnitude a double holds exactly (2^53 − 1), the I-JSON range RFC 8785 assumes.
const MAX_SAFE_INTEGER: u128 = (1 << 53) - 1;

/// Write `value` in RFC 8785 canonical form.
///
/// Numbers are formatted as ECMAScript's `Number.prototype.toString` (via `ryu-js`), object members
/// sorted by the UTF-16 code units of their keys, strings escaped minimally (`"`, `\`, and control
/// characters as `\b \t \n \f \r` or `\u00xx`).
///
/// # Errors
/// [`Error::NumberOutOfRange`] for an integer beyond ±(2^53−1) that a double would change (the
/// `rfc8785` Python package refuses every integer beyond 2^53, even its own output for large
/// floats; we accept those whose digits are already the double's canonical form, so JCS output is
/// always a fixed point); [`Error::TooDeep`] for a value nested deeper than
/// [`MAX_DEPTH_CEILING`](super::MAX_DEPTH_CEILING).
pub fn to_jcs(value: &Value) -> Result<Vec<u8>> {
    write::document(value, &Jcs)
}

struct Jcs;

impl Dialect for Jcs {
    fn number(&self, number: &Number, out: &mut Vec<u8>) -> Result<()> {
        match number {
            Number::Integer(i) => {
                let mut buf = itoa::Buffer::new();
                let digits = buf.format(*i);
                if i.unsigned_abs() > MAX_SAFE_INTEGER {
                    // RFC 8785 numbers are doubles. Beyond 2^53 an integer survives only if its
                    // digits are exactly how ECMAScript writes the double it denotes (as JCS output
                    // of a large float is); otherwise the double would silently change it.
                    #[allow(clippy::cast_precision_loss)]
                    let as_double = *i as f64;
                    if ryu_js::Buffer::new().format_finite(as_double) != digits {
                        return Err(Error::NumberOutOfRange(digits.to_owned()));
                    }
                }
                out.extend_from_slice(digits.as_bytes());
            }
            Number::Float(f) => {
                if !f.is_finite() {
                    return Err(Error::NumberOutOfRange(f.to_string()));
                }
                out.extend_from_slice(ryu_js::Buffer::new().format_finite(*f).as_bytes());
            }
        }
        Ok(())
    }

    /// serde_json's string escaping is exactly RFC 8785 §3.2.2.2: `\"`, `\\`, the five short
    /// escapes for control characters, `\u00xx` (lowercase hex) for the other control characters,
    /// and every other character (including U+007F and non-ASCII) written as UTF-8.
    fn string(&self, s: &str, out: &mut Vec<u8>) -> Result<()> {
        serde_json::to_writer(&mut *out, s)
            .map_err(|e| Error::Syntax(stellaops_crypto::Cause::new(e)))
    }

    fn key_order(&self, a: &str, b: &str) -> Ordering {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}
