//! What a service's readiness probe asks of the pipeline: can it sign and record right now?

use stellaops_crypto::SigningKey;
use stellaops_keys::{KeyStatus, KeyUri};

use super::{PipelineKeys, SignerPipeline};

/// The message a readiness probe signs: fixed, so a probe's signature can never be mistaken for
/// a signature over a caller's document (it is not a DSSE PAE).
pub const PROBE_MESSAGE: &[u8] = b"stellaops-signer readiness probe";

/// One part of the pipeline and whether it can serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadinessCheck {
    /// `keys`, `quota_store`, `audit`, `poe_source` (the entitlement source answers; not
    /// required), or `audit_anchor` (the last anchoring round, when an anchor store is
    /// configured).
    pub name: &'static str,
    /// Whether it can serve now.
    pub ready: bool,
    /// Whether signing needs it now: a failing check that is not required (the entitlement
    /// source, while cached entitlements still serve) is reported but leaves the service ready.
    pub required: bool,
    /// Why not (an error's text), or what was checked.
    pub detail: String,
}

fn check(name: &'static str, result: Result<String, String>) -> ReadinessCheck {
    let (ready, detail) = match result {
        Ok(detail) => (true, detail),
        Err(detail) => (false, detail),
    };
    ReadinessCheck {
        name,
        ready,
        required: true,
        detail,
    }
}

impl SignerPipeline {
    /// Probe each part a signature needs: every active signing key signs [`PROBE_MESSAGE`]
    /// (through its backend: an HSM, a KMS or Vault that is down fails here; keyless keys are
    /// not probed, Fulcio is asked per request), the quota store answers, and the audit sink
    /// can append; the entitlement source is asked whether it answers (reported, not required).
    /// Each probe is a real call: a service caches the answer for a few seconds.
    /// Probing also sets `stellaops_signer_key_not_after_timestamp_seconds{tenant,key_id}` for
    /// every active registry key with a validity end.
    pub fn readiness(&self) -> Vec<ReadinessCheck> {
        let mut checks = vec![
            check("keys", self.probe_keys()),
            check(
                "quota_store",
                self.quotas
                    .ping()
                    .map(|()| format!("{} answers", self.quotas.store_name()))
                    .map_err(|e| e.to_string()),
            ),
            check(
                "audit",
                self.audit
                    .check()
                    .map(|()| String::from("appending"))
                    .map_err(|e| e.to_string()),
            ),
        ];
        // Not required: requests are served from cached entitlements for their TTL while the
        // source is down (poe.stale after that), so an outage must not take every instance
        // out of the load balancer at once. It shows here, in the gauge and in its alert.
        checks.push(ReadinessCheck {
            required: false,
            ..check(
                "poe_source",
                self.poe
                    .probe_source()
                    .map(|()| String::from("entitlement source answers")),
            )
        });
        if let Some(anchoring) = self.anchoring() {
            checks.push(check(
                "audit_anchor",
                anchoring.last_failure().map_or_else(
                    || Ok(format!("instance {:?} anchoring", anchoring.instance())),
                    Err,
                ),
            ));
        }
        checks
    }

    fn probe_keys(&self) -> Result<String, String> {
        let probe = |key: &dyn SigningKey| {
            key.try_sign(PROBE_MESSAGE)
                .map(drop)
                .map_err(|e| format!("key {}: {e}", key.key_id()))
        };
        match &self.keys {
            PipelineKeys::Single { key, .. } => {
                probe(key.as_ref())?;
                Ok(String::from("1 key signs"))
            }
            PipelineKeys::Registry(registry) => {
                if let Some(e) = registry.last_reload_error() {
                    return Err(format!("key registry: {e}"));
                }
                let mut n = 0;
                for entry in registry.entries().iter() {
                    if entry.status != KeyStatus::Active || matches!(entry.uri, KeyUri::Keyless(_))
                    {
                        continue;
                    }
                    let key = registry
                        .open_entry(entry.clone())
                        .map_err(|e| format!("tenant {:?}: {e}", entry.tenant))?;
                    if let Some(end) = entry.not_after {
                        // For the alert on keys near the end of their validity window.
                        let seconds = end
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0.0, |d| d.as_secs_f64());
                        metrics::gauge!(
                            "stellaops_signer_key_not_after_timestamp_seconds",
                            "tenant" => entry.tenant.clone(),
                            "key_id" => key.key_id().to_string()
                        )
                        .set(seconds);
                    }
                    probe(&key)?;
                    n += 1;
                }
                Ok(format!("{n} keys sign"))
            }
        }
    }
}
