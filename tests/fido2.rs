//! FIDO2 credentials as DSSE signing keys (docs/fido2-signature.md), with the in-process
//! software CTAP2 authenticator (passkey-authenticator) driven through the same interface a
//! device is: round trips, every rejection the format promises, and a mixed multi-signature
//! envelope.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use stellaops_signer::crypto::fido2::{
    self, Fido2Credential, Fido2Policy, Fido2Signature, COSE_EDDSA,
};
use stellaops_signer::dsse::{EnvelopeLimits, Signature};
use stellaops_signer::key_backends::fido2::{register, Fido2Key, PinSource};
use stellaops_signer::key_backends::{Error as KeyError, KeyUri, SoftwareAuthenticator};
use stellaops_signer::{
    Algorithm, Envelope, SigningKey, SoftwareKey, VerificationPolicy, VerifyingKey,
};

const RP: &str = "dsse:stellaops-test";
const TYPE: &str = "application/vnd.in-toto+json";
const PAYLOAD: &[u8] = br#"{"_type":"https://in-toto.io/Statement/v1"}"#;

fn fido2_key(user_verification: bool) -> Fido2Key {
    let device = Arc::new(SoftwareAuthenticator::new());
    let credential = register(
        device.as_ref(),
        RP,
        Algorithm::EcdsaP256Sha256,
        false,
        &PinSource::None,
    )
    .unwrap();
    Fido2Key::new(credential, device, user_verification, PinSource::None).unwrap()
}

fn verifies(envelope: &Envelope, keys: Vec<VerifyingKey>, threshold: usize) -> bool {
    let policy = VerificationPolicy::new(keys, threshold, Some(TYPE)).unwrap();
    envelope.verify(&policy).is_ok()
}

/// The envelope with its only signature's bytes replaced.
fn with_sig(envelope: &Envelope, sig: Vec<u8>) -> Envelope {
    let mut edited = Envelope::unsigned(envelope.payload_type(), envelope.payload());
    edited.push_signature(Signature::new(envelope.signatures()[0].keyid(), sig));
    edited
}

#[test]
fn a_fido2_signed_envelope_round_trips_through_json_and_the_credential_file() {
    let key = fido2_key(false);
    assert_eq!(key.algorithm(), Algorithm::EcdsaP256Sha256);
    assert_eq!(key.public_key().scheme_name(), "fido2-es256");
    let envelope = Envelope::sign(TYPE, PAYLOAD, &[&key]).unwrap();
    let parsed = Envelope::from_json(&envelope.to_json(), &EnvelopeLimits::default()).unwrap();

    // The verifier's key is the credential file: public key bound to the rp id.
    let file = key.credential().to_json();
    let trusted = VerifyingKey::from_bytes(&file).unwrap();
    assert_eq!(trusted.fido2_policy().unwrap().rp_id, RP);
    assert_eq!(trusted.key_id(), key.key_id());
    assert!(verifies(&parsed, vec![trusted.clone()], 1));

    // The signature is the stellaops.fido2/v1 encoding, with user presence and a counter.
    let decoded = Fido2Signature::decode(parsed.signatures()[0].sig()).unwrap();
    assert_eq!(decoded.flags() & 0x01, 0x01);
    let assertion = trusted
        .verify_fido2(parsed.pae(), parsed.signatures()[0].sig(), None)
        .unwrap();
    assert_eq!(assertion.counter, decoded.counter());
    assert!(!assertion.user_verified);

    // The same public key as a plain ES256 key does not accept it, and the credential key does
    // not accept a plain ES256 signature: a FIDO2 signature is not a signature over the PAE.
    let plain = VerifyingKey::from_pem(&key.credential().public_key).unwrap();
    assert!(!verifies(&parsed, vec![plain], 1));
    let software = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let plain_sig = software.try_sign(parsed.pae()).unwrap();
    let software_cred = Fido2Credential::new(RP, b"id", false, software.public_key()).unwrap();
    let software_trusted = software_cred.verifying_key(false).unwrap();
    assert!(software_trusted.verify(parsed.pae(), &plain_sig).is_err());
}

