//! Statement parsing: never panics; a parsed statement serializes and parses back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_dsse::canon::Limits;
use stellaops_predicates::Statement;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 1 << 16, max_depth: 64 };
    if let Ok(s) = Statement::from_json(data, &limits) {
        if let Ok(json) = s.to_json() {
            let again = Statement::from_json(&json, &Limits::default()).expect("our own output parses");
            assert_eq!(again.to_json().ok(), Some(json));
        }
    }
});
