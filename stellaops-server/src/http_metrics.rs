//! The metrics the server adds to the pipeline's (`/metrics` describes both from the start).

use stellaops_signer::metrics_text::{MetricDescription, MetricKind};

/// Every metric the server emits.
pub const SERVER_METRICS: &[MetricDescription] = &[
    MetricDescription {
        name: "stellaops_signer_http_requests_total",
        kind: MetricKind::Counter,
        labels: &["route", "status"],
        help: "HTTP requests answered, by route and status.",
    },
    MetricDescription {
        name: "stellaops_signer_http_request_seconds",
        kind: MetricKind::Summary,
        labels: &["route"],
        help: "Time from a request's arrival to its answer, in seconds, by route.",
    },
    MetricDescription {
        name: "stellaops_signer_tls_handshake_failures_total",
        kind: MetricKind::Counter,
        labels: &[],
        help: "TLS handshakes that failed or timed out.",
    },
    MetricDescription {
        name: "stellaops_signer_http_connections_refused_total",
        kind: MetricKind::Counter,
        labels: &[],
        help: "Connections closed at once because max_connections were open.",
    },
    MetricDescription {
        name: "stellaops_signer_ready",
        kind: MetricKind::Gauge,
        labels: &["check"],
        help: "1 when the readiness check passes, 0 when not (refreshed on /readyz and /metrics).",
    },
];

#[cfg(test)]
mod tests {
    use super::SERVER_METRICS;

    /// Every metric name the server's sources spell out is described.
    #[test]
    fn every_emitted_metric_is_described() {
        let mut found = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("http_metrics.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    found.extend(
                        text.split('"')
                            .skip(1)
                            .step_by(2)
                            .filter(|p| p.starts_with("stellaops_signer_"))
                            .map(str::to_owned),
                    );
                }
            }
        }
        assert!(found.len() >= 5, "{found:?}");
        for name in found {
            assert!(
                SERVER_METRICS.iter().any(|m| m.name == name),
                "{name} is not in SERVER_METRICS"
            );
        }
    }
}
