//! Plan quotas: request rate (token bucket with burst), concurrent signings (leases), artifact
//! size. State lives in a [`QuotaStore`]: in memory for one process, or shared (Redis) by a fleet.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Clock, Denial, Reason, Result};

/// A plan's limits. `None` leaves that dimension unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaLimits {
    /// Sustained signing requests per second.
    #[serde(default)]
    pub requests_per_second: Option<f64>,
    /// Requests that may arrive at once on top of the rate (the bucket's size; default: the
    /// rate rounded up, at least 1).
    #[serde(default)]
    pub burst: Option<u32>,
    /// Signings in flight at once.
    #[serde(default)]
    pub max_concurrent: Option<u32>,
    /// Largest artifact, in bytes.
    #[serde(default)]
    pub max_artifact_bytes: Option<u64>,
}

impl QuotaLimits {
    fn burst(&self, rate: f64) -> u32 {
        self.burst
            .unwrap_or_else(|| (rate.ceil() as u32).max(1))
            .max(1)
    }
}

/// Shared quota state. Implementations must make each call atomic: the enforcer's exactness
/// under concurrency is theirs.
pub trait QuotaStore: fmt::Debug + Send + Sync {
    /// A short name for audit records (`memory`, `redis`).
    fn name(&self) -> &'static str;

    /// Take one token from `key`'s bucket (capacity `burst`, refilled at `rate` per second;
    /// a new bucket starts full) at `now_micros`. True when a token was taken.
    ///
    /// # Errors
    /// [`crate::Error::QuotaStore`] when the store cannot be reached.
    fn take_token(&self, key: &str, rate: f64, burst: u32, now_micros: i64) -> Result<bool>;

    /// Hold one of `max` concurrency slots of `key` under `lease` until it is released or
    /// `expires_micros` passes (so a crashed holder cannot leak a slot forever). True when held.
    ///
    /// # Errors
    /// [`crate::Error::QuotaStore`].
    fn acquire_slot(
        &self,
        key: &str,
        lease: &str,
        max: u32,
        now_micros: i64,
        expires_micros: i64,
    ) -> Result<bool>;

    /// Give a slot back.
    ///
    /// # Errors
    /// [`crate::Error::QuotaStore`].
    fn release_slot(&self, key: &str, lease: &str) -> Result<()>;

    /// Whether the store answers now (a service's readiness probe); in-process stores always do.
    ///
    /// # Errors
    /// [`crate::Error::QuotaStore`] when it cannot be reached.
    fn ping(&self) -> Result<()> {
        Ok(())
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: i64,
}

/// Quota state in this process's memory.
#[derive(Debug, Default)]
pub struct MemoryQuotaStore {
    buckets: Mutex<std::collections::HashMap<String, Bucket>>,
    slots: Mutex<std::collections::HashMap<String, std::collections::HashMap<String, i64>>>,
}

impl MemoryQuotaStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl QuotaStore for MemoryQuotaStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn take_token(&self, key: &str, rate: f64, burst: u32, now_micros: i64) -> Result<bool> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: f64::from(burst),
            updated: now_micros,
        });
        let elapsed = (now_micros - bucket.updated).max(0) as f64 / 1e6;
        bucket.tokens = (bucket.tokens + elapsed * rate).min(f64::from(burst));
        bucket.updated = bucket.updated.max(now_micros);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn acquire_slot(
        &self,
        key: &str,
        lease: &str,
        max: u32,
        now_micros: i64,
        expires_micros: i64,
    ) -> Result<bool> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let held = slots.entry(key.to_owned()).or_default();
        held.retain(|_, until| *until > now_micros);
        if held.len() >= max as usize {
            return Ok(false);
        }
        held.insert(lease.to_owned(), expires_micros);
        Ok(true)
    }

    fn release_slot(&self, key: &str, lease: &str) -> Result<()> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = slots.get_mut(key) {
            held.remove(lease);
            if held.is_empty() {
                slots.remove(key);
            }
        }
        Ok(())
    }
}

