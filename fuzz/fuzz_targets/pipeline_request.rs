//! Pipeline requests (JSON): any request is refused with a typed error or a denial, never a
//! panic; every request leaves an audit record that fits one audit line.
#![no_main]

mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use stellaops_poe::audit::MAX_LINE;
use stellaops_poe::{
    AuditRecord, AuditSink, Authenticator, Bypass, DpopPolicy, DpopVerifier, FixedClock,
    MemoryQuotaStore, OpTokPolicy, OpTokVerifier, PoeEvaluator, PoePolicy, QuotaEnforcer,
    QuotaLimits, SignedEntitlements,
};
use stellaops_signer::{PipelineKeys, SignerPipeline, SoftwareKey};

#[derive(Debug, Default)]
struct LastRecord(Mutex<Option<AuditRecord>>);

impl AuditSink for LastRecord {
    fn append(&self, record: &AuditRecord) -> stellaops_poe::Result<()> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(record.clone());
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    static PIPELINE: OnceLock<(SignerPipeline, Arc<LastRecord>)> = OnceLock::new();
    let (pipeline, sink) = PIPELINE.get_or_init(|| {
        let clock = Arc::new(FixedClock::at_unix(1_700_000_000));
        let sink = Arc::new(LastRecord::default());
        let key = SoftwareKey::generate(stellaops_signer::Algorithm::Ed25519).expect("key");
        let pipeline = SignerPipeline::builder()
            .authenticator(Authenticator::new(
                OpTokVerifier::new(
                    OpTokPolicy::new("https://a"),
                    common::jwks("k1"),
                    clock.clone(),
                ),
                DpopVerifier::new(DpopPolicy::default(), None, clock.clone()),
            ))
            .entitlement(PoeEvaluator::new(
                Box::new(SignedEntitlements::in_memory(common::jwks("lic"))),
                PoePolicy {
                    bypass: Some(Bypass {
                        reason: "fuzz".into(),
                        expires_at: UNIX_EPOCH + Duration::from_secs(1_800_000_000),
                    }),
                    ..PoePolicy::default()
                },
                clock.clone(),
            ))
            .quotas(
                QuotaEnforcer::new(Arc::new(MemoryQuotaStore::new()), clock.clone()),
                QuotaLimits::default(),
            )
            .without_release_check()
            .keys(PipelineKeys::Single {
                key: Arc::new(key),
                issuer_mode: stellaops_signer::IssuerMode::Software,
            })
            .audit(sink.clone())
            .clock(clock)
            .build()
            .expect("pipeline");
        (pipeline, sink)
    });
    *sink.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    assert!(
        pipeline.sign_json(data).is_err(),
        "no fuzzed token is the Authority's"
    );
    if let Some(record) = sink.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let line = serde_json::to_vec(&record).expect("record json");
        assert!(line.len() < MAX_LINE, "a bounded record always fits a line");
    }
});
