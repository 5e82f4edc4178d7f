//! The signing pipeline's audit log, verified: every line hash-chained to the one before.

use std::path::Path;

pub use stellaops_poe::audit::ChainSummary;

use crate::{Error, Result};

/// Verify the hash chain of the audit log at `path` (JSON lines written by the pipeline's
/// audit sink): how many records it holds and the last line's hash, to anchor elsewhere so that
/// a truncation shows.
///
/// # Errors
/// [`Error::AuditChainBroken`] naming the first bad line (edited, removed, reordered, over the
/// line limit); [`Error::Policy`] with the I/O error when the file cannot be read.
pub fn verify_audit_chain(path: &Path) -> Result<ChainSummary> {
    stellaops_poe::audit::verify_chain(path).map_err(|e| match e {
        e @ stellaops_poe::Error::AuditChain { .. } => Error::AuditChainBroken(e),
        e => Error::Policy(e),
    })
}