/// A held concurrency slot, given back when dropped (also when signing fails or panics).
#[derive(Debug)]
pub struct Lease {
    store: Arc<dyn QuotaStore>,
    key: String,
    id: String,
}

impl Lease {
    /// The lease's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // A release that fails leaves the slot to expire with its lease TTL; nothing else to do.
        let _ = self.store.release_slot(&self.key, &self.id);
    }
}

/// What an admitted request holds.
#[derive(Debug)]
pub struct QuotaAdmission {
    /// The concurrency slot, when the plan limits concurrency.
    pub lease: Option<Lease>,
    /// Set when the store failed and the policy let the request through anyway (fail-open):
    /// the store's error, for the audit record.
    pub fail_open: Option<String>,
}

/// Applies plan limits over a store.
#[derive(Debug)]
pub struct QuotaEnforcer {
    store: Arc<dyn QuotaStore>,
    clock: Arc<dyn Clock>,
    fail_open: bool,
    lease_ttl: Duration,
    instance: String,
    next_lease: AtomicU64,
}

impl QuotaEnforcer {
    /// An enforcer over `store` that fails closed (a store error denies with `quota.store`) and
    /// holds leases for at most 5 minutes.
    pub fn new(store: Arc<dyn QuotaStore>, clock: Arc<dyn Clock>) -> Self {
        let instance = format!(
            "{:x}-{}",
            crate::clock::micros(std::time::SystemTime::now()),
            std::process::id()
        );
        QuotaEnforcer {
            store,
            clock,
            fail_open: false,
            lease_ttl: Duration::from_secs(300),
            instance,
            next_lease: AtomicU64::new(0),
        }
    }

