//! Property tests: round trips for arbitrary payloads and payload types, and any one-byte change
//! of payload, payload type or signature makes verification fail.

use proptest::prelude::*;
use stellaops_dsse::stellaops_crypto::{Algorithm, SigningKey, SoftwareKey};
use stellaops_dsse::{Envelope, EnvelopeLimits, Error, VerificationPolicy};

fn key(alg: Algorithm) -> SoftwareKey {
    SoftwareKey::generate_with_rsa_bits(alg, 2048).unwrap_or_else(|e| panic!("{e}"))
}

fn algorithms() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::EcdsaP256Sha256),
        Just(Algorithm::EcdsaP384Sha384),
        Just(Algorithm::Ed25519),
        Just(Algorithm::RsaPssSha256),
        Just(Algorithm::RsaPkcs1Sha256),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sign_serialize_parse_verify(alg in algorithms(), payload in proptest::collection::vec(any::<u8>(), 0..2048), payload_type in "\\PC{0,40}") {
        let k = key(alg);
        let env = Envelope::sign(payload_type.clone(), payload.clone(), &[&k]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed = Envelope::from_json(&env.to_json(), &EnvelopeLimits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed, &env);
        let policy = VerificationPolicy::new([k.public_key().clone()], 1, Some(&payload_type)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let verified = parsed.verify(&policy).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(verified.payload(), &payload[..]);
        prop_assert_eq!(verified.keys()[0].algorithm, alg);
    }

    #[test]
    fn any_single_byte_change_fails(alg in algorithms(), payload in proptest::collection::vec(any::<u8>(), 1..512), payload_type in "[a-z/+.-]{1,30}", which in 0usize..3, pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let k = key(alg);
        let env = Envelope::sign(payload_type.clone(), payload.clone(), &[&k]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sig = env.signatures()[0].sig().to_vec();
        let (mut p, mut t, mut s) = (payload.clone(), payload_type.clone().into_bytes(), sig);
        match which {
            0 => { let i = pos.index(p.len()); p[i] ^= flip; }
            // XOR below 0x80 keeps the type ASCII, so it stays valid UTF-8 and every case is checked.
            1 => { let i = pos.index(t.len()); t[i] ^= (flip & 0x7f).max(1); }
            _ => { let i = pos.index(s.len()); s[i] ^= flip; }
        }
        let t = String::from_utf8(t).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let tampered = Envelope::unsigned(t.clone(), p);
        let json = tampered.to_json();
        let sig_b64 = { use base64::Engine; base64::engine::general_purpose::STANDARD.encode(&s) };
        let json = String::from_utf8(json).map_err(|e| TestCaseError::fail(e.to_string()))?
            .replace("\"signatures\":[]", &format!("\"signatures\":[{{\"keyid\":\"\",\"sig\":\"{sig_b64}\"}}]"));
        let parsed = Envelope::from_json(json.as_bytes(), &EnvelopeLimits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let policy = VerificationPolicy::new([k.public_key().clone()], 1, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let failed = matches!(parsed.verify(&policy), Err(Error::VerificationFailed { verified: 0, required: 1 }));
        prop_assert!(failed, "tampered envelope verified ({})", which);
    }
}
