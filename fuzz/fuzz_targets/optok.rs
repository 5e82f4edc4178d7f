//! Access tokens (OpTok JWS): any text is a typed denial or a verified token, never a panic.
#![no_main]

mod common;

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use stellaops_poe::{FixedClock, OpTokPolicy, OpTokVerifier};

fuzz_target!(|data: &[u8]| {
    static VERIFIER: OnceLock<OpTokVerifier> = OnceLock::new();
    let verifier = VERIFIER.get_or_init(|| {
        OpTokVerifier::new(
            OpTokPolicy::new("https://authority.stella.test"),
            common::jwks("k1"),
            Arc::new(FixedClock::at_unix(1_700_000_000)),
        )
    });
    let token = String::from_utf8_lossy(data);
    if let Err(denial) = verifier.verify(&token, "acme") {
        assert!(!denial.reason.code().is_empty());
        assert!(denial.detail.len() <= 4096);
    }
});
