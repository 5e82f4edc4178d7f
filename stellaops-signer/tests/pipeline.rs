//! SignerPipeline end to end: a DPoP-bound caller, a signed entitlement, quotas, the release
//! check, tenant keys, the allow-list, and an audit record for every outcome.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use stellaops_signer::canon::Limits;
use stellaops_signer::policy::audit::verify_chain;
use stellaops_signer::policy::jws::sign_compact;
use stellaops_signer::policy::thumbprint::jwk_thumbprint;
use stellaops_signer::policy::{
    AuditRecord, AuditSink, AuthRequest, Authenticator, Bypass, DpopPolicy, DpopVerifier,
    FixedClock, JsonlAuditSink, Jwks, JwksSource, MemoryQuotaStore, OpTokPolicy, OpTokVerifier,
    PoeEvaluator, PoePolicy, PoeState, QuotaEnforcer, QuotaLimits, Reason, ReleaseTrust,
    ReleaseVerifier, SignedEntitlements,
};
use stellaops_signer::{
    predicate_statement, Algorithm, Authority, CallerContext, Error, ErrorCode, IssuerMode,
    Outcome, PipelineKeys, PipelineRequest, SignerPipeline, SigningKey, SoftwareKey, Statement,
    Subject, VerificationPolicy,
};

const NOW: i64 = 1_800_000_000;
const ISSUER: &str = "https://authority.stella.test";
const TENANT: &str = "acme";
const URI: &str = "https://signer.stella.test/api/v1/sign";

fn key(alg: Algorithm) -> SoftwareKey {
    SoftwareKey::generate(alg).unwrap()
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn public_jwk(k: &SoftwareKey) -> Map<String, Value> {
    object(serde_json::from_str(&k.public_key().to_jwk().unwrap()).unwrap())
}

fn jwks(kid: &str, k: &SoftwareKey) -> JwksSource {
    let mut jwk = public_jwk(k);
    jwk.insert("kid".into(), json!(kid));
    let set = json!({"keys": [Value::Object(jwk)]}).to_string();
    JwksSource::fixed(Jwks::from_json(set.as_bytes()).unwrap())
}

/// Audit records kept in memory, or refused on demand.
#[derive(Debug, Default)]
struct MemorySink {
    records: Mutex<Vec<AuditRecord>>,
    broken: Mutex<bool>,
}

impl AuditSink for MemorySink {
    fn append(&self, record: &AuditRecord) -> stellaops_signer::policy::Result<()> {
        if *self.broken.lock().unwrap() {
            return Err(stellaops_signer::policy::Error::Audit {
                path: "memory".into(),
                context: "append failed".into(),
                source: Some(stellaops_signer::crypto::Cause::new(std::io::Error::other(
                    "disk full",
                ))),
            });
        }
        self.records.lock().unwrap().push(record.clone());
        Ok(())
    }
}

struct World {
    authority: SoftwareKey,
    client: SoftwareKey,
    jkt: String,
    signing: Arc<SoftwareKey>,
    pipeline: SignerPipeline,
    sink: Arc<MemorySink>,
    clock: Arc<FixedClock>,
    release: String,
    next_proof: std::sync::atomic::AtomicU64,
}

fn release_digest() -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b"scanner 1.2.3")))
}

