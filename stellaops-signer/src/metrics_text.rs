//! The library's metrics as Prometheus text, for callers that embed no metrics recorder of
//! their own: the faces (C, Go, Python, Node) and the CLI.
//!
//! The pipeline emits through the `metrics` facade the metrics [`PIPELINE_METRICS`] lists. A
//! Rust program that installs its own recorder (metrics-exporter-prometheus, ...) gets them
//! there; [`install`] installs this small one instead, and [`snapshot`] renders what it
//! counted, with `# HELP` and `# TYPE` for every [described](describe) metric from the start
//! (and `0` for those without labels), so alert rules see every series before its first event.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use metrics::{
    Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};

/// How Prometheus should read a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// Only goes up.
    Counter,
    /// Goes up and down.
    Gauge,
    /// A histogram exposed as `_sum` and `_count`.
    Summary,
}

impl MetricKind {
    fn name(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Summary => "summary",
        }
    }
}

/// A metric a crate emits: its name, type, labels and help text.
#[derive(Clone, Copy, Debug)]
pub struct MetricDescription {
    /// The metric's name.
    pub name: &'static str,
    /// Its type.
    pub kind: MetricKind,
    /// Its labels (none: the series exists, at zero, from [`install`] on).
    pub labels: &'static [&'static str],
    /// What it counts.
    pub help: &'static str,
}

const fn metric(
    name: &'static str,
    kind: MetricKind,
    labels: &'static [&'static str],
    help: &'static str,
) -> MetricDescription {
    MetricDescription {
        name,
        kind,
        labels,
        help,
    }
}

/// Every metric the signing pipeline emits.
pub const PIPELINE_METRICS: &[MetricDescription] = &[
    metric(
        "stellaops_signer_sign_seconds",
        MetricKind::Summary,
        &[],
        "Time to run one allowed request through the pipeline, in seconds.",
    ),
    metric(
        "stellaops_signer_key_usage_total",
        MetricKind::Counter,
        &["key_id"],
        "Signatures made, by key id.",
    ),
    metric(
        "stellaops_signer_denials_total",
        MetricKind::Counter,
        &["reason"],
        "Requests denied by caller authentication, release or allow-list policy, by reason code.",
    ),
    metric(
        "stellaops_signer_poe_failures_total",
        MetricKind::Counter,
        &["reason"],
        "Requests denied by the entitlement check (poe.*), by reason code.",
    ),
    metric(
        "stellaops_signer_quota_hits_total",
        MetricKind::Counter,
        &["reason"],
        "Requests denied by a quota (quota.*), by reason code.",
    ),
    metric(
        "stellaops_signer_errors_total",
        MetricKind::Counter,
        &["code"],
        "Requests that failed (not denied), by stable error code.",
    ),
    metric(
        "stellaops_signer_audit_failures_total",
        MetricKind::Counter,
        &[],
        "Audit records that could not be written (the request returned nothing).",
    ),
    metric(
        "stellaops_signer_audit_anchors_total",
        MetricKind::Counter,
        &[],
        "Audit chain heads anchored in the fleet's anchor store.",
    ),
    metric(
        "stellaops_signer_audit_anchor_failures_total",
        MetricKind::Counter,
        &[],
        "Anchoring rounds that failed (store unreachable, or a chain shorter than its anchor).",
    ),
    metric(
        "stellaops_signer_key_not_after_timestamp_seconds",
        MetricKind::Gauge,
        &["tenant", "key_id"],
        "End of an active registry key's validity window, Unix seconds (set by readiness probes).",
    ),
];

/// A histogram kept as a Prometheus summary without quantiles: how many, and their sum.
#[derive(Debug, Default)]
struct Summary {
    count: AtomicU64,
    /// The sum, as `f64` bits.
    sum: AtomicU64,
}

