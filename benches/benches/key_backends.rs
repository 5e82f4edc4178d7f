//! Envelope signing latency per key backend, in one run: software keys, SoftHSM2 over PKCS#11,
//! the KMS server (local-kms) and OpenBao transit, all on loopback. Run by benches/backends_compare.sh,
//! which starts the servers; without them this bench panics and says so.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use stellaops_signer::{open_key, Algorithm, Authority, OpenedKey, SoftwareKey};

fn service_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run benches/backends_compare.sh (it starts the servers)")
    })
}

fn backends() -> Vec<(String, OpenedKey)> {
    let pin = service_env("STELLAOPS_TEST_PKCS11_PIN_FILE");
    let kms = service_env("STELLAOPS_TEST_KMS_ENDPOINT");
    service_env("VAULT_ADDR");
    let open = |uri: String| open_key(&uri, None).unwrap_or_else(|e| panic!("{uri}: {e}"));
    let software = |alg| -> OpenedKey {
        SoftwareKey::generate_with_rsa_bits(alg, 2048)
            .unwrap_or_else(|e| panic!("{e}"))
            .into()
    };
    let hsm = |object: &str| {
        open(format!(
            "pkcs11:token=stellaops;object={object}?pin-source={pin}"
        ))
    };
    vec![
        (
            "software/es256".into(),
            software(Algorithm::EcdsaP256Sha256),
        ),
        ("software/ed25519".into(), software(Algorithm::Ed25519)),
        (
            "software/rsa-pss-2048".into(),
            software(Algorithm::RsaPssSha256),
        ),
        ("softhsm2/es256".into(), hsm("p256")),
        ("softhsm2/ed25519".into(), hsm("ed25519")),
        ("softhsm2/rsa-pss-2048".into(), hsm("rsa")),
        (
            "kms-local/es256".into(),
            open(format!("awskms://{kms}/alias/stellaops-p256")),
        ),
        (
            "kms-local/rsa-pss-2048".into(),
            open(format!("awskms://{kms}/alias/stellaops-rsa")),
        ),
        ("openbao/es256".into(), open("hashivault://p256".into())),
        (
            "openbao/ed25519".into(),
            open("hashivault://ed25519".into()),
        ),
        (
            "openbao/rsa-pss-2048".into(),
            open("hashivault://rsa".into()),
        ),
    ]
}

fn key_backends(c: &mut Criterion) {
    let mut g = c.benchmark_group("key-backends");
    let payload = vec![0x5a_u8; 1024];
    for (name, key) in backends() {
        g.bench_function(&name, |b| {
            b.iter(|| {
                Authority::opened_keys(&[&key])
                    .sign_payload("text/plain", black_box(&payload).clone())
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, key_backends);
criterion_main!(benches);
