//! The hash-chained audit log: appends verify, and every kind of tampering is named by line.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use stellaops_poe::audit::{read_records, verify_chain, GENESIS};
use stellaops_poe::{AuditRecord, AuditSink, Error, JsonlAuditSink};

fn record(i: usize) -> AuditRecord {
    AuditRecord {
        time: format!("2026-11-23T10:00:{i:02}.000000Z"),
        trace_id: format!("trace-{i}"),
        tenant: "acme".into(),
        caller: Some("svc:scanner-7".into()),
        binding: Some("dpop".into()),
        issuer_mode: Some("keyful".into()),
        key_id: Some("ab".repeat(32)),
        subject_digests: vec![format!("sbom.json@sha256:{}", "cd".repeat(32))],
        predicate_type: Some("https://stella.ops/sbom@v1".into()),
        poe_state: Some("fresh".into()),
        decision: if i % 3 == 0 {
            "denied".into()
        } else {
            "allowed".into()
        },
        reason: (i % 3 == 0).then(|| "quota.rate".into()),
        ..AuditRecord::default()
    }
}

fn write_log(path: &Path, n: usize) {
    let sink = JsonlAuditSink::open(path).unwrap().sync(false);
    for i in 1..=n {
        sink.append(&record(i)).unwrap();
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
}

fn broken_at(path: &Path) -> (usize, String) {
    match verify_chain(path) {
        Err(Error::AuditChain { line, problem, .. }) => (line, problem),
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

#[test]
fn appended_records_verify_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 5);
    let summary = verify_chain(&path).unwrap();
    assert_eq!(summary.records, 5);
    assert_ne!(summary.last_hash, GENESIS);
    assert_eq!(
        read_records(&path).unwrap(),
        (1..=5).map(record).collect::<Vec<_>>()
    );
}

#[test]
fn reopening_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 2);
    let sink = JsonlAuditSink::open(&path).unwrap();
    sink.append(&record(3)).unwrap();
    assert_eq!(verify_chain(&path).unwrap().records, 3);
}

#[test]
fn an_edited_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 5);
    let mut l = lines(&path);
    let edited = l[1].replace("\"decision\":\"allowed\"", "\"decision\":\"denied\"");
    assert_ne!(edited, l[1]);
    l[1] = edited;
    write_lines(&path, &l);
    let (line, problem) = broken_at(&path);
    assert_eq!(line, 2);
    assert!(problem.contains("edited"), "{problem}");
}

#[test]
fn an_edit_with_a_recomputed_hash_shows_on_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 4);
    // Rewrite line 2 as a forger would: new content, valid own hash, same seq and prev.
    let mut l = lines(&path);
    let other = dir.path().join("other.jsonl");
    {
        let sink = JsonlAuditSink::open(&other).unwrap().sync(false);
        sink.append(&record(1)).unwrap();
        let mut forged = record(2);
        forged.tenant = "globex".into();
        sink.append(&forged).unwrap();
    }
    l[1] = lines(&other)[1].clone();
    write_lines(&path, &l);
    let (line, problem) = broken_at(&path);
    assert_eq!(line, 3);
    assert!(problem.contains("prev"), "{problem}");
}

#[test]
fn a_deleted_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 5);
    let mut l = lines(&path);
    l.remove(1);
    write_lines(&path, &l);
    let (line, problem) = broken_at(&path);
    assert_eq!(line, 2);
    assert!(problem.contains("sequence"), "{problem}");

    let mut l = lines(&path);
    l.remove(0);
    write_lines(&path, &l);
    assert_eq!(
        broken_at(&path).0,
        1,
        "deleting the first record shows on line 1"
    );
}

#[test]
fn an_inserted_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 4);
    let mut l = lines(&path);
    let copy = l[1].clone();
    l.insert(2, copy);
    write_lines(&path, &l);
    assert_eq!(broken_at(&path).0, 3);
}

#[test]
fn reordered_records_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 5);
    let mut l = lines(&path);
    l.swap(2, 3);
    write_lines(&path, &l);
    assert_eq!(broken_at(&path).0, 3);
}

#[test]
fn a_torn_last_line_is_named_and_blocks_appending() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 3);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() - 10]).unwrap();
    let (line, problem) = broken_at(&path);
    assert_eq!(line, 3);
    assert!(problem.contains("torn"), "{problem}");
    assert!(matches!(
        JsonlAuditSink::open(&path),
        Err(Error::AuditChain { line: 3, .. })
    ));
}

#[test]
fn duplicate_keys_and_garbage_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 2);
    let mut l = lines(&path);
    l[1] = l[1].replacen("{", "{\"seq\":2,", 1);
    write_lines(&path, &l);
    assert_eq!(broken_at(&path).0, 2);
    std::fs::write(&path, "not json\n").unwrap();
    assert_eq!(broken_at(&path).0, 1);
}

#[test]
fn an_empty_log_is_a_valid_empty_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    std::fs::write(&path, "").unwrap();
    let summary = verify_chain(&path).unwrap();
    assert_eq!((summary.records, summary.last_hash.as_str()), (0, GENESIS));
}

/// Issue 20, defect 1: a record of hostile size (megabytes of tenant, trace id and detail,
/// thousands of subjects, every byte a control character that JSON escapes as six) is bounded
/// by the sink, names what was cut, and the chain still verifies and reopens.
#[test]
fn oversized_records_are_bounded_and_the_chain_stays_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let sink = JsonlAuditSink::open(&path).unwrap().sync(false);
    let escaped = "\u{1}".repeat(2 << 20);
    let hostile = AuditRecord {
        tenant: escaped.clone(),
        trace_id: escaped.clone(),
        detail: Some(escaped.clone()),
        caller: Some("é".repeat(1 << 20)),
        subject_digests: (0..9000)
            .map(|i| format!("{i}{}", "\u{1}".repeat(2048)))
            .collect(),
        ..record(1)
    };
    sink.append(&hostile).unwrap();
    sink.append(&record(2)).unwrap();
    let summary = verify_chain(&path).unwrap();
    assert_eq!(summary.records, 2);
    let longest = lines(&path).iter().map(String::len).max().unwrap();
    assert!(longest <= stellaops_poe::audit::MAX_LINE, "{longest}");
    let records = read_records(&path).unwrap();
    let cut = &records[0].truncated;
    for field in ["tenant", "trace_id", "detail", "caller", "subject_digests"] {
        assert!(
            cut.iter().any(|c| c.starts_with(field)),
            "{field} not in {cut:?}"
        );
    }
    assert!(
        cut.contains(&format!("tenant ({} bytes)", 2 << 20)),
        "{cut:?}"
    );
    assert!(
        cut.contains(&"subject_digests (9000 entries)".to_owned()),
        "{cut:?}"
    );
    assert_eq!(
        records[0].subject_digests.len(),
        stellaops_poe::audit::MAX_SUBJECTS
    );
    // A multi-byte character is never split.
    assert!(records[0]
        .caller
        .as_deref()
        .unwrap()
        .chars()
        .all(|c| c == 'é'));
    assert!(records[1].truncated.is_empty());
    drop(sink);
    JsonlAuditSink::open(&path).unwrap();
}
