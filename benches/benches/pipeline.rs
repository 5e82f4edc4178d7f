//! What the policy pipeline costs on top of signing: a bare P-256 envelope sign of a VEX
//! statement against the same signature made through SignerPipeline (token check, entitlement,
//! quotas, allow-list, statement, audit record), for an mTLS-bound caller (token verified once,
//! then remembered) and a DPoP-bound caller (a fresh proof verified on every request), with the
//! entitlement reused within its refresh interval and quotas in memory. DPoP proofs are minted
//! in criterion's untimed setup. Results: benches/README.md.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::{json, Map, Value};
use stellaops_signer::policy::jws::sign_compact;
use stellaops_signer::policy::thumbprint::{certificate_thumbprint, jwk_thumbprint};
use stellaops_signer::policy::{
    AuditSink, AuthRequest, Authenticator, DpopPolicy, DpopVerifier, FixedClock, JsonlAuditSink,
    Jwks, JwksSource, MemoryQuotaStore, OpTokPolicy, OpTokVerifier, PoeEvaluator, PoePolicy,
    QuotaEnforcer, QuotaLimits, SignedEntitlements,
};
use stellaops_signer::{
    Algorithm, Envelope, PipelineKeys, PipelineRequest, SignerPipeline, SigningKey, SoftwareKey,
    Subject,
};

const NOW: i64 = 1_800_000_000;
const ISSUER: &str = "https://authority.stella.test";
const URI: &str = "https://signer.stella.test/api/v1/sign";
const CERT: &[u8] = b"a DER client certificate, as the TLS layer verified it";
const PREDICATE: &[u8] = br#"{"author":"stella-ops","statements":[{"vulnerability":"CVE-2026-1234","products":["pkg:oci/app@sha256:5f3b"],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#;

