//! The injectable clock: tests and deterministic replays lock time.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the policy reads the current time from.
pub trait Clock: fmt::Debug + Send + Sync {
    /// Now.
    fn now(&self) -> SystemTime;

    /// Now, in whole microseconds since the Unix epoch (negative before it).
    fn now_micros(&self) -> i64 {
        micros(self.now())
    }

    /// Now, in seconds since the Unix epoch, as a JWT NumericDate.
    fn now_seconds(&self) -> f64 {
        self.now_micros() as f64 / 1e6
    }
}

/// The operating system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FixedClock {
    micros: AtomicI64,
}

impl FixedClock {
    /// A clock stopped at `time`.
    pub fn new(time: SystemTime) -> Self {
        FixedClock {
            micros: AtomicI64::new(micros(time)),
        }
    }

    /// A clock stopped at `seconds` after the Unix epoch.
    pub fn at_unix(seconds: i64) -> Self {
        FixedClock {
            micros: AtomicI64::new(seconds.saturating_mul(1_000_000)),
        }
    }

    /// Set the time.
    pub fn set(&self, time: SystemTime) {
        self.micros.store(micros(time), Ordering::SeqCst);
    }

    /// Move the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let delta = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.micros.fetch_add(delta, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        from_micros(self.micros.load(Ordering::SeqCst))
    }

    fn now_micros(&self) -> i64 {
        self.micros.load(Ordering::SeqCst)
    }
}

/// Microseconds since the Unix epoch, saturating.
pub(crate) fn micros(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_micros())
            .map(|m| -m)
            .unwrap_or(i64::MIN),
    }
}

pub(crate) fn from_micros(micros: i64) -> SystemTime {
    if micros >= 0 {
        UNIX_EPOCH + Duration::from_micros(micros.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_micros(micros.unsigned_abs())
    }
}

/// `time` as RFC 3339 UTC with microseconds, e.g. `2026-11-23T16:40:00.123456Z`.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    stellaops_crypto::rfc3339::format_micros(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::at_unix(1_700_000_000);
        assert_eq!(c.now_micros(), 1_700_000_000_000_000);
        c.advance(Duration::from_millis(1500));
        assert_eq!(c.now_seconds(), 1_700_000_001.5);
        c.set(UNIX_EPOCH);
        assert_eq!(c.now(), UNIX_EPOCH);
        assert_eq!(micros(from_micros(-5)), -5);
    }

    #[test]
    fn rfc3339_is_utc_with_micros() {
        let t = from_micros(1_700_000_000_123_456);
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20.123456Z");
    }
}
