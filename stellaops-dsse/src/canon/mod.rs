//! Canonical JSON: RFC 8785 (JCS, the default) and OLPC canonical JSON (TUF/securesystemslib).
//!
//! Input goes through one strict parser ([`parse`]) that refuses what a canonical form cannot
//! represent faithfully: duplicate keys, nesting deeper than a limit, oversized input, invalid
//! UTF-8, lone surrogates and out-of-range numbers. Each refusal is a typed [`Error`](crate::Error).

mod jcs;
mod node;
mod olpc;
mod parse;
mod value;
mod write;

pub use jcs::to_jcs;
pub use olpc::to_olpc;
pub use parse::{parse, Limits, MAX_DEPTH_CEILING};
pub use value::{Number, Value};

use crate::Result;

/// The bytes that need attention inside a JSON string, `"`, `\\` and the control characters:
/// the parser stops at them, and RFC 8785 escapes exactly these.
static SPECIAL_IN_STRINGS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Which canonical form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// RFC 8785 JSON Canonicalization Scheme: ECMAScript number formatting, keys sorted by UTF-16
    /// code units, minimal escaping. Handles floats (CVSS scores in SBOM/VEX documents).
    #[default]
    Jcs,
    /// OLPC canonical JSON as securesystemslib's `encode_canonical` writes it: integers only, keys
    /// sorted by code point, only `"` and `\` escaped, everything else written raw.
    Olpc,
}

impl std::str::FromStr for Mode {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "jcs" | "rfc8785" => Ok(Mode::Jcs),
            "olpc" | "cjson" => Ok(Mode::Olpc),
            _ => Err(()),
        }
    }
}

/// Parse `input` strictly and write it in canonical form.
///
/// # Errors
/// Any parse error of [`parse`]; for [`Mode::Jcs`], integers beyond ±(2^53−1); for [`Mode::Olpc`],
/// floating-point numbers.
pub fn canonicalize(input: &[u8], mode: Mode, limits: &Limits) -> Result<Vec<u8>> {
    let value = parse::parse_node(input, limits)?;
    match mode {
        Mode::Jcs => jcs::node_to_jcs(&value, input.len()),
        Mode::Olpc => olpc::node_to_olpc(&value, input.len()),
    }
}

/// Canonicalize any `Serialize` value (serialized with serde_json, then parsed strictly).
///
/// # Errors
/// As [`canonicalize`]; a value serde_json cannot serialize is [`Error::Syntax`](crate::Error::Syntax).
pub fn canonicalize_serialize<T: serde::Serialize + ?Sized>(
    value: &T,
    mode: Mode,
) -> Result<Vec<u8>> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| crate::Error::Syntax(stellaops_crypto::Cause::new(e)))?;
    canonicalize(&bytes, mode, &Limits::unlimited_size())
}
