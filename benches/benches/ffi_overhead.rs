//! The Rust-level twins of the C ABI calls timed by benches/c/ffi_overhead.c: the difference is
//! what crossing the C boundary costs (argument checks, panic boundary, last-error reset, copying
//! results into a library buffer).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use stellaops_signer::dsse::pae;
use stellaops_signer::{
    verify, Algorithm, Authority, EnvelopeLimits, SigningKey, SoftwareKey, VerificationPolicy,
};

fn ffi_twins(c: &mut Criterion) {
    let mut g = c.benchmark_group("rust-level");
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap_or_else(|e| panic!("{e}"));
    let payload = vec![0x5a_u8; 1024];
    g.bench_function("key-algorithm", |b| b.iter(|| black_box(&key).algorithm()));
    g.bench_function("pae-16B", |b| {
        b.iter(|| pae(black_box("text/plain"), black_box(b"0123456789abcdef")))
    });
    g.bench_function("sign-es256-1KiB", |b| {
        b.iter(|| {
            Authority::keys(&[&key])
                .sign_payload("text/plain", black_box(&payload).clone())
                .unwrap_or_else(|e| panic!("{e}"))
                .into_json()
        })
    });
    let envelope = Authority::keys(&[&key])
        .sign_payload("text/plain", payload.clone())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_json();
    let limits = EnvelopeLimits::default();
    g.bench_function("verify-es256-1KiB", |b| {
        b.iter(|| {
            // A policy per call, as the C ABI builds one from its key array each time.
            let policy =
                VerificationPolicy::new(vec![key.public_key().clone()], 1, Some("text/plain"))
                    .unwrap_or_else(|e| panic!("{e}"));
            verify(black_box(&envelope), &policy, &[], &limits).unwrap_or_else(|e| panic!("{e}"))
        })
    });
    g.finish();
}

criterion_group!(benches, ffi_twins);
criterion_main!(benches);
