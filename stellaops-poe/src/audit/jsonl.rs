//! The default sink: an append-only JSONL file whose appends share `fdatasync` calls.
//!
//! Group commit: each append writes its line under the sink's lock (page cache, microseconds),
//! then waits until a `fdatasync` that started after its write has finished. The first waiter
//! to find no sync running starts one, outside the lock, for everything written so far; the
//! others sleep, and appends that arrive meanwhile join the next one. A finished sync wakes
//! exactly the appends it made durable, and the oldest one still waiting to lead the next sync
//! (no thundering herd: under load most waiters are not covered by the sync that just ended). Under load one
//! sync makes many records durable at once; alone, an append costs one sync as before. No
//! append returns before its record is on disk, so a caller never acts on an unrecorded
//! decision. When a sync fails, every record it was to make durable is cut from the file and
//! each of their appends fails: the chain on disk stays the chain of acknowledged records.
//!
//! Inside [`defer_durability`](super::defer_durability) an append does not wait: it queues its
//! record like any other and returns; the sink's syncer thread (started on the first deferred
//! append) leads the syncs such appends need, and the caller awaits the
//! [`Durability`](super::Durability) before it acts on the decision.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use stellaops_crypto::Cause;

use super::anchor::{refuse_missing_log, verify_chain_anchored, ChainHead};
use super::chain::{line_for, verify_chain, ChainSummary, TornTail};
use super::durability::{self, Ticket, DURABLE, LOST, LOST_RECORD, PENDING};
use super::{AuditRecord, AuditSink, GENESIS, MAX_LINE};
use crate::{Error, Result};

/// How long the syncer sleeps before it looks again without being woken (a safety net).
const SYNCER_IDLE: Duration = Duration::from_millis(100);

/// Where the chain ends: its length in bytes, its last sequence number and hash.
#[derive(Clone, Debug)]
struct Mark {
    len: u64,
    seq: u64,
    prev: String,
}

/// One append waiting for its sync: where its line ends, its ticket, and the thread blocked on
/// it (`None` for a deferred append, which the syncer thread leads for).
#[derive(Debug)]
struct Waiter {
    end: u64,
    ticket: Arc<Ticket>,
    thread: Option<std::thread::Thread>,
}

impl Waiter {
    fn settle(self, to: u8, error: Option<&std::io::Error>) {
        self.ticket.settle(to, error);
        if let Some(t) = self.thread {
            t.unpark();
        }
    }
}

#[derive(Debug)]
struct Tail {
    file: File,
    /// What has been written (page cache).
    written: Mark,
    /// What a finished `fdatasync` covered.
    durable: Mark,
    /// Appends written but not yet durable, in file order.
    waiting: VecDeque<Waiter>,
    /// A sync is running (outside the lock).
    syncing: bool,
    /// The last append failed (a full disk, a removed file); cleared by the next success.
    failed: bool,
    /// The syncer thread runs.
    syncer: bool,
    /// The syncer thread sleeps (a deferred append must wake it; otherwise it looks anyway).
    syncer_idle: bool,
    /// The sink was dropped: the syncer ends once no deferred append waits.
    closed: bool,
}

/// What the appending threads and the syncer thread share.
#[derive(Debug)]
struct Shared {
    tail: Mutex<Tail>,
    /// A second handle on the file, so a sync runs while others write.
    sync_handle: File,
    syncs: AtomicU64,
    /// Wakes the syncer: a deferred append waits with no sync running, or the sink closed.
    syncer_wake: Condvar,
}

/// The default sink: an append-only JSONL file with a SHA-256 chain and group commit.
///
/// One writer per file: the sink serializes its own appends, and two processes appending to
/// the same file would fork the chain.
#[derive(Debug)]
pub struct JsonlAuditSink {
    path: PathBuf,
    sync: bool,
    shared: Arc<Shared>,
    repaired: Option<TornTail>,
}

