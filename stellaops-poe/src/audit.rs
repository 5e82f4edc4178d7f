//! The audit trail: one record per request, allowed or denied, in a hash-chained JSONL file.
//!
//! Each line is the RFC 8785 canonical JSON of `{"hash", "prev", "record", "seq"}`: `seq` counts
//! from 1, `prev` is the previous line's `hash` (64 zeros for the first line), and `hash` is the
//! SHA-256 of the canonical JSON of the line without `hash`. [`verify_chain`] recomputes all of it
//! and names the first line where an edit, deletion, insertion or reordering shows. Cutting
//! records off the end leaves a shorter valid chain; anchor the last hash elsewhere (a signed
//! checkpoint, a log shipper) to detect that.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use stellaops_crypto::Cause;
use stellaops_dsse::canon::{self, Mode};

use crate::{Error, Result};

/// The `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Largest line the writer writes and [`verify_chain`] reads: one limit for both. A bounded
/// record ([`AuditRecord::bounded`]) always fits, even when every character of every field
/// needs a six-byte JSON escape.
pub const MAX_LINE: usize = 1 << 20;

/// Longest text field of a bounded record, in bytes (`detail` excepted).
pub const MAX_FIELD_BYTES: usize = 1024;

/// Longest `detail` of a bounded record, in bytes.
pub const MAX_DETAIL_BYTES: usize = 4096;

/// Most `subject_digests` a bounded record lists.
pub const MAX_SUBJECTS: usize = 64;

/// `text` cut to at most `max` bytes at a character boundary, and whether it was cut.
pub fn bound_text(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// What happened to one request. Every field is always written (`null` when unknown), so
/// records are uniform for the tools that read them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// When, RFC 3339 UTC with microseconds.
    pub time: String,
    /// The trace id that ties the record to logs and spans.
    pub trace_id: String,
    /// The tenant asked for.
    pub tenant: String,
    /// The caller's subject (`sub` of the access token), once known.
    pub caller: Option<String>,
    /// How the token was bound: `dpop`, `mtls`, `dpop+mtls`, `bearer`.
    pub binding: Option<String>,
    /// How the signature was made: `keyful`, `hsm`, `kms`, `vault`, `keyless`, `fido2`.
    pub issuer_mode: Option<String>,
    /// The signing key's id.
    pub key_id: Option<String>,
    /// The statement's subjects as `name@alg:hex`.
    pub subject_digests: Vec<String>,
    /// The predicate type signed.
    pub predicate_type: Option<String>,
    /// `fresh`, `cached`, `bypass`, once evaluated.
    pub poe_state: Option<String>,
    /// Why the PoE state is what it is: the cache age, the bypass reason.
    pub poe_detail: Option<String>,
    /// Set when the quota store failed and the request went through under fail-open.
    pub quota_fail_open: Option<String>,
    /// Set when the DPoP replay store failed and the proof was accepted under fail-open.
    /// Written only when set (records from before it existed read the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_fail_open: Option<String>,
    /// Why the scanner release was trusted: `allowlist`, `signature <key id>`, or
    /// `override <reason> (approved by <who>)`.
    pub release: Option<String>,
    /// `allowed`, `denied` or `error`.
    pub decision: String,
    /// The denial's reason code (`optok.expired`, ...), or the error's kind.
    pub reason: Option<String>,
    /// Human-readable detail.
    pub detail: Option<String>,
    /// The envelope's SHA-256 (of its JSON bytes), when something was signed.
    pub envelope_digest: Option<String>,
    /// What [`AuditRecord::bounded`] cut, as `field (N bytes)` or
    /// `subject_digests (N entries)`: the sizes the request really had. Empty when nothing was.
    #[serde(default)]
    pub truncated: Vec<String>,
}

