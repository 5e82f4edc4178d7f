//! The traversal both canonical forms share; they differ only in the [`Dialect`].

use std::cmp::Ordering;

use super::node::Node;
use super::parse::MAX_DEPTH_CEILING;
use super::value::Number;
use crate::{Error, Result};

/// What distinguishes one canonical JSON form from another.
pub(super) trait Dialect {
    /// Write a number, or refuse it.
    fn number(&self, number: &Number, out: &mut Vec<u8>) -> Result<()>;
    /// Write a string with its quotes.
    fn string(&self, s: &str, out: &mut Vec<u8>) -> Result<()>;
    /// The order of object keys.
    fn key_order(&self, a: &str, b: &str) -> Ordering;
}

/// Write `value` in `dialect`, refusing nesting deeper than [`MAX_DEPTH_CEILING`].
pub(super) fn document(
    value: &Node<'_>,
    dialect: &impl Dialect,
    size_hint: usize,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(size_hint.max(64));
    write(value, dialect, &mut out, 0)?;
    Ok(out)
}

fn write(value: &Node<'_>, dialect: &impl Dialect, out: &mut Vec<u8>, depth: usize) -> Result<()> {
    match value {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(true) => out.extend_from_slice(b"true"),
        Node::Bool(false) => out.extend_from_slice(b"false"),
        Node::Number(n) => dialect.number(n, out)?,
        Node::String(s) => dialect.string(s, out)?,
        Node::Array(items) => {
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
                write(item, dialect, out, depth + 1)?;
            }
            out.push(b']');
        }
        Node::Object(members) => {
            if depth >= MAX_DEPTH_CEILING {
                return Err(Error::TooDeep {
                    limit: MAX_DEPTH_CEILING,
                });
            }
            let mut sorted: Vec<&(std::borrow::Cow<'_, str>, Node<'_>)> = members.iter().collect();
            sorted.sort_unstable_by(|a, b| dialect.key_order(&a.0, &b.0));
            out.push(b'{');
            for (i, (key, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                dialect.string(key, out)?;
                out.push(b':');
                write(item, dialect, out, depth + 1)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}
