//! Watching a transparency log: its signed checkpoints, and consistency proofs between them.
//!
//! A monitor keeps the last checkpoint it verified. Each round it fetches the log's current
//! checkpoint, checks the log's signature on it (with the log keys of a trusted root, or a pinned
//! `rekor.pub`), and proves that the current tree extends the kept one — an RFC 6962 consistency
//! proof — so that nothing logged before was removed or rewritten, and no one was shown a fork.
//! Then the current checkpoint is the one to keep.
//!
//! Rekor v1 serves the proof (`GET /api/v1/log/proof`); Rekor v2 (rekor-tiles) serves tiles
//! (C2SP tlog-tiles: `checkpoint`, `tile/L/N[.p/W]`), from which the proof is computed here, over
//! HTTP or from a mirrored directory. Either way the proof is checked against both signed roots,
//! so a server that lies about a hash is caught.

mod checkpoint;
mod tiles;

pub(crate) use checkpoint::log_key_ids;
pub use checkpoint::{LogCheckpoint, LogKeys};

use std::path::PathBuf;
use std::time::Duration;

use sigstore_types::Sha256Hash;

use crate::http::Service;
use crate::rekor::rekor_answer;
use crate::{Error, RekorVersion, Result};

/// Where a log's checkpoints and proofs are read.
#[derive(Debug)]
enum Source {
    /// Rekor v1's API.
    RekorV1(Service),
    /// A tlog-tiles log (Rekor v2) over HTTP.
    TilesHttp(Service),
    /// A tlog-tiles log mirrored into a directory.
    TilesDir(PathBuf),
}

/// A transparency log, watched: see the module documentation.
#[derive(Debug)]
pub struct LogMonitor {
    source: Source,
    keys: LogKeys,
}

/// What one round of [`LogMonitor::check`] found.
#[derive(Clone, Debug)]
pub struct LogCheck {
    /// The log's current checkpoint, signature verified: the one to keep.
    pub checkpoint: LogCheckpoint,
    /// The size of the kept checkpoint it was proven consistent with (`None`: nothing was kept).
    pub previous_size: Option<u64>,
    /// How many hashes the consistency proof held.
    pub proof_hashes: usize,
}

impl LogMonitor {
    /// Watch the log at `location` through `version`'s read API: Rekor v1's base URL, or a Rekor
    /// v2 (tlog-tiles) base URL or directory holding `checkpoint` and `tile/`. URLs are
    /// `https://`, or `http://` to a loopback host.
    ///
    /// # Errors
    /// [`Error::Config`] for an unusable URL, a directory that does not exist, or a directory
    /// for Rekor v1.
    pub fn new(
        location: &str,
        version: RekorVersion,
        keys: LogKeys,
        timeout: Duration,
        retries: u32,
    ) -> Result<Self> {
        let is_url = location.starts_with("https://") || location.starts_with("http://");
        let source = match (version, is_url) {
            (RekorVersion::V1, true) => {
                Source::RekorV1(Service::new("Rekor", location, timeout, retries)?)
            }
            (RekorVersion::V2, true) => {
                Source::TilesHttp(Service::new("Rekor", location, timeout, retries)?)
            }
            (RekorVersion::V2, false) => {
                let dir = PathBuf::from(location);
                if !dir.is_dir() {
                    return Err(Error::Config(format!(
                        "{location}: neither an http(s) URL nor a directory of tiles"
                    )));
                }
                Source::TilesDir(dir)
            }
            (RekorVersion::V1, false) => {
                return Err(Error::Config(format!(
                    "{location}: Rekor v1 is read through its API (an http(s) URL); a directory \
                     holds the tiles of a Rekor v2 log"
                )))
            }
        };
        Ok(LogMonitor { source, keys })
    }

    /// The log's current checkpoint, its signature verified.
    ///
    /// # Errors
    /// [`Error::Service`] / [`Error::Unreachable`] / [`Error::Io`] reading it;
    /// [`Error::InvalidBundle`] for a malformed checkpoint; [`Error::Verification`] when no log
    /// key signed it.
    pub fn latest(&self) -> Result<LogCheckpoint> {
        let note = match &self.source {
            Source::RekorV1(rekor) => {
                let info = rekor.get_json("/api/v1/log")?;
                info["signedTreeHead"]
                    .as_str()
                    .ok_or_else(|| rekor_answer("GET /api/v1/log: no signedTreeHead"))?
                    .to_owned()
            }
            Source::TilesHttp(log) => text(log.get("/checkpoint", "text/plain")?)?,
            Source::TilesDir(dir) => text(tiles::read_file(&dir.join("checkpoint"))?)?,
        };
        let checkpoint = LogCheckpoint::parse(&note)?;
        self.keys.verify(&checkpoint)?;
        Ok(checkpoint)
    }

