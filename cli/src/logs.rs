//! The library's log records on stderr: `--log-format` and `STELLAOPS_LOG_LEVEL`.

use std::fmt::Write as _;
use std::sync::Arc;

use stellaops_signer::log_sink::{set_log_sink, LogLevel, LogRecord};

use crate::cli::LogFormat;
use crate::{term, Failure};

/// The environment variable that chooses which records are written.
const LEVEL_VARIABLE: &str = "STELLAOPS_LOG_LEVEL";

/// Write the library's records to stderr in `format`, at the level `STELLAOPS_LOG_LEVEL` names
/// (default `error`: the CLI prints its own warnings and results, so the library's records are
/// for when something failed, or for `info` and below on request).
pub(crate) fn install(format: LogFormat) -> Result<(), Failure> {
    let level = match std::env::var(LEVEL_VARIABLE) {
        Ok(name) => LogLevel::parse(&name).map_err(|_| {
            Failure::Usage(format!(
                "{LEVEL_VARIABLE}: expected off, error, warn, info, debug or trace, not {:?}",
                stellaops_signer::policy::audit::bound_text(&name, 32).0
            ))
        })?,
        Err(std::env::VarError::NotPresent) => Some(LogLevel::Error),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Failure::Usage(format!(
                "{LEVEL_VARIABLE} is not valid UTF-8"
            )))
        }
    };
    let sink = move |record: &LogRecord| match format {
        LogFormat::Json => term::json_error_line(&record.to_json()),
        LogFormat::Text => term::error_line(&text(record)),
    };
    set_log_sink(level, Some(Arc::new(sink)));
    Ok(())
}

/// `stella: info: signing decision trace_id=... decision=allowed ...` (escaped when written).
fn text(record: &LogRecord) -> String {
    let mut line = format!("stella: {}: {}", record.level, record.message);
    for (name, value) in &record.fields {
        match value {
            serde_json::Value::String(s) if s.is_empty() => {}
            serde_json::Value::String(s) if s.contains(' ') => {
                let _ = write!(line, " {name}={s:?}");
            }
            serde_json::Value::String(s) => {
                let _ = write!(line, " {name}={s}");
            }
            other => {
                let _ = write!(line, " {name}={other}");
            }
        }
    }
    line
}
