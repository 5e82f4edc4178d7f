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

/// A crash mid-append leaves a last line without its newline: the chain before it verifies and
/// the torn tail is named; reopening cuts it and the next record says what was cut.
#[test]
fn a_torn_last_line_is_named_then_cut_and_recorded_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 3);
    let text = std::fs::read_to_string(&path).unwrap();
    let third = text.trim_end().rfind('\n').unwrap() + 1;
    std::fs::write(&path, &text[..text.len() - 10]).unwrap();
    let summary = verify_chain(&path).unwrap();
    assert_eq!(summary.records, 2);
    let torn = summary.torn_tail.unwrap();
    assert_eq!(
        (torn.line, torn.offset, torn.bytes),
        (3, third as u64, (text.len() - 10 - third) as u64)
    );
    assert_eq!(read_records(&path).unwrap().len(), 2);

    let sink = JsonlAuditSink::open(&path).unwrap();
    assert_eq!(sink.repaired(), Some(torn));
    sink.append(&record(4)).unwrap();
    drop(sink);
    let summary = verify_chain(&path).unwrap();
    assert_eq!((summary.records, summary.torn_tail), (4, None));
    let records = read_records(&path).unwrap();
    assert_eq!(records[2].reason.as_deref(), Some("audit.torn_tail"));
    let detail = records[2].detail.as_deref().unwrap();
    assert!(
        detail.contains(&format!("cut {} bytes", torn.bytes)) && detail.contains("line 3"),
        "{detail}"
    );
    assert_eq!(records[3], record(4));
}

/// A last line over the limit is damage, not a torn write.
#[test]
fn an_unterminated_line_over_the_limit_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 1);
    let mut text = std::fs::read(&path).unwrap();
    text.extend(std::iter::repeat_n(
        b'x',
        stellaops_poe::audit::MAX_LINE + 1,
    ));
    std::fs::write(&path, text).unwrap();
    assert_eq!(broken_at(&path).0, 2);
    assert!(JsonlAuditSink::open(&path).is_err());
}

