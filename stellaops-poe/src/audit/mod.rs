//! The audit trail: one record per request, allowed or denied, in a hash-chained JSONL file.
//!
//! Each line is the RFC 8785 canonical JSON of `{"hash", "prev", "record", "seq"}`: `seq` counts
//! from 1, `prev` is the previous line's `hash` (64 zeros for the first line), and `hash` is the
//! SHA-256 of the canonical JSON of the line without `hash`. [`verify_chain`] recomputes all of it
//! and names the first line where an edit, deletion, insertion or reordering shows. Cutting
//! records off the end leaves a shorter valid chain; anchor the last hash elsewhere (a signed
//! checkpoint, a log shipper) to detect that. A last line without its newline is a torn write
//! (a crash mid-append); it is reported, not taken for tampering, and cut when the log reopens.

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg(doc)]
use crate::Error;
use crate::Result;

mod anchor;
mod chain;
mod durability;
mod jsonl;
#[cfg(feature = "redis")]
mod redis_anchor;

pub use anchor::{
    verify_chain_anchored, witnessed_heads, AnchorRound, AnchorStore, Anchoring, ChainHead,
};
pub use chain::{read_records, verify_chain, ChainSummary, TornTail};
pub use durability::{defer_durability, Durability};
pub use jsonl::JsonlAuditSink;
#[cfg(feature = "redis")]
pub use redis_anchor::RedisAnchorStore;

/// The `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Largest line the writer writes and [`verify_chain`] reads: one limit for both. A bounded
/// record ([`AuditRecord::bounded`]) always fits, even when every character of every field
/// needs a six-byte JSON escape.
pub const MAX_LINE: usize = 1 << 20;

/// Longest text field of a bounded record, in bytes (`detail` excepted).
pub const MAX_FIELD_BYTES: usize = 1024;

/// Longest `detail` of a bounded record, in bytes.
pub const MAX_DETAIL_BYTES: usize = 4096;

/// Most `subject_digests` a bounded record lists.
pub const MAX_SUBJECTS: usize = 64;

/// `text` cut to at most `max` bytes at a character boundary, and whether it was cut.
pub fn bound_text(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// What happened to one request. Every field is always written (`null` when unknown), so
/// records are uniform for the tools that read them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// When, RFC 3339 UTC with microseconds.
    pub time: String,
    /// The trace id that ties the record to logs and spans.
    pub trace_id: String,
    /// The tenant asked for.
    pub tenant: String,
    /// The caller's subject (`sub` of the access token), once known.
    pub caller: Option<String>,
    /// How the token was bound: `dpop`, `mtls`, `dpop+mtls`, `bearer`.
    pub binding: Option<String>,
    /// How the signature was made: `keyful`, `hsm`, `kms`, `vault`, `keyless`, `fido2`.
    pub issuer_mode: Option<String>,
    /// The signing key's id.
    pub key_id: Option<String>,
    /// The statement's subjects as `name@alg:hex`.
    pub subject_digests: Vec<String>,
    /// The predicate type signed.
    pub predicate_type: Option<String>,
    /// `fresh`, `cached`, `bypass`, once evaluated.
    pub poe_state: Option<String>,
    /// Why the PoE state is what it is: the cache age, the bypass reason.
    pub poe_detail: Option<String>,
    /// Set when the quota store failed and the request went through under fail-open.
    pub quota_fail_open: Option<String>,
    /// Set when the DPoP replay store failed and the proof was accepted under fail-open.
    /// Written only when set (records from before it existed read the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_fail_open: Option<String>,
    /// Why the scanner release was trusted: `allowlist`, `signature <key id>`, or
    /// `override <reason> (approved by <who>)`.
    pub release: Option<String>,
    /// `allowed`, `denied` or `error`.
    pub decision: String,
    /// The denial's reason code (`optok.expired`, ...), or the error's kind.
    pub reason: Option<String>,
    /// Human-readable detail.
    pub detail: Option<String>,
    /// The envelope's SHA-256 (of its JSON bytes), when something was signed.
    pub envelope_digest: Option<String>,
    /// What [`AuditRecord::bounded`] cut, as `field (N bytes)` or
    /// `subject_digests (N entries)`: the sizes the request really had. Empty when nothing was.
    #[serde(default)]
    pub truncated: Vec<String>,
    /// For an `anchor` record (`decision` `anchor`): the head of another instance's chain this
    /// log witnesses ([`Anchoring`]). Written only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<ChainHead>,
}

