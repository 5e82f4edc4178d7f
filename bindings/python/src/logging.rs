//! The library's log records, to a Python `logging.Logger`.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use stellaops_signer::log_sink::{set_log_sink, LogLevel, LogRecord};

use crate::errors::to_py;

/// Names a `logging.LogRecord` already has: a field with one of these names is only in the
/// record's `stellaops` dict, never set as an attribute (logging refuses to overwrite them).
const RECORD_ATTRIBUTES: [&str; 24] = [
    "name",
    "msg",
    "args",
    "levelname",
    "levelno",
    "pathname",
    "filename",
    "module",
    "exc_info",
    "exc_text",
    "stack_info",
    "lineno",
    "funcName",
    "created",
    "msecs",
    "relativeCreated",
    "thread",
    "threadName",
    "processName",
    "process",
    "message",
    "asctime",
    "taskName",
    "stellaops",
];

/// The `logging` level number of a library level.
fn python_level(level: LogLevel) -> u32 {
    match level {
        LogLevel::Error => 40,
        LogLevel::Warn => 30,
        LogLevel::Info => 20,
        LogLevel::Debug | LogLevel::Trace => 10,
    }
}

/// The library level that produces what a `logging` level number lets through.
fn library_level(python: u32) -> LogLevel {
    match python {
        0..=10 => LogLevel::Debug,
        11..=20 => LogLevel::Info,
        21..=30 => LogLevel::Warn,
        _ => LogLevel::Error,
    }
}

/// Log `record` to `logger`, its fields as attributes and in a `stellaops` dict.
fn emit(py: Python<'_>, logger: &Py<PyAny>, record: &LogRecord) -> PyResult<()> {
    let fields = PyDict::new(py);
    fields.set_item("target", &record.target)?;
    for (name, value) in &record.fields {
        let value = match value {
            serde_json::Value::String(s) => s.into_pyobject(py)?.into_any(),
            serde_json::Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => i.into_pyobject(py)?.into_any(),
                (None, Some(f)) => f.into_pyobject(py)?.into_any(),
                _ => n.to_string().into_pyobject(py)?.into_any(),
            },
            other => other.to_string().into_pyobject(py)?.into_any(),
        };
        fields.set_item(name, value)?;
    }
    let extra = PyDict::new(py);
    for (name, value) in fields.iter() {
        let name: String = name.extract()?;
        if !RECORD_ATTRIBUTES.contains(&name.as_str()) {
            extra.set_item(name, value)?;
        }
    }
    extra.set_item("stellaops", fields)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.bind(py).call_method(
        "log",
        (python_level(record.level), record.message.as_str()),
        Some(&kwargs),
    )?;
    Ok(())
}

/// Send the library's log records to `logger` (a `logging.Logger`), replacing an earlier one;
/// `None` stops them. `level` ("debug", "info", "warn", "error"; default: what the logger's
/// effective level lets through) decides which records the library makes. Each pipeline
/// request makes one "signing decision" record at INFO whose attributes (and `record.stellaops`
/// dict) hold `target`, `trace_id`, `tenant`, `subject_digests`, `issuer_mode`, `decision`,
/// `reason`, `key_ids`, `predicate_type` and `latency_ms`. Records are logged on the thread that
/// made the library call, with the GIL; an error in a handler is dropped.
#[pyfunction]
#[pyo3(signature = (logger, level = None))]
pub fn set_logger(py: Python<'_>, logger: Option<Py<PyAny>>, level: Option<&str>) -> PyResult<()> {
    let Some(logger) = logger else {
        set_log_sink(None, None);
        return Ok(());
    };
    let level = match level {
        Some(name) => LogLevel::parse(name).map_err(to_py)?,
        None => {
            let python: u32 = logger
                .bind(py)
                .call_method0("getEffectiveLevel")?
                .extract()?;
            Some(library_level(python))
        }
    };
    let sink = move |record: &LogRecord| {
        Python::attach(|py| {
            if let Err(e) = emit(py, &logger, record) {
                // A handler that raises must not break signing; Python shows it like logging does.
                e.print(py);
            }
        });
    };
    set_log_sink(level, Some(Arc::new(sink)));
    Ok(())
}
