//! Exports on disk: describe a directory (or listed files) as an [`ExportManifest`], and compare
//! an export with its manifest. The manifest's wire format is stellaops-predicates'; walking
//! directories, hashing files and `SOURCE_DATE_EPOCH` are here.
//!
//! A description is deterministic: the same files and options give the same canonical JSON on
//! any machine; the creation time comes from the options or `SOURCE_DATE_EPOCH`, never from the
//! clock. Symbolic links are refused unless [`SymlinkPolicy::Record`] asks to record them (as a
//! link and its target, never followed). Directories are not entries: an empty directory is not
//! part of an export.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use stellaops_predicates::{
    digest_reader, normalize_path as normalize, DigestAlgorithm, Error, ExportChange, ExportDiff,
    ExportFile, ExportManifest, ExportSymlink,
};

type Result<T, E = Error> = std::result::Result<T, E>;

/// What to do with symbolic links found in an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SymlinkPolicy {
    /// A symbolic link is an error (the default): a link can point outside the export.
    #[default]
    Refuse,
    /// Record each link and its target text in the manifest; never follow it.
    Record,
}

impl SymlinkPolicy {
    /// [`SymlinkPolicy::Record`] when `record` is set, else [`SymlinkPolicy::Refuse`]: the
    /// mapping of every face's `record_symlinks` flag.
    pub fn record_if(record: bool) -> Self {
        if record {
            SymlinkPolicy::Record
        } else {
            SymlinkPolicy::Refuse
        }
    }
}

/// How [`describe_dir`] and [`describe_files`] describe an export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// The export id; by default `sha256:` and the SHA-256 of the canonical file list, so the
    /// same content always gets the same id.
    pub export_id: Option<String>,
    /// The tenant the export belongs to.
    pub tenant: Option<String>,
    /// The export profile (what the Export Center packaged, e.g. `mirror` or `offline-kit`).
    pub profile: Option<String>,
    /// Creation time, RFC 3339 (written in UTC). Without it `SOURCE_DATE_EPOCH` (seconds since
    /// the epoch) is used; without both, building fails: the wall clock would make the manifest
    /// differ on every run.
    pub created_at: Option<String>,
    /// Also record SHA-512 digests.
    pub sha512: bool,
    /// What to do with symbolic links.
    pub symlinks: SymlinkPolicy,
    /// Relative paths left out of the export (the manifest or envelope written into the
    /// directory being exported).
    pub exclude: Vec<String>,
}

