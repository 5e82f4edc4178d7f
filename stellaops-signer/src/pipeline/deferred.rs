//! Pipeline calls whose audit records become durable after the call returns: for an async
//! server that should not hold a thread per request while `fdatasync` runs.

use stellaops_poe::audit::{defer_durability, Durability};

use crate::{Error, Result};

/// Run `call` (a pipeline call on this thread) with its audit appends deferred
/// ([`defer_durability`]): it returns once its records are written, and the answer is held in
/// the returned [`DeferredAudit`] until they are durable. A record that is lost turns the
/// answer into [`Error::Audit`], as a blocking append would have: nothing is returned for a
/// decision that was not recorded.
pub fn defer_audit<R>(call: impl FnOnce() -> Result<R>) -> DeferredAudit<R> {
    let (result, durability) = defer_durability(call);
    DeferredAudit { result, durability }
}

/// A pipeline answer waiting for its audit records to be durable ([`defer_audit`]).
#[derive(Debug)]
#[must_use = "the answer may not be recorded yet: settle it before using it"]
pub struct DeferredAudit<R> {
    result: Result<R>,
    durability: Durability,
}

impl<R> DeferredAudit<R> {
    /// The answer, once its records are durable.
    ///
    /// # Errors
    /// The call's own error; [`Error::Audit`] when a record was lost.
    pub async fn settle(self) -> Result<R> {
        let durable = self.durability.await;
        finish(self.result, durable)
    }

    /// [`settle`](Self::settle), blocking this thread.
    ///
    /// # Errors
    /// As [`settle`](Self::settle).
    pub fn wait(self) -> Result<R> {
        let durable = self.durability.wait();
        finish(self.result, durable)
    }
}

fn finish<R>(result: Result<R>, durable: stellaops_poe::Result<()>) -> Result<R> {
    match durable {
        Ok(()) => result,
        Err(e) => {
            metrics::counter!("stellaops_signer_audit_failures_total").increment(1);
            tracing::error!(error = %e, "audit record lost after the decision; nothing is returned");
            Err(Error::Audit(e))
        }
    }
}