#[test]
fn assertions_for_another_rp_or_altered_bytes_or_payloads_are_refused() {
    let key = fido2_key(false);
    let envelope = Envelope::sign(TYPE, PAYLOAD, &[&key]).unwrap();
    let trusted = key.public_key().clone();
    assert!(verifies(&envelope, vec![trusted.clone()], 1));

    // Another relying-party id in the verifier's credential.
    let mut other_rp = key.credential().clone();
    other_rp.rp_id = "dsse:other".into();
    assert!(!verifies(
        &envelope,
        vec![other_rp.verifying_key(false).unwrap()],
        1
    ));

    // Every byte of authData and of the inner signature is covered.
    let decoded = Fido2Signature::decode(envelope.signatures()[0].sig()).unwrap();
    for i in 0..decoded.auth_data.len() {
        let mut altered = decoded.clone();
        altered.auth_data[i] ^= 0x01;
        assert!(
            !verifies(
                &with_sig(&envelope, altered.encode()),
                vec![trusted.clone()],
                1
            ),
            "authData byte {i} altered and accepted"
        );
    }
    for i in [0, 5, decoded.sig.len() - 1] {
        let mut altered = decoded.clone();
        altered.sig[i] ^= 0x01;
        assert!(!verifies(
            &with_sig(&envelope, altered.encode()),
            vec![trusted.clone()],
            1
        ));
    }
    // The PAE by one byte: the payload, the payload type.
    let mut payload = PAYLOAD.to_vec();
    payload[3] ^= 0x20;
    let moved = Envelope::unsigned(TYPE, &payload);
    assert!(trusted
        .verify(moved.pae(), envelope.signatures()[0].sig())
        .is_err());
    let retyped = Envelope::unsigned("application/vnd.in-toto+jsoN", PAYLOAD);
    assert!(trusted
        .verify(retyped.pae(), envelope.signatures()[0].sig())
        .is_err());
    assert!(trusted
        .verify(envelope.pae(), envelope.signatures()[0].sig())
        .is_ok());
}

#[test]
fn user_verification_and_counters_are_enforced_when_asked() {
    // Without UV, a verifier that requires it refuses; with UV, it accepts.
    let plain = fido2_key(false);
    let envelope = Envelope::sign(TYPE, PAYLOAD, &[&plain]).unwrap();
    let strict = plain.credential().verifying_key(true).unwrap();
    assert!(!verifies(&envelope, vec![strict], 1));
    let verified_user = fido2_key(true);
    let envelope = Envelope::sign(TYPE, PAYLOAD, &[&verified_user]).unwrap();
    let strict = verified_user.credential().verifying_key(true).unwrap();
    assert!(verifies(&envelope, vec![strict.clone()], 1));
    let first = strict
        .verify_fido2(envelope.pae(), envelope.signatures()[0].sig(), None)
        .unwrap();
    assert!(first.user_verified);

    // A monotonic counter: the next signature's counter is higher; replaying the older one
    // after it, or the same one twice, is refused.
    let later = Envelope::sign(TYPE, PAYLOAD, &[&verified_user]).unwrap();
    let second = strict
        .verify_fido2(
            later.pae(),
            later.signatures()[0].sig(),
            Some(first.counter),
        )
        .unwrap();
    assert!(second.counter > first.counter);
    let older = envelope.signatures()[0].sig();
    assert!(strict
        .verify_fido2(envelope.pae(), older, Some(second.counter))
        .is_err());
    assert!(strict
        .verify_fido2(
            later.pae(),
            later.signatures()[0].sig(),
            Some(second.counter)
        )
        .is_err());
}

/// A correctly signed assertion built from parts, for what an authenticator will not produce
/// on request here: no user presence, and EdDSA credentials (the software authenticator makes
/// ES256 ones only).
fn assertion(key: &SoftwareKey, alg: i64, flags: u8, counter: u32, message: &[u8]) -> Vec<u8> {
    use stellaops_signer::crypto::fido2::signed_bytes;
    let mut auth_data = fido2::client_data_hash(RP.as_bytes()).to_vec();
    auth_data.push(flags);
    auth_data.extend_from_slice(&counter.to_be_bytes());
    let sig = key.try_sign(&signed_bytes(&auth_data, message)).unwrap();
    Fido2Signature {
        alg,
        sig,
        auth_data,
    }
    .encode()
}

#[test]
fn no_user_presence_is_refused_and_eddsa_credentials_verify() {
    let pae = Envelope::unsigned(TYPE, PAYLOAD).pae().to_vec();
    let es256 = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let trusted = Fido2Credential::new(RP, b"cred", false, es256.public_key())
        .unwrap()
        .verifying_key(false)
        .unwrap();
    assert!(trusted
        .verify(&pae, &assertion(&es256, -7, 0x01, 1, &pae))
        .is_ok());
    assert!(
        trusted
            .verify(&pae, &assertion(&es256, -7, 0x00, 1, &pae))
            .is_err(),
        "UP clear"
    );
    assert!(trusted
        .verify(&pae, &assertion(&es256, COSE_EDDSA, 0x01, 1, &pae))
        .is_err());

    let ed25519 = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let credential = Fido2Credential::new(RP, b"cred", true, ed25519.public_key()).unwrap();
    assert_eq!(credential.algorithm, "fido2-eddsa");
    let trusted = VerifyingKey::from_bytes(&credential.to_json()).unwrap();
    assert_eq!(trusted.scheme_name(), "fido2-eddsa");
    let good = assertion(&ed25519, COSE_EDDSA, 0x05, 9, &pae);
    let a = trusted.verify_fido2(&pae, &good, Some(8)).unwrap();
    assert_eq!(
        (a.algorithm, a.counter, a.user_verified),
        (Algorithm::Ed25519, 9, true)
    );
    assert!(trusted
        .verify(&pae, &assertion(&ed25519, -7, 0x01, 1, &pae))
        .is_err());
    // Only P-256 and Ed25519 keys can be credentials.
    let p384 = SoftwareKey::generate(Algorithm::EcdsaP384Sha384).unwrap();
    assert!(Fido2Credential::new(RP, b"cred", false, p384.public_key()).is_err());
    assert!(p384
        .public_key()
        .clone()
        .with_fido2(Fido2Policy {
            rp_id: RP.into(),
            require_uv: false
        })
        .is_err());
}

