//! Sigstore bundles and trusted roots: any bytes are refused with a typed error, never a panic.
//! Bundles go through the keyless and the keyful verification paths against an empty root
//! (nothing can verify; everything before the trust decision is exercised).
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stellaops_crypto::SigningKey as _;
use stellaops_sigstore::{verify_bundle, Identity, Signer, TrustedRoot};

const EMPTY_ROOT: &[u8] = br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#;

fuzz_target!(|data: &[u8]| {
    static ROOT: OnceLock<TrustedRoot> = OnceLock::new();
    let root = ROOT.get_or_init(|| TrustedRoot::from_json(EMPTY_ROOT).expect("empty root"));
    let _ = TrustedRoot::from_json(data);
    let keyless = Signer::Keyless {
        identity: Identity::exact("someone@example.com"),
        issuer: Identity::exact("https://accounts.example.com"),
    };
    let keyful = Signer::PublicKey(common::authority().public_key().to_spki_der().to_vec());
    for signer in [keyless, keyful] {
        assert!(verify_bundle(data, root, &signer, None).is_err());
    }
});
