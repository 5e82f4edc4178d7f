//! The hash chain: how a record becomes a line, and how a file of lines is verified.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use stellaops_crypto::Cause;
use stellaops_dsse::canon::{self, Mode};

use super::{AuditRecord, GENESIS, MAX_LINE};
use crate::{Error, Result};

/// The canonical line for `record` after `prev` at `seq`, and its hash.
pub(super) fn line_for(
    record: &AuditRecord,
    seq: u64,
    prev: &str,
) -> std::result::Result<(Vec<u8>, String), Cause> {
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
fn entry_hash(entry: &Map<String, Value>) -> std::result::Result<String, stellaops_dsse::Error> {
    let body = canon::canonicalize_serialize(entry, Mode::Jcs)?;
    Ok(hex::encode(Sha256::digest(body)))
}

/// A chain that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSummary {
    /// How many complete records it holds.
    pub records: u64,
    /// The last complete line's hash ([`GENESIS`] for an empty file): anchor it to detect
    /// truncation.
    pub last_hash: String,
    /// Bytes after the last complete line that never got their newline: an append cut short
    /// by a crash. The writer answers a request only after its whole line is on disk, so a torn
    /// tail is never a record anyone was told about; reopening the log cuts it and records the
    /// cut.
    pub torn_tail: Option<TornTail>,
}

/// The incomplete last line of a log ([`ChainSummary::torn_tail`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TornTail {
    /// Its line number (1-based): one past the last complete record.
    pub line: u64,
    /// Where it starts in the file, which is also the length of the verified part.
    pub offset: u64,
    /// How many bytes it holds.
    pub bytes: u64,
}

/// Verify the chain in `path`.
///
/// A last line without its newline (and within the line limit) is reported as
/// [`ChainSummary::torn_tail`], not as a break: every line before it verified.
///
/// # Errors
/// [`Error::AuditChain`] naming the first bad line (1-based) and what is wrong with it;
/// [`Error::Io`] when the file cannot be read.
pub fn verify_chain(path: &Path) -> Result<ChainSummary> {
    verify_chain_with(path, |_, _| Ok(()))
}

/// [`verify_chain`], calling `check` with each complete line's `seq` and hash; an `Err` from it
/// breaks the chain at that line with its text as the problem.
pub(super) fn verify_chain_with(
    path: &Path,
    mut check: impl FnMut(u64, &str) -> std::result::Result<(), String>,
) -> Result<ChainSummary> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(file);
    let mut prev = String::from(GENESIS);
    let mut seq = 0u64;
    let mut offset = 0u64;
    let mut buf = Vec::new();
    let broken = |line: u64, problem: String| Error::AuditChain {
        path: path.to_owned(),
        line: usize::try_from(line).unwrap_or(usize::MAX),
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
            if buf.len() > MAX_LINE {
                return Err(broken(line_no, "line is longer than 1 MiB".into()));
            }
            return Ok(ChainSummary {
                records: seq,
                last_hash: prev,
                torn_tail: Some(TornTail {
                    line: line_no,
                    offset,
                    bytes: n as u64,
                }),
            });
        }
        offset += n as u64;
        buf.pop();
        prev = check_line(&buf, line_no, &prev).map_err(|problem| broken(line_no, problem))?;
        check(line_no, &prev).map_err(|problem| broken(line_no, problem))?;
        seq = line_no;
    }
    Ok(ChainSummary {
        records: seq,
        last_hash: prev,
        torn_tail: None,
    })
}

/// Check one line (without its newline) as line `line_no` after `prev`; its hash.
fn check_line(buf: &[u8], line_no: u64, prev: &str) -> std::result::Result<String, String> {
    let parsed = canon::parse(buf, &canon::Limits::default())
        .map_err(|e| format!("not canonical-parseable json: {e}"))?;
    let Value::Object(mut entry) = parsed.to_serde() else {
        return Err("not a json object".into());
    };
    let Some(Value::String(hash)) = entry.remove("hash") else {
        return Err("no hash".into());
    };
    let computed = entry_hash(&entry).map_err(|e| e.to_string())?;
    if computed != hash {
        return Err("edited: the hash does not match the line's content".into());
    }
    match entry.get("seq").and_then(Value::as_u64) {
        Some(s) if s == line_no => {}
        Some(s) => {
            return Err(format!(
                "sequence {s} where {line_no} belongs: a record was deleted, inserted or moved"
            ))
        }
        None => return Err("no seq".into()),
    }
    if entry.get("prev").and_then(Value::as_str) != Some(prev) {
        return Err(
            "prev is not the previous line's hash: a record before it was replaced or moved".into(),
        );
    }
    match entry.get("record") {
        Some(record) => {
            serde_json::from_value::<AuditRecord>(record.clone())
                .map_err(|e| format!("record: {e}"))?;
        }
        None => return Err("no record".into()),
    }
    Ok(hash)
}

/// Read the records of a verified chain (a [torn tail](ChainSummary::torn_tail) is left out).
///
/// # Errors
/// As [`verify_chain`].
pub fn read_records(path: &Path) -> Result<Vec<AuditRecord>> {
    let summary = verify_chain(path)?;
    let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let complete = summary.torn_tail.map_or(text.len(), |t| {
        usize::try_from(t.offset).unwrap_or(text.len())
    });
    let text = String::from_utf8_lossy(text.get(..complete).unwrap_or_default());
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let bad = |problem: String| Error::AuditChain {
                path: path.to_owned(),
                line: i + 1,
                problem,
            };
            let entry: Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            serde_json::from_value(entry.get("record").cloned().unwrap_or(Value::Null))
                .map_err(|e| bad(e.to_string()))
        })
        .collect()
}
