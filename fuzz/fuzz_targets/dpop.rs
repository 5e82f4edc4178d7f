//! DPoP proofs (RFC 9449): any proof text is a typed denial or a checked proof, never a panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use stellaops_poe::{DpopPolicy, DpopVerifier, FixedClock};

fuzz_target!(|data: &[u8]| {
    static VERIFIER: OnceLock<DpopVerifier> = OnceLock::new();
    let verifier = VERIFIER.get_or_init(|| {
        DpopVerifier::new(
            DpopPolicy::default(),
            None,
            Arc::new(FixedClock::at_unix(1_700_000_000)),
        )
    });
    // The first line is the proof; the rest, if any, the access token it must be bound to.
    let text = String::from_utf8_lossy(data);
    let (proof, token) = text.split_once('\n').unwrap_or((&text, "token"));
    let uri = "https://signer.stella.test/api/v1/signer/sign/dsse";
    if let Err(denial) = verifier.verify(proof, "POST", uri, token, "jkt") {
        assert!(denial.detail.len() <= 4096);
    }
});