impl HistogramFn for Summary {
    fn record(&self, value: f64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let mut current = self.sum.load(Ordering::Relaxed);
        loop {
            let next = (f64::from_bits(current) + value).to_bits();
            match self.sum.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(seen) => current = seen,
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Entry {
    Counter(Arc<AtomicU64>),
    Gauge(Arc<AtomicU64>),
    Summary(Arc<Summary>),
}

/// A metric's label set, sorted as recorded.
type Labels = Vec<(String, String)>;

/// What the recorder has counted, by metric name and then by label set.
#[derive(Debug, Default)]
struct Registry {
    metrics: Mutex<BTreeMap<String, BTreeMap<Labels, Entry>>>,
    described: Mutex<BTreeMap<&'static str, MetricDescription>>,
}

impl Registry {
    fn entry(&self, key: &Key, make: impl FnOnce() -> Entry) -> Entry {
        let labels: Labels = key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        let mut metrics = self.metrics.lock().unwrap_or_else(PoisonError::into_inner);
        metrics
            .entry(key.name().to_owned())
            .or_default()
            .entry(labels)
            .or_insert_with(make)
            .clone()
    }
}

/// The recorder `install` puts in place: a handle on the one registry.
#[derive(Debug)]
struct TextRecorder(&'static Registry);

impl Recorder for TextRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        match self.0.entry(key, || Entry::Counter(Arc::default())) {
            Entry::Counter(c) => Counter::from_arc(c),
            _ => Counter::noop(),
        }
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        match self.0.entry(key, || Entry::Gauge(Arc::default())) {
            Entry::Gauge(g) => Gauge::from_arc(g),
            _ => Gauge::noop(),
        }
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        match self.0.entry(key, || Entry::Summary(Arc::default())) {
            Entry::Summary(s) => Histogram::from_arc(s),
            _ => Histogram::noop(),
        }
    }
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Install this module's recorder as the process's `metrics` recorder, once; later calls do
/// nothing. Returns false when another recorder was installed first (a Rust host's own): then
/// the metrics go there and [`snapshot`] has nothing.
pub fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        let registry = REGISTRY.get_or_init(Registry::default);
        describe(PIPELINE_METRICS);
        metrics::set_global_recorder(TextRecorder(registry)).is_ok()
    })
}

/// Add `metrics` to what [`snapshot`] describes (a face adds its own, as the server does its
/// HTTP metrics). Described again, a name keeps its first description.
pub fn describe(metrics: &'static [MetricDescription]) {
    let registry = REGISTRY.get_or_init(Registry::default);
    let mut described = registry
        .described
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    for m in metrics {
        described.entry(m.name).or_insert(*m);
    }
}

/// Everything counted since [`install`], as Prometheus text exposition format (version 0.0.4):
/// counters, gauges, and histograms as summaries (`_sum`, `_count`). Empty before `install`, or
/// when another recorder is installed.
pub fn snapshot() -> String {
    let Some(registry) = REGISTRY.get() else {
        return String::new();
    };
    let metrics = registry
        .metrics
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let described = registry
        .described
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut names: Vec<&str> = metrics.keys().map(String::as_str).collect();
    names.extend(described.keys().copied());
    names.sort_unstable();
    names.dedup();
    let mut out = String::new();
    for name in names {
        let series = metrics.get(name);
        let kind = match (series.and_then(|s| s.values().next()), described.get(name)) {
            (Some(Entry::Counter(_)), _) => MetricKind::Counter,
            (Some(Entry::Gauge(_)), _) => MetricKind::Gauge,
            (Some(Entry::Summary(_)), _) => MetricKind::Summary,
            (None, Some(d)) => d.kind,
            (None, None) => continue,
        };
        if let Some(d) = described.get(name) {
            out.push_str(&format!("# HELP {name} {}\n", d.help));
        }
        out.push_str(&format!("# TYPE {name} {}\n", kind.name()));
        let Some(series) = series.filter(|s| !s.is_empty()) else {
            // Described, never recorded: a series without labels exists at zero.
            if described.get(name).is_some_and(|d| d.labels.is_empty()) {
                match kind {
                    MetricKind::Summary => {
                        out.push_str(&format!("{name}_sum 0\n{name}_count 0\n"));
                    }
                    _ => out.push_str(&format!("{name} 0\n")),
                }
            }
            continue;
        };
        for (labels, entry) in series {
            let labels = render_labels(labels);
            match entry {
                Entry::Counter(c) => {
                    out.push_str(&format!("{name}{labels} {}\n", c.load(Ordering::Relaxed)));
                }
                Entry::Gauge(g) => out.push_str(&format!(
                    "{name}{labels} {}\n",
                    f64::from_bits(g.load(Ordering::Relaxed))
                )),
                Entry::Summary(s) => {
                    let sum = f64::from_bits(s.sum.load(Ordering::Relaxed));
                    let count = s.count.load(Ordering::Relaxed);
                    out.push_str(&format!("{name}_sum{labels} {sum}\n"));
                    out.push_str(&format!("{name}_count{labels} {count}\n"));
                }
            }
        }
    }
    out
}

/// `{k="v",...}` with the exposition format's escapes, or nothing without labels.
fn render_labels(labels: &[(String, String)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    format!("{{{}}}", inner.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let labels = vec![("reason".to_owned(), "a\"b\\c\nd".to_owned())];
        assert_eq!(render_labels(&labels), "{reason=\"a\\\"b\\\\c\\nd\"}");
        assert_eq!(render_labels(&[]), "");
    }

    #[test]
    fn a_summary_adds_up() {
        let s = Summary::default();
        s.record(0.25);
        s.record(0.5);
        assert_eq!(s.count.load(Ordering::Relaxed), 2);
        assert_eq!(f64::from_bits(s.sum.load(Ordering::Relaxed)), 0.75);
    }
}
