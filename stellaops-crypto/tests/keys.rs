//! Key generation, encodings and signing for every software algorithm.

use stellaops_crypto::hazmat::{ecdsa_der_to_fixed, ecdsa_fixed_to_der};
use stellaops_crypto::{Algorithm, Error, JwkError, SigningKey, SoftwareKey, VerifyingKey};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn key(alg: Algorithm) -> SoftwareKey {
    // 2048-bit RSA keeps the suite quick; sizes are covered separately.
    match SoftwareKey::generate_with_rsa_bits(alg, 2048) {
        Ok(k) => k,
        Err(e) => panic!("generate {alg}: {e}"),
    }
}

#[test]
fn every_algorithm_signs_and_verifies_and_rejects_tampering() -> TestResult {
    for alg in Algorithm::ALL {
        let k = key(alg);
        assert_eq!(k.algorithm(), alg);
        let sig = k.try_sign(b"payload")?;
        assert_eq!(k.public_key().verify(b"payload", &sig)?, alg);
        assert!(matches!(
            k.public_key().verify(b"payloaD", &sig),
            Err(Error::InvalidSignature)
        ));
        let mut bad = sig.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(
            k.public_key().verify(b"payload", &bad),
            Err(Error::InvalidSignature)
        ));
        let other = key(alg);
        assert!(matches!(
            other.public_key().verify(b"payload", &sig),
            Err(Error::InvalidSignature)
        ));
        assert_eq!(k.key_id().as_str().len(), 64);
        assert!(k
            .key_id()
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    }
    Ok(())
}

#[test]
fn ecdsa_and_ed25519_and_pkcs1_are_deterministic() -> TestResult {
    for alg in [
        Algorithm::EcdsaP256Sha256,
        Algorithm::EcdsaP384Sha384,
        Algorithm::Ed25519,
        Algorithm::RsaPkcs1Sha256,
    ] {
        // ECDSA is RFC 6979 with RustCrypto; the aws-lc backend needs `deterministic()`.
        let owned = key(alg);
        let view = owned.as_deterministic();
        let k = SoftwareKey::from_pkcs8_der(&owned.to_pkcs8_der()?)?
            .with_algorithm(alg)?
            .deterministic();
        assert_eq!(
            k.try_sign(b"m")?,
            k.try_sign(b"m")?,
            "{alg} should be deterministic"
        );
        // The borrowed view signs the same bytes as the deterministic key, and verifies.
        assert_eq!(view.try_sign(b"m")?, k.try_sign(b"m")?, "{alg} view");
        assert!(view
            .public_key()
            .verify(b"m", &view.try_sign(b"m")?)
            .is_ok());
    }
    let pss = key(Algorithm::RsaPssSha256);
    assert_ne!(
        pss.try_sign(b"m")?,
        pss.try_sign(b"m")?,
        "pss salts are random"
    );
    Ok(())
}

#[test]
fn pkcs8_pem_der_and_spki_round_trip() -> TestResult {
    for alg in Algorithm::ALL {
        let k = key(alg);
        let pem = k.to_pkcs8_pem()?;
        let back = SoftwareKey::from_pem(&pem, None)?;
        assert_eq!(back.algorithm(), alg, "pem keeps {alg}");
        assert_eq!(back.key_id(), k.key_id());
        let der_back = SoftwareKey::from_pkcs8_der(&k.to_pkcs8_der()?)?;
        assert_eq!(der_back.key_id(), k.key_id());
        let sig = back.try_sign(b"x")?;
        k.public_key().verify(b"x", &sig)?;

        let spki_pem = k.public_key().to_spki_pem()?;
        let pubkey = VerifyingKey::from_pem(&spki_pem)?;
        assert_eq!(&pubkey, k.public_key());
        let from_der = VerifyingKey::from_spki_der(k.public_key().to_spki_der())?;
        assert_eq!(from_der.key_id(), k.key_id());
        assert_eq!(
            VerifyingKey::from_bytes(spki_pem.as_bytes())?.key_id(),
            k.key_id()
        );
        assert_eq!(
            VerifyingKey::from_bytes(k.public_key().to_spki_der())?.key_id(),
            k.key_id()
        );
        assert_eq!(
            SoftwareKey::from_bytes(pem.as_bytes(), None)?.key_id(),
            k.key_id()
        );
    }
    Ok(())
}

