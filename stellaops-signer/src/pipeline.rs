//! `SignerPipeline`: signing on behalf of callers, with policy first and an audit record always.
//!
//! authenticate → entitle → quota → release check → resolve the tenant's key → build the
//! statement (allow-list) → sign → audit. Every request leaves exactly one audit record, allowed,
//! denied or failed; when that record cannot be written the caller gets
//! [`Error::Audit`] and no envelope.

use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};
use stellaops_crypto::{Algorithm, SigningKey};
use stellaops_dsse::canon::Limits;
use stellaops_dsse::Envelope;
use stellaops_keys::{KeyRegistry, Selector};
use stellaops_poe::audit::{bound_text, timestamp, MAX_DETAIL_BYTES, MAX_FIELD_BYTES};
use stellaops_poe::{
    AuditRecord, AuditSink, AuthRequest, Authenticator, Caller, Clock, Denial, PoeEvaluator,
    PoeState, QuotaEnforcer, QuotaLimits, Reason, ReleaseTrust, ReleaseVerifier, SystemClock,
};
use stellaops_predicates::catalog::{self, Family};
use stellaops_predicates::{
    AllowList, EnforcementMode, Statement, StatementBuilder, Subject, PAYLOAD_TYPE,
};

use crate::{Error, Result};

/// Where the pipeline's signing keys come from.
#[derive(Debug)]
pub enum PipelineKeys {
    /// Tenant-aware: the registry picks the key by tenant, plan and predicate family, with
    /// rotation windows and revocation.
    Registry(KeyRegistry),
    /// One key for every tenant (single-tenant deployments), with its issuer mode for audit
    /// (`keyful`, `hsm`, `kms`, `vault`).
    Single {
        /// The key.
        key: Arc<dyn SigningKey>,
        /// How it signs, for audit records.
        issuer_mode: &'static str,
    },
}

/// The issuer mode of a key URI scheme, for audit records.
pub fn issuer_mode(scheme: &str) -> &'static str {
    match scheme {
        "pkcs11" => "hsm",
        "awskms" | "gcpkms" | "azurekms" => "kms",
        "hashivault" => "vault",
        _ => "keyful",
    }
}

/// One signing request.
#[derive(Debug)]
pub struct PipelineRequest<'a> {
    /// The caller's token, proof, certificate and tenant.
    pub auth: AuthRequest<'a>,
    /// The predicate type: a URI or a catalog short name (`sbom`, `vex`, ...).
    pub predicate_type: &'a str,
    /// The predicate, as JSON (parsed strictly).
    pub predicate_json: &'a [u8],
    /// The statement's subjects.
    pub subjects: Vec<Subject>,
    /// The artifact's size in bytes, for the plan's size limit. `None` (not known) is refused
    /// when the caller's plan limits size.
    pub artifact_bytes: Option<u64>,
    /// The digest (`sha256:<hex>`) of the scanner release that produced the artifact; required
    /// for the predicate families under release check.
    pub scanner_release: Option<&'a str>,
    /// The caller's trace id; one is made up when absent.
    pub trace_id: Option<&'a str>,
}

/// A signed request and the facts about it.
#[derive(Debug)]
pub struct PipelineOutcome {
    /// The signed envelope.
    pub envelope: Envelope,
    /// The envelope's JSON bytes, as hashed into `bundle_digest` (made once per request).
    pub envelope_json: Vec<u8>,
    /// The statement it carries.
    pub statement: Statement,
    /// The signing key's id.
    pub key_id: String,
    /// The signature algorithm.
    pub algorithm: Algorithm,
    /// The signing key's certificate chain (DER, leaf first); empty for raw keys.
    pub certificate_chain: Vec<Vec<u8>>,
    /// `sha256:<hex>` of the envelope's JSON bytes, as audited.
    pub bundle_digest: String,
    /// How the key signs: `keyful`, `hsm`, `kms`, `vault`.
    pub issuer_mode: &'static str,
    /// The authenticated caller.
    pub caller: Caller,
    /// Where the entitlement came from.
    pub poe_state: PoeState,
    /// Why the scanner release was trusted, when it was checked.
    pub release: Option<ReleaseTrust>,
    /// The trace id of the request.
    pub trace_id: String,
}

