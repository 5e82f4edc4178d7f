//! The Redis quota store (and the audit anchor store) against a real `redis-server` on loopback (started by
//! `scripts/services.sh`; without it these tests fail): exact limits under 64 threads and across
//! two processes, lease expiry, and fail-closed / fail-open when Redis is unreachable.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Barrier};
use std::time::Duration;

use stellaops_poe::{FixedClock, QuotaEnforcer, QuotaLimits, Reason, RedisQuotaStore};

const NOW: i64 = 1_800_000_000;

fn redis_url() -> String {
    std::env::var("STELLAOPS_TEST_REDIS").unwrap_or_else(|_| {
        panic!("STELLAOPS_TEST_REDIS is not set: start Redis with scripts/services.sh (scripts/test.sh does)")
    })
}

/// A key prefix no other test (or earlier run) uses.
fn fresh_prefix(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("stellaops-test:{name}:{}:{nanos}:", std::process::id())
}

fn enforcer(prefix: &str, now: i64) -> (QuotaEnforcer, Arc<FixedClock>) {
    let store = RedisQuotaStore::new(&redis_url(), Duration::from_secs(5))
        .unwrap()
        .with_prefix(prefix);
    let clock = Arc::new(FixedClock::at_unix(now));
    (QuotaEnforcer::new(Arc::new(store), clock.clone()), clock)
}

fn rate_limits() -> QuotaLimits {
    QuotaLimits {
        requests_per_second: Some(3.0),
        burst: Some(37),
        ..QuotaLimits::default()
    }
}

/// Run `attempts` admissions on each of `threads` threads at once; count the admitted.
fn hammer(q: Arc<QuotaEnforcer>, limits: QuotaLimits, threads: usize, attempts: usize) -> usize {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (q, barrier) = (q.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                (0..attempts)
                    .filter(|_| match q.admit("acme", "team", &limits, Some(0)) {
                        Ok(_) => true,
                        Err(d) => {
                            assert_eq!(d.reason, Reason::QuotaRate, "{d}");
                            false
                        }
                    })
                    .count()
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

#[test]
fn rate_limit_is_exact_under_64_threads() {
    let (q, _) = enforcer(&fresh_prefix("rate"), NOW);
    assert_eq!(hammer(Arc::new(q), rate_limits(), 64, 4), 37);
}

#[test]
fn the_bucket_refills_at_the_rate() {
    let (q, clock) = enforcer(&fresh_prefix("refill"), NOW);
    let limits = rate_limits();
    for _ in 0..37 {
        q.admit("acme", "team", &limits, Some(0)).unwrap();
    }
    assert_eq!(
        q.admit("acme", "team", &limits, Some(0))
            .unwrap_err()
            .reason,
        Reason::QuotaRate
    );
    clock.advance(Duration::from_secs(2));
    for _ in 0..6 {
        q.admit("acme", "team", &limits, Some(0)).unwrap();
    }
    assert_eq!(
        q.admit("acme", "team", &limits, Some(0))
            .unwrap_err()
            .reason,
        Reason::QuotaRate
    );
}

/// The bucket refills by exactly the time that passed, at microsecond precision, however the
/// requests fall: 100,000 admissions 7 µs apart at 1,000 per second (burst 1) may admit the
/// first token and one per millisecond after it, never more. (Redis's Lua keeps numbers to 14
/// digits when it turns them into strings: a bucket stored that way lost the last two digits of
/// its microsecond timestamp and refilled for time that had not passed.)
#[test]
fn the_bucket_refills_only_for_time_that_passed() {
    let (q, clock) = enforcer(&fresh_prefix("precision"), NOW);
    let limits = QuotaLimits {
        requests_per_second: Some(1000.0),
        burst: Some(1),
        ..QuotaLimits::default()
    };
    let mut admitted = 0;
    for _ in 0..100_000 {
        if q.admit("acme", "team", &limits, Some(0)).is_ok() {
            admitted += 1;
        }
        clock.advance(Duration::from_micros(7));
    }
    // 699,993 µs after the first admission: 1 + 699 tokens.
    assert_eq!(admitted, 700);
}

/// The two-process bucket: 2,000 tokens, while each process tries 32 x 50 = 1,600 times, so
/// neither can drain it alone and both must take part.
fn shared_limits() -> QuotaLimits {
    QuotaLimits {
        requests_per_second: Some(1.0),
        burst: Some(2000),
        ..QuotaLimits::default()
    }
}

/// Not a test of its own: the worker process [`rate_limit_is_exact_across_two_processes`]
/// starts twice. It reads its key prefix from the environment and prints how many of its
/// admissions went through.
#[test]
#[ignore = "worker process for rate_limit_is_exact_across_two_processes"]
fn worker_hammers_one_tenant() {
    let prefix = std::env::var("STELLAOPS_QUOTA_WORKER_PREFIX").expect("run by the parent test");
    let (q, _) = enforcer(&prefix, NOW);
    let passed = hammer(Arc::new(q), shared_limits(), 32, 50);
    println!("passed={passed}");
}

#[test]
fn rate_limit_is_exact_across_two_processes() {
    let prefix = fresh_prefix("processes");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "worker_hammers_one_tenant",
                    "--nocapture",
                ])
                .env("STELLAOPS_QUOTA_WORKER_PREFIX", &prefix)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut total = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "worker failed");
        let text = String::from_utf8(out.stdout).unwrap();
        let passed: usize = text
            .lines()
            .find_map(|l| l.strip_prefix("passed="))
            .unwrap_or_else(|| panic!("no count in worker output: {text}"))
            .trim()
            .parse()
            .unwrap();
        assert!(
            passed >= 400,
            "each process got at least what the other left: {passed}"
        );
        total += passed;
    }
    assert_eq!(
        total, 2000,
        "2 processes x 32 threads x 50 attempts share one bucket of 2,000"
    );
}

