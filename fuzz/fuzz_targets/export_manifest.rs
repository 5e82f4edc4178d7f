//! Export manifests: any bytes parse or are refused, never a panic; what parses serializes
//! and parses back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_dsse::canon::Limits;
use stellaops_predicates::ExportManifest;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 1 << 16,
        max_depth: 64,
    };
    if let Ok(m) = ExportManifest::from_json(data, &limits) {
        if let Ok(json) = m.to_json() {
            let again = ExportManifest::from_json(&json, &Limits::default())
                .expect("our own manifest parses");
            assert_eq!(again.to_json().ok(), Some(json));
        }
    }
});
