//! Files that hold keys and secrets: atomic writes (a reader sees the old file or the whole new
//! one, never a part) and PIN files. The facade's `files` module and the software FIDO2
//! authenticator's state file both write through here.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically: into a temporary file in the same directory, flushed to
/// disk, given `mode` (on Unix), then renamed over `path`. On error `path` is untouched and the
/// temporary file is removed.
///
/// # Errors
/// The I/O error (the caller names `path`).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    prepare(path, bytes, mode)?
        .persist(path)
        .map(drop)
        .map_err(|e| e.error)
}

/// As [`write_atomic`], but fails if `path` already exists (no clobbering; safe against a
/// concurrent writer of the same path).
///
/// # Errors
/// The I/O error, `AlreadyExists` when `path` exists.
pub fn write_new_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    prepare(path, bytes, mode)?
        .persist_noclobber(path)
        .map(drop)
        .map_err(|e| e.error)
}

fn prepare(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".stella-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    set_mode(tmp.as_file(), mode)?;
    Ok(tmp)
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// A PIN from a file, without its trailing line ending (`pin-source`, for PKCS#11 and FIDO2).
#[cfg(any(feature = "pkcs11", feature = "fido2"))]
pub(crate) fn read_pin_file(path: &Path) -> crate::Result<zeroize::Zeroizing<String>> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?,
    );
    Ok(zeroize::Zeroizing::new(
        text.trim_end_matches(['\r', '\n']).to_owned(),
    ))
}
