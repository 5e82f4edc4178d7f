//! Canonical JSON: never panics; canonical output parses again and is a fixed point; and the
//! hand-written strict parser agrees with serde_json (correctly rounded floats) on what is JSON
//! and what it means, except where it is stricter by design (duplicate keys, depth).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_dsse::canon::{self, Limits, Mode};
use stellaops_dsse::Error;

/// Numbers compared as doubles: we read `-0` as the integer 0, serde_json as -0.0.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => x.as_f64() == y.as_f64(),
        (V::Array(x), V::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 1 << 16, max_depth: 64 };
    let ours = canon::parse(data, &limits);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (&ours, &theirs) {
        (Ok(v), Ok(t)) => assert!(same(&v.to_serde(), t), "parsed differently from serde_json"),
        (Ok(_), Err(e)) => panic!("accepted what serde_json refuses: {e}"),
        (Err(Error::DuplicateKey(_) | Error::TooDeep { .. } | Error::TooLarge { .. }), _) => {}
        (Err(e), Ok(_)) => panic!("refused what serde_json accepts: {e}"),
        (Err(_), Err(_)) => {}
    }
    let Ok(value) = ours else { return };
    if let Ok(jcs) = canon::to_jcs(&value) {
        let again = canon::canonicalize(&jcs, Mode::Jcs, &Limits::default()).expect("jcs output parses");
        assert_eq!(again, jcs, "jcs is a fixed point");
        assert_eq!(canon::canonicalize(data, Mode::Jcs, &limits).ok(), Some(jcs), "one path");
    }
    let _ = canon::to_olpc(&value);
});