    /// The consistency proof from `old` to `new` (same log, `old` no larger), as the log serves
    /// it (Rekor v1) or computed from its tiles (Rekor v2), not yet checked.
    ///
    /// # Errors
    /// As [`LogMonitor::latest`]; [`Error::Verification`] for checkpoints of two logs or a tree
    /// that shrank.
    pub fn consistency_proof(
        &self,
        old: &LogCheckpoint,
        new: &LogCheckpoint,
    ) -> Result<Vec<[u8; 32]>> {
        same_log(old, new)?;
        if old.size() == 0 || old.size() == new.size() {
            return Ok(Vec::new());
        }
        match &self.source {
            Source::RekorV1(rekor) => {
                let path = format!(
                    "/api/v1/log/proof?firstSize={}&lastSize={}",
                    old.size(),
                    new.size()
                );
                let proof = rekor.get_json(&path)?;
                let hashes = proof["hashes"]
                    .as_array()
                    .ok_or_else(|| rekor_answer("the consistency proof has no hashes"))?;
                hashes
                    .iter()
                    .map(|h| {
                        let mut hash = [0u8; 32];
                        h.as_str()
                            .and_then(|h| hex::decode_to_slice(h, &mut hash).ok())
                            .ok_or_else(|| rekor_answer("a proof hash is not 64 hex digits"))?;
                        Ok(hash)
                    })
                    .collect()
            }
            Source::TilesHttp(log) => {
                tiles::Tiles::new(tiles::Reader::Http(log), new.size()).prove(old.size())
            }
            Source::TilesDir(dir) => {
                tiles::Tiles::new(tiles::Reader::Dir(dir), new.size()).prove(old.size())
            }
        }
    }

    /// One round: the current checkpoint, verified, and proven consistent with `previous` (the
    /// checkpoint kept from the last round, whose signature is checked again: it was kept on
    /// disk).
    ///
    /// # Errors
    /// As [`LogMonitor::latest`]; [`Error::Verification`] when the log is not consistent with
    /// `previous` (a fork, a rewrite, a tree that shrank) or `previous` is not this log's.
    pub fn check(&self, previous: Option<&LogCheckpoint>) -> Result<LogCheck> {
        let checkpoint = self.latest()?;
        let Some(previous) = previous else {
            return Ok(LogCheck {
                checkpoint,
                previous_size: None,
                proof_hashes: 0,
            });
        };
        self.keys.verify(previous)?;
        let proof = self.consistency_proof(previous, &checkpoint)?;
        verify_consistency(previous, &checkpoint, &proof)?;
        Ok(LogCheck {
            previous_size: Some(previous.size()),
            proof_hashes: proof.len(),
            checkpoint,
        })
    }
}

/// Check that `new` extends `old` (RFC 6962 consistency proof `proof`): same log, the tree did not
/// shrink, and the proof leads from `old`'s root to `new`'s. Signatures are not checked here
/// ([`LogKeys::verify`]).
///
/// # Errors
/// [`Error::Verification`] naming what does not hold.
pub fn verify_consistency(
    old: &LogCheckpoint,
    new: &LogCheckpoint,
    proof: &[[u8; 32]],
) -> Result<()> {
    same_log(old, new)?;
    let hashes: Vec<Sha256Hash> = proof.iter().map(|h| Sha256Hash::new(*h)).collect();
    sigstore_merkle::verify_consistency_proof(
        old.size(),
        new.size(),
        &hashes,
        &Sha256Hash::new(*old.root_hash()),
        &Sha256Hash::new(*new.root_hash()),
    )
    .map_err(|e| {
        Error::Verification(format!(
            "log {}: the tree of size {} is not consistent with the kept one of size {}: {e}",
            new.origin(),
            new.size(),
            old.size()
        ))
    })
}

fn same_log(old: &LogCheckpoint, new: &LogCheckpoint) -> Result<()> {
    if old.origin() != new.origin() {
        return Err(Error::Verification(format!(
            "the checkpoints are of two logs: {:?} and {:?}",
            old.origin(),
            new.origin()
        )));
    }
    if old.size() > new.size() {
        return Err(Error::Verification(format!(
            "log {}: the tree shrank from {} to {} entries",
            new.origin(),
            old.size(),
            new.size()
        )));
    }
    Ok(())
}

fn text(bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| rekor_answer("the checkpoint is not UTF-8"))
}
