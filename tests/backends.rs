//! Every key backend against a real server on loopback, started by `scripts/services.sh`
//! (which `scripts/test.sh` runs): SoftHSM2 over PKCS#11, local-kms (the AWS KMS API), OpenBao transit.
//!
//! Each signature is checked three ways: by our verifier, by OpenSSL's command line over the PAE
//! bytes, and by securesystemslib over the whole envelope. Without the services the tests fail
//! and say how to start them; they never skip.

use std::sync::Arc;

use stellaops_signer::{
    dsse, open_key, verify, Algorithm, Authority, EnvelopeLimits, ErrorCode, SigningKey,
    VerificationPolicy,
};
use stellaops_tests::{openssl_verifies, run, sslib_verify, write};

const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
const STATEMENT: &[u8] = br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://cyclonedx.org/bom","subject":[{"digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},"name":"abc"}],"predicate":{"score":9.8}}"#;

/// An environment variable `scripts/services.sh` sets; panics with instructions when missing.
fn service_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the key-backend tests need the servers from \
             `scripts/services.sh start DIR` and `source DIR/services.env` (scripts/test.sh does both)"
        )
    })
}

fn pkcs11_uri(object: &str, extra: &str) -> String {
    format!(
        "pkcs11:token=stellaops;object={object}?pin-source={}{extra}",
        service_env("STELLAOPS_TEST_PKCS11_PIN_FILE")
    )
}

fn kms_uri(alias: &str, extra: &str) -> String {
    format!(
        "awskms://{}/alias/stellaops-{alias}{extra}",
        service_env("STELLAOPS_TEST_KMS_ENDPOINT")
    )
}

fn vault_uri(name: &str, extra: &str) -> String {
    service_env("VAULT_ADDR");
    format!("hashivault://{name}{extra}")
}

/// Sign an envelope with the key at `uri` and check it with us, OpenSSL and securesystemslib.
fn check_backend(uri: &str, expected: Algorithm) {
    let key = open_key(uri, None).unwrap_or_else(|e| panic!("{uri}: {e}"));
    assert_eq!(key.algorithm(), expected, "{uri}");
    let outcome = Authority::opened_keys(&[&key])
        .sign_payload(PAYLOAD_TYPE, STATEMENT.to_vec())
        .unwrap_or_else(|e| panic!("{uri}: signing failed: {e}"));
    // The outcome names the backend truly (the audit record's issuer mode).
    let mode = match uri.split(':').next() {
        Some("pkcs11") => "hsm",
        Some("awskms") => "kms",
        Some("hashivault") => "vault",
        Some("fido2") => "fido2",
        _ => "software",
    };
    assert_eq!(outcome.issuer_mode(), mode, "{uri}");
    let json = outcome.json().to_vec();
    let envelope = outcome.into_envelope();

    // Ours.
    let policy = VerificationPolicy::new(vec![key.public_key().clone()], 1, Some(PAYLOAD_TYPE))
        .unwrap_or_else(|e| panic!("{e}"));
    verify(&json, &policy, &[], &EnvelopeLimits::default())
        .unwrap_or_else(|e| panic!("{uri}: our verifier rejects the backend's envelope: {e}"));

    // OpenSSL, over the PAE bytes.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pae = dsse::pae(PAYLOAD_TYPE, STATEMENT);
    let message = write(dir.path(), "pae", &pae);
    let public = write(
        dir.path(),
        "public.pem",
        key.public_key()
            .to_spki_pem()
            .unwrap_or_else(|e| panic!("{e}"))
            .as_bytes(),
    );
    let signature = write(dir.path(), "sig", envelope.signatures()[0].sig());
    assert!(
        openssl_verifies(expected, &public, &message, &signature),
        "{uri}: OpenSSL rejects the signature"
    );
    let mut tampered_pae = pae.clone();
    tampered_pae[pae.len() - 2] ^= 1;
    let tampered = write(dir.path(), "tampered", &tampered_pae);
    assert!(
        !openssl_verifies(expected, &public, &tampered, &signature),
        "{uri}: OpenSSL accepts a signature over different bytes: the check is vacuous"
    );

    // securesystemslib, over the envelope.
    let (ok, said) = sslib_verify(dir.path(), &json, &[&key], 1);
    assert!(ok, "{uri}: securesystemslib rejects the envelope: {said}");
}

