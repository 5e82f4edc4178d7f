//! Canonical JSON: never panics; canonical output parses again and is a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_dsse::canon::{self, Limits, Mode};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 1 << 16, max_depth: 64 };
    let Ok(value) = canon::parse(data, &limits) else { return };
    if let Ok(jcs) = canon::to_jcs(&value) {
        let again = canon::canonicalize(&jcs, Mode::Jcs, &Limits::default()).expect("jcs output parses");
        assert_eq!(again, jcs, "jcs is a fixed point");
    }
    let _ = canon::to_olpc(&value);
});
