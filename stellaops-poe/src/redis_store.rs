//! Quota state in Redis, shared by a fleet of signers. Each operation is one Lua script, which
//! Redis runs atomically, so limits stay exact however many processes share them.

use std::time::Duration;

use crate::redis_pool::RedisPool;
use crate::{Error, QuotaStore, Result};

/// Token bucket: KEYS[1] a hash {tokens, ts}; ARGV rate/s, burst, now (µs), key TTL (ms).
const TAKE_TOKEN: &str = r"
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) / 1000000 * rate)
  ts = now
end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
-- Not tostring: Lua 5.1 writes 14 significant digits, which drops the last two of a
-- microsecond timestamp (and the bucket would refill for time that has not passed).
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.0f', ts))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return taken
";

/// Concurrency slots: KEYS[1] a sorted set lease -> expiry (µs); ARGV lease, max, now, expiry,
/// key TTL (ms).
const ACQUIRE_SLOT: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
";

/// A [`QuotaStore`] in Redis. Keys are `<prefix>rate:<key>` and `<prefix>slots:<key>`, and
/// expire on their own once idle. Time comes from each signer's clock, so the fleet's clocks
/// should agree to well within a token's period.
pub struct RedisQuotaStore {
    pool: RedisPool,
    prefix: String,
    take_token: redis::Script,
    acquire_slot: redis::Script,
}

impl std::fmt::Debug for RedisQuotaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the client: its connection info can hold the Redis password.
        f.debug_struct("RedisQuotaStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.pool.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisQuotaStore {
    /// A store at `url` (`redis://host:port/db`, `rediss://` for TLS where the crate supports
    /// it), with every network operation bounded by `timeout`. No connection is made until the
    /// first request, so a Redis that is down shows as denials (or fail-open admissions), not as
    /// a signer that will not start.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that does not parse.
    pub fn new(url: &str, timeout: Duration) -> Result<Self> {
        Ok(RedisQuotaStore {
            pool: RedisPool::new(url, timeout)?,
            prefix: String::from("stellaops:quota:"),
            take_token: redis::Script::new(TAKE_TOKEN),
            acquire_slot: redis::Script::new(ACQUIRE_SLOT),
        })
    }

    /// Use `prefix` for every key (default `stellaops:quota:`), e.g. to separate environments
    /// sharing one Redis.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T> {
        self.pool.with_connection(f).map_err(redis_error)
    }

    fn ttl_ms(&self, micros: i64) -> i64 {
        (micros / 1000).max(1000)
    }
}

impl QuotaStore for RedisQuotaStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn ping(&self) -> Result<()> {
        self.with_connection(|c| redis::cmd("PING").query::<String>(c))
            .map(drop)
    }

    fn take_token(&self, key: &str, rate: f64, burst: u32, now_micros: i64) -> Result<bool> {
        // Idle long enough to refill completely: the key can go (a new bucket starts full).
        let refill_micros = if rate > 0.0 {
            (f64::from(burst) / rate * 1e6).ceil() as i64
        } else {
            86_400_000_000
        };
        let ttl = self.ttl_ms(refill_micros.saturating_mul(2));
        let redis_key = format!("{}rate:{key}", self.prefix);
        let taken: i64 = self.with_connection(|con| {
            self.take_token
                .key(&redis_key)
                .arg(rate)
                .arg(burst)
                .arg(now_micros)
                .arg(ttl)
                .invoke(con)
        })?;
        Ok(taken == 1)
    }

    fn acquire_slot(
        &self,
        key: &str,
        lease: &str,
        max: u32,
        now_micros: i64,
        expires_micros: i64,
    ) -> Result<bool> {
        let ttl = self.ttl_ms(expires_micros.saturating_sub(now_micros).saturating_mul(2));
        let redis_key = format!("{}slots:{key}", self.prefix);
        let held: i64 = self.with_connection(|con| {
            self.acquire_slot
                .key(&redis_key)
                .arg(lease)
                .arg(max)
                .arg(now_micros)
                .arg(expires_micros)
                .arg(ttl)
                .invoke(con)
        })?;
        Ok(held == 1)
    }

    fn release_slot(&self, key: &str, lease: &str) -> Result<()> {
        let redis_key = format!("{}slots:{key}", self.prefix);
        self.with_connection(|con| {
            redis::cmd("ZREM")
                .arg(&redis_key)
                .arg(lease)
                .query::<i64>(con)
                .map(|_| ())
        })
    }
}

/// A Redis failure as the quota store's error, keeping the client's error as the source.
fn redis_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::QuotaStore {
        context: String::from("redis"),
        source: Some(stellaops_crypto::Cause::new(e)),
    }
}
