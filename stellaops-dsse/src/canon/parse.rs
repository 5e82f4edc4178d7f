//! The strict JSON parser in front of the canonical writers: RFC 8259 exactly (no comments,
//! trailing commas, `NaN`, byte order mark or trailing text), one pass over the bytes, strings
//! borrowed from the input unless they hold escapes.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use super::node::Node;
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
    parse_node(input, limits).map(Node::into_value)
}

/// [`parse`], keeping strings borrowed from `input`.
pub(super) fn parse_node<'a>(input: &'a [u8], limits: &Limits) -> Result<Node<'a>> {
    if input.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            limit: limits.max_bytes,
            actual: input.len(),
        });
    }
    let text = std::str::from_utf8(input).map_err(|_| Error::InvalidUtf8)?;
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        max_depth: limits.depth(),
    };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.at != parser.bytes.len() {
        return Err(parser.syntax("trailing characters after the value"));
    }
    Ok(value)
}

/// Where and how the input stopped being JSON.
#[derive(Debug)]
struct SyntaxError {
    problem: &'static str,
    line: usize,
    column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.problem, self.line, self.column
        )
    }
}

impl std::error::Error for SyntaxError {}

/// Objects with more members than this check duplicates with a hash set; smaller ones by
/// comparing with each earlier key, which is faster at that size.
const LINEAR_DUPLICATE_CHECK: usize = 16;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    fn syntax(&self, problem: &'static str) -> Error {
        let before = &self.bytes[..self.at.min(self.bytes.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = self.text[line_start..self.at.min(self.bytes.len())]
            .chars()
            .count()
            + 1;
        Error::Syntax(stellaops_crypto::Cause::new(SyntaxError {
            problem,
            line,
            column,
        }))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Node<'a>) -> Result<Node<'a>> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.syntax("expected a json value"))
        }
    }

    /// A value at nesting `depth` (the root is 0), with `at` on its first byte.
    fn value(&mut self, depth: usize) -> Result<Node<'a>> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Node::String(self.string()?)),
            Some(b'n') => self.literal(b"null", Node::Null),
            Some(b't') => self.literal(b"true", Node::Bool(true)),
            Some(b'f') => self.literal(b"false", Node::Bool(false)),
            Some(b'-' | b'0'..=b'9') => self.number().map(Node::Number),
            Some(_) => Err(self.syntax("expected a json value")),
            None => Err(self.syntax("unexpected end of input")),
        }
    }

    fn enter(&self, depth: usize) -> Result<()> {
        if depth >= self.max_depth {
            return Err(Error::TooDeep {
                limit: self.max_depth,
            });
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Node<'a>> {
        self.enter(depth)?;
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Node::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Node::Array(items));
                }
                Some(_) => return Err(self.syntax("expected `,` or `]`")),
                None => return Err(self.syntax("unexpected end of input in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node<'a>> {
        self.enter(depth)?;
        self.at += 1;
        let mut members: Vec<(Cow<'a, str>, Node<'a>)> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Node::Object(members));
        }
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b'"') => {}
                Some(_) => return Err(self.syntax("expected a string key")),
                None => return Err(self.syntax("unexpected end of input in an object")),
            }
            let key = self.string()?;
            if members.len() < LINEAR_DUPLICATE_CHECK && members.iter().any(|(k, _)| *k == key) {
                return Err(Error::DuplicateKey(key.into_owned()));
            }
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.syntax("expected `:`"));
            }
            self.at += 1;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    break;
                }
                Some(_) => return Err(self.syntax("expected `,` or `}`")),
                None => return Err(self.syntax("unexpected end of input in an object")),
            }
        }
        if members.len() > LINEAR_DUPLICATE_CHECK {
            // The first key, in input order, that an earlier member already had.
            let mut seen: HashSet<&str> = HashSet::with_capacity(members.len());
            if let Some((key, _)) = members.iter().find(|(k, _)| !seen.insert(k)) {
                return Err(Error::DuplicateKey(key.to_string()));
            }
        }
        Ok(Node::Object(members))
    }

    /// Move `at` past string content that needs no attention: everything but `"`, `\\` and
    /// control characters.
    fn skip_plain(&mut self) {
        let rest = &self.bytes[self.at..];
        self.at += rest
            .iter()
            .position(|&b| super::SPECIAL_IN_STRINGS[usize::from(b)])
            .unwrap_or(rest.len());
    }

    /// A string, `at` on its opening quote: borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>> {
        self.at += 1;
        let start = self.at;
        self.skip_plain();
        match self.peek() {
            Some(b'"') => {
                let s = &self.text[start..self.at];
                self.at += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.syntax("control character in a string (escape it)")),
            None => return Err(self.syntax("unexpected end of input in a string")),
        }
        let mut owned = String::with_capacity(self.at - start + 16);
        owned.push_str(&self.text[start..self.at]);
        loop {
            let run = self.at;
            self.skip_plain();
            owned.push_str(&self.text[run..self.at]);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.at += 1;
                    self.escape(&mut owned)?;
                }
                Some(_) => return Err(self.syntax("control character in a string (escape it)")),
                None => return Err(self.syntax("unexpected end of input in a string")),
            }
        }
    }

    /// One escape, `at` just past its backslash.
    fn escape(&mut self, out: &mut String) -> Result<()> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let unit = self.hex4()?;
                let c = match unit {
                    0xD800..=0xDBFF => {
                        if !self.bytes[self.at..].starts_with(b"\\u") {
                            return Err(Error::LoneSurrogate);
                        }
                        self.at += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(Error::LoneSurrogate);
                        }
                        let code = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        char::from_u32(code).ok_or(Error::LoneSurrogate)?
                    }
                    0xDC00..=0xDFFF => return Err(Error::LoneSurrogate),
                    _ => char::from_u32(u32::from(unit)).ok_or(Error::LoneSurrogate)?,
                };
                out.push(c);
                return Ok(());
            }
            Some(_) => return Err(self.syntax("invalid escape")),
            None => return Err(self.syntax("unexpected end of input in a string")),
        };
        self.at += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.syntax("unexpected end of a \\u escape"))?;
        let mut unit = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.syntax("invalid \\u escape")),
            };
            unit = unit * 16 + u16::from(v);
        }
        self.at += 4;
        Ok(unit)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    /// A number: integers that fit in 64 bits exactly, everything else as the nearest double
    /// (negative zero as the integer 0, as both canonical forms write it).
    fn number(&mut self) -> Result<Number> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.at += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.syntax("leading zero in a number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax("expected a digit")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.syntax("expected a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax("expected a digit in the exponent"));
            }
        }
        let literal = &self.text[start..self.at];
        if integer {
            let fits = if negative {
                literal.parse::<i64>().ok().map(i128::from)
            } else {
                literal.parse::<u64>().ok().map(i128::from)
            };
            if let Some(i) = fits {
                return Ok(Number::Integer(i));
            }
        }
        let f: f64 = literal.parse().map_err(|_| self.syntax("invalid number"))?;
        if !f.is_finite() {
            return Err(Error::NumberOutOfRange(literal.to_owned()));
        }
        if f == 0.0 && f.is_sign_negative() {
            return Ok(Number::Integer(0));
        }
        Ok(Number::Float(f))
    }
}
