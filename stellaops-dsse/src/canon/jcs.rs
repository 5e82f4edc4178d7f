//! RFC 8785 JSON Canonicalization Scheme.

use std::cmp::Ordering;

use super::node::Node;
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
    write::document(&Node::of(value), &Jcs, 256)
}

/// [`to_jcs`] of a parsed tree, the output sized for `size_hint` bytes.
pub(super) fn node_to_jcs(value: &Node<'_>, size_hint: usize) -> Result<Vec<u8>> {
    write::document(value, &Jcs, size_hint)
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

    /// RFC 8785 §3.2.2.2: `\"`, `\\`, the five short escapes for control characters, `\u00xx`
    /// (lowercase hex) for the other control characters, and every other character (including
    /// U+007F and non-ASCII) written as UTF-8. Runs without escapes are copied whole.
    fn string(&self, s: &str, out: &mut Vec<u8>) -> Result<()> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = s.as_bytes();
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        let mut run = 0;
        while let Some(offset) = bytes[run..]
            .iter()
            .position(|&b| super::SPECIAL_IN_STRINGS[usize::from(b)])
        {
            let i = run + offset;
            out.extend_from_slice(&bytes[run..i]);
            let b = bytes[i];
            let short = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x09 => b't',
                0x0a => b'n',
                0x0c => b'f',
                0x0d => b'r',
                _ => 0,
            };
            if short == 0 {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            } else {
                out.push(b'\\');
                out.push(short);
            }
            run = i + 1;
        }
        out.extend_from_slice(&bytes[run..]);
        out.push(b'"');
        Ok(())
    }

    /// UTF-16 code unit order. It differs from UTF-8 byte (code point) order only between
    /// characters from U+E000 up (lead bytes 0xEE and above) and supplementary ones, so keys
    /// without such bytes compare as bytes.
    fn key_order(&self, a: &str, b: &str) -> Ordering {
        let high = |s: &str| s.bytes().any(|b| b >= 0xee);
        if high(a) || high(b) {
            a.encode_utf16().cmp(b.encode_utf16())
        } else {
            a.as_bytes().cmp(b.as_bytes())
        }
    }
}
