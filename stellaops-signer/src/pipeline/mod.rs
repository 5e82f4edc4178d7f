//! `SignerPipeline`: signing on behalf of callers, with policy first and an audit record always.
//!
//! authenticate → entitle → quota → admit the statement (allow-list, schema) → release check →
//! the tenant's keys (one, or all of them for a multi-signature tenant) → sign → audit. Every request leaves exactly one audit record, allowed,
//! denied or failed; when that record cannot be written the caller gets
//! [`Error::Audit`] and no envelope.

mod anchor;
mod builder;
mod caller;
mod config;
mod deferred;
mod json;
mod readiness;
mod tenant;

pub use builder::{PipelineBuilder, DEFAULT_RELEASE_FAMILIES};
pub use caller::CallerContext;
pub use deferred::{defer_audit, DeferredAudit};
pub use json::{outcome_json, release_verdict_json};
pub use readiness::{ReadinessCheck, PROBE_MESSAGE};
pub use stellaops_poe::audit::{AnchorRound, ChainHead};

use std::sync::Arc;
use std::time::Instant;

use builder::ReleaseCheck;
use stellaops_crypto::SigningKey;
use stellaops_keys::{KeyRegistry, Selector};
use stellaops_poe::audit::{bound_text, timestamp, MAX_DETAIL_BYTES, MAX_FIELD_BYTES};
use stellaops_poe::{
    AuditRecord, AuditSink, AuthRequest, Authenticator, Clock, Denial, PoeEvaluator, PoeState,
    QuotaEnforcer, QuotaLimits, Reason, ReleaseTrust,
};
use stellaops_predicates::catalog::{self, Family};
use stellaops_predicates::{AllowList, Statement, Subject};

use crate::authority::{admit, CallerFacts, IssuerMode, Outcome};
use crate::{Error, Result};

/// Where the pipeline's signing keys come from.
#[derive(Debug)]
pub enum PipelineKeys {
    /// Tenant-aware: the registry picks the key by tenant, plan and predicate family, with
    /// rotation windows and revocation.
    Registry(KeyRegistry),
    /// One key for every tenant (single-tenant deployments), with its issuer mode for audit.
    Single {
        /// The key.
        key: Arc<dyn SigningKey>,
        /// How it signs.
        issuer_mode: IssuerMode,
    },
}

/// One signing request: who asks, and the statement to sign.
#[derive(Debug)]
pub struct PipelineRequest<'a> {
    /// The caller's token, proof, certificate and tenant.
    pub auth: AuthRequest<'a>,
    /// The statement, built once by the caller (its predicate type a full URI).
    pub statement: Statement,
    /// The artifact's size in bytes, for the plan's size limit. `None` (not known) is refused
    /// when the caller's plan limits size.
    pub artifact_bytes: Option<u64>,
    /// The digest (`sha256:<hex>`) of the scanner release that produced the artifact; required
    /// for the predicate families under release check.
    pub scanner_release: Option<&'a str>,
    /// The caller's trace id; one is made up when absent.
    pub trace_id: Option<&'a str>,
}

/// The entitlement feature a tenant needs to be signed for keylessly.
pub const KEYLESS_FEATURE: &str = "signer.keyless";

/// Signing with policy: see the module documentation.
#[derive(Debug)]
pub struct SignerPipeline {
    authenticator: Authenticator,
    poe: PoeEvaluator,
    quotas: QuotaEnforcer,
    default_limits: QuotaLimits,
    releases: ReleaseCheck,
    keys: PipelineKeys,
    allow_list: AllowList,
    audit: Arc<dyn AuditSink>,
    anchoring: Option<anchor::AnchorSchedule>,
    clock: Arc<dyn Clock>,
}

/// Why a run stopped: refused by policy, or failed.
enum Stop {
    Denied(Denial),
    Failed(Error),
}

impl From<Denial> for Stop {
    fn from(d: Denial) -> Self {
        Stop::Denied(d)
    }
}

impl<E: Into<Error>> From<E> for Stop {
    fn from(e: E) -> Self {
        Stop::Failed(e.into())
    }
}

