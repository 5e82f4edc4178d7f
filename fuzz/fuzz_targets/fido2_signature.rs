//! FIDO2 signatures (stellaops.fido2/v1): decoding never panics, only the canonical form
//! decodes (it re-encodes to the same bytes), and verification with a FIDO2 credential never
//! panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stellaops_crypto::fido2::{Fido2Policy, Fido2Signature};
use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey, VerifyingKey};

fn credential() -> &'static VerifyingKey {
    static KEY: OnceLock<VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).expect("key");
        let policy = Fido2Policy { rp_id: "dsse:stellaops-test".into(), require_uv: false };
        key.public_key().clone().with_fido2(policy).expect("fido2 credential")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(signature) = Fido2Signature::decode(data) {
        assert_eq!(signature.encode(), data, "only the canonical form decodes");
    }
    assert!(credential().verify(b"DSSEv1 0  0 ", data).is_err(), "a forged assertion verified");
});
