//! Plan quotas are exact under concurrency: 64 threads hammering one tenant get exactly the
//! allowed number through.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};

use stellaops_poe::{FixedClock, MemoryQuotaStore, QuotaEnforcer, QuotaLimits, Reason};

const THREADS: usize = 64;

fn race<T: Send + 'static>(f: impl Fn(&Barrier) -> T + Send + Sync + 'static) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(THREADS));
    let f = Arc::new(f);
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (barrier, f) = (barrier.clone(), f.clone());
            std::thread::spawn(move || f(&barrier))
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn rate_limit_is_exact_under_contention() {
    // Time stands still, so no token is refilled: exactly `burst` requests pass.
    let q = Arc::new(QuotaEnforcer::new(
        Arc::new(MemoryQuotaStore::new()),
        Arc::new(FixedClock::at_unix(1_800_000_000)),
    ));
    let limits = QuotaLimits {
        requests_per_second: Some(5.0),
        burst: Some(17),
        ..QuotaLimits::default()
    };
    let results = race(move |barrier| {
        barrier.wait();
        (0..4)
            .map(|_| {
                q.admit("acme", "team", &limits, Some(0))
                    .map_err(|d| d.reason)
            })
            .collect::<Vec<_>>()
    });
    let all: Vec<_> = results.into_iter().flatten().collect();
    assert_eq!(all.iter().filter(|r| r.is_ok()).count(), 17);
    assert!(all
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|r| *r == Reason::QuotaRate));
}

#[test]
fn concurrency_limit_is_exact_and_leases_come_back() {
    let q = Arc::new(QuotaEnforcer::new(
        Arc::new(MemoryQuotaStore::new()),
        Arc::new(FixedClock::at_unix(1_800_000_000)),
    ));
    let limits = QuotaLimits {
        max_concurrent: Some(6),
        ..QuotaLimits::default()
    };
    let q2 = q.clone();
    let held = race(move |barrier| {
        barrier.wait();
        let admission = q2.admit("acme", "team", &limits, Some(0));
        let got = admission.is_ok();
        // Hold the lease until every thread has tried.
        barrier.wait();
        drop(admission);
        got
    });
    assert_eq!(held.iter().filter(|ok| **ok).count(), 6);
    // Every lease was dropped, so all six slots are free again.
    let again: Vec<_> = (0..6)
        .map(|_| q.admit("acme", "team", &limits, Some(0)).unwrap())
        .collect();
    assert_eq!(
        q.admit("acme", "team", &limits, Some(0))
            .unwrap_err()
            .reason,
        Reason::QuotaConcurrency
    );
    drop(again);
}

#[test]
fn a_lease_is_released_when_signing_fails() {
    let q = QuotaEnforcer::new(
        Arc::new(MemoryQuotaStore::new()),
        Arc::new(FixedClock::at_unix(0)),
    );
    let limits = QuotaLimits {
        max_concurrent: Some(1),
        ..QuotaLimits::default()
    };
    let sign = |fail: bool| -> Result<(), String> {
        let _admission = q
            .admit("acme", "team", &limits, Some(0))
            .map_err(|d| d.to_string())?;
        if fail {
            return Err("hsm unplugged".into());
        }
        Ok(())
    };
    assert!(sign(true).is_err());
    assert!(sign(false).is_ok(), "the failed signing gave its slot back");
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _admission = q.admit("acme", "team", &limits, Some(0)).unwrap();
        panic!("signer crashed");
    }));
    assert!(panicked.is_err());
    assert!(
        sign(false).is_ok(),
        "the panicking signing gave its slot back"
    );
}
