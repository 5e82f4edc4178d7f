//! Chain heads in Redis: one hash, a field per instance, moved only forward.

use std::time::Duration;

use super::anchor::{AnchorStore, ChainHead};
use crate::redis_pool::RedisPool;
use crate::{Error, Result};

/// Sets the instance's head unless the stored one is longer, or as long with another hash;
/// returns the stored head it refused, or nil.
const PUBLISH: &str = r"
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local seq, hash = string.match(cur, '^(%d+) (%x+)$')
  if seq and (tonumber(seq) > tonumber(ARGV[2]) or (tonumber(seq) == tonumber(ARGV[2]) and hash ~= ARGV[3])) then
    return cur
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
return false
";

/// An [`AnchorStore`] in Redis: the hash `<prefix>heads` (default prefix
/// `stellaops:audit:`), field = instance, value = `"<seq> <hash>"`.
pub struct RedisAnchorStore {
    pool: RedisPool,
    key: String,
    script: redis::Script,
}

impl std::fmt::Debug for RedisAnchorStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the client: its connection info can hold the Redis password.
        f.debug_struct("RedisAnchorStore")
            .field("key", &self.key)
            .field("timeout", &self.pool.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisAnchorStore {
    /// A store at `url`, every network operation bounded by `timeout`; no connection is made
    /// until the first use.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that does not parse.
    pub fn new(url: &str, timeout: Duration) -> Result<Self> {
        Ok(RedisAnchorStore {
            pool: RedisPool::new(url, timeout)?,
            key: String::from("stellaops:audit:heads"),
            script: redis::Script::new(PUBLISH),
        })
    }

    /// Use `<prefix>heads` as the key, e.g. to separate environments sharing one Redis.
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        self.key = format!("{prefix}heads");
        self
    }

    fn failed(&self, doing: &str, e: redis::RedisError) -> Error {
        Error::Audit {
            path: std::path::PathBuf::new(),
            context: format!("anchor store (redis, {}): {doing}", self.key),
            source: Some(stellaops_crypto::Cause::new(e)),
        }
    }
}

fn parse(instance: String, value: &str) -> Option<ChainHead> {
    let (seq, hash) = value.split_once(' ')?;
    Some(ChainHead {
        instance,
        seq: seq.parse().ok()?,
        hash: hash.to_owned(),
    })
}

impl AnchorStore for RedisAnchorStore {
    fn publish(&self, head: &ChainHead) -> Result<()> {
        let refused: Option<String> = self
            .pool
            .with_connection(|con| {
                self.script
                    .key(&self.key)
                    .arg(&head.instance)
                    .arg(head.seq)
                    .arg(&head.hash)
                    .invoke(con)
            })
            .map_err(|e| self.failed("publishing a head", e))?;
        match refused {
            None => Ok(()),
            Some(stored) => Err(Error::AuditChain {
                path: std::path::PathBuf::new(),
                line: usize::try_from(head.seq + 1).unwrap_or(usize::MAX),
                problem: format!(
                    "the anchor store holds head {stored:?} for {:?}, this log's is {} {}: \
                     records were cut off the end, or two instances share the name",
                    head.instance, head.seq, head.hash
                ),
            }),
        }
    }

    fn heads(&self) -> Result<Vec<ChainHead>> {
        let all: Vec<(String, String)> = self
            .pool
            .with_connection(|con| redis::cmd("HGETALL").arg(&self.key).query(con))
            .map_err(|e| self.failed("reading the heads", e))?;
        Ok(all
            .into_iter()
            .filter_map(|(instance, value)| parse(instance, &value))
            .collect())
    }
}
