//! Atomic file output: a reader sees the old file or the whole new one, never a part.

use std::path::Path;

use crate::{Error, Result};

/// File mode for secrets (private keys).
pub const SECRET_MODE: u32 = 0o600;
/// File mode for everything else.
pub const PUBLIC_MODE: u32 = 0o644;

/// Write `bytes` to `path` atomically: into a temporary file in the same directory, flushed to
/// disk, given `mode` (on Unix), then renamed over `path`. On error `path` is untouched and the
/// temporary file is removed.
///
/// # Errors
/// [`Error::Io`] naming `path`.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    stellaops_keys::files::write_atomic(path, bytes, mode).map_err(|e| Error::io(path, e))
}

/// As [`write_atomic`], but fails if `path` already exists (no clobbering; safe against a
/// concurrent writer of the same path).
///
/// # Errors
/// [`Error::Io`] with `AlreadyExists` when `path` exists.
pub fn write_new_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    stellaops_keys::files::write_new_atomic(path, bytes, mode).map_err(|e| Error::io(path, e))
}

/// Read a whole file, naming it in the error.
///
/// # Errors
/// [`Error::Io`].
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}