fn expect_code(uri: &str, code: ErrorCode) {
    match open_key(uri, None) {
        Ok(k) => panic!("{uri}: opened {k:?}, expected {code}"),
        Err(e) => assert_eq!(e.code(), code, "{uri}: {e}"),
    }
}

#[test]
fn pkcs11_softhsm_signs_every_algorithm() {
    check_backend(&pkcs11_uri("p256", ""), Algorithm::EcdsaP256Sha256);
    check_backend(&pkcs11_uri("p384", ""), Algorithm::EcdsaP384Sha384);
    check_backend(&pkcs11_uri("rsa", ""), Algorithm::RsaPssSha256);
    check_backend(
        &pkcs11_uri("rsa", "&x-alg=rsa-pkcs1-sha256"),
        Algorithm::RsaPkcs1Sha256,
    );
    check_backend(&pkcs11_uri("ed25519", ""), Algorithm::Ed25519);
    // By id instead of label, with the module named in the URI.
    let by_id = format!(
        "pkcs11:token=stellaops;id=%01?module-path={}&pin-source={}",
        service_env("STELLAOPS_PKCS11_MODULE"),
        service_env("STELLAOPS_TEST_PKCS11_PIN_FILE")
    );
    check_backend(&by_id, Algorithm::EcdsaP256Sha256);
}

#[test]
fn pkcs11_errors_are_typed() {
    // Log the token in first: PKCS#11 login state is per process, and a second login with a
    // wrong PIN then answers "already logged in". The wrong PIN must still be refused.
    let _logged_in = open_key(&pkcs11_uri("p256", ""), None).unwrap_or_else(|e| panic!("{e}"));
    expect_code(
        "pkcs11:token=stellaops;object=p256?pin-value=000000",
        ErrorCode::WrongPin,
    );
    expect_code("pkcs11:token=stellaops;object=p256", ErrorCode::PinRequired);
    expect_code(&pkcs11_uri("no-such-key", ""), ErrorCode::KeyNotFound);
    expect_code(
        &pkcs11_uri("p256", "").replace("token=stellaops", "token=absent"),
        ErrorCode::TokenAbsent,
    );
    expect_code(
        &pkcs11_uri("p256", "&x-alg=rsa-pss-sha256"),
        ErrorCode::AlgorithmMismatch,
    );
    expect_code(
        "pkcs11:object=p256?module-path=/nonexistent/module.so",
        ErrorCode::BackendConfiguration,
    );
}

/// Eight threads share one key (and its session pool); every signature verifies.
fn eight_threads(uri: &str) {
    let key = Arc::new(open_key(uri, None).unwrap_or_else(|e| panic!("{uri}: {e}")));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let key = key.clone();
            std::thread::spawn(move || {
                for i in 0..16 {
                    let message = format!("thread {t} message {i}");
                    let sig = key
                        .try_sign(message.as_bytes())
                        .unwrap_or_else(|e| panic!("thread {t}: {e}"));
                    key.public_key()
                        .verify(message.as_bytes(), &sig)
                        .unwrap_or_else(|e| panic!("thread {t}: {e}"));
                }
            })
        })
        .collect();
    for t in threads {
        t.join()
            .unwrap_or_else(|_| panic!("a signing thread panicked"));
    }
}

#[test]
fn pkcs11_eight_threads_sign_at_once() {
    eight_threads(&pkcs11_uri("p256", ""));
    eight_threads(&pkcs11_uri("ed25519", ""));
}

#[test]
fn awskms_signs_ecdsa_and_rsa() {
    check_backend(&kms_uri("p256", ""), Algorithm::EcdsaP256Sha256);
    check_backend(&kms_uri("p384", ""), Algorithm::EcdsaP384Sha384);
    check_backend(&kms_uri("rsa", ""), Algorithm::RsaPssSha256);
    check_backend(
        &kms_uri("rsa", "?alg=rsa-pkcs1-sha256"),
        Algorithm::RsaPkcs1Sha256,
    );
    eight_threads(&kms_uri("p256", ""));
}