impl AuditRecord {
    /// The record with every field within its bound ([`MAX_FIELD_BYTES`], [`MAX_DETAIL_BYTES`],
    /// [`MAX_SUBJECTS`]), and each cut named in [`AuditRecord::truncated`] with its original
    /// size. Many of these fields come from the caller before it is authenticated: a bounded
    /// record always fits in one audit line, so no request can make the log unverifiable.
    #[must_use]
    pub fn bounded(mut self) -> Self {
        let mut cut = std::mem::take(&mut self.truncated);
        let mut bound = |name: &str, field: &mut String, max: usize| {
            let original = field.len();
            let (kept, was_cut) = bound_text(field, max);
            if was_cut {
                let kept = kept.len();
                field.truncate(kept);
                cut.push(format!("{name} ({original} bytes)"));
            }
        };
        bound("time", &mut self.time, MAX_FIELD_BYTES);
        bound("trace_id", &mut self.trace_id, MAX_FIELD_BYTES);
        bound("tenant", &mut self.tenant, MAX_FIELD_BYTES);
        bound("decision", &mut self.decision, MAX_FIELD_BYTES);
        for (name, field, max) in [
            ("caller", &mut self.caller, MAX_FIELD_BYTES),
            ("binding", &mut self.binding, MAX_FIELD_BYTES),
            ("issuer_mode", &mut self.issuer_mode, MAX_FIELD_BYTES),
            ("key_id", &mut self.key_id, MAX_FIELD_BYTES),
            ("predicate_type", &mut self.predicate_type, MAX_FIELD_BYTES),
            ("poe_state", &mut self.poe_state, MAX_FIELD_BYTES),
            ("poe_detail", &mut self.poe_detail, MAX_DETAIL_BYTES),
            (
                "quota_fail_open",
                &mut self.quota_fail_open,
                MAX_DETAIL_BYTES,
            ),
            (
                "replay_fail_open",
                &mut self.replay_fail_open,
                MAX_DETAIL_BYTES,
            ),
            ("release", &mut self.release, MAX_DETAIL_BYTES),
            ("reason", &mut self.reason, MAX_FIELD_BYTES),
            ("detail", &mut self.detail, MAX_DETAIL_BYTES),
            (
                "envelope_digest",
                &mut self.envelope_digest,
                MAX_FIELD_BYTES,
            ),
        ] {
            if let Some(value) = field {
                bound(name, value, max);
            }
        }
        let subjects = self.subject_digests.len();
        if subjects > MAX_SUBJECTS {
            self.subject_digests.truncate(MAX_SUBJECTS);
            cut.push(format!("subject_digests ({subjects} entries)"));
        }
        let mut long_subject = false;
        for subject in &mut self.subject_digests {
            let (kept, was_cut) = bound_text(subject, MAX_FIELD_BYTES);
            if was_cut {
                let kept = kept.len();
                subject.truncate(kept);
                long_subject = true;
            }
        }
        if long_subject {
            cut.push(format!(
                "subject_digests entries (over {MAX_FIELD_BYTES} bytes each)"
            ));
        }
        self.anchor = self.anchor.take().map(ChainHead::bounded);
        // What was cut before (a record bounded twice) stays first; the list is bounded too,
        // since a caller of this public type may have filled it.
        cut.truncate(32);
        for entry in &mut cut {
            let kept = bound_text(entry, MAX_FIELD_BYTES).0.len();
            entry.truncate(kept);
        }
        self.truncated = cut;
        self
    }
}

/// Where audit records go. Appending must be all-or-nothing: when it fails, the caller signs
/// nothing.
pub trait AuditSink: fmt::Debug + Send + Sync {
    /// Append `record`.
    ///
    /// # Errors
    /// [`Error::Audit`] when the record could not be stored.
    fn append(&self, record: &AuditRecord) -> Result<()>;

    /// Whether the sink can take records now (a service's readiness probe): the last append
    /// did not fail and the log is still there. Sinks without a way to tell say yes.
    ///
    /// # Errors
    /// [`Error::Audit`] naming what is wrong.
    fn check(&self) -> Result<()> {
        Ok(())
    }

    /// The chain's durable head, `(seq, hash)`, for sinks that keep a hash chain (to
    /// [anchor](Anchoring) it); `None` otherwise.
    fn head(&self) -> Option<(u64, String)> {
        None
    }
}

/// The current time formatted for [`AuditRecord::time`].
pub fn timestamp(clock: &dyn crate::Clock) -> String {
    crate::clock::rfc3339(clock.now())
}