fn key(alg: Algorithm) -> SoftwareKey {
    SoftwareKey::generate(alg).unwrap_or_else(|e| panic!("{e}"))
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn public_jwk(k: &SoftwareKey) -> Map<String, Value> {
    let text = k.public_key().to_jwk().unwrap_or_else(|e| panic!("{e}"));
    object(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}")))
}

fn jwks(kid: &str, k: &SoftwareKey) -> JwksSource {
    let mut jwk = public_jwk(k);
    jwk.insert("kid".into(), json!(kid));
    let set = json!({"keys": [Value::Object(jwk)]}).to_string();
    JwksSource::fixed(Jwks::from_json(set.as_bytes()).unwrap_or_else(|e| panic!("{e}")))
}

fn subject() -> Subject {
    let mut d = BTreeMap::new();
    d.insert("sha256".to_owned(), "5f3b".repeat(16));
    Subject::new("pkg:oci/app", d).unwrap_or_else(|e| panic!("{e}"))
}

struct Bench {
    pipeline: SignerPipeline,
    signer: Arc<SoftwareKey>,
    authority: SoftwareKey,
    client: SoftwareKey,
    jkt: String,
    _dir: tempfile::TempDir,
}

fn bench_pipeline(sync_audit: bool) -> Bench {
    let clock = Arc::new(FixedClock::at_unix(NOW));
    let authority = key(Algorithm::EcdsaP256Sha256);
    let client = key(Algorithm::EcdsaP256Sha256);
    let jkt = jwk_thumbprint(&public_jwk(&client)).unwrap_or_else(|e| panic!("{e}"));
    let licensing = key(Algorithm::Ed25519);
    let docs = SignedEntitlements::in_memory(jwks("lic", &licensing));
    let doc = sign_compact(
        &licensing,
        object(json!({"typ": "entitlement+jwt", "kid": "lic"})),
        json!({"tid": "acme", "plan": "team", "features": ["signer.sign"], "license_id": "l",
               "exp": NOW + 86_400})
        .to_string()
        .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    docs.insert("acme", &doc);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let audit: Arc<dyn AuditSink> = Arc::new(
        JsonlAuditSink::open(dir.path().join("audit.jsonl"))
            .unwrap_or_else(|e| panic!("{e}"))
            .sync(sync_audit),
    );
    let signer = Arc::new(key(Algorithm::EcdsaP256Sha256));
    let pipeline = SignerPipeline::builder()
        .authenticator(Authenticator::new(
            OpTokVerifier::new(
                OpTokPolicy::new(ISSUER),
                jwks("a1", &authority),
                clock.clone(),
            ),
            DpopVerifier::new(DpopPolicy::default(), None, clock.clone()),
        ))
        .entitlement(PoeEvaluator::new(
            Box::new(docs),
            PoePolicy {
                refresh_interval: Duration::from_secs(60),
                ..PoePolicy::default()
            },
            clock.clone(),
        ))
        .quotas(
            QuotaEnforcer::new(Arc::new(MemoryQuotaStore::new()), clock.clone()),
            QuotaLimits {
                requests_per_second: Some(1e6),
                burst: Some(u32::MAX),
                max_concurrent: Some(64),
                max_artifact_bytes: Some(1 << 30),
            },
        )
        .without_release_check()
        .keys(PipelineKeys::Single {
            key: signer.clone(),
            issuer_mode: stellaops_signer::IssuerMode::Software,
        })
        .audit(audit)
        .clock(clock)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    Bench {
        pipeline,
        signer,
        authority,
        client,
        jkt,
        _dir: dir,
    }
}

impl Bench {
    fn token(&self, cnf: Value) -> String {
        sign_compact(
            &self.authority,
            object(json!({"typ": "at+jwt", "kid": "a1"})),
            json!({"iss": ISSUER, "aud": "signer", "sub": "svc:exporter", "tid": "acme",
                   "scope": "signer.sign", "jti": "t", "iat": NOW - 5, "exp": NOW + 240, "cnf": cnf})
            .to_string()
            .as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn proof(&self, token: &str, n: u64) -> String {
        sign_compact(
            &self.client,
            object(json!({"typ": "dpop+jwt", "jwk": Value::Object(public_jwk(&self.client))})),
            json!({"jti": format!("p-{n}"), "htm": "POST", "htu": URI, "iat": NOW,
                   "ath": URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()))})
            .to_string()
            .as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn sign(&self, token: &str, proof: Option<&str>, cert: Option<&[u8]>) {
        let out = self
            .pipeline
            .sign(PipelineRequest {
                auth: AuthRequest {
                    access_token: token,
                    dpop_proof: proof,
                    method: "POST",
                    uri: URI,
                    client_certificate: cert,
                    tenant: "acme",
                },
                // Built per request, as a request's JSON would be: the predicate parsed once.
                statement: stellaops_signer::predicate_statement(
                    "vex",
                    PREDICATE,
                    vec![subject()],
                    &stellaops_signer::canon::Limits::default(),
                )
                .unwrap_or_else(|e| panic!("{e}")),
                artifact_bytes: Some(1024),
                scanner_release: None,
                trace_id: Some("bench"),
            })
            .unwrap_or_else(|e| panic!("{e}"));
        black_box(out);
    }
}

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    let nosync = bench_pipeline(false);

    // The baseline: the same statement, signed with the same P-256 key, nothing else.
    let statement = stellaops_signer::predicates::StatementBuilder::new("stella.ops/vex@v1")
        .predicate(serde_json::from_slice(PREDICATE).unwrap_or_else(|e| panic!("{e}")))
        .subject(subject())
        .build()
        .and_then(|s| s.to_json())
        .unwrap_or_else(|e| panic!("{e}"));
    let signer: &dyn SigningKey = nosync.signer.as_ref();
    g.bench_function("bare envelope sign es256", |b| {
        b.iter(|| {
            black_box(
                Envelope::sign(
                    stellaops_signer::predicates::PAYLOAD_TYPE,
                    &statement,
                    &[signer],
                )
                .unwrap_or_else(|e| panic!("{e}")),
            )
        })
    });

    let mtls = nosync.token(json!({"x5t#S256": certificate_thumbprint(CERT)}));
    g.bench_function("pipeline mtls-bound, audit without fsync", |b| {
        b.iter(|| nosync.sign(&mtls, None, Some(CERT)))
    });

    // The same request as the service's route makes it: the JSON body in (the load test's
    // body), the outcome's JSON out. The service's own cost is its p50 minus this one.
    let caller = stellaops_signer::CallerContext {
        access_token: mtls.clone(),
        dpop_proof: None,
        method: "POST".into(),
        uri: URI.into(),
        client_certificate: Some(CERT.to_vec()),
        tenant: "acme".into(),
        scanner_release: None,
        trace_id: Some("bench".into()),
    };
    let body = format!(
        r#"{{"predicate_type":"stella.ops/vex@v1","predicate":{},"subjects":[{{"name":"app.tar","digest":{{"sha256":"{}"}}}}],"artifact_bytes":1024}}"#,
        std::str::from_utf8(PREDICATE).unwrap_or_else(|e| panic!("{e}")),
        "5f3b".repeat(16)
    );
    g.bench_function(
        "pipeline mtls-bound json in and out, audit without fsync",
        |b| {
            b.iter(|| {
                black_box(
                    nosync
                        .pipeline
                        .sign_body_json(&caller, body.as_bytes())
                        .unwrap_or_else(|e| panic!("{e}")),
                )
            })
        },
    );

    let dpop = nosync.token(json!({"jkt": nosync.jkt}));
    let mut n = 0u64;
    g.bench_function("pipeline dpop-bound, audit without fsync", |b| {
        b.iter_batched(
            || {
                n += 1;
                nosync.proof(&dpop, n)
            },
            |proof| nosync.sign(&dpop, Some(&proof), None),
            BatchSize::SmallInput,
        )
    });

    let synced = bench_pipeline(true);
    let mtls_synced = synced.token(json!({"x5t#S256": certificate_thumbprint(CERT)}));
    g.bench_function("pipeline mtls-bound, audit with fdatasync", |b| {
        b.iter(|| synced.sign(&mtls_synced, None, Some(CERT)))
    });
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
