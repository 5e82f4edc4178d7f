//! Evaluating a tenant's Proof-of-Entitlement: source, last-known-good cache, bypass.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::clock::micros;
use crate::{Clock, Denial, Entitlement, EntitlementSource, Reason, SourceError};

/// An emergency bypass: entitlement is not checked until `expires_at`. Every request signed
/// under it is audited with PoE state `bypass` and this reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bypass {
    /// Why (an incident number, an approver): recorded with every request.
    pub reason: String,
    /// When the bypass stops applying, on its own.
    pub expires_at: SystemTime,
}

/// How entitlement is evaluated.
#[derive(Clone, Debug)]
pub struct PoePolicy {
    /// How long the last known good entitlement may stand in while the source is unavailable
    /// (default 1 hour). Zero disables the cache.
    pub cache_ttl: Duration,
    /// How long an entitlement fetched from the source is reused before the source is asked
    /// again (default zero: every request asks, so a revoked license stops signing at once).
    /// A signer under load sets this to bound both the licensing service's traffic and the
    /// revocation delay; reused entitlements are still re-checked for expiry, tenant and feature.
    pub refresh_interval: Duration,
    /// A feature the entitlement must list (default `signer.sign`); `None` checks none.
    pub required_feature: Option<String>,
    /// The emergency bypass, if configured.
    pub bypass: Option<Bypass>,
}

impl Default for PoePolicy {
    fn default() -> Self {
        PoePolicy {
            cache_ttl: Duration::from_secs(3600),
            refresh_interval: Duration::ZERO,
            required_feature: Some(String::from("signer.sign")),
            bypass: None,
        }
    }
}

/// Where a decision's entitlement came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoeState {
    /// Fetched from the source for this request.
    Fresh,
    /// The source was unavailable; the cached entitlement fetched `age` ago stood in.
    Cached {
        /// How stale it was.
        age: Duration,
    },
    /// The bypass was in force; nothing was checked.
    Bypass {
        /// The bypass's reason.
        reason: String,
    },
}

impl PoeState {
    /// `fresh`, `cached` or `bypass`, for audit records and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            PoeState::Fresh => "fresh",
            PoeState::Cached { .. } => "cached",
            PoeState::Bypass { .. } => "bypass",
        }
    }
}

/// The outcome of an allowed entitlement check.
#[derive(Clone, Debug, PartialEq)]
pub struct PoeOutcome {
    /// The entitlement (none under bypass).
    pub entitlement: Option<Entitlement>,
    /// Where it came from.
    pub state: PoeState,
}

/// Checks entitlements, caching the last good one per tenant.
#[derive(Debug)]
pub struct PoeEvaluator {
    source: Box<dyn EntitlementSource>,
    policy: PoePolicy,
    cache: Mutex<HashMap<String, (Entitlement, i64)>>,
    clock: Arc<dyn Clock>,
}

impl PoeEvaluator {
    /// Whether the entitlement source can be asked now ([`EntitlementSource::probe`]).
    ///
    /// # Errors
    /// What is unreachable.
    pub fn probe_source(&self) -> std::result::Result<(), String> {
        self.source.probe()
    }

    /// An evaluator over `source` under `policy`.
    pub fn new(
        source: Box<dyn EntitlementSource>,
        policy: PoePolicy,
        clock: Arc<dyn Clock>,
    ) -> Self {
        PoeEvaluator {
            source,
            policy,
            cache: Mutex::new(HashMap::new()),
            clock,
        }
    }

    /// The source's name.
    pub fn source_name(&self) -> &'static str {
        self.source.name()
    }

    /// Evaluate `tenant`'s entitlement.
    ///
    /// # Errors
    /// A [`Denial`] with a `poe.*` reason: what the source said, or `poe.unavailable` /
    /// `poe.stale` when it could not be asked and the cache cannot stand in.
    pub fn evaluate(&self, tenant: &str) -> Result<PoeOutcome, Denial> {
        let now = self.clock.now();
        if let Some(bypass) = &self.policy.bypass {
            if now < bypass.expires_at {
                return Ok(PoeOutcome {
                    entitlement: None,
                    state: PoeState::Bypass {
                        reason: bypass.reason.clone(),
                    },
                });
            }
        }
        let now_us = micros(now);
        if !self.policy.refresh_interval.is_zero() {
            let reusable = self
                .cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(tenant)
                .filter(|(_, fetched)| {
                    let age = now_us.saturating_sub(*fetched).max(0).unsigned_abs();
                    u128::from(age) < self.policy.refresh_interval.as_micros()
                })
                .map(|(e, _)| e.clone());
            if let Some(entitlement) = reusable {
                self.check(&entitlement, tenant, now_us)?;
                return Ok(PoeOutcome {
                    entitlement: Some(entitlement),
                    state: PoeState::Fresh,
                });
            }
        }
        // Ask the source without holding the cache lock: a slow licensing service must not
        // serialize every tenant behind one request.
        let fetched = self.source.fetch(tenant);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        match fetched {
            Ok(entitlement) => {
                self.check(&entitlement, tenant, now_us)?;
                cache.insert(tenant.to_owned(), (entitlement.clone(), now_us));
                Ok(PoeOutcome {
                    entitlement: Some(entitlement),
                    state: PoeState::Fresh,
                })
            }
            Err(SourceError::Denied(denial)) => {
                // A revoked or forged answer must not be papered over by an older good one.
                cache.remove(tenant);
                Err(denial)
            }
            Err(SourceError::Unavailable(why)) => {
                let Some((entitlement, fetched)) = cache.get(tenant) else {
                    return Err(Denial::new(
                        Reason::PoeUnavailable,
                        format!("{why}; nothing cached"),
                    ));
                };
                let age =
                    Duration::from_micros(now_us.saturating_sub(*fetched).max(0).unsigned_abs());
                if age > self.policy.cache_ttl {
                    return Err(Denial::new(
                        Reason::PoeStale,
                        format!(
                            "{why}; cached entitlement is {} s old, ttl {} s",
                            age.as_secs(),
                            self.policy.cache_ttl.as_secs()
                        ),
                    ));
                }
                self.check(entitlement, tenant, now_us)?;
                Ok(PoeOutcome {
                    entitlement: Some(entitlement.clone()),
                    state: PoeState::Cached { age },
                })
            }
        }
    }

    fn check(&self, e: &Entitlement, tenant: &str, now_us: i64) -> Result<(), Denial> {
        if e.tenant != tenant {
            return Err(Denial::new(
                Reason::PoeTenant,
                format!("entitlement is for tenant {:?}", e.tenant),
            ));
        }
        if e.expires_at.saturating_mul(1_000_000) <= now_us {
            return Err(Denial::new(
                Reason::PoeExpired,
                format!("license {} expired", e.license_id),
            ));
        }
        if let Some(feature) = &self.policy.required_feature {
            if !e.features.iter().any(|f| f == feature) {
                return Err(Denial::new(
                    Reason::PoeFeature,
                    format!("license {} lacks {feature}", e.license_id),
                ));
            }
        }
        Ok(())
    }
}