/// A fresh trace id, 32 lowercase hex digits (W3C trace context's form): what the pipeline
/// records when a request brings none, and what a service makes so its answer and the audit
/// record carry the same one.
pub fn new_trace_id() -> String {
    use rand_core::RngCore as _;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn subject_digests(subjects: &[Subject]) -> Vec<String> {
    subjects
        .iter()
        .map(|s| {
            let (alg, hex) = s
                .digest()
                .get_key_value("sha256")
                .or_else(|| s.digest().iter().next())
                .map(|(a, h)| (a.as_str(), h.as_str()))
                .unwrap_or(("none", ""));
            format!("{}@{alg}:{hex}", s.name())
        })
        .collect()
}

/// The one log event of a decision, from the audit record as written (caller data bounded).
fn log_decision(record: &AuditRecord, latency: std::time::Duration) {
    tracing::info!(
        target: crate::log_sink::DECISION_TARGET,
        trace_id = %record.trace_id,
        tenant = %record.tenant,
        subject_digests = %record.subject_digests.join(","),
        issuer_mode = record.issuer_mode.as_deref().unwrap_or(""),
        decision = %record.decision,
        reason = record.reason.as_deref().unwrap_or(""),
        key_ids = record.key_id.as_deref().unwrap_or(""),
        predicate_type = record.predicate_type.as_deref().unwrap_or(""),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "signing decision"
    );
}

impl SignerPipeline {
    /// The scanner-release verdict for `digest` (`sha256:<hex>`) under this pipeline's
    /// `[release]` configuration, on its own: the check a request of a release-checked family
    /// goes through (allow-list, then signatures in the registry, then overrides), for a caller
    /// that wants the verdict before or without signing (the service's
    /// `GET /api/v1/signer/verify/referrers`).
    ///
    /// # Errors
    /// [`Error::Denied`] with `release.untrusted` and what was tried; [`Error::PipelineConfig`]
    /// when the configuration turns the release check off.
    pub fn check_release(&self, digest: &str) -> Result<ReleaseTrust> {
        match &self.releases {
            ReleaseCheck::Verify { verifier, .. } => verifier
                .check(digest, self.clock.as_ref())
                .map_err(Error::Denied),
            ReleaseCheck::Off => Err(Error::PipelineConfig(
                "the scanner release check is off ([release] check = false)".into(),
            )),
        }
    }

    /// Whether a request touches only memory and local files: software keys, in-memory quota
    /// and DPoP replay stores, entitlement documents, no registry lookups for the release check.
    /// Such a call is tens of microseconds of CPU and may run on an async runtime's worker;
    /// otherwise it may wait on another process or machine (a key backend, Redis, the
    /// licensing service, a registry) and belongs on a blocking pool. Audit appends are local
    /// writes either way; their durability wait can be deferred ([`defer_audit`]). Asked per
    /// request: a key registry may load a remote key at any time.
    pub fn runs_in_memory(&self) -> bool {
        let keys = match &self.keys {
            PipelineKeys::Single { issuer_mode, .. } => *issuer_mode == IssuerMode::Software,
            PipelineKeys::Registry(registry) => {
                registry.entries().iter().all(|e| e.uri.scheme() == "file")
            }
        };
        let release = match &self.releases {
            ReleaseCheck::Verify { verifier, .. } => !verifier.looks_up_signatures(),
            ReleaseCheck::Off => true,
        };
        keys && release
            && self.quotas.store_name() == "memory"
            && self.authenticator.dpop().replay_store_name() == "memory"
            && self.poe.source_name() == "signed-document"
    }

    /// The DPoP nonce a service hands out now (`DPoP-Nonce` header), when the configuration
    /// requires server nonces (`[dpop] nonce_period_seconds`).
    pub fn dpop_nonce(&self) -> Option<String> {
        self.authenticator.dpop().current_nonce()
    }

    /// Start building a pipeline.
    pub fn builder() -> PipelineBuilder {
        PipelineBuilder::default()
    }

    /// Run one request. Most callers go through
    /// [`Authority::pipeline`](crate::Authority::pipeline) instead.
    ///
    /// # Errors
    /// [`Error::Denied`] with the stable reason when policy refuses; [`Error::Audit`] when the
    /// audit record cannot be written (nothing is returned then, even if signing succeeded);
    /// key, statement and signing errors as elsewhere in the facade.
    pub fn sign(&self, request: PipelineRequest<'_>) -> Result<Outcome> {
        let started = Instant::now();
        let trace_id = request.trace_id.map_or_else(new_trace_id, str::to_owned);
        // Tenant and trace id come from the caller before it is authenticated: bounded before
        // they are logged, as the audit record bounds them before they are recorded.
        let span = tracing::info_span!(
            "stellaops.sign",
            trace_id = %bound_text(&trace_id, MAX_FIELD_BYTES).0,
            tenant = %bound_text(request.auth.tenant, MAX_FIELD_BYTES).0,
            decision = tracing::field::Empty,
        );
        let _entered = span.enter();
        let mut record = AuditRecord {
            time: timestamp(self.clock.as_ref()),
            trace_id: trace_id.clone(),
            tenant: request.auth.tenant.to_owned(),
            subject_digests: subject_digests(request.statement.subjects()),
            predicate_type: Some(request.statement.predicate_type().to_owned()),
            ..AuditRecord::default()
        };
        let result = self.run(request, &mut record, trace_id);
        let (decision, reason) = match &result {
            Ok(_) => ("allowed", None),
            Err(Stop::Denied(d)) => ("denied", Some(d.reason.code())),
            Err(Stop::Failed(e)) => ("error", Some(e.code().name())),
        };
        span.record("decision", decision);
        record.decision = decision.to_owned();
        record.reason = reason.map(str::to_owned);
        if let Err(stop) = &result {
            record.detail = Some(match stop {
                Stop::Denied(d) => d.detail.clone(),
                Stop::Failed(e) => e.to_string(),
            });
        }
        let record = record.bounded();
        if let Err(e) = self.audit.append(&record) {
            metrics::counter!("stellaops_signer_audit_failures_total").increment(1);
            tracing::error!(
                trace_id = %record.trace_id,
                error = %e,
                "audit record not written; nothing is returned"
            );
            return Err(Error::Audit(e));
        }
        log_decision(&record, started.elapsed());
        match result {
            Ok(outcome) => {
                metrics::histogram!("stellaops_signer_sign_seconds")
                    .record(started.elapsed().as_secs_f64());
                for s in &outcome.signatures {
                    metrics::counter!("stellaops_signer_key_usage_total", "key_id" => s.key_id.clone())
                        .increment(1);
                }
                Ok(outcome)
            }
            Err(Stop::Denied(d)) => {
                let family = d.reason.code().split('.').next().unwrap_or("other");
                let name = match family {
                    "poe" => "stellaops_signer_poe_failures_total",
                    "quota" => "stellaops_signer_quota_hits_total",
                    _ => "stellaops_signer_denials_total",
                };
                metrics::counter!(name, "reason" => d.reason.code()).increment(1);
                tracing::info!(
                    reason = d.reason.code(),
                    detail = %bound_text(&d.detail, MAX_DETAIL_BYTES).0,
                    "denied"
                );
                Err(Error::Denied(d))
            }
            Err(Stop::Failed(e)) => {
                metrics::counter!("stellaops_signer_errors_total", "code" => e.code().name())
                    .increment(1);
                Err(e)
            }
        }
    }

    fn run(
        &self,
        request: PipelineRequest<'_>,
        record: &mut AuditRecord,
        trace_id: String,
    ) -> std::result::Result<Outcome, Stop> {
        let tenant = request.auth.tenant;
        let caller = self.authenticator.authenticate(&request.auth)?;
        record.caller = Some(caller.token.subject.clone());
        record.binding = Some(caller.binding.name().to_owned());
        record.replay_fail_open = caller.replay_fail_open.clone();

        let poe = self.poe.evaluate(tenant)?;
        record.poe_state = Some(poe.state.name().to_owned());
        record.poe_detail = match &poe.state {
            PoeState::Fresh => poe
                .entitlement
                .as_ref()
                .map(|e| format!("license {}", e.license_id)),
            PoeState::Cached { age } => Some(format!(
                "source unavailable; cached {} s ago",
                age.as_secs()
            )),
            PoeState::Bypass { reason } => Some(reason.clone()),
        };

        let (plan, limits) = match &poe.entitlement {
            Some(e) => (e.plan.as_str(), e.quotas.unwrap_or(self.default_limits)),
            None => ("bypass", self.default_limits),
        };
        let lease = self
            .quotas
            .admit(tenant, plan, &limits, request.artifact_bytes)?;
        record.quota_fail_open = lease.fail_open.clone();

        let statement = request.statement;
        let admission = match admit(&self.allow_list, &statement) {
            Ok(a) => a,
            Err(Error::Denied(d)) => return Err(Stop::Denied(d)),
            Err(e) => return Err(Stop::Failed(e)),
        };
        let family = catalog::family(statement.predicate_type());

        let release = match &self.releases {
            ReleaseCheck::Verify { verifier, families }
                if family.is_some_and(|f| families.contains(&f)) =>
            {
                let digest = request.scanner_release.ok_or_else(|| {
                    Denial::new(Reason::ReleaseUntrusted, "no scanner release digest given")
                })?;
                let trust = verifier.check(digest, self.clock.as_ref())?;
                record.release = Some(match &trust {
                    ReleaseTrust::Allowlisted => String::from("allowlist"),
                    ReleaseTrust::Signed { key_id, .. } => format!("signature {key_id}"),
                    ReleaseTrust::Override {
                        reason,
                        approved_by,
                    } => {
                        format!("override {reason} (approved by {approved_by})")
                    }
                });
                Some(trust)
            }
            _ => None,
        };

        let selector = Selector {
            plan: Some(plan),
            family: family.map(Family::name),
        };
        // Keyless signing is a licensed feature of its own; a bypass (no entitlement at hand)
        // admits it like everything else, and is audited as a bypass.
        let keyless_licensed = poe
            .entitlement
            .as_ref()
            .is_none_or(|e| e.features.iter().any(|f| f == KEYLESS_FEATURE));
        let mut outcome = match tenant::sign(
            &self.keys,
            tenant,
            selector,
            self.clock.now(),
            keyless_licensed,
            statement,
            admission,
        ) {
            Ok(outcome) => outcome,
            Err(Error::Denied(d)) => return Err(Stop::Denied(d)),
            Err(e) => return Err(Stop::Failed(e)),
        };
        // The lease is held until the signature exists, then given back.
        drop(lease);
        record.key_id = Some(outcome.key_ids().join(","));
        record.issuer_mode = Some(outcome.issuer_mode());
        record.envelope_digest = Some(outcome.bundle_digest.clone());
        outcome.pipeline = Some(CallerFacts {
            caller,
            poe_state: poe.state,
            release,
            trace_id,
        });
        Ok(outcome)
    }
}
