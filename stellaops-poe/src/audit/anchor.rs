//! Anchoring chain heads, so that cutting records off the end of a log shows.
//!
//! A hash chain detects edits, deletions and reordering, but a log cut short is still a valid
//! chain. Each instance of a fleet therefore publishes its head (how many records, the last
//! hash) to an [`AnchorStore`] shared by the fleet, and writes the head of its predecessor (the
//! instance whose name sorts just before its own, wrapping around) into its own chain as an
//! `anchor` record. A log is then checked against both witnesses with
//! [`verify_chain_anchored`]: the store's head and every anchor record naming it in the other
//! logs must match a line of the log, hash for hash.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::chain::{verify_chain_with, ChainSummary};
use super::{AuditRecord, AuditSink, MAX_FIELD_BYTES};
use crate::{Error, Result};

/// A chain's head: the instance that writes the log, its record count and last hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainHead {
    /// The instance's name (`[audit] instance`).
    pub instance: String,
    /// How many records the chain held (the `seq` of its last line).
    pub seq: u64,
    /// The hash of line `seq`.
    pub hash: String,
}

impl ChainHead {
    /// The head with its instance name within [`MAX_FIELD_BYTES`] (a record field).
    #[must_use]
    pub fn bounded(mut self) -> Self {
        let kept = super::bound_text(&self.instance, MAX_FIELD_BYTES).0.len();
        self.instance.truncate(kept);
        let kept = super::bound_text(&self.hash, MAX_FIELD_BYTES).0.len();
        self.hash.truncate(kept);
        self
    }
}

/// Where a fleet publishes its chain heads.
pub trait AnchorStore: fmt::Debug + Send + Sync {
    /// Publish `head` as the latest of its instance. A store never moves an instance's head
    /// back: a head with fewer records than the one it holds is refused.
    ///
    /// # Errors
    /// [`Error::AuditChain`] when the store holds a longer chain for the instance (the log was
    /// cut, or two instances share a name); [`Error::Audit`] when the store fails.
    fn publish(&self, head: &ChainHead) -> Result<()>;

    /// Every instance's latest head.
    ///
    /// # Errors
    /// [`Error::Audit`] when the store fails.
    fn heads(&self) -> Result<Vec<ChainHead>>;
}

/// Verify the chain in `path` and that it holds every head in `anchors` naming `instance`:
/// line `seq` exists and has hash `hash`.
///
/// # Errors
/// As [`super::verify_chain`]; [`Error::AuditChain`] at the first line past the end when an
/// anchor holds more records than the log (it was cut), or at the anchored line when its hash
/// differs (it was rewritten).
pub fn verify_chain_anchored(
    path: &Path,
    instance: &str,
    anchors: &[ChainHead],
) -> Result<ChainSummary> {
    let mine: Vec<&ChainHead> = anchors.iter().filter(|a| a.instance == instance).collect();
    let summary = verify_chain_with(path, |seq, hash| {
        match mine.iter().find(|a| a.seq == seq && a.hash != hash) {
            Some(a) => Err(format!(
                "does not match the anchored head of {instance:?} (hash {} at seq {}): the log \
                 was rewritten",
                a.hash, a.seq
            )),
            None => Ok(()),
        }
    })?;
    if let Some(a) = highest_head(instance, anchors) {
        if a.seq > summary.records {
            return Err(Error::AuditChain {
                path: path.to_owned(),
                line: usize::try_from(summary.records + 1).unwrap_or(usize::MAX),
                problem: format!(
                    "the log ends after {} records, but {instance:?} was anchored at seq {}: \
                     records were cut off the end",
                    summary.records, a.seq
                ),
            });
        }
    }
    Ok(summary)
}

/// The heads recorded as `anchor` records in `records` (another instance's log).
pub fn witnessed_heads(records: &[AuditRecord]) -> Vec<ChainHead> {
    records.iter().filter_map(|r| r.anchor.clone()).collect()
}

/// One instance's anchoring: publishes its head and witnesses its predecessor's.
#[derive(Debug)]
pub struct Anchoring {
    instance: String,
    log: PathBuf,
    store: Box<dyn AnchorStore>,
    last_witnessed: Mutex<Option<ChainHead>>,
    last_failure: Mutex<Option<String>>,
}

/// What one round of [`Anchoring::anchor`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorRound {
    /// The head published for this instance.
    pub published: ChainHead,
    /// The predecessor's head written into this log, when it had moved since the last round.
    pub witnessed: Option<ChainHead>,
}

impl Anchoring {
    /// Anchoring for the instance named `instance`, whose log is at `log` (for messages),
    /// through `store`.
    pub fn new(
        instance: impl Into<String>,
        log: impl Into<PathBuf>,
        store: Box<dyn AnchorStore>,
    ) -> Self {
        Anchoring {
            instance: instance.into(),
            log: log.into(),
            store,
            last_witnessed: Mutex::new(None),
            last_failure: Mutex::new(None),
        }
    }