#[test]
fn rsa_padding_survives_pem_through_the_hint_line() -> TestResult {
    let k = key(Algorithm::RsaPkcs1Sha256);
    let pem = k.to_pkcs8_pem()?;
    assert!(pem.starts_with("Stella-Algorithm: rsa-pkcs1-sha256\n"));
    assert_eq!(
        SoftwareKey::from_pem(&pem, None)?.algorithm(),
        Algorithm::RsaPkcs1Sha256
    );
    let pub_pem = k.public_key().to_spki_pem()?;
    let pinned = VerifyingKey::from_pem(&pub_pem)?;
    assert!(pinned.accepts(Algorithm::RsaPkcs1Sha256) && !pinned.accepts(Algorithm::RsaPssSha256));
    // Without the hint, an RSA public key accepts both paddings; a private key signs PSS.
    let bare = VerifyingKey::from_spki_der(k.public_key().to_spki_der())?;
    assert!(bare.accepts(Algorithm::RsaPkcs1Sha256) && bare.accepts(Algorithm::RsaPssSha256));
    let sig = k.try_sign(b"m")?;
    assert_eq!(bare.verify(b"m", &sig)?, Algorithm::RsaPkcs1Sha256);
    let pss_pinned = bare.with_algorithm(Algorithm::RsaPssSha256)?;
    assert!(matches!(
        pss_pinned.verify(b"m", &sig),
        Err(Error::InvalidSignature)
    ));
    assert_eq!(
        SoftwareKey::from_pkcs8_der(&k.to_pkcs8_der()?)?.algorithm(),
        Algorithm::RsaPssSha256
    );
    Ok(())
}

#[test]
fn encrypted_pkcs8_needs_the_right_passphrase() -> TestResult {
    let k = key(Algorithm::EcdsaP256Sha256);
    let pem = k.to_encrypted_pkcs8_pem(b"correct horse")?;
    assert!(pem.contains("BEGIN ENCRYPTED PRIVATE KEY"));
    assert_eq!(
        SoftwareKey::from_pem(&pem, Some(b"correct horse"))?.key_id(),
        k.key_id()
    );
    assert!(matches!(
        SoftwareKey::from_pem(&pem, Some(b"wrong")),
        Err(Error::Decryption)
    ));
    assert!(matches!(
        SoftwareKey::from_pem(&pem, None),
        Err(Error::PassphraseRequired)
    ));
    Ok(())
}