impl Drop for JsonlAuditSink {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.syncer_wake.notify_all();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Tail> {
        self.tail.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One sync, outside the lock, of everything written so far; then settle the appends it
    /// covered and wake the next leader. Called and returning with the lock held, no sync
    /// running.
    fn sync_round<'a>(&'a self, mut tail: MutexGuard<'a, Tail>) -> MutexGuard<'a, Tail> {
        tail.syncing = true;
        let target = tail.written.clone();
        drop(tail);
        let synced = self.sync_handle.sync_data();
        self.syncs.fetch_add(1, Ordering::Relaxed);
        let mut tail = self.lock();
        tail.syncing = false;
        match synced {
            Ok(()) => {
                let mut covered = Vec::new();
                while tail.waiting.front().is_some_and(|w| w.end <= target.len) {
                    covered.extend(tail.waiting.pop_front());
                }
                if target.len > tail.durable.len {
                    tail.durable = target;
                }
                tail.failed = false;
                // Wake the covered appends without the lock, which the appends they wake (and
                // new ones) want.
                if !covered.is_empty() {
                    drop(tail);
                    for w in covered {
                        w.settle(DURABLE, None);
                    }
                    tail = self.lock();
                }
                // The oldest append still waiting leads the next sync (the syncer, for a
                // deferred one).
                match tail.waiting.front().map(|w| w.thread.as_ref()) {
                    Some(Some(thread)) => thread.unpark(),
                    Some(None) if tail.syncer_idle => self.syncer_wake.notify_one(),
                    Some(None) => {}
                    None => {}
                }
            }
            Err(e) => {
                // Nothing past the last good sync is known to be on disk: cut it, so the file
                // holds acknowledged records only, and fail every append it held.
                let durable = tail.durable.clone();
                let _ = tail.file.set_len(durable.len);
                tail.written = durable;
                for w in tail.waiting.drain(..) {
                    w.settle(LOST, Some(&e));
                }
                tail.failed = true;
            }
        }
        tail
    }

    /// Block until `ticket` is settled, leading a sync whenever none is running. Called and
    /// returning with the lock held.
    fn await_durable<'a>(
        &'a self,
        mut tail: MutexGuard<'a, Tail>,
        ticket: &Ticket,
    ) -> MutexGuard<'a, Tail> {
        while ticket.state() == PENDING {
            if tail.syncing {
                // The running sync's leader wakes us when it covers us or when we are next to
                // lead; a wake-up that is neither is harmless (the loop looks again).
                drop(tail);
                std::thread::park();
                tail = self.lock();
                continue;
            }
            tail = self.sync_round(tail);
        }
        tail
    }

    /// The syncer thread: leads a sync whenever a deferred append waits and none is running;
    /// ends once the sink is dropped and no deferred append waits.
    fn run_syncer(&self) {
        let mut tail = self.lock();
        loop {
            let deferred_waiting = tail.waiting.iter().any(|w| w.thread.is_none());
            if deferred_waiting && !tail.syncing {
                tail = self.sync_round(tail);
                continue;
            }
            if tail.closed && !deferred_waiting {
                tail.syncer = false;
                return;
            }
            tail.syncer_idle = true;
            tail = self
                .syncer_wake
                .wait_timeout(tail, SYNCER_IDLE)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            tail.syncer_idle = false;
        }
    }
}

