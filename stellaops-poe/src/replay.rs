//! Where DPoP proof ids are remembered: in this process ([`MemoryReplayStore`], a bounded set of
//! recently seen ids, each kept until it could no longer be accepted anyway) or shared by a fleet
//! (`RedisReplayStore`), so a proof spent at one instance is refused at every other.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

/// Remembers proof ids until they expire. Implementations must be atomic: of two concurrent
/// first sightings of one id, exactly one is [`Seen::New`].
pub trait ReplayStore: fmt::Debug + Send + Sync {
    /// A short name for audit records (`memory`, `redis`).
    fn name(&self) -> &'static str;

    /// Remember `id` until `expires_micros`; `now_micros` is the current time.
    ///
    /// # Errors
    /// [`crate::Error::ReplayStore`] when the store cannot be reached.
    fn remember(&self, id: &str, now_micros: i64, expires_micros: i64) -> crate::Result<Seen>;
}

/// What [`ReplayStore::remember`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// First sighting; now remembered.
    New,
    /// Seen before and not yet expired.
    Replay,
    /// Full of live entries: the id could not be remembered, so it must be refused.
    Full,
}

#[derive(Debug, Default)]
struct Inner {
    /// id -> expiry (microseconds since the epoch).
    live: HashMap<String, i64>,
    /// Ids in insertion order with their expiry, for eviction.
    order: VecDeque<(i64, String)>,
}

/// Replay detection for DPoP `jti`s in this process's memory, holding at most `capacity` live
/// ids.
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl ReplayStore for MemoryReplayStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn remember(&self, id: &str, now_micros: i64, expires_micros: i64) -> crate::Result<Seen> {
        Ok(self.insert(id, now_micros, expires_micros))
    }
}

impl MemoryReplayStore {
    /// A store for at most `capacity` live ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        MemoryReplayStore {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Remember `id` until `expires` (µs); `now` (µs) drops what has expired.
    pub(crate) fn insert(&self, id: &str, now: i64, expires: i64) -> Seen {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&until) = inner.live.get(id) {
            if until >= now {
                return Seen::Replay;
            }
        }
        // Expiries are not monotonic in insertion order (iat varies), so sweep the front while it
        // is expired, and if still full, sweep everything once.
        while let Some((until, _)) = inner.order.front() {
            if *until >= now {
                break;
            }
            if let Some((_, old)) = inner.order.pop_front() {
                if inner.live.get(&old).is_some_and(|u| *u < now) {
                    inner.live.remove(&old);
                }
            }
        }
        if inner.live.len() >= self.capacity {
            inner.live.retain(|_, until| *until >= now);
            let Inner { live, order } = &mut *inner;
            order.retain(|(_, id)| live.contains_key(id));
            if inner.live.len() >= self.capacity {
                return Seen::Full;
            }
        }
        inner.live.insert(id.to_owned(), expires);
        inner.order.push_back((expires, id.to_owned()));
        Seen::New
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_are_caught_until_expiry() {
        let c = MemoryReplayStore::new(10);
        assert_eq!(c.insert("a", 0, 100), Seen::New);
        assert_eq!(c.insert("a", 50, 150), Seen::Replay);
        assert_eq!(
            c.insert("a", 101, 200),
            Seen::New,
            "expired entries may be reused"
        );
    }

    #[test]
    fn a_full_cache_refuses_rather_than_forgets() {
        let c = MemoryReplayStore::new(2);
        assert_eq!(c.insert("a", 0, 100), Seen::New);
        assert_eq!(c.insert("b", 0, 100), Seen::New);
        assert_eq!(c.insert("c", 10, 100), Seen::Full);
        assert_eq!(c.insert("a", 10, 100), Seen::Replay);
        assert_eq!(
            c.insert("c", 101, 200),
            Seen::New,
            "room again once a and b expired"
        );
    }
}