#[test]
fn a_software_key_and_a_fido2_key_sign_one_envelope_with_threshold_two() {
    let software = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let fido = fido2_key(false);
    let envelope = Envelope::sign(TYPE, PAYLOAD, &[&software, &fido]).unwrap();
    let keys = vec![software.public_key().clone(), fido.public_key().clone()];
    assert!(verifies(&envelope, keys.clone(), 2));
    // The FIDO2 signature for another rp id leaves one valid signature: threshold 2 fails,
    // threshold 1 holds.
    let mut other_rp = fido.credential().clone();
    other_rp.rp_id = "dsse:other".into();
    let wrong = vec![
        software.public_key().clone(),
        other_rp.verifying_key(false).unwrap(),
    ];
    assert!(!verifies(&envelope, wrong.clone(), 2));
    assert!(verifies(&envelope, wrong, 1));
}

/// The key error inside a signing failure (signing errors arrive wrapped as backend errors).
fn key_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a KeyError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(k) = s.downcast_ref::<KeyError>() {
            return Some(k);
        }
        source = s.source();
    }
    None
}

#[test]
fn a_fido2_uri_signs_through_a_state_file_and_counters_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("authenticator.json");
    let device = SoftwareAuthenticator::open(&state).unwrap();
    let credential = register(
        &device,
        RP,
        Algorithm::EcdsaP256Sha256,
        true,
        &PinSource::None,
    )
    .unwrap();
    assert!(credential.resident);
    drop(device);
    let cred_path = dir.path().join("release.fido2.json");
    std::fs::write(&cred_path, credential.to_json()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&state).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the state file holds private keys");
    }

    let uri = format!(
        "fido2:{}?device=software:{}",
        cred_path.display(),
        state.display()
    );
    let trusted = VerifyingKey::from_bytes(&credential.to_json()).unwrap();
    let mut last = None;
    for _ in 0..2 {
        // A fresh open each time, as two processes would.
        let key = stellaops_signer::open_key(&uri, None).unwrap();
        assert_eq!(key.scheme(), "fido2");
        assert_eq!(key.key_id(), trusted.key_id());
        let envelope = Envelope::sign(TYPE, PAYLOAD, &[&key]).unwrap();
        let assertion = trusted
            .verify_fido2(envelope.pae(), envelope.signatures()[0].sig(), last)
            .unwrap();
        last = Some(assertion.counter);
    }
    assert!(last.unwrap() >= 2);

    // The URI's display is what gets logged.
    let parsed = KeyUri::parse(&format!("{uri}&uv=true&pin-source=/run/pin")).unwrap();
    assert_eq!(parsed.scheme(), "fido2");
    assert!(parsed.to_string().ends_with("&uv=true&pin-source=/run/pin"));
}

