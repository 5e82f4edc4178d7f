//! Key files (PEM, DER, JWK, encrypted PKCS#8): any bytes load or are refused, never a panic,
//! and no key-derivation parameter makes a load run away.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_signer::keys::{load_signing_key, load_verifying_key};

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = load_signing_key(data, Some(b"fuzz")) {
        let _ = key.to_pkcs8_der();
    }
    if let Ok(public) = load_verifying_key(data) {
        let again = load_verifying_key(public.to_spki_der()).expect("our own SPKI loads");
        assert_eq!(again.key_id(), public.key_id());
    }
});
