//! aws-lc-rs on the same PAE bytes: the reference for what the hardware allows.

use std::hint::black_box;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair, UnparsedPublicKey,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use stellaops_benches::{payload, PAYLOAD_TYPE};
use stellaops_signer::dsse;

fn reference(c: &mut Criterion) {
    let pae = dsse::pae(PAYLOAD_TYPE, &payload(1 << 10));
    let rng = SystemRandom::new();
    let mut g = c.benchmark_group("aws-lc");
    for (name, alg, verify_alg) in [
        (
            "es256",
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &signature::ECDSA_P256_SHA256_ASN1,
        ),
        (
            "es384",
            &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            &signature::ECDSA_P384_SHA384_ASN1,
        ),
    ] {
        let doc = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap_or_else(|e| panic!("{e}"));
        let key = EcdsaKeyPair::from_pkcs8(alg, doc.as_ref()).unwrap_or_else(|e| panic!("{e}"));
        let sig = key.sign(&rng, &pae).unwrap_or_else(|e| panic!("{e}"));
        let public = UnparsedPublicKey::new(verify_alg, key.public_key().as_ref().to_vec());
        g.bench_function(BenchmarkId::new("sign", name), |b| {
            b.iter(|| key.sign(&rng, black_box(&pae)))
        });
        g.bench_function(BenchmarkId::new("verify", name), |b| {
            b.iter(|| public.verify(black_box(&pae), sig.as_ref()))
        });
    }
    let doc = Ed25519KeyPair::generate_pkcs8(&rng).unwrap_or_else(|e| panic!("{e}"));
    let key = Ed25519KeyPair::from_pkcs8(doc.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    let sig = key.sign(&pae);
    let public = UnparsedPublicKey::new(&signature::ED25519, key.public_key().as_ref().to_vec());
    g.bench_function(BenchmarkId::new("sign", "ed25519"), |b| {
        b.iter(|| key.sign(black_box(&pae)))
    });
    g.bench_function(BenchmarkId::new("verify", "ed25519"), |b| {
        b.iter(|| public.verify(black_box(&pae), sig.as_ref()))
    });

    let rsa =
        RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap_or_else(|e| panic!("{e}"));
    let public_der = rsa.public_key().as_ref().to_vec();
    for (name, pad, verify_alg) in [
        (
            "rsa-pss-sha256",
            &signature::RSA_PSS_SHA256 as &dyn signature::RsaEncoding,
            &signature::RSA_PSS_2048_8192_SHA256,
        ),
        (
            "rsa-pkcs1-sha256",
            &signature::RSA_PKCS1_SHA256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
        ),
    ] {
        let mut sig = vec![0u8; rsa.public_modulus_len()];
        rsa.sign(pad, &rng, &pae, &mut sig)
            .unwrap_or_else(|e| panic!("{e}"));
        let public = UnparsedPublicKey::new(verify_alg, public_der.clone());
        g.bench_function(BenchmarkId::new("sign", name), |b| {
            let mut out = vec![0u8; rsa.public_modulus_len()];
            b.iter(|| rsa.sign(pad, &rng, black_box(&pae), &mut out))
        });
        g.bench_function(BenchmarkId::new("verify", name), |b| {
            b.iter(|| public.verify(black_box(&pae), &sig))
        });
    }
    g.finish();
}

criterion_group!(benches, reference);
criterion_main!(benches);
