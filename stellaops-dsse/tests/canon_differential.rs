//! The hand-written strict parser against serde_json (correctly rounded floats): on token soup
//! and on real documents, the same inputs are JSON and mean the same, except where ours is
//! stricter by design (duplicate keys, depth); and the JCS string writer matches serde_json's
//! escaping, which is RFC 8785's.

use proptest::prelude::*;
use stellaops_dsse::canon::{self, Limits, Mode};
use stellaops_dsse::Error;

/// Numbers compared as doubles: we read `-0` as the integer 0, serde_json as -0.0.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => x.as_f64() == y.as_f64(),
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn agree(input: &[u8]) -> Result<(), TestCaseError> {
    let ours = canon::parse(input, &Limits::default());
    let theirs = serde_json::from_slice::<serde_json::Value>(input);
    match (&ours, &theirs) {
        (Ok(v), Ok(t)) => prop_assert!(
            same(&v.to_serde(), t),
            "{:?}",
            String::from_utf8_lossy(input)
        ),
        (Err(Error::DuplicateKey(_) | Error::TooDeep { .. }), _) | (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => prop_assert!(false, "accepted {input:?}, serde_json: {e}"),
        (Err(e), Ok(_)) => prop_assert!(false, "refused {input:?} ({e}), serde_json accepts"),
    }
    Ok(())
}

/// Pieces of JSON, valid and not, so that random strings of them hit every parser path.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    " ",
    "\n",
    "\t",
    "\"",
    "\"a\"",
    "\"\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"\\udc00x\"",
    "\"\\x\"",
    "\"\\/\\b\\f\\n\\r\\t\"",
    "\"\u{1}\"",
    "\"é\u{10000}\"",
    "0",
    "-0",
    "-",
    "01",
    "1.",
    ".5",
    "1.5",
    "-2.25e-3",
    "1e400",
    "1E+2",
    "123456789012345678901234",
    "18446744073709551615",
    "-9223372036854775809",
    "true",
    "fals",
    "null",
    "nul",
    "\u{feff}",
    "\\",
    "/",
    "x",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_parses_as_serde_json_does(picks in proptest::collection::vec(0..TOKENS.len(), 0..12)) {
        let input: String = picks.iter().map(|&i| TOKENS[i]).collect();
        agree(input.as_bytes())?;
    }

    #[test]
    fn strings_escape_as_serde_json_does(s in "\\PC{0,24}|[\\x00-\\x7f]{0,24}") {
        let doc = serde_json::to_vec(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ours = canon::canonicalize(&doc, Mode::Jcs, &Limits::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ours, doc);
    }
}

/// Every predicate fixture, pretty and compact: the same tree as serde_json, and JCS equal to
/// serde_json's own rendering with sorted keys where no floats or non-BMP keys intervene.
#[test]
fn every_fixture_parses_as_serde_json_does() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/predicates");
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read(&path)?;
        let parsed: serde_json::Value = serde_json::from_slice(&text)?;
        for bytes in [text.clone(), serde_json::to_vec(&parsed)?] {
            agree(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        n += 1;
    }
    assert!(n >= 8, "only {n} fixtures");
    Ok(())
}
