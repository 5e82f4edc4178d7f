//! Signed entitlement documents: any text is a typed denial or an entitlement, never a panic.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stellaops_poe::SignedEntitlements;

fuzz_target!(|data: &[u8]| {
    static SOURCE: OnceLock<SignedEntitlements> = OnceLock::new();
    let source = SOURCE.get_or_init(|| SignedEntitlements::in_memory(common::jwks("lic")));
    let _ = source.verify_document(&String::from_utf8_lossy(data));
});