fn world_with(limits: QuotaLimits, poe_policy: PoePolicy, entitled: bool) -> World {
    let clock = Arc::new(FixedClock::at_unix(NOW));
    let authority = key(Algorithm::EcdsaP256Sha256);
    let client = key(Algorithm::Ed25519);
    let jkt = jwk_thumbprint(&public_jwk(&client)).unwrap();
    let licensing = key(Algorithm::Ed25519);
    let docs = Arc::new(SignedEntitlements::in_memory(jwks("lic", &licensing)));
    if entitled {
        let doc = sign_compact(
            &licensing,
            object(json!({"typ": "entitlement+jwt", "kid": "lic"})),
            json!({
                "tid": TENANT, "plan": "team", "features": ["signer.sign"],
                "quotas": {"max_artifact_bytes": 1_000_000},
                "license_id": "lic-7", "exp": NOW + 86_400,
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        docs.insert(TENANT, &doc);
    }
    let authenticator = Authenticator::new(
        OpTokVerifier::new(
            OpTokPolicy::new(ISSUER),
            jwks("a1", &authority),
            clock.clone(),
        ),
        DpopVerifier::new(DpopPolicy::default(), None, clock.clone()),
    );
    let release = release_digest();
    let signing = Arc::new(key(Algorithm::EcdsaP256Sha256));
    let sink = Arc::new(MemorySink::default());
    let pipeline = SignerPipeline::builder()
        .authenticator(authenticator)
        .entitlement(PoeEvaluator::new(Box::new(docs), poe_policy, clock.clone()))
        .quotas(
            QuotaEnforcer::new(Arc::new(MemoryQuotaStore::new()), clock.clone()),
            limits,
        )
        .release_check(ReleaseVerifier::new([release.clone()]), None)
        .keys(PipelineKeys::Single {
            key: signing.clone(),
            issuer_mode: IssuerMode::Software,
        })
        .audit(sink.clone())
        .clock(clock.clone())
        .build()
        .unwrap();
    World {
        authority,
        client,
        jkt,
        signing,
        pipeline,
        sink,
        clock,
        release,
        next_proof: Default::default(),
    }
}

fn world() -> World {
    world_with(QuotaLimits::default(), PoePolicy::default(), true)
}

/// The request facts of a DPoP-bound POST to the signer for the test tenant.
fn auth<'a>(token: &'a str, proof: &'a str) -> AuthRequest<'a> {
    AuthRequest {
        access_token: token,
        dpop_proof: Some(proof),
        method: "POST",
        uri: URI,
        client_certificate: None,
        tenant: TENANT,
    }
}

fn subject() -> Subject {
    let mut d = BTreeMap::new();
    d.insert(
        "sha256".to_owned(),
        hex::encode(Sha256::digest(b"the sbom")),
    );
    Subject::new("sbom.cdx.json", d).unwrap()
}

impl World {
    fn token(&self) -> String {
        sign_compact(
            &self.authority,
            object(json!({"typ": "at+jwt", "kid": "a1"})),
            json!({
                "iss": ISSUER, "aud": "signer", "sub": "svc:scanner", "tid": TENANT,
                "scope": "signer.sign", "jti": "t-1", "iat": NOW - 5, "exp": NOW + 120,
                "cnf": {"jkt": self.jkt},
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    fn proof(&self, token: &str) -> String {
        let n = self
            .next_proof
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let now = stellaops_signer::policy::Clock::now_seconds(self.clock.as_ref());
        sign_compact(
            &self.client,
            object(json!({"typ": "dpop+jwt", "jwk": Value::Object(public_jwk(&self.client))})),
            json!({
                "jti": format!("p-{n}"), "htm": "POST", "htu": URI, "iat": now,
                "ath": URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())),
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    fn sign_with(
        &self,
        predicate_type: &str,
        release: Option<&str>,
        bytes: u64,
    ) -> stellaops_signer::Result<Outcome> {
        let token = self.token();
        let proof = self.proof(&token);
        self.pipeline.sign(PipelineRequest {
            auth: auth(&token, &proof),
            statement: statement(predicate_type)?,
            artifact_bytes: Some(bytes),
            scanner_release: release,
            trace_id: Some("trace-42"),
        })
    }

    /// A pipeline on this world's Authority and clock with the entitlement bypassed (no licence
    /// needed), no release check, and the given keys and audit sink.
    fn bypass_pipeline(&self, keys: PipelineKeys, audit: Arc<dyn AuditSink>) -> SignerPipeline {
        SignerPipeline::builder()
            .authenticator(Authenticator::new(
                OpTokVerifier::new(
                    OpTokPolicy::new(ISSUER),
                    jwks("a1", &self.authority),
                    self.clock.clone(),
                ),
                DpopVerifier::new(DpopPolicy::default(), None, self.clock.clone()),
            ))
            .entitlement(PoeEvaluator::new(
                Box::new(SignedEntitlements::in_memory(jwks(
                    "x",
                    &key(Algorithm::Ed25519),
                ))),
                PoePolicy {
                    bypass: Some(Bypass {
                        reason: "test".into(),
                        expires_at: UNIX_EPOCH + Duration::from_secs(NOW as u64 + 60),
                    }),
                    ..PoePolicy::default()
                },
                self.clock.clone(),
            ))
            .quotas(
                QuotaEnforcer::new(Arc::new(MemoryQuotaStore::new()), self.clock.clone()),
                QuotaLimits::default(),
            )
            .without_release_check()
            .keys(keys)
            .audit(audit)
            .clock(self.clock.clone())
            .build()
            .unwrap()
    }

    /// A minimal request for `predicate_type` through `pipeline`, with a fresh token and proof.
    fn sign_through(
        &self,
        pipeline: &SignerPipeline,
        predicate_type: &str,
    ) -> stellaops_signer::Result<Outcome> {
        let token = self.token();
        let proof = self.proof(&token);
        pipeline.sign(PipelineRequest {
            auth: auth(&token, &proof),
            statement: statement(predicate_type)?,
            artifact_bytes: Some(1),
            scanner_release: None,
            trace_id: None,
        })
    }

    fn last(&self) -> AuditRecord {
        self.sink.records.lock().unwrap().last().cloned().unwrap()
    }

    fn denied(&self, result: stellaops_signer::Result<Outcome>) -> Reason {
        match result {
            Err(Error::Denied(d)) => {
                let rec = self.last();
                assert_eq!(rec.decision, "denied");
                assert_eq!(rec.reason.as_deref(), Some(d.reason.code()));
                d.reason
            }
            other => panic!("expected a denial, got {other:?}"),
        }
    }
}

#[test]
fn an_entitled_caller_gets_a_verifiable_envelope_and_one_audit_record() {
    let w = world();
    let out = w.sign_with("sbom", Some(&w.release.clone()), 1000).unwrap();
    // The envelope verifies with the signing key, and carries the statement asked for.
    let policy = VerificationPolicy::new([w.signing.public_key().clone()], 1, None).unwrap();
    out.envelope().verify(&policy).unwrap();
    assert_eq!(
        out.statement.as_ref().unwrap().predicate_type(),
        "stella.ops/sbom@v1"
    );
    assert_eq!(out.key_ids(), [w.signing.key_id().as_ref()]);
    assert_eq!(out.issuer_mode(), "software");
    let facts = out.pipeline.as_ref().unwrap();
    assert_eq!(facts.poe_state, PoeState::Fresh);
    assert_eq!(facts.release, Some(ReleaseTrust::Allowlisted));
    assert_eq!(facts.trace_id, "trace-42");
    assert_eq!(
        out.bundle_digest,
        format!(
            "sha256:{}",
            hex::encode(Sha256::digest(out.envelope().to_json()))
        )
    );
    let records = w.sink.records.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.decision, "allowed");
    assert_eq!(r.trace_id, "trace-42");
    assert_eq!(r.caller.as_deref(), Some("svc:scanner"));
    assert_eq!(r.binding.as_deref(), Some("dpop"));
    assert_eq!(r.poe_state.as_deref(), Some("fresh"));
    assert_eq!(r.poe_detail.as_deref(), Some("license lic-7"));
    assert_eq!(r.release.as_deref(), Some("allowlist"));
    assert_eq!(r.key_id.as_deref(), Some(out.key_ids()[0]));
    assert_eq!(r.issuer_mode.as_deref(), Some("software"));
    assert_eq!(
        r.envelope_digest.as_deref(),
        Some(out.bundle_digest.as_str())
    );
    assert_eq!(
        r.subject_digests,
        [format!(
            "sbom.cdx.json@sha256:{}",
            hex::encode(Sha256::digest(b"the sbom"))
        )]
    );
}

#[test]
fn every_stage_can_deny_and_each_denial_is_audited() {
    let w = world();
    // Release: none named, and an untrusted one.
    assert_eq!(
        w.denied(w.sign_with("sbom", None, 10)),
        Reason::ReleaseUntrusted
    );
    let other = format!("sha256:{}", "0".repeat(64));
    assert_eq!(
        w.denied(w.sign_with("sbom", Some(&other), 10)),
        Reason::ReleaseUntrusted
    );
    // Scan reports are checked by default too (the policy family), and reachability.
    for kind in ["report", "graph"] {
        assert_eq!(
            w.denied(w.sign_with(kind, None, 10)),
            Reason::ReleaseUntrusted,
            "{kind}"
        );
        w.sign_with(kind, Some(&w.release), 10)
            .unwrap_or_else(|e| panic!("{kind} with a trusted release: {e}"));
    }
    // Plan size limit from the entitlement.
    assert_eq!(
        w.denied(w.sign_with("vex", None, 2_000_000)),
        Reason::QuotaSize
    );
    // Allow-list (reject mode by default): a type outside the catalog.
    assert_eq!(
        w.denied(w.sign_with("https://example.test/custom@v1", None, 10)),
        Reason::PredicateNotAllowed
    );
    // VEX is not scanner output: no release needed.
    assert!(w.sign_with("vex", None, 10).is_ok());
    // Token expired: authentication is first.
    w.clock.advance(Duration::from_secs(600));
    assert_eq!(w.denied(w.sign_with("vex", None, 10)), Reason::OptokExpired);
    // Six requests above, and two (denied, then signed) per report and graph.
    assert_eq!(w.sink.records.lock().unwrap().len(), 10);
}

#[test]
fn a_tenant_without_entitlement_is_denied_and_a_bypass_is_audited() {
    let w = world_with(QuotaLimits::default(), PoePolicy::default(), false);
    assert_eq!(w.denied(w.sign_with("vex", None, 10)), Reason::PoeMissing);

    let bypass = PoePolicy {
        bypass: Some(Bypass {
            reason: "INC-9 licensing down".into(),
            expires_at: UNIX_EPOCH + Duration::from_secs(NOW as u64 + 60),
        }),
        ..PoePolicy::default()
    };
    let w = world_with(QuotaLimits::default(), bypass, false);
    let out = w.sign_with("vex", None, 10).unwrap();
    assert_eq!(
        out.pipeline.unwrap().poe_state,
        PoeState::Bypass {
            reason: "INC-9 licensing down".into()
        }
    );
    let r = w.last();
    assert_eq!(
        (r.poe_state.as_deref(), r.poe_detail.as_deref()),
        (Some("bypass"), Some("INC-9 licensing down"))
    );
}

#[test]
fn no_audit_record_means_no_envelope() {
    let w = world();
    *w.sink.broken.lock().unwrap() = true;
    match w.sign_with("vex", None, 10) {
        Err(e @ Error::Audit(_)) => assert_eq!(e.code(), ErrorCode::AuditFailed),
        other => panic!("expected an audit failure, got {other:?}"),
    }
    assert!(w.sink.records.lock().unwrap().is_empty());
}

/// A pipeline of in-memory parts says it runs in memory (the service calls it on its async
/// worker); a remote key backend makes it say otherwise. With the audit deferred, the answer is
/// held until its record is durable, then handed over.
#[test]
fn in_memory_pipelines_say_so_and_a_deferred_audit_holds_the_answer_until_durable() {
    use stellaops_signer::pipeline::defer_audit;
    use stellaops_signer::policy::audit::AuditSink as _;
    let w = world();
    assert!(w.pipeline.runs_in_memory());
    let remote = w.bypass_pipeline(
        PipelineKeys::Single {
            key: w.signing.clone(),
            issuer_mode: IssuerMode::Kms,
        },
        Arc::new(MemorySink::default()),
    );
    assert!(!remote.runs_in_memory());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = Arc::new(JsonlAuditSink::open(&path).unwrap());
    let pipeline = w.bypass_pipeline(
        PipelineKeys::Single {
            key: w.signing.clone(),
            issuer_mode: IssuerMode::Software,
        },
        sink.clone(),
    );
    let deferred = defer_audit(|| w.sign_through(&pipeline, "sbom"));
    let outcome = deferred.wait().unwrap();
    assert_eq!(outcome.signatures.len(), 1);
    assert_eq!(sink.head().unwrap().0, 1, "handed over before durable");
    assert_eq!(verify_chain(&path).unwrap().records, 1);
}

#[test]
fn a_jsonl_audit_log_chains_the_pipeline_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let w = world();
    let sink = Arc::new(JsonlAuditSink::open(&path).unwrap());
    let pipeline = w.bypass_pipeline(
        PipelineKeys::Single {
            key: w.signing.clone(),
            issuer_mode: IssuerMode::Software,
        },
        sink,
    );
    for _ in 0..3 {
        w.sign_through(&pipeline, "sbom").unwrap();
    }
    assert_eq!(verify_chain(&path).unwrap().records, 3);
}

#[test]
fn missing_parts_are_named() {
    match SignerPipeline::builder().build() {
        Err(Error::PipelineConfig(m)) => assert!(m.contains("quotas"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn metrics_count_signatures_and_denials() {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let w = world();
    metrics::with_local_recorder(&recorder, || {
        w.sign_with("vex", None, 10).unwrap();
        w.sign_with("vex", None, 10).unwrap();
        let _ = w.sign_with("vex", None, 5_000_000);
    });
    let snapshot = snapshotter.snapshot().into_vec();
    let counter = |name: &str, label: (&str, &str)| {
        snapshot
            .iter()
            .find(|(key, _, _, _)| {
                key.key().name() == name
                    && key
                        .key()
                        .labels()
                        .any(|l| l.key() == label.0 && l.value() == label.1)
            })
            .map(|(_, _, _, v)| match v {
                DebugValue::Counter(c) => *c,
                other => panic!("{name} is {other:?}"),
            })
    };
    assert_eq!(
        counter(
            "stellaops_signer_key_usage_total",
            ("key_id", w.signing.key_id().as_ref())
        ),
        Some(2)
    );
    assert_eq!(
        counter(
            "stellaops_signer_quota_hits_total",
            ("reason", "quota.size")
        ),
        Some(1)
    );
    let latencies = snapshot
        .iter()
        .find(|(k, _, _, _)| k.key().name() == "stellaops_signer_sign_seconds")
        .map(|(_, _, _, v)| match v {
            DebugValue::Histogram(h) => h.len(),
            _ => 0,
        });
    assert_eq!(latencies, Some(2));
}

/// The pipeline with the tenant key registry: the family-specific key signs VEX, the general key
/// signs everything else, and a revocation in the file stops signing at once.
#[test]
fn tenant_keys_come_from_the_registry_by_family() {
    let dir = tempfile::tempdir().unwrap();
    let general = key(Algorithm::EcdsaP256Sha256);
    let vex_key = key(Algorithm::Ed25519);
    let write_key = |name: &str, k: &SoftwareKey| {
        let p = dir.path().join(name);
        std::fs::write(&p, k.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
        p
    };
    let general_path = write_key("general.pem", &general);
    let vex_path = write_key("vex.pem", &vex_key);
    let config = dir.path().join("keys.toml");
    let registry_text = |vex_status: &str| {
        format!(
            "[[tenant]]\nid = \"acme\"\n[[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n\
             [[tenant.key]]\nuri = \"file:{}\"\nstatus = \"{vex_status}\"\nfamilies = [\"vex\"]\n{}",
            general_path.display(),
            vex_path.display(),
            if vex_status == "revoked" {
                format!(
                    "revoked_at = \"2020-01-01T00:00:00Z\"\nreason = \"key compromise\"\nkey_id = \"{}\"\n",
                    vex_key.key_id()
                )
            } else {
                String::new()
            }
        )
    };
    std::fs::write(&config, registry_text("active")).unwrap();
    let w = world();
    let registry = stellaops_signer::KeyRegistry::load(&config).unwrap();
    let pipeline = w.bypass_pipeline(PipelineKeys::Registry(registry.clone()), w.sink.clone());
    let run = |predicate_type: &str| w.sign_through(&pipeline, predicate_type);
    let vex = run("vex").unwrap();
    assert_eq!(vex.key_ids(), [vex_key.key_id().as_ref()]);
    assert_eq!(vex.signatures[0].algorithm, Algorithm::Ed25519);
    let sbom = run("sbom").unwrap();
    assert_eq!(sbom.key_ids(), [general.key_id().as_ref()]);
    assert_eq!(w.last().issuer_mode.as_deref(), Some("software"));

    // Revoke the VEX key in the file: the registry reloads, the VEX key signs nothing more, and
    // the general key (which serves every family) takes over.
    std::fs::write(&config, registry_text("revoked")).unwrap();
    let after = run("vex").unwrap();
    assert_eq!(registry.last_reload_error(), None);
    assert_eq!(
        after.key_ids(),
        [general.key_id().as_ref()],
        "the general key serves VEX now"
    );
}

/// Issue 21: the pipeline is one of the authority's sources. Through `Authority::pipeline` a
/// caller's statement is signed with the pipeline's facts in the outcome, and a type the
/// allow-list rejects is the same denial (reason `predicate.not_allowed`, code 501) that local
/// keys give, audited as a denial.
#[test]
fn the_authority_signs_through_the_pipeline_with_one_admission() {
    let w = world();
    let caller = |token: String, proof: String| CallerContext {
        access_token: token,
        dpop_proof: Some(proof),
        method: "POST".into(),
        uri: URI.into(),
        client_certificate: None,
        tenant: TENANT.into(),
        scanner_release: None,
        trace_id: Some("trace-a".into()),
    };
    let token = w.token();
    let c = caller(token.clone(), w.proof(&token));
    let out = Authority::pipeline(&w.pipeline, &c)
        .sign_statement(statement("vex").unwrap(), Some(10))
        .unwrap();
    assert_eq!(out.pipeline.as_ref().unwrap().trace_id, "trace-a");
    assert_eq!(out.key_ids(), [w.signing.key_id().as_ref()]);
    // A payload is not a statement: the pipeline refuses it before anything is audited.
    let before = w.sink.records.lock().unwrap().len();
    let err = Authority::pipeline(&w.pipeline, &c)
        .sign_payload("text/plain", b"x".to_vec())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    assert_eq!(w.sink.records.lock().unwrap().len(), before);

    let token = w.token();
    let c = caller(token.clone(), w.proof(&token));
    let err = Authority::pipeline(&w.pipeline, &c)
        .sign_statement(
            statement("https://example.test/custom@v1").unwrap(),
            Some(10),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::PredicateNotAllowed);
    assert_eq!(w.denied(Err(err)), Reason::PredicateNotAllowed);
    assert_eq!(
        w.last().predicate_type.as_deref(),
        Some("https://example.test/custom@v1")
    );
}

/// Issue 21: a tenant whose registry entry says `signatures = "all"` gets one signature per
/// active key that fits; the envelope verifies at threshold 2 and the audit record names both.
#[test]
fn a_multi_signature_tenant_signs_with_every_fitting_key() {
    let dir = tempfile::tempdir().unwrap();
    let first = key(Algorithm::EcdsaP256Sha256);
    let second = key(Algorithm::Ed25519);
    let retired = key(Algorithm::Ed25519);
    let mut text = String::from("[[tenant]]\nid = \"acme\"\nsignatures = \"all\"\n");
    for (name, k, status) in [
        ("first.pem", &first, "active"),
        ("second.pem", &second, "active"),
        ("retired.pem", &retired, "retired"),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, k.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
        text.push_str(&format!(
            "[[tenant.key]]\nuri = \"file:{}\"\nstatus = \"{status}\"\n",
            p.display()
        ));
    }
    let config = dir.path().join("keys.toml");
    std::fs::write(&config, text).unwrap();
    let w = world();
    let registry = stellaops_signer::KeyRegistry::load(&config).unwrap();
    let pipeline = w.bypass_pipeline(PipelineKeys::Registry(registry), w.sink.clone());
    let out = w.sign_through(&pipeline, "vex").unwrap();
    assert_eq!(
        out.key_ids(),
        [first.key_id().as_ref(), second.key_id().as_ref()]
    );
    assert_eq!(out.envelope().signatures().len(), 2);
    let both = VerificationPolicy::new(
        [first.public_key().clone(), second.public_key().clone()],
        2,
        None,
    )
    .unwrap();
    out.envelope().verify(&both).unwrap();
    let record = w.last();
    assert_eq!(
        record.key_id.as_deref(),
        Some(format!("{},{}", first.key_id(), second.key_id()).as_str())
    );
    assert_eq!(record.issuer_mode.as_deref(), Some("software"));
}

/// Run the test `name` alone, in a child process that is this test binary filtered to it, and
/// check that it passed there: true in that child (go on with the test), false in the parent
/// (the child did it). For checks on process-wide `tracing` state, which parallel tests share.
fn alone(name: &str) -> bool {
    const CHILD: &str = "STELLAOPS_TEST_ALONE";
    if std::env::var_os(CHILD).is_some_and(|n| n == name) {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--test-threads=1", "--nocapture"])
        .env(CHILD, name)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// A subscriber that records the fields of every span it sees, to check what the pipeline's span
/// carries.
#[derive(Default)]
struct SpanFields(Mutex<Vec<(String, String)>>);

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for SpanFields {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = self.0.lock().unwrap();
        span.record(&mut Fields(&mut fields));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut fields = self.0.lock().unwrap();
        values.record(&mut Fields(&mut fields));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn the_span_carries_trace_id_tenant_and_decision() {
    // tracing caches each callsite's interest process-wide, decided by whichever thread reaches
    // it first; a parallel test without a subscriber can make the pipeline's span a no-op for
    // every thread (about one run in ten). So the check runs alone.
    if !alone("the_span_carries_trace_id_tenant_and_decision") {
        return;
    }
    let w = world();
    let subscriber = Arc::new(SpanFields::default());
    tracing::subscriber::with_default(subscriber.clone(), || {
        w.sign_with("vex", None, 10).unwrap();
    });
    let fields = subscriber.0.lock().unwrap().clone();
    for (name, value) in [
        ("trace_id", "trace-42"),
        ("tenant", TENANT),
        ("decision", "allowed"),
    ] {
        assert!(
            fields.iter().any(|(n, v)| n == name && v == value),
            "{name}={value} missing from {fields:?}"
        );
    }
}

#[test]
fn the_log_sink_gets_one_decision_record_per_request() {
    use stellaops_signer::log_sink::{set_log_sink, LogLevel, LogRecord, DECISION_TARGET};
    // The sink is the process's global subscriber: checked alone.
    if !alone("the_log_sink_gets_one_decision_record_per_request") {
        return;
    }
    let records: Arc<Mutex<Vec<LogRecord>>> = Arc::default();
    let into = Arc::clone(&records);
    assert!(set_log_sink(
        Some(LogLevel::Info),
        Some(Arc::new(move |r: &LogRecord| into
            .lock()
            .unwrap()
            .push(r.clone())))
    ));
    let w = world();
    let out = w.sign_with("vex", None, 10).unwrap();
    assert_eq!(
        w.denied(w.sign_with("sbom", None, 10)),
        Reason::ReleaseUntrusted
    );
    let decisions: Vec<LogRecord> = records
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.target == DECISION_TARGET)
        .cloned()
        .collect();
    assert_eq!(decisions.len(), 2, "{decisions:?}");
    let (allowed, denied) = (&decisions[0], &decisions[1]);
    assert_eq!(allowed.message, "signing decision");
    assert_eq!(allowed.level, LogLevel::Info);
    for (name, want) in [
        ("trace_id", "trace-42"),
        ("tenant", TENANT),
        ("decision", "allowed"),
        ("issuer_mode", "software"),
        ("key_ids", out.key_ids()[0]),
        ("reason", ""),
    ] {
        assert_eq!(allowed.fields[name], want, "{name}");
    }
    assert!(allowed.fields["subject_digests"]
        .as_str()
        .unwrap()
        .contains("@sha256:"));
    assert!(allowed.fields["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(denied.fields["decision"], "denied");
    assert_eq!(denied.fields["reason"], "release.untrusted");
    let line: serde_json::Value = serde_json::from_str(&allowed.to_json()).unwrap();
    assert_eq!(line["level"], "info");
    assert_eq!(line["target"], DECISION_TARGET);
    assert_eq!(line["trace_id"], "trace-42");

    // Off: nothing more arrives.
    let before = records.lock().unwrap().len();
    set_log_sink(None, None);
    w.sign_with("vex", None, 10).unwrap();
    assert_eq!(records.lock().unwrap().len(), before);
}

/// The request's statement: a valid predicate of `predicate_type` about the one subject.
fn statement(predicate_type: &str) -> stellaops_signer::Result<Statement> {
    predicate_statement(
        predicate_type,
        &valid_predicate(predicate_type),
        vec![subject()],
        &Limits::default(),
    )
}

/// A predicate that passes the schema of `predicate_type` (a short name or URI): the StellaOps
/// types' test fixtures, a small CycloneDX document for anything else.
fn valid_predicate(predicate_type: &str) -> Vec<u8> {
    let uri = stellaops_signer::catalog::resolve(predicate_type).unwrap_or_default();
    match uri
        .strip_prefix("stella.ops/")
        .and_then(|n| n.strip_suffix("@v1"))
    {
        Some(name) => std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/fixtures/predicates")
                .join(format!("{name}.json")),
        )
        .unwrap(),
        None => br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#.to_vec(),
    }
}

/// Issue 22: the release verdict on its own, as the faces and the service ask for it.
#[test]
fn the_release_verdict_is_available_without_signing() {
    let w = world();
    assert!(matches!(
        w.pipeline.check_release(&w.release),
        Ok(stellaops_signer::policy::ReleaseTrust::Allowlisted)
    ));
    let other = format!("sha256:{}", "3".repeat(64));
    match w.pipeline.check_release(&other) {
        Err(stellaops_signer::Error::Denied(d)) => {
            assert_eq!(d.reason, stellaops_signer::policy::Reason::ReleaseUntrusted)
        }
        r => panic!("untrusted release: {r:?}"),
    }
    let verdict: serde_json::Value = serde_json::from_slice(
        &stellaops_signer::faces::release_verdict_json(&w.pipeline, &other).unwrap(),
    )
    .unwrap();
    assert_eq!(verdict["trusted"], false);
    assert_eq!(verdict["reason"], "release.untrusted");
    // Nothing was audited: a verdict is not a signing request.
    assert!(w.sink.records.lock().unwrap().is_empty());
}