/// What a path on disk is.
enum OnDisk {
    File,
    Symlink,
    Other(&'static str),
}

/// Describe every file under `root` (recursively).
///
/// # Errors
/// [`Error::ExportEntry`] for special files, refused links and names that are not UTF-8;
/// [`Error::ExportPath`] for excluded paths that are not normalized; [`Error::EmptyExport`];
/// [`Error::CreationTime`]; [`Error::Io`].
pub fn describe_dir(root: &Path, options: &ExportOptions) -> Result<ExportManifest> {
    let exclude = normalize_all(&options.exclude)?;
    let entries = walk(root, &exclude)?;
    describe(root, entries, options)
}

/// Describe the listed files (relative to `root`; normalized, duplicates refused).
///
/// # Errors
/// As [`describe_dir`]; [`Error::ExportPath`] for an absolute path, a `..`
/// segment or a duplicate.
pub fn describe_files<S: AsRef<str>>(
    root: &Path,
    files: &[S],
    options: &ExportOptions,
) -> Result<ExportManifest> {
    let exclude = normalize_all(&options.exclude)?;
    let mut entries = BTreeMap::new();
    for file in files {
        let path = normalize(file.as_ref())?;
        if exclude.contains(&path) {
            continue;
        }
        let full = root.join(&path);
        let kind = classify(&full)?;
        if entries.insert(path.clone(), (full, kind)).is_some() {
            return Err(Error::ExportPath {
                path,
                problem: "is listed twice",
            });
        }
    }
    describe(root, entries, options)
}

fn describe(
    root: &Path,
    entries: BTreeMap<String, (PathBuf, OnDisk)>,
    options: &ExportOptions,
) -> Result<ExportManifest> {
    let created_at = creation_time(options.created_at.as_deref())?;
    let mut algorithms = vec![DigestAlgorithm::Sha256];
    if options.sha512 {
        algorithms.push(DigestAlgorithm::Sha512);
    }
    // Each entry described on a worker (files hashed, links read), in path order.
    let entries: Vec<(String, (PathBuf, OnDisk))> = entries.into_iter().collect();
    let described = super::parallel::map_ordered(&entries, |(path, (full, kind))| {
        describe_entry(path, full, kind, &algorithms, options.symlinks)
    });
    let mut files = Vec::new();
    let mut symlinks = Vec::new();
    for entry in described {
        match entry? {
            Described::File(file) => files.push(file),
            Described::Link(link) => symlinks.push(link),
        }
    }
    if files.is_empty() {
        return Err(Error::EmptyExport(root.display().to_string()));
    }
    ExportManifest::new(
        options.export_id.clone(),
        options.tenant.clone(),
        options.profile.clone(),
        created_at,
        files,
        symlinks,
    )
}

/// One entry of a manifest being made.
enum Described {
    File(ExportFile),
    Link(ExportSymlink),
}

/// The manifest entry for what is at `full`: a file hashed with `algorithms`, a recorded link,
/// or why it cannot be exported.
fn describe_entry(
    path: &str,
    full: &Path,
    kind: &OnDisk,
    algorithms: &[DigestAlgorithm],
    symlinks: SymlinkPolicy,
) -> Result<Described> {
    let path = path.to_owned();
    match kind {
        OnDisk::File => {
            let (size, digest) = hash_file(full, algorithms)?;
            Ok(Described::File(ExportFile { path, size, digest }))
        }
        OnDisk::Symlink if symlinks == SymlinkPolicy::Record => {
            let target = link_target(full, &path)?;
            Ok(Described::Link(ExportSymlink { path, target }))
        }
        OnDisk::Symlink => Err(Error::ExportEntry {
            path,
            problem: "is a symbolic link; links are refused unless recorded".into(),
        }),
        OnDisk::Other(what) => Err(Error::ExportEntry {
            path,
            problem: format!("is a {what}; only files and links can be exported"),
        }),
    }
}

/// Compare the export under `root` with `manifest`: re-hash every file (streaming, in
/// constant memory; a file whose size differs is not read) and name every missing, extra or
/// changed entry. Paths in `exclude` are not looked at.
///
/// # Errors
/// [`Error::Io`] when `root` or a file cannot be read; [`Error::ExportPath`] for an
/// exclusion that is not a relative path.
pub fn check_export(
    manifest: &ExportManifest,
    root: &Path,
    exclude: &[String],
) -> Result<ExportDiff> {
    let exclude = normalize_all(exclude)?;
    let mut disk = walk(root, &exclude)?;
    let mut diff = ExportDiff::default();
    let changed = |path: &str, problem: String| ExportChange {
        path: path.to_owned(),
        problem,
    };
    // Each manifest file judged against what is on disk on a worker, in the manifest's order.
    let problems =
        super::parallel::map_ordered(manifest.files(), |file| match disk.get(&file.path) {
            None => Ok(None),
            Some((full, OnDisk::File)) => file_problem(full, file),
            Some((_, OnDisk::Symlink)) => Ok(Some("is a symbolic link, expected a file".into())),
            Some((_, OnDisk::Other(what))) => Ok(Some(format!("is a {what}, expected a file"))),
        });
    for (file, problem) in manifest.files().iter().zip(problems) {
        let problem = problem?;
        if disk.remove(&file.path).is_none() {
            diff.missing.push(file.path.clone());
        } else if let Some(problem) = problem {
            diff.changed.push(changed(&file.path, problem));
        }
    }
    for link in manifest.symlinks() {
        match disk.remove(&link.path) {
            None => diff.missing.push(link.path.clone()),
            Some((full, OnDisk::Symlink)) => {
                let target = link_target(&full, &link.path)?;
                if target != link.target {
                    diff.changed.push(changed(
                        &link.path,
                        format!("links to {target:?}, expected {:?}", link.target),
                    ));
                }
            }
            Some(_) => diff.changed.push(changed(
                &link.path,
                "is not a symbolic link, expected one".into(),
            )),
        }
    }
    diff.extra = disk.into_keys().collect();
    diff.missing.sort();
    diff.changed.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(diff)
}

/// What is wrong with a file on disk against its manifest entry, if anything.
fn file_problem(full: &Path, file: &ExportFile) -> Result<Option<String>> {
    // Size and content come from one opened file that is not a symbolic link: a link swapped
    // in after the walk is reported as a change, never followed out of the export.
    match open_regular(full) {
        Ok((opened, size)) => content_problem(file, size, opened, &full.display().to_string()),
        Err(problem) => problem.map(Some),
    }
}

/// What is wrong with `content`, stated to be `size` bytes, against `file`'s manifest entry, if
/// anything: another size, a size that changed while reading, a digest that differs (every
/// algorithm the entry records).
pub(super) fn content_problem(
    file: &ExportFile,
    size: u64,
    content: impl Read,
    label: &str,
) -> Result<Option<String>> {
    if size != file.size {
        return Ok(Some(format!("size {size}, expected {}", file.size)));
    }
    let algorithms: Vec<DigestAlgorithm> = file
        .digest
        .keys()
        .filter_map(|name| DigestAlgorithm::from_name(name))
        .collect();
    let (read, digest) = hash_reader(content, &algorithms, label)?;
    if read != file.size {
        return Ok(Some(format!(
            "size {read} while reading, expected {}",
            file.size
        )));
    }
    Ok(digest
        .iter()
        .find(|(name, value)| file.digest.get(*name) != Some(*value))
        .map(|(name, _)| format!("{name} differs")))
}

/// Every entry under `root` that is not a directory, by normalized relative path.
fn walk(root: &Path, exclude: &BTreeSet<String>) -> Result<BTreeMap<String, (PathBuf, OnDisk)>> {
    let meta = std::fs::metadata(root).map_err(|source| io_error(root, source))?;
    if !meta.is_dir() {
        return Err(io_error(
            root,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        ));
    }
    let mut entries = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false).min_depth(1) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(root).to_path_buf();
            io_error(&path, e.into())
        })?;
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(root)
            .map_err(|_| Error::Manifest("walked outside the export root".into()))?;
        let path = normalize_path(relative)?;
        if exclude.contains(&path) {
            continue;
        }
        entries.insert(path, (entry.path().to_path_buf(), on_disk(kind)));
    }
    Ok(entries)
}

