//! Envelope parsing: never panics; whatever parses serializes and parses back to the same envelope.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_dsse::{Envelope, EnvelopeLimits};

fuzz_target!(|data: &[u8]| {
    let limits = EnvelopeLimits { max_envelope_bytes: 1 << 16, ..EnvelopeLimits::default() };
    if let Ok(env) = Envelope::from_json(data, &limits) {
        let json = env.to_json();
        let again = Envelope::from_json(&json, &EnvelopeLimits::default()).expect("our own output parses");
        assert_eq!(again, env);
        assert_eq!(again.to_json(), json, "serialization is stable");
    }
});
