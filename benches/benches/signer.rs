//! stellaops-signer's own operations. Run via benches/compare.sh for the side-by-side table.

use std::hint::black_box;

use base64::Engine;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stellaops_benches::{payload, statement, PAYLOAD_TYPE};
use stellaops_signer::canon::{self, Limits, Mode};
use stellaops_signer::{dsse, Algorithm, Envelope, SigningKey, SoftwareKey};

fn pae_and_base64(c: &mut Criterion) {
    let mut g = c.benchmark_group("encoding");
    // 64 MiB iterations take tens of milliseconds; fewer samples keep the run short.
    g.sample_size(10);
    for (name, len) in [("1KiB", 1 << 10), ("1MiB", 1 << 20), ("64MiB", 64 << 20)] {
        let p = payload(len);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&p);
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("pae", name), &p, |b, p| {
            b.iter(|| dsse::pae(PAYLOAD_TYPE, black_box(p)))
        });
        g.bench_with_input(BenchmarkId::new("base64-encode", name), &p, |b, p| {
            b.iter(|| base64::engine::general_purpose::STANDARD.encode(black_box(p)))
        });
        g.bench_with_input(BenchmarkId::new("base64-decode", name), &b64, |b, s| {
            b.iter(|| base64::engine::general_purpose::STANDARD.decode(black_box(s)))
        });
        g.bench_with_input(BenchmarkId::new("base64-simd-encode", name), &p, |b, p| {
            b.iter(|| base64_simd::STANDARD.encode_to_string(black_box(p)))
        });
        g.bench_with_input(
            BenchmarkId::new("base64-simd-decode", name),
            &b64,
            |b, s| b.iter(|| base64_simd::STANDARD.decode_to_vec(black_box(s))),
        );
    }
    g.finish();
}

fn canonical_json(c: &mut Criterion) {
    let mut g = c.benchmark_group("canon");
    let with_floats = statement(true);
    let float_free = statement(false);
    g.throughput(Throughput::Bytes(with_floats.len() as u64));
    g.bench_function("jcs-statement", |b| {
        b.iter(|| canon::canonicalize(black_box(&with_floats), Mode::Jcs, &Limits::default()))
    });
    // serde_jcs, the crates.io RFC 8785 serializer, on the same bytes: parse into serde_json's
    // Value (as it needs) and serialize; the fair comparison with our bytes-in, bytes-out call.
    g.bench_function("serde_jcs-statement", |b| {
        b.iter(|| {
            let v: serde_json::Value =
                serde_json::from_slice(black_box(&with_floats)).unwrap_or_default();
            serde_jcs::to_vec(&v)
        })
    });
    g.throughput(Throughput::Bytes(float_free.len() as u64));
    g.bench_function("olpc-statement", |b| {
        b.iter(|| canon::canonicalize(black_box(&float_free), Mode::Olpc, &Limits::default()))
    });
    // A 5 MB CycloneDX SBOM (stellaops_benches::cyclonedx), as a whole-SBOM predicate is.
    // (The generator's target counts components before pretty-printing: 4.3 MB of them print
    // as 5.0 MB.)
    let sbom = stellaops_benches::cyclonedx(4_300_000);
    g.throughput(Throughput::Bytes(sbom.len() as u64));
    g.sample_size(20);
    g.bench_function("jcs-sbom-5mb", |b| {
        b.iter(|| canon::canonicalize(black_box(&sbom), Mode::Jcs, &Limits::default()))
    });
    g.bench_function("serde_jcs-sbom-5mb", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&sbom)).unwrap_or_default();
            serde_jcs::to_vec(&v)
        })
    });
    g.finish();
}

/// Signature benches are named after the backend they measure: `signature` (RustCrypto) or
/// `signature-aws-lc`, so benches/compare.sh can run both and report them side by side.
fn group(name: &str) -> String {
    if cfg!(feature = "backend-aws-lc") {
        format!("{name}-aws-lc")
    } else {
        name.to_owned()
    }
}

fn sign_verify(c: &mut Criterion) {
    let pae = dsse::pae(PAYLOAD_TYPE, &payload(1 << 10));
    let mut g = c.benchmark_group(group("signature"));
    for alg in Algorithm::ALL {
        let key = SoftwareKey::generate_with_rsa_bits(alg, 2048).unwrap_or_else(|e| panic!("{e}"));
        let sig = key.try_sign(&pae).unwrap_or_else(|e| panic!("{e}"));
        g.bench_function(BenchmarkId::new("sign", alg.name()), |b| {
            b.iter(|| key.try_sign(black_box(&pae)))
        });
        g.bench_function(BenchmarkId::new("verify", alg.name()), |b| {
            b.iter(|| key.public_key().verify(black_box(&pae), black_box(&sig)))
        });
    }
    g.finish();
}

fn whole_envelope(c: &mut Criterion) {
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap_or_else(|e| panic!("{e}"));
    let doc = statement(true);
    let mut g = c.benchmark_group(group("envelope"));
    g.sample_size(20);
    g.bench_function("sign-es256-statement", |b| {
        b.iter(|| {
            let payload = canon::canonicalize(black_box(&doc), Mode::Jcs, &Limits::default())
                .unwrap_or_default();
            Envelope::sign(PAYLOAD_TYPE, payload, &[&key]).map(|e| e.to_json())
        })
    });
    for (name, len) in [("1KiB", 1 << 10), ("10MiB", 10 << 20)] {
        let p = payload(len);
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("sign-es256", name), &p, |b, p| {
            b.iter(|| {
                Envelope::sign(PAYLOAD_TYPE, black_box(p).clone(), &[&key]).map(|e| e.to_json())
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    pae_and_base64,
    canonical_json,
    sign_verify,
    whole_envelope
);
criterion_main!(benches);