fn classify(full: &Path) -> Result<OnDisk> {
    let meta = std::fs::symlink_metadata(full).map_err(|source| io_error(full, source))?;
    if meta.is_dir() {
        return Err(Error::ExportEntry {
            path: full.display().to_string(),
            problem: "is a directory; list files".into(),
        });
    }
    Ok(on_disk(meta.file_type()))
}

fn on_disk(kind: std::fs::FileType) -> OnDisk {
    if kind.is_file() {
        return OnDisk::File;
    }
    if kind.is_symlink() {
        return OnDisk::Symlink;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return OnDisk::Other("named pipe");
        }
        if kind.is_socket() {
            return OnDisk::Other("socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return OnDisk::Other("device");
        }
    }
    OnDisk::Other("special file")
}

/// Hash a file once for every algorithm, counting the bytes read.
fn hash_file(
    full: &Path,
    algorithms: &[DigestAlgorithm],
) -> Result<(u64, BTreeMap<String, String>)> {
    let (file, _) = match open_regular(full) {
        Ok(opened) => opened,
        Err(Ok(problem)) => {
            return Err(Error::ExportEntry {
                path: full.display().to_string(),
                problem,
            })
        }
        Err(Err(e)) => return Err(e),
    };
    hash_reader(file, algorithms, &full.display().to_string())
}

/// Hash `content` once for every algorithm, counting the bytes read; `label` names it in
/// errors.
fn hash_reader(
    content: impl Read,
    algorithms: &[DigestAlgorithm],
    label: &str,
) -> Result<(u64, BTreeMap<String, String>)> {
    struct Counting<R> {
        inner: R,
        read: u64,
    }
    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }
    let mut counting = Counting {
        inner: content,
        read: 0,
    };
    let digest = digest_reader(&mut counting, algorithms, label)?;
    Ok((counting.read, digest))
}

/// Open `full` for reading only if it is a regular file, checked on the open descriptor: the
/// last component is never followed if it is a symbolic link (`O_NOFOLLOW`), and a named pipe
/// swapped in does not block the open (`O_NONBLOCK`). Returns the file and its size, or
/// `Err(Ok(problem))` when the entry is no longer a regular file, `Err(Err(_))` for other
/// I/O errors.
#[allow(clippy::type_complexity)]
fn open_regular(full: &Path) -> std::result::Result<(std::fs::File, u64), Result<String>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(full) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Ok(
                "is a symbolic link now (changed while being read)".into()
            ))
        }
        Err(e) => return Err(Err(io_error(full, e))),
    };
    let meta = file.metadata().map_err(|e| Err(io_error(full, e)))?;
    if !meta.is_file() {
        return Err(Ok(
            "is not a regular file now (changed while being read)".into()
        ));
    }
    Ok((file, meta.len()))
}

