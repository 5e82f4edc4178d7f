//! The strict JSON parser in front of the canonical writers.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::value::{Number, Value};
use crate::{Error, Result};

/// The deepest nesting any [`Limits`] may allow: each level costs stack in the parser and the
/// writers, and this keeps a 2 MiB thread stack safe.
pub const MAX_DEPTH_CEILING: usize = 512;

/// Bounds on what [`parse`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input in bytes (default 64 MiB).
    pub max_bytes: usize,
    /// Deepest nesting of arrays and objects (default 128; at most [`MAX_DEPTH_CEILING`]).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 << 20,
            max_depth: 128,
        }
    }
}

impl Limits {
    /// The default depth limit with no size limit, for values already in memory.
    pub fn unlimited_size() -> Self {
        Limits {
            max_bytes: usize::MAX,
            ..Limits::default()
        }
    }

    pub(crate) fn depth(&self) -> usize {
        self.max_depth.min(MAX_DEPTH_CEILING)
    }
}

/// Parse `input` as one JSON value, strictly.
///
/// # Errors
/// [`Error::TooLarge`], [`Error::InvalidUtf8`], [`Error::TooDeep`], [`Error::DuplicateKey`],
/// [`Error::LoneSurrogate`], [`Error::NumberOutOfRange`] (e.g. `1e400`), or [`Error::Syntax`] for
/// anything else malformed, including trailing characters.
pub fn parse(input: &[u8], limits: &Limits) -> Result<Value> {
    if input.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            limit: limits.max_bytes,
            actual: input.len(),
        });
    }
    let text = std::str::from_utf8(input).map_err(|_| Error::InvalidUtf8)?;
    let mut de = serde_json::Deserializer::from_str(text);
    // Our seed enforces the (configurable) depth limit before recursing, so serde_json's fixed one
    // is turned off for this deserializer only.
    de.disable_recursion_limit();
    let stash = RefCell::new(None);
    let seed = ValueSeed {
        depth: 0,
        max_depth: limits.depth(),
        stash: &stash,
    };
    let result = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    result.map_err(|e| stash.take().unwrap_or_else(|| classify(e)))
}

fn classify(e: serde_json::Error) -> Error {
    let message = e.to_string();
    // serde_json reports a leading surrogate without a following `\u` escape as "unexpected end
    // of hex escape"; a truncated escape is "invalid escape" instead.
    if message.contains("surrogate") || message.contains("unexpected end of hex escape") {
        Error::LoneSurrogate
    } else if message.contains("number out of range") {
        Error::NumberOutOfRange(message)
    } else {
        Error::Syntax(stellaops_crypto::Cause::new(e))
    }
}

struct ValueSeed<'s> {
    depth: usize,
    max_depth: usize,
    /// The typed error behind a `custom` serde error, since serde errors carry only text.
    stash: &'s RefCell<Option<Error>>,
}

impl ValueSeed<'_> {
    fn fail<E: serde::de::Error>(&self, error: Error) -> E {
        let text = error.to_string();
        *self.stash.borrow_mut() = Some(error);
        E::custom(text)
    }

    fn nested(&self) -> Self {
        ValueSeed {
            depth: self.depth + 1,
            max_depth: self.max_depth,
            stash: self.stash,
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(Number::Integer(i128::from(v))))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(Number::Integer(i128::from(v))))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json reads the integer literal `-0` as the double -0.0 (and cannot tell it from
        // `-0.0`); both canonicalize to `0`, and as an integer OLPC accepts it as Python does.
        if v == 0.0 && v.is_sign_negative() {
            return Ok(Value::Number(Number::Integer(0)));
        }
        if v.is_finite() {
            Ok(Value::Number(Number::Float(v)))
        } else {
            Err(self.fail(Error::NumberOutOfRange(v.to_string())))
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth >= self.max_depth {
            return Err(self.fail(Error::TooDeep {
                limit: self.max_depth,
            }));
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element_seed(self.nested())? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        if self.depth >= self.max_depth {
            return Err(self.fail(Error::TooDeep {
                limit: self.max_depth,
            }));
        }
        let mut members: Vec<(String, Value)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(self.fail(Error::DuplicateKey(key)));
            }
            let value = map.next_value_seed(self.nested())?;
            members.push((key, value));
        }
        Ok(Value::Object(members))
    }
}
