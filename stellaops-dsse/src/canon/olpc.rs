//! OLPC canonical JSON, byte-compatible with securesystemslib's `encode_canonical`.
//!
//! The `olpc-cjson` crate was the first choice, but it differs from securesystemslib and
//! go-securesystemslib in two places (pinned by a test): it sorts object keys by their *serialized*
//! bytes, quotes included, so `"a!"` sorts before `"a"`; and it NFC-normalizes strings, which
//! changes signed content and can merge two distinct keys. TUF and in-toto metadata is signed by the
//! Python and Go implementations, so this writer follows them: keys sorted by code point, strings
//! written as given with only `"` and `\` escaped, integers only.

use std::cmp::Ordering;

use super::node::Node;
use super::value::{Number, Value};
use super::write::{self, Dialect};
use crate::{Error, Result};

/// Write `value` as OLPC canonical JSON.
///
/// Control characters are written raw, as the OLPC definition and securesystemslib do, so the
/// output is not always valid JSON.
///
/// # Errors
/// [`Error::FloatInOlpc`] for any non-integer number; [`Error::TooDeep`] past
/// [`MAX_DEPTH_CEILING`](super::MAX_DEPTH_CEILING).
pub fn to_olpc(value: &Value) -> Result<Vec<u8>> {
    write::document(&Node::of(value), &Olpc, 256)
}

/// [`to_olpc`] of a parsed tree, the output sized for `size_hint` bytes.
pub(super) fn node_to_olpc(value: &Node<'_>, size_hint: usize) -> Result<Vec<u8>> {
    write::document(value, &Olpc, size_hint)
}

struct Olpc;

impl Dialect for Olpc {
    fn number(&self, number: &Number, out: &mut Vec<u8>) -> Result<()> {
        match number {
            Number::Integer(i) => {
                out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
                Ok(())
            }
            Number::Float(f) => Err(Error::FloatInOlpc(*f)),
        }
    }

    fn string(&self, s: &str, out: &mut Vec<u8>) -> Result<()> {
        out.reserve(s.len() + 2);
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
        Ok(())
    }

    /// UTF-8 byte order is code point order, as Python's `sorted` on `str`.
    fn key_order(&self, a: &str, b: &str) -> Ordering {
        a.as_bytes().cmp(b.as_bytes())
    }
}
