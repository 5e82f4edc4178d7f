//! The library's log records, to a callback: one JSON object per record, such as the one
//! `signing decision` record per pipeline request.

use std::ffi::c_void;
use std::sync::Arc;

use stellaops_signer::log_sink::{set_log_sink, LogLevel, LogRecord};

use crate::caller::{stellaops_release_callback, Context};
use crate::guard::{guard, Failure};
use crate::status::stellaops_status;

/// A log level, as one of the `STELLAOPS_LOG_*` numbers.
pub type stellaops_log_level = u32;
/// No records.
pub const STELLAOPS_LOG_OFF: stellaops_log_level = 0;
/// Failures (an audit record not written).
pub const STELLAOPS_LOG_ERROR: stellaops_log_level = 1;
/// Things to look at (a predicate type outside the catalog signed under warn).
pub const STELLAOPS_LOG_WARN: stellaops_log_level = 2;
/// What happened: one `signing decision` record per pipeline request.
pub const STELLAOPS_LOG_INFO: stellaops_log_level = 3;
/// Details for debugging.
pub const STELLAOPS_LOG_DEBUG: stellaops_log_level = 4;
/// Everything.
pub const STELLAOPS_LOG_TRACE: stellaops_log_level = 5;

/// Receives one record: its level and the record as one JSON object (`json_len` bytes of UTF-8,
/// not NUL-terminated, valid during the call only) with `level`, `target`, `message` and the
/// fields: for a pipeline decision (`target` `stellaops_signer::decision`, `message`
/// `signing decision`) `trace_id`, `tenant`, `subject_digests`, `issuer_mode`, `decision`,
/// `reason`, `key_ids`, `predicate_type`, `latency_ms`.
///
/// It runs on the thread that logged, possibly on several threads at once, and must not unwind.
/// Records the callback itself causes (by calling the library) are dropped.
pub type stellaops_log_callback = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        level: stellaops_log_level,
        json: *const u8,
        json_len: usize,
    ),
>;

/// Send the library's records at `level` and above to `callback`, replacing an earlier callback
/// (whose `release` is then called, once any call running in it returns). `STELLAOPS_LOG_OFF` or
/// a NULL `callback` stops the records. The callback keeps `context` until it is replaced; then
/// `release` (may be NULL) is called with it. On failure `release` is not called.
///
/// Errors: INVALID_ARGUMENT (a level above `STELLAOPS_LOG_TRACE`).
///
/// # Safety
/// `callback` and `release` keep the promises their types document.
#[no_mangle]
pub unsafe extern "C" fn stellaops_set_log_callback(
    level: stellaops_log_level,
    callback: stellaops_log_callback,
    context: *mut c_void,
    release: stellaops_release_callback,
) -> stellaops_status {
    guard(|| {
        let level = match level {
            STELLAOPS_LOG_OFF => None,
            STELLAOPS_LOG_ERROR => Some(LogLevel::Error),
            STELLAOPS_LOG_WARN => Some(LogLevel::Warn),
            STELLAOPS_LOG_INFO => Some(LogLevel::Info),
            STELLAOPS_LOG_DEBUG => Some(LogLevel::Debug),
            STELLAOPS_LOG_TRACE => Some(LogLevel::Trace),
            other => return Err(Failure::invalid(format!("unknown log level {other}"))),
        };
        let (Some(level), Some(callback)) = (level, callback) else {
            set_log_sink(None, None);
            return Ok(());
        };
        let context = Context {
            pointer: context,
            release,
        };
        let sink = move |record: &LogRecord| {
            let json = record.to_json();
            // SAFETY: json is valid for its length during the call; the caller promised the
            // callback may be called with its context from any thread.
            unsafe {
                callback(
                    context.pointer(),
                    record.level as stellaops_log_level,
                    json.as_ptr(),
                    json.len(),
                )
            };
        };
        set_log_sink(Some(level), Some(Arc::new(sink)));
        Ok(())
    })
}