#[derive(Debug)]
enum ReleaseCheck {
    Verify {
        verifier: Box<ReleaseVerifier>,
        families: Vec<Family>,
    },
    Off,
}

/// Builds a [`SignerPipeline`]; every part must be given, and the release check must be either
/// configured or explicitly turned off.
#[derive(Debug, Default)]
pub struct PipelineBuilder {
    authenticator: Option<Authenticator>,
    poe: Option<PoeEvaluator>,
    quotas: Option<(QuotaEnforcer, QuotaLimits)>,
    releases: Option<ReleaseCheck>,
    keys: Option<PipelineKeys>,
    allow_list: Option<AllowList>,
    audit: Option<Arc<dyn AuditSink>>,
    clock: Option<Arc<dyn Clock>>,
}

impl PipelineBuilder {
    /// Who may call.
    pub fn authenticator(mut self, a: Authenticator) -> Self {
        self.authenticator = Some(a);
        self
    }

    /// Proof-of-Entitlement.
    pub fn entitlement(mut self, poe: PoeEvaluator) -> Self {
        self.poe = Some(poe);
        self
    }

    /// Plan quotas, with the limits used when an entitlement names none (and under bypass).
    pub fn quotas(mut self, enforcer: QuotaEnforcer, default_limits: QuotaLimits) -> Self {
        self.quotas = Some((enforcer, default_limits));
        self
    }

    /// Check the scanner release for predicates of `families` (the SBOM and reachability
    /// families, i.e. what a scanner produces, when `None`).
    pub fn release_check(
        mut self,
        verifier: ReleaseVerifier,
        families: Option<Vec<Family>>,
    ) -> Self {
        self.releases = Some(ReleaseCheck::Verify {
            verifier: Box::new(verifier),
            families: families.unwrap_or_else(|| vec![Family::Sbom, Family::Reachability]),
        });
        self
    }

    /// Sign without checking scanner releases (deployments that sign no scanner output).
    pub fn without_release_check(mut self) -> Self {
        self.releases = Some(ReleaseCheck::Off);
        self
    }

    /// The signing keys.
    pub fn keys(mut self, keys: PipelineKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The predicate-type allow-list (default: the catalog, rejecting anything else).
    pub fn allow_list(mut self, allow_list: AllowList) -> Self {
        self.allow_list = Some(allow_list);
        self
    }

    /// Where audit records go.
    pub fn audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = Some(sink);
        self
    }

    /// The clock (default: the system clock). Give the same clock to the policy parts.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The pipeline.
    ///
    /// # Errors
    /// [`Error::PipelineConfig`] naming the first missing part.
    pub fn build(self) -> Result<SignerPipeline> {
        let missing = |what: &str| Error::PipelineConfig(format!("no {what} configured"));
        let (quotas, default_limits) = self.quotas.ok_or_else(|| missing("quotas"))?;
        Ok(SignerPipeline {
            authenticator: self.authenticator.ok_or_else(|| missing("authenticator"))?,
            poe: self.poe.ok_or_else(|| missing("entitlement"))?,
            quotas,
            default_limits,
            releases: self.releases.ok_or_else(|| {
                missing("release check (configure one, or call without_release_check)")
            })?,
            keys: self.keys.ok_or_else(|| missing("keys"))?,
            allow_list: self
                .allow_list
                .unwrap_or_else(|| AllowList::catalog(EnforcementMode::Reject)),
            audit: self.audit.ok_or_else(|| missing("audit sink"))?,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            limits: Limits::default(),
        })
    }
}

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
    clock: Arc<dyn Clock>,
    limits: Limits,
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