    /// Let requests through when the store fails (each such admission says so, for audit).
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        self.fail_open = fail_open;
        self
    }

    /// How long a concurrency lease lives if its holder never releases it.
    pub fn lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = ttl;
        self
    }

    /// Whether the quota store answers now ([`QuotaStore::ping`]).
    ///
    /// # Errors
    /// [`crate::Error::QuotaStore`].
    pub fn ping(&self) -> Result<()> {
        self.store.ping()
    }

    /// The store's name (`memory`, `redis`).
    pub fn store_name(&self) -> &'static str {
        self.store.name()
    }

    /// Admit one signing of an artifact of `artifact_bytes` (`None`: the size is unknown) for
    /// `tenant` on `plan` under `limits`. Checks size, then rate, then concurrency. An unknown
    /// size does not pass a plan that limits size.
    ///
    /// # Errors
    /// `quota.size`, `quota.rate`, `quota.concurrency`, or `quota.store` when the store fails
    /// and the policy fails closed.
    pub fn admit(
        &self,
        tenant: &str,
        plan: &str,
        limits: &QuotaLimits,
        artifact_bytes: Option<u64>,
    ) -> std::result::Result<QuotaAdmission, Denial> {
        if let Some(max) = limits.max_artifact_bytes {
            match artifact_bytes {
                Some(bytes) if bytes <= max => {}
                Some(bytes) => {
                    return Err(Denial::new(
                        Reason::QuotaSize,
                        format!("artifact of {bytes} bytes exceeds the plan's {max}"),
                    ))
                }
                None => {
                    return Err(Denial::new(
                        Reason::QuotaSize,
                        format!(
                        "the artifact's size was not given and the plan limits it to {max} bytes"
                    ),
                    ))
                }
            }
        }
        // Length-prefixed so that no tenant name can collide with another tenant/plan pair.
        let key = format!("{}:{tenant}:{plan}", tenant.len());
        let now = self.clock.now_micros();
        let mut fail_open = None;
        if let Some(rate) = limits.requests_per_second {
            match self.store.take_token(&key, rate, limits.burst(rate), now) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Denial::new(
                        Reason::QuotaRate,
                        format!("above the plan's {rate} requests per second"),
                    ))
                }
                Err(e) => fail_open = Some(self.store_failed(e)?),
            }
        }
        let mut lease = None;
        if let Some(max) = limits.max_concurrent {
            let id = format!(
                "{}-{}",
                self.instance,
                self.next_lease.fetch_add(1, Ordering::Relaxed)
            );
            let ttl = i64::try_from(self.lease_ttl.as_micros()).unwrap_or(i64::MAX);
            match self
                .store
                .acquire_slot(&key, &id, max, now, now.saturating_add(ttl))
            {
                Ok(true) => {
                    lease = Some(Lease {
                        store: Arc::clone(&self.store),
                        key,
                        id,
                    })
                }
                Ok(false) => {
                    return Err(Denial::new(
                        Reason::QuotaConcurrency,
                        format!("the plan's {max} concurrent signings are in flight"),
                    ))
                }
                Err(e) => fail_open = Some(self.store_failed(e)?),
            }
        }
        Ok(QuotaAdmission { lease, fail_open })
    }

    fn store_failed(&self, e: crate::Error) -> std::result::Result<String, Denial> {
        if self.fail_open {
            Ok(e.to_string())
        } else {
            Err(Denial::new(Reason::QuotaStore, e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;

    fn enforcer(clock: Arc<FixedClock>) -> QuotaEnforcer {
        QuotaEnforcer::new(Arc::new(MemoryQuotaStore::new()), clock)
    }

    #[test]
    fn bucket_refills_at_the_rate() {
        let clock = Arc::new(FixedClock::at_unix(1_000));
        let q = enforcer(Arc::clone(&clock));
        let limits = QuotaLimits {
            requests_per_second: Some(2.0),
            burst: Some(3),
            ..QuotaLimits::default()
        };
        for _ in 0..3 {
            assert!(q.admit("t", "p", &limits, Some(0)).is_ok());
        }
        let denied = q.admit("t", "p", &limits, Some(0)).unwrap_err();
        assert_eq!(denied.reason, Reason::QuotaRate);
        clock.advance(Duration::from_millis(500));
        assert!(
            q.admit("t", "p", &limits, Some(0)).is_ok(),
            "one token after 0.5 s at 2/s"
        );
        assert_eq!(
            q.admit("t", "p", &limits, Some(0)).unwrap_err().reason,
            Reason::QuotaRate
        );
        assert!(
            q.admit("other", "p", &limits, Some(0)).is_ok(),
            "tenants do not share buckets"
        );
    }

    #[test]
    fn leases_are_released_on_drop_and_expire() {
        let clock = Arc::new(FixedClock::at_unix(1_000));
        let q = enforcer(Arc::clone(&clock)).lease_ttl(Duration::from_secs(10));
        let limits = QuotaLimits {
            max_concurrent: Some(1),
            ..QuotaLimits::default()
        };
        let first = q.admit("t", "p", &limits, Some(0)).unwrap();
        assert_eq!(
            q.admit("t", "p", &limits, Some(0)).unwrap_err().reason,
            Reason::QuotaConcurrency
        );
        drop(first);
        let leaked = q.admit("t", "p", &limits, Some(0)).unwrap();
        std::mem::forget(leaked);
        clock.advance(Duration::from_secs(11));
        assert!(
            q.admit("t", "p", &limits, Some(0)).is_ok(),
            "a leaked lease expires"
        );
    }

    #[test]
    fn size_limit() {
        let q = enforcer(Arc::new(FixedClock::at_unix(0)));
        let limits = QuotaLimits {
            max_artifact_bytes: Some(10),
            ..QuotaLimits::default()
        };
        assert!(q.admit("t", "p", &limits, Some(10)).is_ok());
        assert_eq!(
            q.admit("t", "p", &limits, Some(11)).unwrap_err().reason,
            Reason::QuotaSize
        );
        // Issue 20, defect 3: a size left out does not pass a plan that limits size.
        let unknown = q.admit("t", "p", &limits, None).unwrap_err();
        assert_eq!(unknown.reason, Reason::QuotaSize);
        assert!(unknown.detail.contains("not given"), "{}", unknown.detail);
        // A plan without a size limit admits an unknown size.
        assert!(q.admit("t", "p", &QuotaLimits::default(), None).is_ok());
    }
}
