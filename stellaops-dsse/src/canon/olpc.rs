//! OLPC canonical JSON, byte-compatible with securesystemslib's `encode_canonical`.
//!
//! The `olpc-cjson` crate was the first choice, but it differs from securesystemslib and
//! go-securesystemslib in two places (pinned by a test): it sorts object keys by their *serialized*
//! bytes, quotes included, so `"a!"` sorts before `"a"`; and it NFC-normalizes strings, which
//! changes signed content and can merge two distinct keys. TUF and in-toto metadata is signed by the
//! Python and Go implementations, so this writer follows them: keys sorted by code point, strings
//! written as given with only `"` and `\` escaped, integers only.

use super::parse::MAX_DEPTH_CEILING;
use super::value::{Number, Value};
use crate::{Error, Result};

/// Write `value` as OLPC canonical JSON.
///
/// Control characters are written raw, as the OLPC definition and securesystemslib do, so the
/// output is not always valid JSON.
///
/// # Errors
/// [`Error::FloatInOlpc`] for any non-integer number; [`Error::TooDeep`] past
/// [`MAX_DEPTH_CEILING`].
pub fn to_olpc(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    write(value, &mut out, 0)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(Number::Integer(i)) => {
            out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes())
        }
        Value::Number(Number::Float(f)) => return Err(Error::FloatInOlpc(*f)),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            if depth >= MAX_DEPTH_CEILING {
                return Err(Error::TooDeep {
                    limit: MAX_DEPTH_CEILING,
                });
            }
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            if depth >= MAX_DEPTH_CEILING {
                return Err(Error::TooDeep {
                    limit: MAX_DEPTH_CEILING,
                });
            }
            let mut sorted: Vec<&(String, Value)> = members.iter().collect();
            // UTF-8 byte order is code point order.
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write(item, out, depth + 1)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}