#[test]
fn fido2_uris_refuse_pins_in_the_uri_and_unknown_attributes() {
    for bad in [
        "fido2:cred.json?pin-value=1234",
        "fido2:cred.json?colour=red",
        "fido2:cred.json?device=usb",
        "fido2:cred.json?device=software:",
        "fido2:cred.json?uv=maybe",
        "fido2:cred.json?uv=true&uv=false",
        "fido2:",
        "fido2:?device=hid",
    ] {
        match KeyUri::parse(bad) {
            Err(KeyError::InvalidUri(m)) => {
                if bad.contains("pin-value") {
                    assert!(m.contains("pin-source"), "{m}");
                }
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn a_pin_is_read_only_when_the_authenticator_needs_it_and_a_wrong_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pin_file = dir.path().join("pin");
    std::fs::write(&pin_file, "424242\n").unwrap();
    let wrong_file = dir.path().join("wrong");
    std::fs::write(&wrong_file, "000000\n").unwrap();
    let device = Arc::new(SoftwareAuthenticator::new().with_pin("424242"));

    // Registration on an authenticator with a PIN needs it.
    let es256 = Algorithm::EcdsaP256Sha256;
    assert!(matches!(
        register(device.as_ref(), RP, es256, false, &PinSource::None),
        Err(KeyError::Fido2PinRequired)
    ));
    assert!(matches!(
        register(
            device.as_ref(),
            RP,
            es256,
            false,
            &PinSource::File(wrong_file.clone())
        ),
        Err(KeyError::WrongPin)
    ));
    let credential = register(
        device.as_ref(),
        RP,
        es256,
        false,
        &PinSource::File(pin_file.clone()),
    )
    .unwrap();

    // Presence alone needs no PIN, even though one is set.
    let presence =
        Fido2Key::new(credential.clone(), device.clone(), false, PinSource::None).unwrap();
    assert!(Envelope::sign(TYPE, PAYLOAD, &[&presence]).is_ok());

    // User verification needs the PIN: none, a wrong one, the right one.
    let uv_none = Fido2Key::new(credential.clone(), device.clone(), true, PinSource::None).unwrap();
    let e = Envelope::sign(TYPE, PAYLOAD, &[&uv_none]).unwrap_err();
    assert!(
        matches!(key_error(&e), Some(KeyError::Fido2PinRequired)),
        "{e:?}"
    );
    let uv_wrong = Fido2Key::new(
        credential.clone(),
        device.clone(),
        true,
        PinSource::File(wrong_file),
    )
    .unwrap();
    let e = Envelope::sign(TYPE, PAYLOAD, &[&uv_wrong]).unwrap_err();
    assert!(matches!(key_error(&e), Some(KeyError::WrongPin)), "{e:?}");
    let uv = Fido2Key::new(credential.clone(), device, true, PinSource::File(pin_file)).unwrap();
    let envelope = Envelope::sign(TYPE, PAYLOAD, &[&uv]).unwrap();
    let strict = credential.verifying_key(true).unwrap();
    assert!(verifies(&envelope, vec![strict], 1));

    // The software authenticator makes ES256 credentials only, and says so; no FIDO2
    // credential is RSA.
    for algorithm in [Algorithm::Ed25519, Algorithm::RsaPssSha256] {
        let made = register(
            &SoftwareAuthenticator::new(),
            RP,
            algorithm,
            false,
            &PinSource::None,
        );
        assert!(
            matches!(made, Err(KeyError::MechanismUnsupported { .. })),
            "{algorithm}: {made:?}"
        );
    }
}

#[test]
fn a_corrupt_state_file_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    for bad in [
        &b"{"[..],
        br#"{"type":"other","warning":"","credentials":[]}"#,
        br#"{"type":"stellaops.fido2-software-authenticator/v1","warning":"","credentials":[{"credential_id":"!!","rp_id":"x","counter":0,"cose_key":"AA"}]}"#,
        br#"{"type":"stellaops.fido2-software-authenticator/v1","warning":"","pin_sha256":"00","credentials":[]}"#,
    ] {
        std::fs::write(&state, bad).unwrap();
        match SoftwareAuthenticator::open(&state) {
            Err(KeyError::Authenticator { context, .. }) => {
                assert!(context.contains("state.json"), "{context}")
            }
            other => panic!("{other:?}"),
        }
    }
}

/// OpenSSL, not our verifier, on what the format doc says the authenticator signed: its ES256
/// signature verifies over `authenticatorData || SHA-256(PAE)` (the hash computed by OpenSSL too),
/// and authenticatorData starts with SHA-256 of the rp id.
#[test]
fn openssl_verifies_the_authenticators_signature_over_authdata_and_the_pae_hash() {
    use stellaops_tests::{openssl_verifies, run, write};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = fido2_key(false);
    let envelope = Envelope::sign(TYPE, PAYLOAD, &[&key]).unwrap();
    let decoded = Fido2Signature::decode(envelope.signatures()[0].sig()).unwrap();
    let sha256 = |name: &str, bytes: &[u8]| {
        let out = run(
            "openssl",
            &[&"dgst", &"-sha256", &"-binary", &write(d, name, bytes)],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    assert_eq!(decoded.auth_data[..32], sha256("rp", RP.as_bytes())[..]);
    let mut signed = decoded.auth_data.clone();
    signed.extend_from_slice(&sha256("pae", envelope.pae()));
    let signed_path = write(d, "signed.bin", &signed);
    let pubkey = write(d, "pub.pem", key.credential().public_key.as_bytes());
    let sig = write(d, "sig.der", &decoded.sig);
    assert!(openssl_verifies(
        Algorithm::EcdsaP256Sha256,
        &pubkey,
        &signed_path,
        &sig
    ));
    // The same check over the PAE alone (a plain signature) fails: the format is not that.
    let pae_path = write(d, "pae-only.bin", envelope.pae());
    assert!(!openssl_verifies(
        Algorithm::EcdsaP256Sha256,
        &pubkey,
        &pae_path,
        &sig
    ));
}