    /// The instance's name.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Every head the store holds (this instance's among them), to check the log against
    /// before appending to it ([`JsonlAuditSink::open_anchored`](super::JsonlAuditSink::open_anchored)):
    /// a cut log must not grow a new tail that hides the cut.
    ///
    /// # Errors
    /// [`Error::Audit`] when the store fails.
    pub fn heads(&self) -> Result<Vec<ChainHead>> {
        self.store.heads().map_err(|e| self.named(e))
    }

    /// `e` naming this instance's log where the store could not.
    fn named(&self, e: Error) -> Error {
        match e {
            Error::Audit {
                path,
                context,
                source,
            } if path.as_os_str().is_empty() => Error::Audit {
                path: self.log.clone(),
                context,
                source,
            },
            Error::AuditChain {
                path,
                line,
                problem,
            } if path.as_os_str().is_empty() => Error::AuditChain {
                path: self.log.clone(),
                line,
                problem,
            },
            e => e,
        }
    }

    /// One round: publish the head of `sink`, then, if the predecessor's head moved, append it
    /// to `sink` as an `anchor` record (whose own head the next round publishes). `time` is the
    /// record's time.
    ///
    /// # Errors
    /// [`Error::Audit`] for a sink without a head or a failing store or append;
    /// [`Error::AuditChain`] when the store holds a longer chain for this instance.
    pub fn anchor(&self, sink: &dyn AuditSink, time: String) -> Result<AnchorRound> {
        let round = self.round(sink, time);
        *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) =
            round.as_ref().err().map(ToString::to_string);
        round
    }

    /// Why the last round failed; `None` after a successful one (or before the first).
    pub fn last_failure(&self) -> Option<String> {
        self.last_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn round(&self, sink: &dyn AuditSink, time: String) -> Result<AnchorRound> {
        let (seq, hash) = sink.head().ok_or_else(|| Error::Audit {
            path: self.log.clone(),
            context: String::from("the audit sink keeps no hash chain to anchor"),
            source: None,
        })?;
        let published = ChainHead {
            instance: self.instance.clone(),
            seq,
            hash,
        };
        self.store.publish(&published).map_err(|e| self.named(e))?;
        let heads = self.heads()?;
        let witnessed = predecessor(&self.instance, &heads).cloned();
        let mut last = self
            .last_witnessed
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let moved = witnessed.is_some() && *last != witnessed;
        if moved {
            if let Some(head) = &witnessed {
                sink.append(&AuditRecord {
                    time,
                    decision: String::from("anchor"),
                    reason: Some(String::from("audit.anchor")),
                    anchor: Some(head.clone()),
                    ..AuditRecord::default()
                })?;
            }
            last.clone_from(&witnessed);
        }
        Ok(AnchorRound {
            published,
            witnessed: if moved { witnessed } else { None },
        })
    }
}

/// The head of the instance whose name sorts just before `me` (wrapping to the last), if any
/// other instance is known.
/// The highest head in `anchors` naming `instance`.
fn highest_head<'a>(instance: &str, anchors: &'a [ChainHead]) -> Option<&'a ChainHead> {
    anchors
        .iter()
        .filter(|a| a.instance == instance)
        .max_by_key(|a| a.seq)
}

/// Refuse a log at `path` that does not exist while `instance` has an anchored head: it was
/// deleted or moved, and starting a new chain under the same name would hide that.
///
/// # Errors
/// [`Error::AuditChain`] naming the anchored head.
pub(super) fn refuse_missing_log(path: &Path, instance: &str, anchors: &[ChainHead]) -> Result<()> {
    match highest_head(instance, anchors).filter(|a| a.seq > 0) {
        Some(a) => Err(Error::AuditChain {
            path: path.to_owned(),
            line: 1,
            problem: format!(
                "the log does not exist, but {instance:?} was anchored at seq {}: it was \
                 deleted or moved; restore it, or start the instance under another name",
                a.seq
            ),
        }),
        None => Ok(()),
    }
}

fn predecessor<'a>(me: &str, heads: &'a [ChainHead]) -> Option<&'a ChainHead> {
    let others = heads.iter().filter(|h| h.instance != me);
    others
        .clone()
        .filter(|h| h.instance.as_str() < me)
        .max_by(|a, b| a.instance.cmp(&b.instance))
        .or_else(|| others.max_by(|a, b| a.instance.cmp(&b.instance)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(name: &str) -> ChainHead {
        ChainHead {
            instance: name.into(),
            seq: 1,
            hash: "h".into(),
        }
    }

    #[test]
    fn the_predecessor_is_the_next_name_down_wrapping_around() {
        let heads = [head("b"), head("a"), head("c")];
        let of = |me| predecessor(me, &heads).map(|h| h.instance.clone());
        assert_eq!(of("b").as_deref(), Some("a"));
        assert_eq!(of("c").as_deref(), Some("b"));
        assert_eq!(of("a").as_deref(), Some("c"));
        assert_eq!(predecessor("a", &[head("a")]), None);
    }
}
