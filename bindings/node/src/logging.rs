//! The library's log records, to a JavaScript function.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use stellaops_signer::log_sink::{set_log_sink, LogLevel, LogRecord};

use crate::errors::{js, Failure};

/// Send the library's log records at `level` ("error", "warn", "info" (default), "debug",
/// "trace") and above to `onRecord`, replacing an earlier function; `null` stops them. Each
/// record is an object with `level`, `target`, `message` and its fields; each pipeline request
/// makes one `signing decision` record (`target` "stellaops_signer::decision") with `trace_id`,
/// `tenant`, `subject_digests`, `issuer_mode`, `decision`, `reason`, `key_ids`,
/// `predicate_type` and `latency_ms`. Records arrive on the event loop, after the call that
/// made them (also for the `*Sync` functions); the function does not keep the process alive.
#[napi(
    ts_args_type = "onRecord: ((record: { level: string; target: string; message: string; [field: string]: unknown }) => void) | null, level?: string | undefined | null"
)]
pub fn set_logger(
    env: Env,
    on_record: Option<Function<'_, serde_json::Value, ()>>,
    level: Option<String>,
) -> Result<()> {
    let Some(on_record) = on_record else {
        set_log_sink(None, None);
        return Ok(());
    };
    let level = js(
        &env,
        LogLevel::parse(level.as_deref().unwrap_or("info")).map_err(Failure::from),
    )?;
    let queued = on_record
        .build_threadsafe_function::<serde_json::Value>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(|ctx| Ok(ctx.value))?;
    let sink = move |record: &LogRecord| {
        let value = serde_json::from_str(&record.to_json()).unwrap_or(serde_json::Value::Null);
        // NonBlocking: a full queue drops the record rather than stall signing.
        let _ = queued.call(value, ThreadsafeFunctionCallMode::NonBlocking);
    };
    set_log_sink(level, Some(Arc::new(sink)));
    Ok(())
}
