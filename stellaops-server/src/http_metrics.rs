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
