//! The operations material in docs/ops: promtool accepts the alert rules and their unit tests
//! pass, every PromQL expression of the dashboard parses, and a running `stella serve` exports
//! every metric the rules and the dashboard use.

// The server's metrics and a running `stella serve`: a build with the `serve` feature.
#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod minted;
mod server;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use server::Setup;

fn ops(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/ops")
        .join(name)
}

fn promtool(args: &[&str]) {
    let out = Command::new("promtool")
        .args(args)
        .output()
        .expect("promtool is required (Debian's prometheus package; scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "promtool {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `stellaops_signer_*` metric names in `text`, a summary's `_sum`/`_count` as the summary.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("stellaops_signer_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let name = name
            .strip_suffix("_sum")
            .or_else(|| name.strip_suffix("_count"))
            .unwrap_or(name);
        names.insert(name.to_owned());
        rest = &tail[end..];
    }
    names
}

fn dashboard_expressions() -> Vec<String> {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(ops("dashboard.json")).unwrap()).unwrap();
    let mut exprs: Vec<String> = doc["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap().clone())
        .map(|t| t["expr"].as_str().unwrap().to_owned())
        .collect();
    for var in doc["templating"]["list"].as_array().unwrap() {
        if let Some(q) = var["query"]
            .as_str()
            .filter(|q| q.contains("stellaops_signer_"))
        {
            exprs.push(q.to_owned());
        }
    }
    assert!(exprs.len() >= 9, "{exprs:?}");
    exprs
}

/// The `stellaops_signer_*` names spelled out in the Rust sources under `dir`.
fn names_in_sources(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.extend(
                    text.split('"')
                        .skip(1)
                        .step_by(2)
                        .filter(|p| {
                            p.starts_with("stellaops_signer_")
                                && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        })
                        .map(str::to_owned),
                );
            }
        }
    }
    found
}

/// Every metric name the pipeline's and the server's sources spell out is in their described
/// lists, so `/metrics` shows it with help and type from the start.
#[test]
fn every_emitted_metric_is_described() {
    use stellaops_server::http_metrics::SERVER_METRICS;
    use stellaops_signer::metrics_text::PIPELINE_METRICS;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (src, list) in [
        ("stellaops-signer/src", PIPELINE_METRICS),
        ("stellaops-server/src", SERVER_METRICS),
    ] {
        let described: BTreeSet<String> = list.iter().map(|m| m.name.to_owned()).collect();
        let found = names_in_sources(&root.join(src));
        assert!(found.len() >= 5, "{src}: {found:?}");
        let missing: Vec<&String> = found.difference(&described).collect();
        assert!(missing.is_empty(), "{src}: not described: {missing:?}");
    }
}

#[test]
fn promtool_accepts_the_rules_and_their_tests_pass() {
    promtool(&["check", "rules", ops("alerts.yml").to_str().unwrap()]);
    promtool(&["test", "rules", ops("alerts.test.yml").to_str().unwrap()]);
    // The dashboard's queries, as recording rules, so promtool parses each one. Grafana's
    // variables become what they stand for.
    let dir = tempfile::tempdir().unwrap();
    let rules: Vec<Value> = dashboard_expressions()
        .iter()
        .filter(|e| !e.starts_with("label_values("))
        .enumerate()
        .map(|(i, e)| {
            serde_json::json!({"record": format!("dashboard:expr_{i}"), "expr": e.replace("$instance", ".*")})
        })
        .collect();
    let file = dir.path().join("dashboard.rules.json");
    // YAML is a superset of JSON: promtool reads this as a rule file.
    std::fs::write(
        &file,
        serde_json::json!({"groups": [{"name": "dashboard", "rules": rules}]}).to_string(),
    )
    .unwrap();
    promtool(&["check", "rules", file.to_str().unwrap()]);
}

#[test]
fn a_running_server_exports_every_metric_the_rules_and_dashboard_use() {
    let mut used = metric_names(&std::fs::read_to_string(ops("alerts.yml")).unwrap());
    used.extend(metric_names(&dashboard_expressions().join("\n")));
    assert!(used.len() >= 12, "{used:?}");

    let setup = Setup::new("", "");
    let served = setup.serve();
    let mut response = setup
        .agent(None)
        .get(served.url("/metrics"))
        .call()
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.body_mut().read_to_string().unwrap();
    // Prometheus' own linter accepts the exposition (names, types, help, suffixes).
    let mut lint = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool is required (Debian's prometheus package; scripts/test.sh installs it)");
    {
        use std::io::Write;
        lint.stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let linted = lint.wait_with_output().unwrap();
    assert!(
        linted.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&linted.stdout),
        String::from_utf8_lossy(&linted.stderr)
    );
    let exported: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    let missing: Vec<&String> = used.difference(&exported).collect();
    assert!(missing.is_empty(), "not exported: {missing:?}\n{text}");
    // Counters without labels exist at zero before anything happened.
    assert!(
        text.lines()
            .any(|l| l == "stellaops_signer_audit_failures_total 0"),
        "{text}"
    );
    // And with help text.
    assert!(
        text.contains("# HELP stellaops_signer_errors_total "),
        "{text}"
    );
}
