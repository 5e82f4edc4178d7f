//! The library's metrics as Prometheus text, for callers that embed no metrics recorder of
//! their own: the faces (C, Go, Python, Node) and the CLI.
//!
//! The pipeline emits through the `metrics` facade (`stellaops_signer_sign_seconds`,
//! `stellaops_signer_denials_total{reason}`, `stellaops_signer_poe_failures_total{reason}`,
//! `stellaops_signer_quota_hits_total{reason}`, `stellaops_signer_key_usage_total{key_id}`,
//! `stellaops_signer_errors_total{code}`, `stellaops_signer_audit_failures_total`,
//! `stellaops_signer_audit_anchors_total`, `stellaops_signer_audit_anchor_failures_total`). A Rust
//! program that installs its own recorder (metrics-exporter-prometheus, ...) gets them there;
//! [`install`] installs this small one instead, and [`snapshot`] renders what it counted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use metrics::{
    Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};

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
        metrics::set_global_recorder(TextRecorder(registry)).is_ok()
    })
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
    let mut out = String::new();
    for (name, series) in metrics.iter() {
        let kind = match series.values().next() {
            Some(Entry::Counter(_)) => "counter",
            Some(Entry::Gauge(_)) => "gauge",
            Some(Entry::Summary(_)) => "summary",
            None => continue,
        };
        out.push_str(&format!("# TYPE {name} {kind}\n"));
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