fn new_trace_id() -> String {
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

impl SignerPipeline {
    /// Start building a pipeline.
    pub fn builder() -> PipelineBuilder {
        PipelineBuilder::default()
    }

    /// Run one request.
    ///
    /// # Errors
    /// [`Error::Denied`] with the stable reason when policy refuses; [`Error::Audit`] when the
    /// audit record cannot be written (nothing is returned then, even if signing succeeded);
    /// key, statement and signing errors as elsewhere in the facade.
    pub fn sign(&self, request: PipelineRequest<'_>) -> Result<PipelineOutcome> {
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
            subject_digests: subject_digests(&request.subjects),
            ..AuditRecord::default()
        };
        let result = self.run(&request, &mut record, trace_id);
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
        if let Err(e) = self.audit.append(&record.bounded()) {
            metrics::counter!("stellaops_signer_audit_failures_total").increment(1);
            tracing::error!(error = %e, "audit record not written; nothing is returned");
            return Err(Error::Audit(e));
        }
        match result {
            Ok(outcome) => {
                metrics::histogram!("stellaops_signer_sign_seconds")
                    .record(started.elapsed().as_secs_f64());
                metrics::counter!("stellaops_signer_key_usage_total", "key_id" => outcome.key_id.clone())
                    .increment(1);
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
        request: &PipelineRequest<'_>,
        record: &mut AuditRecord,
        trace_id: String,
    ) -> std::result::Result<PipelineOutcome, Stop> {
        let tenant = request.auth.tenant;
        let caller = self.authenticator.authenticate(&request.auth)?;
        record.caller = Some(caller.token.subject.clone());
        record.binding = Some(caller.binding.name().to_owned());

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
        let admission = self
            .quotas
            .admit(tenant, plan, &limits, request.artifact_bytes)?;
        record.quota_fail_open = admission.fail_open.clone();

        let uri = catalog::resolve(request.predicate_type)?;
        record.predicate_type = Some(uri.clone());
        if self.allow_list.admit(&uri).is_err() {
            return Err(Stop::Denied(Denial::new(
                Reason::PredicateNotAllowed,
                format!("{uri} is not on the allow-list"),
            )));
        }
        let family = catalog::family(&uri);

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

        let tenant_key;
        let (key, mode): (&dyn SigningKey, &'static str) = match &self.keys {
            PipelineKeys::Single { key, issuer_mode } => (key.as_ref(), *issuer_mode),
            PipelineKeys::Registry(registry) => {
                let selector = Selector {
                    plan: Some(plan),
                    family: family.map(Family::name),
                };
                tenant_key = registry.signing_key(tenant, selector, self.clock.now())?;
                // The registry keeps its previous entries when an edit does not parse; a
                // revocation in that edit must not be silently ignored, so sign nothing.
                if let Some(problem) = registry.last_reload_error() {
                    return Err(Stop::Failed(Error::PipelineConfig(format!(
                        "the key configuration did not reload: {problem}"
                    ))));
                }
                let mode = issuer_mode(tenant_key.entry().uri.scheme());
                (&tenant_key, mode)
            }
        };
        let key_id = key.key_id().to_string();
        record.key_id = Some(key_id.clone());
        record.issuer_mode = Some(mode.to_owned());

        let builder =
            StatementBuilder::new(uri).predicate_json(request.predicate_json, &self.limits)?;
        let statement = request
            .subjects
            .iter()
            .cloned()
            .fold(builder, StatementBuilder::subject)
            .build()?;
        let envelope = Envelope::sign(PAYLOAD_TYPE, statement.to_json()?, &[key])?;
        // The lease is held until the signature exists, then given back.
        drop(admission);
        let envelope_json = envelope.to_json();
        let bundle_digest = format!("sha256:{}", hex::encode(Sha256::digest(&envelope_json)));
        record.envelope_digest = Some(bundle_digest.clone());
        Ok(PipelineOutcome {
            envelope,
            envelope_json,
            statement,
            key_id,
            algorithm: key.algorithm(),
            certificate_chain: key.certificate_chain().to_vec(),
            bundle_digest,
            issuer_mode: mode,
            caller,
            poe_state: poe.state,
            release,
            trace_id,
        })
    }
}