impl AuditRecord {
    /// The record with every field within its bound ([`MAX_FIELD_BYTES`], [`MAX_DETAIL_BYTES`],
    /// [`MAX_SUBJECTS`]), and each cut named in [`AuditRecord::truncated`] with its original
    /// size. Many of these fields come from the caller before it is authenticated: a bounded
    /// record always fits in one audit line, so no request can make the log unverifiable.
    #[must_use]
    pub fn bounded(mut self) -> Self {
        let mut cut = std::mem::take(&mut self.truncated);
        let mut bound = |name: &str, field: &mut String, max: usize| {
            let original = field.len();
            let (kept, was_cut) = bound_text(field, max);
            if was_cut {
                let kept = kept.len();
                field.truncate(kept);
                cut.push(format!("{name} ({original} bytes)"));
            }
        };
        bound("time", &mut self.time, MAX_FIELD_BYTES);
        bound("trace_id", &mut self.trace_id, MAX_FIELD_BYTES);
        bound("tenant", &mut self.tenant, MAX_FIELD_BYTES);
        bound("decision", &mut self.decision, MAX_FIELD_BYTES);
        for (name, field, max) in [
            ("caller", &mut self.caller, MAX_FIELD_BYTES),
            ("binding", &mut self.binding, MAX_FIELD_BYTES),
            ("issuer_mode", &mut self.issuer_mode, MAX_FIELD_BYTES),
            ("key_id", &mut self.key_id, MAX_FIELD_BYTES),
            ("predicate_type", &mut self.predicate_type, MAX_FIELD_BYTES),
            ("poe_state", &mut self.poe_state, MAX_FIELD_BYTES),
            ("poe_detail", &mut self.poe_detail, MAX_DETAIL_BYTES),
            (
                "quota_fail_open",
                &mut self.quota_fail_open,
                MAX_DETAIL_BYTES,
            ),
            (
                "replay_fail_open",
                &mut self.replay_fail_open,
                MAX_DETAIL_BYTES,
            ),
            ("release", &mut self.release, MAX_DETAIL_BYTES),
            ("reason", &mut self.reason, MAX_FIELD_BYTES),
            ("detail", &mut self.detail, MAX_DETAIL_BYTES),
            (
                "envelope_digest",
                &mut self.envelope_digest,
                MAX_FIELD_BYTES,
            ),
        ] {
            if let Some(value) = field {
                bound(name, value, max);
            }
        }
        let subjects = self.subject_digests.len();
        if subjects > MAX_SUBJECTS {
            self.subject_digests.truncate(MAX_SUBJECTS);
            cut.push(format!("subject_digests ({subjects} entries)"));
        }
        let mut long_subject = false;
        for subject in &mut self.subject_digests {
            let (kept, was_cut) = bound_text(subject, MAX_FIELD_BYTES);
            if was_cut {
                let kept = kept.len();
                subject.truncate(kept);
                long_subject = true;
            }
        }
        if long_subject {
            cut.push(format!(
                "subject_digests entries (over {MAX_FIELD_BYTES} bytes each)"
            ));
        }
        // What was cut before (a record bounded twice) stays first; the list is bounded too,
        // since a caller of this public type may have filled it.
        cut.truncate(32);
        for entry in &mut cut {
            let kept = bound_text(entry, MAX_FIELD_BYTES).0.len();
            entry.truncate(kept);
        }
        self.truncated = cut;
        self
    }
}

/// Where audit records go. Appending must be all-or-nothing: when it fails, the caller signs
/// nothing.
pub trait AuditSink: fmt::Debug + Send + Sync {
    /// Append `record`.
    ///
    /// # Errors
    /// [`Error::Audit`] when the record could not be stored.
    fn append(&self, record: &AuditRecord) -> Result<()>;

