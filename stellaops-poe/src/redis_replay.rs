//! DPoP proof ids in Redis, shared by a fleet: a proof spent at one instance is refused at every
//! other. One `SET key 1 NX PX ttl` per proof: Redis answers OK to exactly one of any number of
//! concurrent first sightings, and forgets the id once the proof is too old to be accepted.

use std::time::Duration;

use crate::redis_pool::RedisPool;
use crate::replay::{ReplayStore, Seen};
use crate::{Error, Result};

/// A [`ReplayStore`] in Redis. Keys are `<prefix><jkt>:<jti>` (default prefix
/// `stellaops:dpop:`).
pub struct RedisReplayStore {
    pool: RedisPool,
    prefix: String,
}

impl std::fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the client: its connection info can hold the Redis password.
        f.debug_struct("RedisReplayStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.pool.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisReplayStore {
    /// A store at `url`, every network operation bounded by `timeout`; no connection is made
    /// until the first proof.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that does not parse.
    pub fn new(url: &str, timeout: Duration) -> Result<Self> {
        Ok(RedisReplayStore {
            pool: RedisPool::new(url, timeout)?,
            prefix: String::from("stellaops:dpop:"),
        })
    }

    /// Use `prefix` for every key, e.g. to separate environments sharing one Redis.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
}

impl ReplayStore for RedisReplayStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn remember(&self, id: &str, now_micros: i64, expires_micros: i64) -> Result<Seen> {
        let ttl_ms = (expires_micros.saturating_sub(now_micros) / 1000).max(1);
        let key = format!("{}{id}", self.prefix);
        let set: Option<String> = self
            .pool
            .with_connection(|con| {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query(con)
            })
            .map_err(|e| Error::ReplayStore {
                context: String::from("redis"),
                source: Some(stellaops_crypto::Cause::new(e)),
            })?;
        Ok(if set.is_some() {
            Seen::New
        } else {
            Seen::Replay
        })
    }
}
