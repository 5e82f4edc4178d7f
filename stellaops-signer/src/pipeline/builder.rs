//! [`PipelineBuilder`]: every part of a [`SignerPipeline`] given, or the build says which is not.

use std::sync::Arc;
use std::time::Duration;

use stellaops_poe::audit::Anchoring;
use stellaops_poe::{
    AuditSink, Authenticator, Clock, PoeEvaluator, QuotaEnforcer, QuotaLimits, ReleaseVerifier,
    SystemClock,
};
use stellaops_predicates::catalog::Family;
use stellaops_predicates::{AllowList, EnforcementMode};

use super::{PipelineKeys, SignerPipeline};
use crate::{Error, Result};

/// The predicate families whose signing needs a trusted scanner release unless configured
/// otherwise: what a scanner produces, SBOMs, reachability evidence and scan reports (the
/// `stella.ops/report@v1` predicate is in the policy family).
pub const DEFAULT_RELEASE_FAMILIES: [Family; 3] =
    [Family::Sbom, Family::Reachability, Family::Policy];

#[derive(Debug)]
pub(super) enum ReleaseCheck {
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
    anchoring: Option<(Anchoring, Duration)>,
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

    /// Check the scanner release for predicates of `families` ([`DEFAULT_RELEASE_FAMILIES`]
    /// when `None`: SBOMs, reachability and scan reports). Narrow it with a list, or turn the
    /// check off with [`PipelineBuilder::without_release_check`].
    pub fn release_check(
        mut self,
        verifier: ReleaseVerifier,
        families: Option<Vec<Family>>,
    ) -> Self {
        self.releases = Some(ReleaseCheck::Verify {
            verifier: Box::new(verifier),
            families: families.unwrap_or_else(|| DEFAULT_RELEASE_FAMILIES.to_vec()),
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

    /// Anchor the audit sink's chain head through `anchoring`: the built pipeline runs a round
    /// at once and every `every` on a thread of its own, and a last one when dropped (see
    /// [`SignerPipeline::anchor_audit`]; default: no anchoring).
    pub fn anchoring(mut self, anchoring: Anchoring, every: Duration) -> Self {
        self.anchoring = Some((anchoring, every));
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
        let audit = self.audit.ok_or_else(|| missing("audit sink"))?;
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
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
            anchoring: self.anchoring.map(|(anchoring, every)| {
                super::anchor::AnchorSchedule::start(anchoring, every, audit.clone(), clock.clone())
            }),
            audit,
            clock,
        })
    }
}
