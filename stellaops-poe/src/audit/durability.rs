//! Deferred durability: appends that return once their record is written, with a
//! [`Durability`] to await before acting on the decision it records.
//!
//! A blocking append ([`AuditSink::append`](super::AuditSink::append)) holds its thread until
//! the record is on disk. An async server would rather not hold a thread per waiting request:
//! inside [`defer_durability`], the sinks that support it ([`JsonlAuditSink`](super::JsonlAuditSink)
//! with `sync` on) write the record and return at once, and hand the wait to a [`Durability`]
//! that the caller awaits (a [`Future`]) or [`wait`](Durability::wait)s for, and must, before
//! it answers. The sink's own thread runs the shared `fdatasync` for deferred appends.

use std::cell::RefCell;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use stellaops_crypto::Cause;

use crate::{Error, Result};

pub(super) const PENDING: u8 = 0;
pub(super) const DURABLE: u8 = 1;
pub(super) const LOST: u8 = 2;

/// What a lost record's error says, whether its append blocked or was deferred.
pub(super) const LOST_RECORD: &str = "fdatasync failed; the record was cut from the log";

/// What became of one appended record, and whom to tell when that is known.
#[derive(Debug, Default)]
pub(super) struct Ticket {
    state: AtomicU8,
    /// The task (or thread, through a waker) waiting on it.
    waker: Mutex<Option<Waker>>,
    /// Why it was lost, when a sync failed.
    error: Mutex<Option<std::io::Error>>,
}

impl Ticket {
    pub(super) fn state(&self) -> u8 {
        self.state.load(Ordering::Acquire)
    }

    /// Why it was lost, once.
    pub(super) fn take_error(&self) -> Option<std::io::Error> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Settle as `to` (with the sync's error when lost) and wake whoever waits.
    pub(super) fn settle(&self, to: u8, error: Option<&std::io::Error>) {
        if let Some(e) = error {
            *self.error.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(std::io::Error::new(e.kind(), e.to_string()));
        }
        self.state.store(to, Ordering::Release);
        let waker = self.waker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The deferred appends of one scope: each ticket with its log's path (for the error).
type Tickets = Vec<(Arc<Ticket>, PathBuf)>;

thread_local! {
    /// The tickets of the deferred appends made on this thread, while deferring.
    static DEFERRED: RefCell<Option<Tickets>> = const { RefCell::new(None) };
}

/// Whether this thread is inside [`defer_durability`].
pub(super) fn deferring() -> bool {
    DEFERRED.with(|d| d.borrow().is_some())
}

/// Record a deferred append's ticket for the enclosing [`defer_durability`].
pub(super) fn defer(ticket: Arc<Ticket>, path: PathBuf) {
    DEFERRED.with(|d| {
        if let Some(list) = d.borrow_mut().as_mut() {
            list.push((ticket, path));
        }
    });
}

/// Run `f` with the audit appends it makes on this thread deferred: each returns once its
/// record is written, and the returned [`Durability`] resolves once every one of them is on
/// disk (or fails when one was lost). **Do not act on `f`'s result (answer a request, return an
/// envelope) before the `Durability` resolves `Ok`**: that is the guarantee a blocking append
/// gives, handed to the caller. Sinks without deferral, or with `sync` off, append as always.
pub fn defer_durability<R>(f: impl FnOnce() -> R) -> (R, Durability) {
    type Scope = Option<Tickets>;
    /// Puts the enclosing scope (if any) back however `f` ends.
    struct Restore(Option<Scope>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                DEFERRED.with(|d| *d.borrow_mut() = outer);
            }
        }
    }
    let restore = Restore(Some(DEFERRED.with(|d| d.replace(Some(Vec::new())))));
    let result = f();
    let tickets = DEFERRED.with(|d| d.borrow_mut().take()).unwrap_or_default();
    drop(restore);
    (result, Durability { tickets })
}

/// The durability of the records a [`defer_durability`] scope appended: a [`Future`] that
/// resolves once all are on disk, or [`wait`](Self::wait) on a thread.
#[derive(Debug)]
#[must_use = "the records may not be durable yet: await it before acting on the decision"]
pub struct Durability {
    tickets: Tickets,
}

impl Durability {
    /// Whether every record is already settled (durable or lost).
    pub fn is_settled(&self) -> bool {
        self.tickets.iter().all(|(t, _)| t.state() != PENDING)
    }

    /// Block this thread until every record is settled.
    ///
    /// # Errors
    /// [`Error::Audit`] when a record was lost (its sync failed; it was cut from the log).
    pub fn wait(mut self) -> Result<()> {
        let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            match Pin::new(&mut self).poll(&mut cx) {
                Poll::Ready(r) => return r,
                Poll::Pending => std::thread::park(),
            }
        }
    }
}

impl Future for Durability {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        while let Some((ticket, path)) = self.tickets.first() {
            match ticket.state() {
                DURABLE => {
                    self.tickets.remove(0);
                }
                LOST => {
                    let source = ticket.take_error().map(Cause::new);
                    return Poll::Ready(Err(Error::Audit {
                        path: path.clone(),
                        context: String::from(LOST_RECORD),
                        source,
                    }));
                }
                _ => {
                    *ticket.waker.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some(cx.waker().clone());
                    // Settled between the look and the registration: look again.
                    if ticket.state() == PENDING {
                        return Poll::Pending;
                    }
                }
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// Wakes a thread parked in [`Durability::wait`].
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}