    /// Whether the sink can take records now (a service's readiness probe): the last append
    /// did not fail and the log is still there. Sinks without a way to tell say yes.
    ///
    /// # Errors
    /// [`Error::Audit`] naming what is wrong.
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

#[derive(Debug)]
struct Tail {
    file: File,
    seq: u64,
    prev: String,
    len: u64,
    /// The last append failed (a full disk, a removed file); cleared by the next success.
    failed: bool,
}

/// The default sink: an append-only JSONL file with a SHA-256 chain.
///
/// One writer per file: the sink serializes its own appends, and two processes appending to
/// the same file would fork the chain.
#[derive(Debug)]
pub struct JsonlAuditSink {
    path: PathBuf,
    sync: bool,
    tail: Mutex<Tail>,
}

impl JsonlAuditSink {
    /// Open (or create) `path`. An existing file is verified first; a broken chain is an error
    /// rather than something to append to.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::AuditChain`].
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let (seq, prev) = if path.exists() {
            let summary = verify_chain(&path)?;
            (summary.records, summary.last_hash)
        } else {
            (0, String::from(GENESIS))
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        Ok(JsonlAuditSink {
            path,
            sync: true,
            tail: Mutex::new(Tail {
                file,
                seq,
                prev,
                len,
                failed: false,
            }),
        })
    }

    /// Whether each append waits for the data to reach the disk (`fdatasync`; default on).
    /// Off, a record survives a crash of the process but not of the machine.
    pub fn sync(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, context: impl Into<String>, source: Option<Cause>) -> Error {
        Error::Audit {
            path: self.path.clone(),
            context: context.into(),
            source,
        }
    }
}

/// The canonical line for `record` after `prev` at `seq`, and its hash.
fn line_for(record: &AuditRecord, seq: u64, prev: &str) -> Result<(Vec<u8>, String), Cause> {
    let record = serde_json::to_value(record).map_err(Cause::new)?;
    let mut entry = Map::new();
    entry.insert(String::from("seq"), Value::from(seq));
    entry.insert(String::from("prev"), Value::from(prev));
    entry.insert(String::from("record"), record);
    let hash = entry_hash(&entry).map_err(Cause::new)?;
    entry.insert(String::from("hash"), Value::from(hash.clone()));
    let mut line = canon::canonicalize_serialize(&entry, Mode::Jcs).map_err(Cause::new)?;
    line.push(b'\n');
    Ok((line, hash))
}

/// SHA-256 (hex) of the canonical JSON of `entry` (which must not hold `hash`).
fn entry_hash(entry: &Map<String, Value>) -> Result<String, stellaops_dsse::Error> {
    let body = canon::canonicalize_serialize(entry, Mode::Jcs)?;
    Ok(hex::encode(Sha256::digest(body)))
}

impl AuditSink for JsonlAuditSink {
    /// Append `record`, [bounded](AuditRecord::bounded) first: a line over [`MAX_LINE`], which
    /// [`verify_chain`] would refuse, is never written.
    fn append(&self, record: &AuditRecord) -> Result<()> {
        let record = record.clone().bounded();
        let mut tail = self.tail.lock().unwrap_or_else(|p| p.into_inner());
        let seq = tail.seq + 1;
        let (line, hash) = line_for(&record, seq, &tail.prev)
            .map_err(|e| self.fail("serializing the record", Some(e)))?;
        if line.len() > MAX_LINE + 1 {
            return Err(self.fail(
                format!(
                    "record of {} bytes exceeds the audit line limit of {MAX_LINE}",
                    line.len()
                ),
                None,
            ));
        }
        let written = tail.file.write_all(&line).and_then(|()| {
            if self.sync {
                tail.file.sync_data()
            } else {
                Ok(())
            }
        });
        if let Err(e) = written {
            // Leave no partial line behind: the chain must stay verifiable.
            let len = tail.len;
            let _ = tail.file.set_len(len);
            tail.failed = true;
            return Err(self.fail("append failed", Some(Cause::new(e))));
        }
        tail.len += line.len() as u64;
        tail.seq = seq;
        tail.prev = hash;
        tail.failed = false;
        Ok(())
    }

