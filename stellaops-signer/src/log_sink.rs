//! The library's log records for callers without a `tracing` subscriber of their own: the faces
//! (C, Go, Python, Node) and the CLI.
//!
//! The library logs through the `tracing` facade. Each pipeline decision is one event, target
//! [`DECISION_TARGET`], message `signing decision`, with the fields the StellaOps Signer design
//! names: `trace_id`, `tenant`, `subject_digests`, `issuer_mode`, `decision`, `reason`,
//! `key_ids`, `latency_ms` (caller-supplied values bounded as the audit record bounds them). A
//! Rust program with its own subscriber (tracing-subscriber, OpenTelemetry) gets them there;
//! [`set_log_sink`] installs this small subscriber instead and hands every record at or above a
//! level to a function, as a [`LogRecord`] (JSON with [`LogRecord::to_json`]).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// The target of the one event per pipeline decision.
pub const DECISION_TARGET: &str = "stellaops_signer::decision";

/// The longest text kept from one field of a record.
pub const MAX_FIELD_TEXT: usize = 4096;

/// How severe a record is; a sink gets the records at its level and above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum LogLevel {
    /// Something failed (an audit record not written).
    Error = 1,
    /// Something to look at (a predicate type outside the catalog signed under `warn`).
    Warn = 2,
    /// What happened (every pipeline decision).
    Info = 3,
    /// Details for debugging.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

impl LogLevel {
    /// The lowercase name: `error`, `warn`, `info`, `debug`, `trace`.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }

    /// The level named `name` (any case), `None` for `off`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidRequest`] for another name.
    pub fn parse(name: &str) -> crate::Result<Option<LogLevel>> {
        let level = match name.to_ascii_lowercase().as_str() {
            "off" | "none" => return Ok(None),
            "error" => LogLevel::Error,
            "warn" | "warning" => LogLevel::Warn,
            "info" => LogLevel::Info,
            "debug" => LogLevel::Debug,
            "trace" => LogLevel::Trace,
            _ => {
                return Err(crate::Error::InvalidRequest(
                    "log level: expected off, error, warn, info, debug or trace".into(),
                ))
            }
        };
        Ok(Some(level))
    }

    fn of(level: &tracing::Level) -> LogLevel {
        match *level {
            tracing::Level::ERROR => LogLevel::Error,
            tracing::Level::WARN => LogLevel::Warn,
            tracing::Level::INFO => LogLevel::Info,
            tracing::Level::DEBUG => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One record: level, where it comes from, the message and the structured fields.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRecord {
    /// The level.
    pub level: LogLevel,
    /// The module that logged it; [`DECISION_TARGET`] for pipeline decisions.
    pub target: String,
    /// The message (`signing decision`, `denied`, ...).
    pub message: String,
    /// The fields by name: strings (each at most [`MAX_FIELD_TEXT`] bytes), numbers, booleans.
    pub fields: BTreeMap<String, serde_json::Value>,
}

impl LogRecord {
    /// One JSON object, one line: `level`, `target`, `message`, then the fields (a field with
    /// one of those three names is kept as `field.<name>`).
    pub fn to_json(&self) -> String {
        let mut object = serde_json::Map::new();
        object.insert("level".into(), self.level.name().into());
        object.insert("target".into(), self.target.clone().into());
        object.insert("message".into(), self.message.clone().into());
        for (name, value) in &self.fields {
            let key = if object.contains_key(name) {
                format!("field.{name}")
            } else {
                name.clone()
            };
            object.insert(key, value.clone());
        }
        serde_json::Value::Object(object).to_string()
    }
}

/// Where records go.
pub type LogSink = dyn Fn(&LogRecord) + Send + Sync;

/// The current sink and its level (0: none).
struct Current {
    level: AtomicU8,
    sink: RwLock<Option<Arc<LogSink>>>,
}

static CURRENT: Current = Current {
    level: AtomicU8::new(0),
    sink: RwLock::new(None),
};
static INSTALLED: OnceLock<bool> = OnceLock::new();

thread_local! {
    /// Set while this thread runs the sink: a record the sink itself causes is dropped, not
    /// delivered into the sink again.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Send the library's records at `level` and above to `sink` (replacing an earlier sink); `None`
/// for either stops them. The subscriber is installed as the process's global `tracing`
/// subscriber on first use; returns false when another one was installed first (a Rust host's
/// own): the records go there, and `sink` gets nothing.
///
/// The sink runs on the thread that logged, possibly several at once; a record the sink itself
/// causes is dropped.
pub fn set_log_sink(level: Option<LogLevel>, sink: Option<Arc<LogSink>>) -> bool {
    let installed =
        *INSTALLED.get_or_init(|| tracing::subscriber::set_global_default(SinkSubscriber).is_ok());
    let (level, sink) = match (level, sink) {
        (Some(level), Some(sink)) => (level as u8, Some(sink)),
        _ => (0, None),
    };
    *CURRENT.sink.write().unwrap_or_else(PoisonError::into_inner) = sink;
    CURRENT.level.store(level, Ordering::Release);
    tracing::callsite::rebuild_interest_cache();
    installed
}

/// The subscriber [`set_log_sink`] installs: events only (spans carry nothing a record needs:
/// the decision event has every field itself), from this workspace's crates only.
struct SinkSubscriber;

impl SinkSubscriber {
    fn wants(metadata: &Metadata<'_>) -> bool {
        let level = CURRENT.level.load(Ordering::Acquire);
        level != 0
            && LogLevel::of(metadata.level()) as u8 <= level
            && metadata.target().starts_with("stellaops")
    }
}

impl Subscriber for SinkSubscriber {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // Asked again on every use: the level changes at run time.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        Self::wants(metadata)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        if !Self::wants(metadata) || IN_SINK.with(Cell::get) {
            return;
        }
        let Some(sink) = CURRENT
            .sink
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        else {
            return;
        };
        let mut fields = Fields::default();
        event.record(&mut fields);
        let record = LogRecord {
            level: LogLevel::of(metadata.level()),
            target: metadata.target().to_owned(),
            message: fields.message.unwrap_or_default(),
            fields: fields.values,
        };
        IN_SINK.with(|flag| flag.set(true));
        sink(&record);
        IN_SINK.with(|flag| flag.set(false));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Collects an event's fields, strings bounded.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    values: BTreeMap<String, serde_json::Value>,
}

impl Fields {
    fn text(&mut self, field: &Field, text: &str) {
        let text = stellaops_poe::audit::bound_text(text, MAX_FIELD_TEXT)
            .0
            .to_owned();
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.values.insert(field.name().to_owned(), text.into());
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.values.insert(field.name().to_owned(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.values.insert(field.name().to_owned(), value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.values.insert(field.name().to_owned(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.values.insert(field.name().to_owned(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, &format!("{value:?}"));
    }
}