/// `threads` threads appending `rounds` records each at once (a barrier per round) with
/// `append(thread, sink, record)`; then the log must hold every record exactly once, and the
/// appends must have shared syncs (fewer than half as many syncs as records).
fn hammer(
    sink: &std::sync::Arc<JsonlAuditSink>,
    (threads, rounds): (usize, usize),
    append: fn(usize, &JsonlAuditSink, &AuditRecord),
) {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (sink, barrier) = (sink.clone(), barrier.clone());
            std::thread::spawn(move || {
                for r in 0..rounds {
                    barrier.wait();
                    let mut rec = record(1);
                    rec.trace_id = format!("t{t}-r{r}");
                    append(t, &sink, &rec);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let records = read_records(sink.path()).unwrap();
    assert_eq!(records.len(), threads * rounds);
    let mut ids: Vec<_> = records.iter().map(|r| r.trace_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), threads * rounds);
    let syncs = sink.syncs();
    assert!(
        syncs >= 1 && syncs * 2 < (threads * rounds) as u64,
        "{syncs} syncs for {} records",
        threads * rounds
    );
}

/// Group commit: sixteen threads appending at once share syncs (far fewer syncs than records),
/// every append returns only once durable, and the chain holds every record exactly once.
#[test]
fn concurrent_appends_share_syncs_and_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let sink = std::sync::Arc::new(JsonlAuditSink::open(dir.path().join("audit.jsonl")).unwrap());
    hammer(&sink, (16, 25), |_, sink, rec| sink.append(rec).unwrap());
}

/// Deferred durability: appends inside `defer_durability` return once written, and their
/// `Durability` resolves only once the record is under the durable head; deferred and blocking
/// appends from many threads share syncs (the syncer thread leads for the deferred ones), and
/// every record lands once.
#[test]
fn deferred_appends_resolve_once_durable_and_share_syncs_with_blocking_ones() {
    use stellaops_poe::audit::defer_durability;
    let dir = tempfile::tempdir().unwrap();
    let sink = std::sync::Arc::new(JsonlAuditSink::open(dir.path().join("audit.jsonl")).unwrap());
    hammer(&sink, (16, 20), |t, sink, rec| {
        if t % 2 == 1 {
            return sink.append(rec).unwrap();
        }
        let (appended, durability) = defer_durability(|| sink.append(rec));
        appended.unwrap();
        durability.wait().unwrap();
        // Durable means under the durable head: among its first `seq` lines.
        let (seq, _) = sink.head().unwrap();
        let text = std::fs::read_to_string(sink.path()).unwrap();
        let needle = format!("\"trace_id\":\"{}\"", rec.trace_id);
        assert!(
            text.lines()
                .take(usize::try_from(seq).unwrap())
                .any(|l| l.contains(&needle)),
            "{} resolved before it was durable",
            rec.trace_id
        );
    });

    // A sink without sync has nothing to wait for; outside a scope an append blocks as before.
    let unsynced = JsonlAuditSink::open(dir.path().join("b.jsonl"))
        .unwrap()
        .sync(false);
    let (appended, durability) = defer_durability(|| unsynced.append(&record(1)));
    appended.unwrap();
    assert!(durability.is_settled());
    let ((), outer) = defer_durability(|| {
        let (appended, inner) = defer_durability(|| sink.append(&record(2)));
        appended.unwrap();
        inner.wait().unwrap();
    });
    assert!(outer.is_settled(), "an inner scope's tickets stay with it");
}

/// A deferred record whose `Durability` is dropped unawaited (its request's caller went away)
/// never holds up the others, whether they await theirs or block.
#[test]
fn dropped_durabilities_do_not_stall_the_records_awaited_after_them() {
    use stellaops_poe::audit::defer_durability;
    let dir = tempfile::tempdir().unwrap();
    let sink = std::sync::Arc::new(JsonlAuditSink::open(dir.path().join("audit.jsonl")).unwrap());
    let (done, finished) = std::sync::mpsc::channel();
    let hammered = sink.clone();
    std::thread::spawn(move || {
        hammer(&hammered, (12, 30), |t, sink, rec| {
            if t % 3 == 2 {
                return sink.append(rec).unwrap();
            }
            let (appended, durability) = defer_durability(|| sink.append(rec));
            appended.unwrap();
            if t % 3 == 1 {
                durability.wait().unwrap();
            }
        });
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("appends stalled behind records nobody awaited");
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

/// A log rewritten from some record on and re-chained verifies as a chain, but not against a
/// head anchored before the rewrite; a log cut below an anchored head fails one line past its
/// end; heads of other instances are ignored.
#[test]
fn anchored_heads_expose_a_rewritten_or_cut_log() {
    use stellaops_poe::audit::{verify_chain_anchored, ChainHead};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    write_log(&path, 4);
    let summary = verify_chain(&path).unwrap();
    let head = |seq, hash: &str| ChainHead {
        instance: "a".into(),
        seq,
        hash: hash.into(),
    };
    let anchored = [head(4, &summary.last_hash)];
    assert_eq!(
        verify_chain_anchored(&path, "a", &anchored)
            .unwrap()
            .records,
        4
    );
    // Another instance's head says nothing about this log.
    let other = ChainHead {
        instance: "b".into(),
        ..head(9, "00")
    };
    verify_chain_anchored(&path, "a", &[other]).unwrap();

    // Rewrite: the same number of records, the fourth different, re-chained by a writer.
    let text = std::fs::read_to_string(&path).unwrap();
    let first_three: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, first_three).unwrap();
    let sink = JsonlAuditSink::open(&path).unwrap().sync(false);
    let mut forged = record(4);
    forged.decision = "denied".into();
    sink.append(&forged).unwrap();
    drop(sink);
    assert_eq!(verify_chain(&path).unwrap().records, 4);
    match verify_chain_anchored(&path, "a", &anchored) {
        Err(Error::AuditChain {
            line: 4, problem, ..
        }) => {
            assert!(problem.contains("rewritten"), "{problem}")
        }
        other => panic!("{other:?}"),
    }

    // Cut to two records.
    let text = std::fs::read_to_string(&path).unwrap();
    let two: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, two).unwrap();
    match verify_chain_anchored(&path, "a", &anchored) {
        Err(Error::AuditChain {
            line: 3, problem, ..
        }) => {
            assert!(problem.contains("cut off the end"), "{problem}")
        }
        other => panic!("{other:?}"),
    }
}

/// A log that is gone while its instance has an anchored head is refused, not started afresh;
/// another instance's head, or none, lets a new log begin.
#[test]
fn a_deleted_log_with_an_anchored_head_is_refused() {
    use stellaops_poe::audit::ChainHead;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let anchored = [ChainHead {
        instance: "a".into(),
        seq: 7,
        hash: "ab".repeat(32),
    }];
    match JsonlAuditSink::open_anchored(&path, "a", &anchored) {
        Err(Error::AuditChain {
            line: 1, problem, ..
        }) => {
            assert!(problem.contains("deleted or moved"), "{problem}")
        }
        other => panic!("{other:?}"),
    }
    assert!(!path.exists(), "nothing was created");
    JsonlAuditSink::open_anchored(&path, "b", &anchored).unwrap();
    std::fs::remove_file(&path).unwrap();
    JsonlAuditSink::open_anchored(&path, "a", &[]).unwrap();
}