    fn check(&self) -> Result<()> {
        let tail = self.tail.lock().unwrap_or_else(|p| p.into_inner());
        if tail.failed {
            return Err(self.fail("the last append failed", None));
        }
        match std::fs::metadata(&self.path) {
            Ok(m) if m.len() == tail.len => Ok(()),
            Ok(m) => Err(self.fail(
                format!("the log is {} bytes, {} were written", m.len(), tail.len),
                None,
            )),
            Err(e) => Err(self.fail("the log is gone", Some(Cause::new(e)))),
        }
    }
}

/// A chain that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSummary {
    /// How many records it holds.
    pub records: u64,
    /// The last line's hash ([`GENESIS`] for an empty file): anchor it to detect truncation.
    pub last_hash: String,
}

/// Verify the chain in `path`.
///
/// # Errors
/// [`Error::AuditChain`] naming the first bad line (1-based) and what is wrong with it;
/// [`Error::Io`] when the file cannot be read.
pub fn verify_chain(path: &Path) -> Result<ChainSummary> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(file);
    let mut prev = String::from(GENESIS);
    let mut seq = 0u64;
    let mut buf = Vec::new();
    let broken = |line: u64, problem: String| Error::AuditChain {
        path: path.to_owned(),
        line: line as usize,
        problem,
    };
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        let line_no = seq + 1;
        if buf.last() != Some(&b'\n') {
            let problem = if buf.len() > MAX_LINE {
                "line is longer than 1 MiB"
            } else {
                "last line is incomplete (no newline): a torn write"
            };
            return Err(broken(line_no, problem.into()));
        }
        buf.pop();
        let parsed = canon::parse(&buf, &canon::Limits::default())
            .map_err(|e| broken(line_no, format!("not canonical-parseable json: {e}")))?;
        let Value::Object(mut entry) = parsed.to_serde() else {
            return Err(broken(line_no, "not a json object".into()));
        };
        let Some(Value::String(hash)) = entry.remove("hash") else {
            return Err(broken(line_no, "no hash".into()));
        };
        let computed = entry_hash(&entry).map_err(|e| broken(line_no, e.to_string()))?;
        if computed != hash {
            return Err(broken(
                line_no,
                "edited: the hash does not match the line's content".into(),
            ));
        }
        match entry.get("seq").and_then(Value::as_u64) {
            Some(s) if s == line_no => {}
            Some(s) => {
                return Err(broken(
                    line_no,
                    format!(
                    "sequence {s} where {line_no} belongs: a record was deleted, inserted or moved"
                ),
                ))
            }
            None => return Err(broken(line_no, "no seq".into())),
        }
        if entry.get("prev").and_then(Value::as_str) != Some(prev.as_str()) {
            return Err(broken(
                line_no,
                "prev is not the previous line's hash: a record before it was replaced or moved"
                    .into(),
            ));
        }
        match entry.get("record") {
            Some(record) => {
                serde_json::from_value::<AuditRecord>(record.clone())
                    .map_err(|e| broken(line_no, format!("record: {e}")))?;
            }
            None => return Err(broken(line_no, "no record".into())),
        }
        seq = line_no;
        prev = hash;
    }
    Ok(ChainSummary {
        records: seq,
        last_hash: prev,
    })
}

/// Read the records of a verified chain.
///
/// # Errors
/// As [`verify_chain`].
pub fn read_records(path: &Path) -> Result<Vec<AuditRecord>> {
    verify_chain(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let entry: Value = serde_json::from_str(line).map_err(|e| Error::AuditChain {
                path: path.to_owned(),
                line: i + 1,
                problem: e.to_string(),
            })?;
            serde_json::from_value(entry.get("record").cloned().unwrap_or(Value::Null)).map_err(
                |e| Error::AuditChain {
                    path: path.to_owned(),
                    line: i + 1,
                    problem: e.to_string(),
                },
            )
        })
        .collect()
}

/// The current time formatted for [`AuditRecord::time`].
pub fn timestamp(clock: &dyn crate::Clock) -> String {
    crate::clock::rfc3339(clock.now())
}