/// An encrypted key file whose key derivation asks for `kdf`, around junk ciphertext: the cost
/// check must refuse it before any derivation starts.
fn encrypted_with(kdf: pkcs8::pkcs5::pbes2::Kdf<'_>) -> Vec<u8> {
    use pkcs8::der::Encode as _;
    let params = pkcs8::pkcs5::pbes2::Parameters {
        kdf,
        encryption: pkcs8::pkcs5::pbes2::EncryptionScheme::Aes256Cbc { iv: &[7u8; 16] },
    };
    pkcs8::EncryptedPrivateKeyInfo {
        encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(params),
        encrypted_data: &[0u8; 48],
    }
    .to_der()
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Issue 20 ("check and settle"): PBKDF2 and scrypt costs in a key file are bounded before
/// any derivation, so a hostile file cannot pin a CPU for hours or take gigabytes.
#[test]
fn encrypted_keys_with_unbounded_kdf_costs_are_refused_at_once() -> TestResult {
    use pkcs8::pkcs5::pbes2::{Kdf, Pbkdf2Params, ScryptParams};
    let salt = [1u8; 16];
    let started = std::time::Instant::now();
    // The constructor refuses this many; a decoder reading a hostile file does not.
    let many = Pbkdf2Params {
        iteration_count: u32::MAX,
        ..Pbkdf2Params::hmac_with_sha256(1, &salt).unwrap_or_else(|e| panic!("{e:?}"))
    };
    let pbkdf2 = encrypted_with(Kdf::Pbkdf2(many));
    let scrypt = encrypted_with(Kdf::Scrypt(ScryptParams {
        salt: &salt,
        cost_parameter: 1 << 30,
        block_size: 8,
        parallelization: 1,
        key_length: Some(32),
    }));
    for der in [pbkdf2, scrypt] {
        assert!(matches!(
            SoftwareKey::from_encrypted_pkcs8_der(&der, b"pass"),
            Err(Error::UnsupportedKey(_))
        ));
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Within the bounds, the junk ciphertext is a decryption error, as before.
    let modest = encrypted_with(Kdf::Pbkdf2(
        Pbkdf2Params::hmac_with_sha256(1000, &salt).unwrap_or_else(|e| panic!("{e:?}")),
    ));
    assert!(matches!(
        SoftwareKey::from_encrypted_pkcs8_der(&modest, b"pass"),
        Err(Error::Decryption)
    ));
    Ok(())
}

#[test]
fn jwk_round_trips_public_and_private() -> TestResult {
    for alg in Algorithm::ALL {
        let k = key(alg);
        let jwk = k.to_jwk()?;
        let back = SoftwareKey::from_jwk(&jwk)?;
        assert_eq!(back.key_id(), k.key_id());
        assert_eq!(back.algorithm(), alg);
        let pub_jwk = k.public_key().to_jwk()?;
        assert!(!pub_jwk.contains("\"d\""), "public jwk leaks d");
        let vk = VerifyingKey::from_jwk(&pub_jwk)?;
        assert_eq!(vk.key_id(), k.key_id());
        vk.verify(b"j", &back.try_sign(b"j")?)?;
        // A private JWK read as public ignores the secret.
        assert_eq!(VerifyingKey::from_jwk(&jwk)?.key_id(), k.key_id());
    }
    Ok(())
}

#[test]
fn malformed_jwks_are_typed_errors() {
    let cases = [
        ("not json", "json"),
        (r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#, "invalid"),
        (
            r#"{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}"#,
            "unsupported",
        ),
        (r#"{"kty":"OKP","crv":"Ed25519"}"#, "missing"),
        (r#"{"kty":"OKP","crv":"Ed25519","x":"!!"}"#, "base64"),
        (r#"{"kty":"oct","k":"AA"}"#, "unsupported"),
    ];
    for (jwk, want) in cases {
        let got = VerifyingKey::from_jwk(jwk);
        let ok = matches!(
            (&got, want),
            (Err(Error::Jwk(JwkError::Json(_))), "json")
                | (Err(Error::Jwk(JwkError::InvalidKey)), "invalid")
                | (Err(Error::Jwk(JwkError::Unsupported { .. })), "unsupported")
                | (Err(Error::Jwk(JwkError::Missing(_))), "missing")
                | (Err(Error::Jwk(JwkError::Base64(_))), "base64")
        );
        assert!(ok, "{jwk}: expected {want}, got {got:?}");
    }
}

#[test]
fn jwk_alg_must_fit_the_key() -> TestResult {
    let k = key(Algorithm::Ed25519);
    let jwk = k.public_key().to_jwk()?.replace("\"EdDSA\"", "\"ES256\"");
    assert!(matches!(
        VerifyingKey::from_jwk(&jwk),
        Err(Error::Jwk(JwkError::Alg(_)))
    ));
    Ok(())
}

#[test]
fn garbage_keys_are_typed_errors_not_panics() {
    assert!(matches!(
        VerifyingKey::from_bytes(b"\x30\x03\x02\x01"),
        Err(Error::UnrecognisedEncoding(_))
    ));
    assert!(matches!(
        SoftwareKey::from_bytes(b"hello", None),
        Err(Error::UnrecognisedEncoding(_))
    ));
    assert!(
        VerifyingKey::from_pem("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n")
            .is_err()
    );
    assert!(matches!(
        VerifyingKey::from_pem("-----BEGIN FOO-----\nMAA=\n-----END FOO-----\n"),
        Err(Error::UnexpectedPemLabel(_))
    ));
    assert!(matches!(
        SoftwareKey::from_pem(
            "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n",
            None
        ),
        Err(Error::UnexpectedPemLabel(_))
    ));
}

#[test]
fn small_and_large_rsa_keys_are_refused() -> TestResult {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let small = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024)?;
    let der = small.to_pkcs8_der()?;
    assert!(matches!(
        SoftwareKey::from_pkcs8_der(der.as_bytes()),
        Err(Error::RsaKeySize { bits: 1024 })
    ));
    let spki = small.to_public_key().to_public_key_der()?;
    assert!(matches!(
        VerifyingKey::from_spki_der(spki.as_bytes()),
        Err(Error::RsaKeySize { bits: 1024 })
    ));
    assert!(matches!(
        SoftwareKey::generate_with_rsa_bits(Algorithm::RsaPssSha256, 8192),
        Err(Error::RsaKeySize { bits: 8192 })
    ));
    Ok(())
}

#[test]
fn debug_never_prints_secret_material() -> TestResult {
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::Ed25519] {
        let k = key(alg);
        let debug = format!("{k:?}");
        let jwk: serde_json::Value = serde_json::from_str(&k.to_jwk()?)?;
        let d = jwk["d"].as_str().unwrap_or("missing-d");
        assert!(!debug.contains(d));
        assert!(debug.contains(k.key_id().as_str()));
    }
    Ok(())
}

#[test]
fn key_id_is_sha256_of_the_spki_der() -> TestResult {
    use sha2::Digest;
    let k = key(Algorithm::EcdsaP256Sha256);
    let expect = hex::encode(sha2::Sha256::digest(k.public_key().to_spki_der()));
    assert_eq!(k.key_id().as_str(), expect);
    Ok(())
}

#[test]
fn fixed_width_ecdsa_signatures_convert_to_der_and_back() -> TestResult {
    use pkcs8::DecodePrivateKey;
    use signature::hazmat::PrehashSigner as _;
    // A token's `r || s` over a digest (as PKCS#11's CKM_ECDSA returns it) becomes the DER
    // signature DSSE verifiers take, and back.
    let soft = key(Algorithm::EcdsaP256Sha256).deterministic();
    let secret = p256::ecdsa::SigningKey::from_pkcs8_der(&soft.to_pkcs8_der()?)?;
    let digest = {
        use sha2::Digest as _;
        sha2::Sha256::digest(b"hashed elsewhere")
    };
    let fixed: p256::ecdsa::Signature = secret.sign_prehash(&digest)?;
    let der = ecdsa_fixed_to_der(Algorithm::EcdsaP256Sha256, &fixed.to_bytes())?;
    soft.public_key().verify(b"hashed elsewhere", &der)?;
    assert_eq!(
        der,
        soft.try_sign(b"hashed elsewhere")?,
        "rfc6979: same key, same message, same signature"
    );
    assert_eq!(
        ecdsa_der_to_fixed(Algorithm::EcdsaP256Sha256, &der)?,
        fixed.to_bytes().to_vec()
    );
    assert!(matches!(
        ecdsa_fixed_to_der(Algorithm::EcdsaP256Sha256, &[1, 2, 3]),
        Err(Error::InvalidSignature)
    ));
    assert!(matches!(
        ecdsa_fixed_to_der(Algorithm::Ed25519, &[0; 64]),
        Err(Error::Unsupported(_))
    ));
    Ok(())
}

#[test]
fn ecdsa_fixed_and_der_forms_round_trip() -> TestResult {
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::EcdsaP384Sha384] {
        let k = key(alg);
        let der = k.try_sign(b"jws")?;
        let fixed = ecdsa_der_to_fixed(alg, &der)?;
        assert_eq!(
            fixed.len(),
            if alg == Algorithm::EcdsaP256Sha256 {
                64
            } else {
                96
            }
        );
        assert_eq!(ecdsa_fixed_to_der(alg, &fixed)?, der);
    }
    assert!(matches!(
        ecdsa_der_to_fixed(Algorithm::EcdsaP256Sha256, &[0x30, 0x00]),
        Err(Error::InvalidSignature)
    ));
    assert!(matches!(
        ecdsa_der_to_fixed(Algorithm::RsaPssSha256, &[0x30, 0x00]),
        Err(Error::Unsupported(_))
    ));
    Ok(())
}

#[test]
fn keys_are_shareable_across_threads() -> TestResult {
    let k: std::sync::Arc<dyn SigningKey> = std::sync::Arc::new(key(Algorithm::Ed25519));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let k = k.clone();
            std::thread::spawn(move || {
                let msg = format!("m{i}");
                k.try_sign(msg.as_bytes()).map(|s| (msg, s))
            })
        })
        .collect();
    for h in handles {
        let (msg, sig) = h.join().map_err(|_| "thread panicked")??;
        k.public_key().verify(msg.as_bytes(), &sig)?;
    }
    Ok(())
}