#[test]
fn awskms_errors_are_typed() {
    expect_code(&kms_uri("no-such-alias", ""), ErrorCode::BackendRefused);
    expect_code(&kms_uri("encrypt", ""), ErrorCode::MechanismUnsupported);
    expect_code(
        &kms_uri("p256", "?alg=rsa-pss-sha256"),
        ErrorCode::AlgorithmMismatch,
    );
    // Nothing listens on port 9 of loopback.
    expect_code(
        "awskms://127.0.0.1:9/alias/stellaops-p256",
        ErrorCode::BackendUnreachable,
    );
}

#[test]
fn hashivault_signs_every_algorithm() {
    check_backend(&vault_uri("p256", ""), Algorithm::EcdsaP256Sha256);
    check_backend(&vault_uri("p384", ""), Algorithm::EcdsaP384Sha384);
    check_backend(&vault_uri("ed25519", ""), Algorithm::Ed25519);
    check_backend(&vault_uri("rsa", ""), Algorithm::RsaPssSha256);
    check_backend(
        &vault_uri("rsa", "?alg=rsa-pkcs1-sha256"),
        Algorithm::RsaPkcs1Sha256,
    );
    eight_threads(&vault_uri("p256", ""));
}

#[test]
fn hashivault_errors_are_typed() {
    expect_code(&vault_uri("no-such-key", ""), ErrorCode::KeyNotFound);
    expect_code(&vault_uri("aes", ""), ErrorCode::MechanismUnsupported);
    expect_code(&vault_uri("p256", "?version=99"), ErrorCode::KeyNotFound);
}

/// Rotation on the server: a key opened before the rotation keeps signing with the version it
/// opened; a new open gets the new version (a new key id); a pinned old version still signs.
#[test]
fn hashivault_rotation_gives_a_new_key_id_and_keeps_old_versions() {
    // A fresh key per run, so the test does not depend on what earlier runs rotated.
    let name = format!(
        "rotating-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    );
    let bao = service_env("STELLAOPS_TEST_BAO");
    let bao_write = |args: &[&str]| {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"write", &"-f"];
        all.extend(args.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        let out = run(&bao, &all);
        assert!(
            out.status.success(),
            "bao write {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    bao_write(&[&format!("transit/keys/{name}"), "type=ecdsa-p256"]);
    let held = open_key(&vault_uri(&name, ""), None).unwrap_or_else(|e| panic!("{e}"));
    bao_write(&[&format!("transit/keys/{name}/rotate")]);
    let after = open_key(&vault_uri(&name, ""), None).unwrap_or_else(|e| panic!("{e}"));
    let pinned = open_key(&vault_uri(&name, "?version=1"), None).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(held.key_id(), after.key_id(), "rotation kept the key id");
    assert_eq!(held.key_id(), pinned.key_id(), "version 1 changed its key");
    for (label, key) in [("held", &held), ("after", &after), ("pinned v1", &pinned)] {
        let sig = key
            .try_sign(b"rotation")
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        key.public_key()
            .verify(b"rotation", &sig)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
    }
}

/// A tenant key file naming keys in all three backends resolves each tenant to its key.
#[test]
fn tenant_registry_resolves_keys_in_every_backend() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = format!(
        "[[tenant]]\nid = \"hsm\"\n[[tenant.key]]\nuri = \"{}\"\nstatus = \"active\"\n\
         [[tenant]]\nid = \"kms\"\n[[tenant.key]]\nuri = \"{}\"\nstatus = \"active\"\n\
         [[tenant]]\nid = \"vault\"\n[[tenant.key]]\nuri = \"{}\"\nstatus = \"active\"\n",
        pkcs11_uri("p384", ""),
        kms_uri("p256", ""),
        vault_uri("ed25519", "")
    );
    let path = write(dir.path(), "keys.toml", config.as_bytes());
    let registry = stellaops_signer::KeyRegistry::load(&path).unwrap_or_else(|e| panic!("{e}"));
    for (tenant, alg) in [
        ("hsm", Algorithm::EcdsaP384Sha384),
        ("kms", Algorithm::EcdsaP256Sha256),
        ("vault", Algorithm::Ed25519),
    ] {
        let key = registry
            .signing_key(tenant, Default::default(), std::time::SystemTime::now())
            .unwrap_or_else(|e| panic!("{tenant}: {e}"));
        assert_eq!(key.algorithm(), alg, "{tenant}");
        let sig = key.try_sign(b"tenant").unwrap_or_else(|e| panic!("{e}"));
        key.public_key()
            .verify(b"tenant", &sig)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