impl JsonlAuditSink {
    /// Open (or create) `path`. An existing file is verified first; a broken chain is an error
    /// rather than something to append to. A [torn tail](super::ChainSummary::torn_tail) (a
    /// line a crash cut short, never acknowledged) is cut off, and the first record appended
    /// says so: `decision` `error`, `reason` `audit.torn_tail`, with the line and byte count.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::AuditChain`].
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        Self::open_verified(path.into(), verify_chain)
    }

    /// [`open`](Self::open), the existing file verified in the same pass against every head
    /// in `anchors` naming `instance` ([`verify_chain_anchored`]): a log cut below, or
    /// rewritten at, an anchored head is refused rather than appended to, and so is a missing
    /// log when `instance` has an anchored head (the log was deleted or moved: starting a new
    /// chain under the same name would hide it).
    ///
    /// # Errors
    /// As [`open`](Self::open) and [`verify_chain_anchored`]; [`Error::AuditChain`] for a
    /// missing log with an anchored head.
    pub fn open_anchored(
        path: impl Into<PathBuf>,
        instance: &str,
        anchors: &[ChainHead],
    ) -> Result<Self> {
        let path = path.into();
        if !path.try_exists().map_err(|e| Error::io(&path, e))? {
            refuse_missing_log(&path, instance, anchors)?;
        }
        Self::open_verified(path, |p| verify_chain_anchored(p, instance, anchors))
    }

    /// Open `path`, verifying an existing file with `verify`.
    fn open_verified(
        path: PathBuf,
        verify: impl FnOnce(&Path) -> Result<ChainSummary>,
    ) -> Result<Self> {
        let (seq, prev, torn) = if path.exists() {
            let summary = verify(&path)?;
            (summary.records, summary.last_hash, summary.torn_tail)
        } else {
            (0, String::from(GENESIS), None)
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        if let Some(torn) = torn {
            file.set_len(torn.offset)
                .and_then(|()| file.sync_data())
                .map_err(|e| Error::io(&path, e))?;
        }
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        let sync_handle = file.try_clone().map_err(|e| Error::io(&path, e))?;
        let mark = Mark { len, seq, prev };
        let sink = JsonlAuditSink {
            path,
            sync: true,
            shared: Arc::new(Shared {
                tail: Mutex::new(Tail {
                    file,
                    written: mark.clone(),
                    durable: mark,
                    waiting: VecDeque::new(),
                    syncing: false,
                    failed: false,
                    syncer: false,
                    syncer_idle: false,
                    closed: false,
                }),
                sync_handle,
                syncs: AtomicU64::new(0),
                syncer_wake: Condvar::new(),
            }),
            repaired: torn,
        };
        if let Some(torn) = torn {
            sink.append(&AuditRecord {
                time: super::timestamp(&crate::SystemClock),
                decision: String::from("error"),
                reason: Some(String::from("audit.torn_tail")),
                detail: Some(format!(
                    "cut {} bytes of an incomplete line {} when reopening: an append a crash \
                     cut short, never acknowledged",
                    torn.bytes, torn.line
                )),
                ..AuditRecord::default()
            })?;
        }
        Ok(sink)
    }

    /// Whether each append waits for its record to reach the disk (`fdatasync`, shared by
    /// concurrent appends; default on). Off, a record survives a crash of the process but not
    /// of the machine.
    #[must_use]
    pub fn sync(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The torn tail [`open`](Self::open) cut off, if it found one.
    pub fn repaired(&self) -> Option<TornTail> {
        self.repaired
    }

    /// How many `fdatasync` calls appends have made so far: with many callers, far fewer
    /// than records.
    pub fn syncs(&self) -> u64 {
        self.shared.syncs.load(Ordering::Relaxed)
    }

    fn fail(&self, context: impl Into<String>, source: Option<Cause>) -> Error {
        Error::Audit {
            path: self.path.clone(),
            context: context.into(),
            source,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tail> {
        self.shared.lock()
    }

    /// Start the syncer thread unless it runs; false when it cannot be started (the append
    /// then blocks as outside a deferring scope).
    fn ensure_syncer(&self, tail: &mut Tail) -> bool {
        if tail.syncer {
            return true;
        }
        let shared = Arc::clone(&self.shared);
        let started = std::thread::Builder::new()
            .name(String::from("stellaops-audit-sync"))
            .spawn(move || shared.run_syncer())
            .is_ok();
        tail.syncer = started;
        started
    }
}

impl AuditSink for JsonlAuditSink {
    /// Append `record`, [bounded](AuditRecord::bounded) first: a line over [`MAX_LINE`], which
    /// [`verify_chain`] would refuse, is never written. Returns once the record is durable
    /// (with [`sync`](Self::sync) on).
    fn append(&self, record: &AuditRecord) -> Result<()> {
        let record = record.clone().bounded();
        let mut tail = self.lock();
        let seq = tail.written.seq + 1;
        let (line, hash) = line_for(&record, seq, &tail.written.prev)
            .map_err(|e| self.fail("serializing the record", Some(e)))?;
        if line.len() > MAX_LINE + 1 {
            return Err(self.fail(
                format!(
                    "record of {} bytes exceeds the audit line limit of {MAX_LINE}",
                    line.len()
                ),
                None,
            ));
        }
        if let Err(e) = tail.file.write_all(&line) {
            // Leave no partial line behind: the chain must stay verifiable.
            let len = tail.written.len;
            let _ = tail.file.set_len(len);
            tail.failed = true;
            return Err(self.fail("append failed", Some(Cause::new(e))));
        }
        tail.written = Mark {
            len: tail.written.len + line.len() as u64,
            seq,
            prev: hash,
        };
        if !self.sync {
            tail.durable = tail.written.clone();
            tail.failed = false;
            return Ok(());
        }
        let ticket = Arc::new(Ticket::default());
        let end = tail.written.len;
        let deferred = durability::deferring() && self.ensure_syncer(&mut tail);
        tail.waiting.push_back(Waiter {
            end,
            ticket: Arc::clone(&ticket),
            thread: (!deferred).then(std::thread::current),
        });
        if deferred {
            if !tail.syncing && tail.syncer_idle {
                self.shared.syncer_wake.notify_one();
            }
            drop(tail);
            durability::defer(ticket, self.path.clone());
            return Ok(());
        }
        let _tail = self.shared.await_durable(tail, &ticket);
        if ticket.state() == DURABLE {
            return Ok(());
        }
        Err(self.fail(LOST_RECORD, ticket.take_error().map(Cause::new)))
    }

    fn head(&self) -> Option<(u64, String)> {
        let tail = self.lock();
        Some((tail.durable.seq, tail.durable.prev.clone()))
    }

    fn check(&self) -> Result<()> {
        let tail = self.lock();
        if tail.failed {
            return Err(self.fail("the last append failed", None));
        }
        match std::fs::metadata(&self.path) {
            Ok(m) if m.len() == tail.written.len => Ok(()),
            Ok(m) => Err(self.fail(
                format!(
                    "the log is {} bytes, {} were written",
                    m.len(),
                    tail.written.len
                ),
                None,
            )),
            Err(e) => Err(self.fail("the log is gone", Some(Cause::new(e)))),
        }
    }
}
