//! Keyless against keyful signing latency, in one run: the same in-toto statement signed into a
//! DSSE envelope with a software ES256 key, and keylessly (ephemeral key, Fulcio certificate,
//! Rekor entry, bundle v0.3) against the local Sigstore instance on loopback, with and without
//! the offline verification after signing. Run by benches/keyless_compare.sh, which starts the
//! instance; without it this bench panics and says so.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use stellaops_signer::sigstore::{BundleSigner, IdentityToken, KeylessConfig, KeylessSigner};
use stellaops_signer::{Algorithm, Authority, SigningKey, SoftwareKey};

const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

fn service_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run benches/keyless_compare.sh (it starts the servers)")
    })
}

/// A small SLSA v1 statement, as CI systems attest releases.
fn statement() -> Vec<u8> {
    br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app.tar.gz","digest":{"sha256":"5a2b1c0f6d2e8b7a9c3d4e5f60718293a4b5c6d7e8f90112233445566778899a"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{"ref":"v1.2.3"}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}}"#.to_vec()
}

fn keyless(c: &mut Criterion) {
    let url = service_env("STELLAOPS_TEST_SIGSTORE");
    let dir = service_env("STELLAOPS_TEST_SIGSTORE_DIR");
    let token = ureq::get(format!("{url}/oidc/token"))
        .query("email", "bench@stellaops.local")
        .query("ttl", "3600")
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .unwrap_or_else(|e| panic!("minting a token at {url}: {e}"));
    let signer = |verify: bool| {
        let mut config = KeylessConfig::new(url.clone(), url.clone());
        if verify {
            config.trusted_root = Some(format!("{dir}/trusted_root.json").into());
        }
        let token = IdentityToken::parse(&token).unwrap_or_else(|e| panic!("{e}"));
        KeylessSigner::new(&config, token).unwrap_or_else(|e| panic!("{e}"))
    };
    let (plain, verifying) = (signer(false), signer(true));
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap_or_else(|e| panic!("{e}"));
    let statement = statement();

    let mut g = c.benchmark_group("keyless");
    g.sample_size(30);
    g.bench_function("keyful_es256", |b| {
        b.iter(|| {
            Authority::keys(&[&key as &dyn SigningKey])
                .sign_payload(PAYLOAD_TYPE, black_box(&statement).clone())
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.bench_function("keyless", |b| {
        b.iter(|| {
            plain
                .sign(PAYLOAD_TYPE, black_box(&statement))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.bench_function("keyless_verified", |b| {
        b.iter(|| {
            verifying
                .sign(PAYLOAD_TYPE, black_box(&statement))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.finish();
}

criterion_group!(benches, keyless);
criterion_main!(benches);
