//! OpenSSL's command line as an independent verifier and key reader: it checks our signatures over
//! the PAE bytes, computes the same key id, and reads/writes our passphrase-encrypted PKCS#8.

use stellaops_signer::{dsse, Algorithm, SigningKey, SoftwareKey};
use stellaops_tests::{openssl_verifies, run, write};

#[test]
fn openssl_verifies_our_signatures_over_the_pae() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let pae = dsse::pae("application/vnd.in-toto+json", b"{\"hello\":\"openssl\"}");
    let pae_path = write(d, "pae.bin", &pae);
    let mut tampered = pae.clone();
    tampered[0] ^= 1;
    let tampered_path = write(d, "tampered.bin", &tampered);
    for alg in Algorithm::ALL {
        let key = SoftwareKey::generate_with_rsa_bits(alg, 2048).unwrap_or_else(|e| panic!("{e}"));
        let pubkey = write(
            d,
            "pub.pem",
            key.public_key()
                .to_spki_pem()
                .unwrap_or_default()
                .as_bytes(),
        );
        let sig = write(
            d,
            "sig.bin",
            &key.try_sign(&pae).unwrap_or_else(|e| panic!("{e}")),
        );
        assert!(
            openssl_verifies(alg, &pubkey, &pae_path, &sig),
            "openssl rejected our {alg} signature"
        );
        // The same command refuses a one-byte change, so acceptance above means something.
        assert!(
            !openssl_verifies(alg, &pubkey, &tampered_path, &sig),
            "openssl accepted a tampered {alg} message"
        );

        // Same key id: SHA-256 of the DER SPKI as OpenSSL writes it.
        let digest = run(
            "sh",
            &[
                &"-c",
                &format!(
                    "openssl pkey -pubin -in '{}' -outform DER | sha256sum",
                    pubkey.display()
                ),
            ],
        );
        assert!(digest.status.success());
        let theirs = String::from_utf8_lossy(&digest.stdout)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(theirs, key.key_id().as_str(), "{alg} key id");
    }
}

#[test]
fn encrypted_pkcs8_is_readable_both_ways() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    // Ours, read by OpenSSL.
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap_or_else(|e| panic!("{e}"));
    let ours = write(
        d,
        "ours.pem",
        key.to_encrypted_pkcs8_pem(b"s3cret")
            .unwrap_or_else(|e| panic!("{e}"))
            .as_bytes(),
    );
    let out = run(
        "openssl",
        &[
            &"pkey",
            &"-in",
            &ours,
            &"-passin",
            &"pass:s3cret",
            &"-pubout",
        ],
    );
    assert!(
        out.status.success(),
        "openssl could not decrypt our key: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let their_pub = stellaops_signer::VerifyingKey::from_pem(&String::from_utf8_lossy(&out.stdout))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(their_pub.key_id(), key.key_id());
    let wrong = run(
        "openssl",
        &[&"pkey", &"-in", &ours, &"-passin", &"pass:wrong"],
    );
    assert!(!wrong.status.success());

    // OpenSSL's, read by us: PBES2 with AES-256-CBC, and the SEC1 "EC PRIVATE KEY" form.
    let theirs = d.join("theirs.pem");
    let gen = run(
        "openssl",
        &[
            &"genpkey",
            &"-algorithm",
            &"ed25519",
            &"-aes-256-cbc",
            &"-pass",
            &"pass:pw",
            &"-out",
            &theirs,
        ],
    );
    assert!(gen.status.success());
    let pem = std::fs::read_to_string(&theirs).unwrap_or_default();
    assert!(pem.contains("ENCRYPTED PRIVATE KEY"));
    let k = SoftwareKey::from_pem(&pem, Some(b"pw"))
        .unwrap_or_else(|e| panic!("openssl's encrypted key: {e}"));
    assert_eq!(k.algorithm(), Algorithm::Ed25519);
    let sec1 = run(
        "openssl",
        &[&"ecparam", &"-name", &"secp384r1", &"-genkey", &"-noout"],
    );
    let k = SoftwareKey::from_pem(&String::from_utf8_lossy(&sec1.stdout), None)
        .unwrap_or_else(|e| panic!("sec1: {e}"));
    assert_eq!(k.algorithm(), Algorithm::EcdsaP384Sha384);
}

#[test]
fn certificates_made_by_openssl_give_their_verifying_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let (key, cert) = (d.join("k.pem"), d.join("c.pem"));
    let out = run(
        "openssl",
        &[
            &"req",
            &"-x509",
            &"-newkey",
            &"ec",
            &"-pkeyopt",
            &"ec_paramgen_curve:P-256",
            &"-nodes",
            &"-keyout",
            &key,
            &"-out",
            &cert,
            &"-subj",
            &"/CN=stellaops-test",
            &"-days",
            &"1",
        ],
    );
    assert!(
        out.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signer = SoftwareKey::from_pem(&std::fs::read_to_string(&key).unwrap_or_default(), None)
        .unwrap_or_else(|e| panic!("openssl's key: {e}"));
    let pem = std::fs::read_to_string(&cert).unwrap_or_default();
    let from_pem = stellaops_signer::VerifyingKey::from_pem(&pem)
        .unwrap_or_else(|e| panic!("certificate pem: {e}"));
    let der = run("openssl", &[&"x509", &"-in", &cert, &"-outform", &"DER"]);
    let from_der = stellaops_signer::VerifyingKey::from_bytes(&der.stdout)
        .unwrap_or_else(|e| panic!("certificate der: {e}"));
    assert_eq!(from_pem.key_id(), signer.key_id());
    assert_eq!(from_der.key_id(), signer.key_id());
    let sig = signer
        .try_sign(b"certified")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        from_der.verify(b"certified", &sig).ok(),
        Some(Algorithm::EcdsaP256Sha256)
    );
}

/// Every algorithm's private key, plain and encrypted PKCS#8, is readable by OpenSSL and gives
/// the same public key. (Ed25519 was once written as PKCS#8 v2 with the public key attached, which
/// neither OpenSSL 3.0 nor pyca/cryptography reads; now v1, as OpenSSL writes it.)
#[test]
fn every_private_key_export_is_readable_by_openssl() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for alg in Algorithm::ALL {
        let key = SoftwareKey::generate_with_rsa_bits(alg, 2048).unwrap_or_else(|e| panic!("{e}"));
        let plain = key.to_pkcs8_pem().unwrap_or_else(|e| panic!("{e}"));
        let encrypted = key
            .to_encrypted_pkcs8_pem(b"pw")
            .unwrap_or_else(|e| panic!("{e}"));
        for (name, pem) in [("plain", plain.as_str()), ("encrypted", encrypted.as_str())] {
            let path = write(
                dir.path(),
                &format!("{}-{name}.pem", alg.name()),
                pem.as_bytes(),
            );
            let out = run(
                "openssl",
                &[&"pkey", &"-in", &path, &"-passin", &"pass:pw", &"-pubout"],
            );
            assert!(
                out.status.success(),
                "openssl cannot read our {name} {} key: {}",
                alg.name(),
                String::from_utf8_lossy(&out.stderr)
            );
            let public =
                stellaops_signer::VerifyingKey::from_pem(&String::from_utf8_lossy(&out.stdout))
                    .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(public.key_id(), key.key_id(), "{name} {}", alg.name());
        }
    }
}
