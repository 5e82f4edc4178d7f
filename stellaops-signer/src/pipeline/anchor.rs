//! Anchoring the audit chain's head for a fleet: a background thread runs a round at start and
//! every interval for as long as the pipeline lives, and a last one when it is dropped.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use stellaops_poe::audit::{timestamp, AnchorRound, Anchoring};
use stellaops_poe::{AuditSink, Clock};

use super::SignerPipeline;
use crate::{Error, Result};

/// The anchoring a pipeline does, and the line to its background thread.
#[derive(Debug)]
pub(super) struct AnchorSchedule {
    round: Arc<Round>,
    every: Duration,
    /// Dropping it (with the pipeline) ends the thread after a last round.
    _stop: Option<Sender<()>>,
}

#[derive(Debug)]
struct Round {
    anchoring: Anchoring,
    audit: Arc<dyn AuditSink>,
    clock: Arc<dyn Clock>,
}

impl Round {
    fn run(&self) -> Result<AnchorRound> {
        let round = self
            .anchoring
            .anchor(self.audit.as_ref(), timestamp(self.clock.as_ref()))
            .map_err(|e| match e {
                e @ stellaops_poe::Error::AuditChain { .. } => Error::AuditChainBroken(e),
                e => Error::Policy(e),
            });
        match &round {
            Ok(_) => metrics::counter!("stellaops_signer_audit_anchors_total").increment(1),
            Err(e) => {
                metrics::counter!("stellaops_signer_audit_anchor_failures_total").increment(1);
                tracing::error!(error = %e, "audit anchoring failed");
            }
        }
        round
    }
}

impl AnchorSchedule {
    /// Start anchoring `audit` through `anchoring` every `every` on a thread of its own.
    pub(super) fn start(
        anchoring: Anchoring,
        every: Duration,
        audit: Arc<dyn AuditSink>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let round = Arc::new(Round {
            anchoring,
            audit,
            clock,
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let worker = round.clone();
        let spawned = std::thread::Builder::new()
            .name(String::from("stellaops-audit-anchor"))
            .spawn(move || loop {
                let _ = worker.run();
                match stopped.recv_timeout(every) {
                    Err(RecvTimeoutError::Timeout) => {}
                    // The pipeline is gone: the loop's next round is its last.
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                        let _ = worker.run();
                        break;
                    }
                }
            });
        if let Err(e) = &spawned {
            tracing::error!(error = %e, "audit anchoring thread did not start");
        }
        AnchorSchedule {
            round,
            every,
            _stop: spawned.ok().map(|_| stop),
        }
    }
}

impl SignerPipeline {
    /// How often the pipeline anchors its audit chain's head (`[audit]
    /// anchor_interval_seconds`), or `None` when no anchor store is configured.
    pub fn anchor_interval(&self) -> Option<Duration> {
        self.anchoring.as_ref().map(|s| s.every)
    }

    /// One anchoring round now: publish this instance's durable chain head to the anchor store,
    /// and record the predecessor instance's head in this log when it moved. `Ok(None)` when
    /// no anchor store is configured. The pipeline already runs rounds by itself (at start,
    /// every [`SignerPipeline::anchor_interval`], and when dropped); a service calls this after
    /// draining so the final head is published before it exits.
    ///
    /// # Errors
    /// [`Error::AuditChainBroken`] when the store holds a longer chain for this instance (the
    /// log was cut, or two instances share a name); [`Error::Policy`] when the store or the
    /// append fails.
    pub fn anchor_audit(&self) -> Result<Option<AnchorRound>> {
        self.anchoring.as_ref().map(|s| s.round.run()).transpose()
    }

    /// The anchoring, for the readiness probe.
    pub(super) fn anchoring(&self) -> Option<&Anchoring> {
        self.anchoring.as_ref().map(|s| &s.round.anchoring)
    }
}
