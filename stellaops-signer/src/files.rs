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

/// The largest document read whole: the envelope limit (96 MiB), which also bounds every
/// payload, statement, bundle, key and configuration file a flow reads.
pub const MAX_DOCUMENT_BYTES: usize = 96 << 20;

/// Read a whole file of at most [`MAX_DOCUMENT_BYTES`], naming it in the error.
///
/// # Errors
/// [`Error::Io`]; [`Error::Dsse`] with [`TooLarge`](stellaops_dsse::Error::TooLarge) for a
/// larger file, refused before it is read.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    read_limited(path, MAX_DOCUMENT_BYTES)
}

/// Read a whole file of at most `max` bytes. The size is checked before reading and again
/// while reading (the file may grow), so memory never holds more than `max + 1` bytes of it.
///
/// # Errors
/// As [`read`].
pub fn read_limited(path: &Path, max: usize) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len > max as u64 {
        return Err(too_large(max, usize::try_from(len).unwrap_or(usize::MAX)));
    }
    let capacity = usize::try_from(len).unwrap_or(0);
    read_stream(file, max, capacity).map_err(|e| match e {
        Error::Io { source, .. } => Error::io(path, source),
        other => other,
    })
}

/// Read `reader` to its end, refusing more than `max` bytes as soon as byte `max + 1` arrives
/// (standard input, pipes). `capacity` is a hint for the first allocation.
///
/// # Errors
/// [`Error::Io`] (path `-`), [`Error::Dsse`] with `TooLarge`.
pub fn read_stream(reader: impl std::io::Read, max: usize, capacity: usize) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let mut buf = Vec::with_capacity(capacity.min(max).saturating_add(1));
    reader
        .take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(Path::new("-"), e))?;
    if buf.len() > max {
        return Err(too_large(max, buf.len()));
    }
    Ok(buf)
}

fn too_large(limit: usize, actual: usize) -> Error {
    Error::Dsse(stellaops_dsse::Error::TooLarge { limit, actual })
}
