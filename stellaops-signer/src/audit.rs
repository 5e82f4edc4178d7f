//! The signing pipeline's audit log, verified: every line hash-chained to the one before, and
//! its length checked against the heads other witnesses hold.

use std::path::{Path, PathBuf};

pub use stellaops_poe::audit::{ChainSummary, TornTail};

use crate::{Error, Result};

fn chain_error(e: stellaops_poe::Error) -> Error {
    match e {
        e @ stellaops_poe::Error::AuditChain { .. } => Error::AuditChainBroken(e),
        e => Error::Policy(e),
    }
}

/// Verify the hash chain of the audit log at `path` (JSON lines written by the pipeline's
/// audit sink): how many records it holds and the last line's hash, to anchor elsewhere so that
/// a truncation shows.
///
/// # Errors
/// [`Error::AuditChainBroken`] naming the first bad line (edited, removed, reordered, over the
/// line limit); [`Error::Policy`] with the I/O error when the file cannot be read.
pub fn verify_audit_chain(path: &Path) -> Result<ChainSummary> {
    stellaops_poe::audit::verify_chain(path).map_err(chain_error)
}

/// Where the heads of a fleet's audit chains were witnessed ([`verify_audit_chain_anchored`]).
#[derive(Clone, Debug, Default)]
pub struct AnchorWitnesses {
    /// The fleet's anchor store (`[audit] anchor_redis_url`).
    pub redis_url: Option<String>,
    /// The store's key prefix (`[audit] anchor_prefix`), when not the default.
    pub redis_prefix: Option<String>,
    /// Other instances' audit logs, whose `anchor` records name this log's instance.
    pub logs: Vec<PathBuf>,
}

/// [`verify_audit_chain`], and that the log of `instance` holds every head of it the witnesses
/// hold: a log cut short, or rewritten and re-chained, fails at the anchored line. Returns the
/// summary and how many heads were checked.
///
/// # Errors
/// As [`verify_audit_chain`]; [`Error::AuditChainBroken`] for a cut or rewritten log or a broken
/// witness log; [`Error::Policy`] when the anchor store cannot be read;
/// [`Error::InvalidRequest`] when no witness is given.
pub fn verify_audit_chain_anchored(
    path: &Path,
    instance: &str,
    witnesses: &AnchorWitnesses,
) -> Result<(ChainSummary, usize)> {
    let mut heads = Vec::new();
    if let Some(url) = &witnesses.redis_url {
        heads.extend(redis_heads(url, witnesses.redis_prefix.as_deref())?);
    }
    for log in &witnesses.logs {
        let records = stellaops_poe::audit::read_records(log).map_err(chain_error)?;
        heads.extend(stellaops_poe::audit::witnessed_heads(&records));
    }
    heads.retain(|h| h.instance == instance);
    if witnesses.redis_url.is_none() && witnesses.logs.is_empty() {
        return Err(Error::InvalidRequest(String::from(
            "anchored verification needs an anchor store or a witness log",
        )));
    }
    let summary =
        stellaops_poe::audit::verify_chain_anchored(path, instance, &heads).map_err(chain_error)?;
    Ok((summary, heads.len()))
}

#[cfg(feature = "redis")]
fn redis_heads(url: &str, prefix: Option<&str>) -> Result<Vec<stellaops_poe::audit::ChainHead>> {
    use stellaops_poe::audit::{AnchorStore, RedisAnchorStore};
    RedisAnchorStore::new(url, std::time::Duration::from_secs(5))
        .map(|store| match prefix {
            Some(p) => store.with_prefix(p),
            None => store,
        })
        .and_then(|store| store.heads())
        .map_err(Error::Policy)
}

#[cfg(not(feature = "redis"))]
fn redis_heads(_url: &str, _prefix: Option<&str>) -> Result<Vec<stellaops_poe::audit::ChainHead>> {
    Err(Error::InvalidRequest(String::from(
        "this build has no Redis support (feature \"redis\")",
    )))
}
