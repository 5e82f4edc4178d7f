//! The tenant key registry as the faces that are not Rust see it: entries as JSON objects.

use serde_json::{json, Value};
use stellaops_crypto::rfc3339::format_seconds;
use stellaops_keys::{KeyEntry, KeyRegistry, KeyStatus};

/// One entry as JSON: `tenant`, `uri` (PINs hidden), `key_id`, `status` (`active`, `retired`,
/// `revoked`), `not_before`, `not_after`, `revoked_at` (RFC 3339 or null), `reason`, `plans`,
/// `families`, `signatures` (`one` or `all`).
pub(crate) fn entry_value(e: &KeyEntry) -> Value {
    json!({
        "tenant": e.tenant,
        "uri": e.uri.to_string(),
        "key_id": e.key_id,
        "status": match e.status {
            KeyStatus::Active => "active",
            KeyStatus::Retired => "retired",
            KeyStatus::Revoked => "revoked",
        },
        "not_before": e.not_before.map(format_seconds),
        "not_after": e.not_after.map(format_seconds),
        "revoked_at": e.revoked_at.map(format_seconds),
        "reason": e.reason,
        "plans": e.plans,
        "families": e.families,
        "signatures": if e.all_sign { "all" } else { "one" },
    })
}

/// Every entry of the registry's current configuration, as a JSON array of entries (see
/// [`entry_json`]).
pub fn registry_entries_json(registry: &KeyRegistry) -> Vec<u8> {
    let entries = registry.entries();
    Value::Array(entries.iter().map(entry_value).collect())
        .to_string()
        .into_bytes()
}

/// One entry as JSON: `tenant`, `uri` (PINs hidden), `key_id`, `status` (`active`, `retired`,
/// `revoked`), `not_before`, `not_after`, `revoked_at` (RFC 3339 or null), `reason`, `plans`,
/// `families`, `signatures` (`one` or `all`).
pub fn entry_json(entry: &KeyEntry) -> Vec<u8> {
    entry_value(entry).to_string().into_bytes()
}
