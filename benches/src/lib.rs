//! Inputs shared by the benches, so every implementation measures the same bytes.

/// The payload type used throughout.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// `len` bytes of deterministic, JSON-ish payload.
pub fn payload(len: usize) -> Vec<u8> {
    b"{\"k\":\"0123456789abcdef\"}"
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

/// A ~7 KB in-toto statement built from the fixture predicates. With `floats = false` every
/// number is an integer, so OLPC canonical JSON accepts it.
pub fn statement(floats: bool) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/predicates/");
    let names: &[&str] = if floats {
        &[
            "promotion",
            "sbom",
            "vex",
            "vexDecision",
            "graph",
            "replay",
            "policy",
            "evidence",
        ]
    } else {
        &["promotion", "sbom", "replay", "evidence"]
    };
    let mut predicate = serde_json::Map::new();
    for round in 0..3 {
        for n in names {
            let text = std::fs::read_to_string(format!("{dir}{n}.json")).unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            predicate.insert(format!("{n}-{round}"), v);
        }
    }
    let doc = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/stellaops/scanner-web", "digest": {"sha256": "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99"}}],
        "predicateType": "stella.ops/evidence@v1",
        "predicate": predicate,
    });
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}