fn link_target(full: &Path, path: &str) -> Result<String> {
    let target = std::fs::read_link(full).map_err(|source| io_error(full, source))?;
    target
        .into_os_string()
        .into_string()
        .map_err(|_| Error::ExportEntry {
            path: path.to_owned(),
            problem: "links to a target that is not UTF-8".into(),
        })
}

/// The normal form of a relative path given as text: `/`-separated, `.` and empty segments
/// dropped; absolute paths, `..`, backslashes and control characters refused.
fn normalize_path(relative: &Path) -> Result<String> {
    let mut segments = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(s) => {
                segments.push(s.to_str().ok_or_else(|| Error::ExportEntry {
                    path: relative.display().to_string(),
                    problem: "has a name that is not UTF-8".into(),
                })?)
            }
            Component::CurDir => {}
            _ => {
                return Err(Error::ExportPath {
                    path: relative.display().to_string(),
                    problem: "is not a relative path inside the export",
                })
            }
        }
    }
    normalize(&segments.join("/"))
}

fn normalize_all(paths: &[String]) -> Result<BTreeSet<String>> {
    paths.iter().map(|p| normalize(p)).collect()
}

/// The creation time in RFC 3339 UTC: the one given, else `SOURCE_DATE_EPOCH`.
fn creation_time(given: Option<&str>) -> Result<String> {
    if let Some(text) = given {
        return stellaops_crypto::rfc3339::to_utc(text)
            .map_err(|e| Error::CreationTime(e.to_string()));
    }
    let epoch = std::env::var("SOURCE_DATE_EPOCH").map_err(|_| {
        Error::CreationTime(
            "give a creation time or set SOURCE_DATE_EPOCH (the clock is not used, so the \
             manifest is reproducible)"
                .into(),
        )
    })?;
    let seconds: i64 = epoch.trim().parse().map_err(|_| {
        Error::CreationTime(format!("SOURCE_DATE_EPOCH {epoch:?} is not an integer"))
    })?;
    let time = stellaops_crypto::rfc3339::from_unix_seconds(seconds).ok_or_else(|| {
        Error::CreationTime(format!("SOURCE_DATE_EPOCH {seconds} is out of range"))
    })?;
    Ok(stellaops_crypto::rfc3339::format_seconds(time))
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 20 ("check and settle"): an entry the walk saw as a file, swapped for a symbolic
    /// link before it is opened, is a change; the link is not followed. The link's target is
    /// built so that following it would match the manifest (same size as the link's own
    /// length, same digest): the swap that fooled the old check.
    #[cfg(unix)]
    #[test]
    fn a_symlink_swapped_in_after_the_walk_is_a_change_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        let target = outside.display().to_string();
        let content = "x".repeat(target.len());
        std::fs::write(&outside, &content).unwrap();
        let entry = ExportFile {
            path: "a.txt".into(),
            size: content.len() as u64,
            digest: BTreeMap::from([(
                "sha256".to_owned(),
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(content.as_bytes())),
            )]),
        };
        let inside = dir.path().join("a.txt");
        std::os::unix::fs::symlink(&outside, &inside).unwrap();
        let problem = file_problem(&inside, &entry).unwrap();
        assert_eq!(
            problem.as_deref(),
            Some("is a symbolic link now (changed while being read)")
        );
        // A named pipe swapped in does not hang the check.
        std::fs::remove_file(&inside).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&inside)
            .status()
            .unwrap();
        assert!(made.success());
        let problem = file_problem(&inside, &entry).unwrap();
        assert!(problem.unwrap().contains("not a regular file"));
    }

    #[test]
    fn creation_time_is_normalized_to_utc() {
        assert_eq!(
            creation_time(Some("2026-11-23T10:00:00+02:00"))
                .ok()
                .as_deref(),
            Some("2026-11-23T08:00:00Z")
        );
        assert!(matches!(
            creation_time(Some("yesterday")),
            Err(Error::CreationTime(_))
        ));
    }
}