#[test]
fn concurrency_is_exact_and_leases_expire() {
    let prefix = fresh_prefix("slots");
    let (q, clock) = enforcer(&prefix, NOW);
    let q = Arc::new(q.lease_ttl(Duration::from_secs(30)));
    let limits = QuotaLimits {
        max_concurrent: Some(5),
        ..QuotaLimits::default()
    };
    let barrier = Arc::new(Barrier::new(64));
    let handles: Vec<_> = (0..64)
        .map(|_| {
            let (q, barrier) = (q.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let admission = q.admit("acme", "team", &limits, Some(0));
                let ok = admission.is_ok();
                barrier.wait();
                drop(admission);
                ok
            })
        })
        .collect();
    let held = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(held, 5);

    // All released: five fit again. A holder that dies (forget) frees its slot at the TTL.
    let leases: Vec<_> = (0..5)
        .map(|_| q.admit("acme", "team", &limits, Some(0)).unwrap())
        .collect();
    assert_eq!(
        q.admit("acme", "team", &limits, Some(0))
            .unwrap_err()
            .reason,
        Reason::QuotaConcurrency
    );
    leases.into_iter().for_each(std::mem::forget);
    clock.advance(Duration::from_secs(31));
    assert!(q.admit("acme", "team", &limits, Some(0)).is_ok());
}

#[test]
fn unreachable_redis_fails_closed_unless_told_otherwise() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = Arc::new(
        RedisQuotaStore::new(
            &format!("redis://127.0.0.1:{port}/"),
            Duration::from_secs(1),
        )
        .unwrap(),
    );
    let clock = Arc::new(FixedClock::at_unix(NOW));
    let limits = QuotaLimits {
        requests_per_second: Some(1.0),
        max_concurrent: Some(1),
        ..QuotaLimits::default()
    };
    let closed = QuotaEnforcer::new(store.clone(), clock.clone());
    assert_eq!(
        closed
            .admit("acme", "team", &limits, Some(0))
            .unwrap_err()
            .reason,
        Reason::QuotaStore
    );
    let open = QuotaEnforcer::new(store, clock).fail_open(true);
    let admission = open.admit("acme", "team", &limits, Some(0)).unwrap();
    assert!(
        admission.fail_open.is_some(),
        "the admission says it was let through"
    );
    assert!(admission.lease.is_none());
}

/// The Redis anchor store moves an instance's head only forward: a shorter head, or one as long
/// with another hash, is refused as a cut or rewritten log; heads of every instance read back.
#[test]
fn the_redis_anchor_store_never_moves_a_head_back() {
    use stellaops_poe::audit::{AnchorStore, ChainHead, RedisAnchorStore};
    use stellaops_poe::Error;
    let store = RedisAnchorStore::new(&redis_url(), Duration::from_secs(5))
        .unwrap()
        .with_prefix(&fresh_prefix("anchor"));
    let head = |instance: &str, seq, hash: &str| ChainHead {
        instance: instance.into(),
        seq,
        hash: hash.into(),
    };
    store.publish(&head("a", 5, "aa55")).unwrap();
    store.publish(&head("a", 5, "aa55")).unwrap();
    store.publish(&head("a", 7, "aa77")).unwrap();
    store.publish(&head("b", 1, "bb01")).unwrap();
    for refused in [head("a", 6, "aa66"), head("a", 7, "ab77")] {
        match store.publish(&refused) {
            Err(Error::AuditChain { problem, .. }) => {
                assert!(problem.contains("\"7 aa77\""), "{problem}")
            }
            other => panic!("{refused:?}: {other:?}"),
        }
    }
    let mut heads = store.heads().unwrap();
    heads.sort_by(|x, y| x.instance.cmp(&y.instance));
    assert_eq!(heads, vec![head("a", 7, "aa77"), head("b", 1, "bb01")]);
}
