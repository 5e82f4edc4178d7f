//! Offline Kits: a signed export packed into one deterministic tar, verified with no network.
//!
//! An export signed into a Sigstore bundle (`stella export sign --keyless` or
//! `--sigstore-bundle`) keeps its evidence in `.stellaops/` inside the export: the manifest
//! ([`KIT_MANIFEST`]), the bundle ([`KIT_BUNDLE`]) and, when given, the trusted root it was
//! verified with ([`KIT_TRUSTED_ROOT`]); the manifest leaves them out. [`pack_kit`] writes
//! every file of the export into a tar in path order with canonical headers (the `tar` module)
//! dated at the manifest's creation time, so the same export gives the same bytes.
//! [`verify_kit`] checks a kit against a trusted root the verifier holds: the bundle
//! (signature, certificate and identity, log proof or timestamps, all offline), that the signed
//! statement's manifest is the kit's, that the tar is the canonical packing (every header and
//! padding byte), and every file's size and digests against the manifest, streaming; a change
//! anywhere fails, naming the entry.

#[cfg(feature = "sigstore")]
use std::collections::BTreeMap;
use std::fs::File;
#[cfg(feature = "sigstore")]
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::io::{BufWriter, Write};
use std::path::Path;

use stellaops_predicates::ExportManifest;
#[cfg(feature = "sigstore")]
use stellaops_predicates::{ExportChange, ExportDiff, Statement, EXPORT_PREDICATE_TYPE};
#[cfg(feature = "sigstore")]
use stellaops_sigstore::{BundleVerification, TrustedRoot};

#[cfg(feature = "sigstore")]
use super::disk::content_problem;
use super::tar;
#[cfg(feature = "sigstore")]
use super::tar::BLOCK;
#[cfg(feature = "sigstore")]
use crate::bundle::{verify_bundle, BundlePolicy};
use crate::{Error, Result};

/// The manifest inside a kit.
pub const KIT_MANIFEST: &str = ".stellaops/manifest.json";
/// The Sigstore bundle over the export statement, inside a kit.
pub const KIT_BUNDLE: &str = ".stellaops/export.sigstore.json";
/// The trusted root the bundle was verified with when signing, inside a kit (for the
/// operator's reference: verification uses the root the verifier gives).
pub const KIT_TRUSTED_ROOT: &str = ".stellaops/trusted_root.json";
/// The largest evidence file (manifest, bundle, root) a kit may carry.
#[cfg(feature = "sigstore")]
const MAX_EVIDENCE: u64 = 64 << 20;

#[cfg(feature = "sigstore")]
/// What [`verify_kit`] established.
#[derive(Clone, Debug)]
pub struct KitVerification {
    /// The bundle's verification (identity, log, timestamps).
    pub bundle: BundleVerification,
    /// The signed manifest.
    pub manifest: ExportManifest,
    /// How the kit's files differ from it; empty when intact.
    pub diff: ExportDiff,
}

#[cfg(feature = "sigstore")]
impl KitVerification {
    /// True when every file matches the signed manifest.
    pub fn is_intact(&self) -> bool {
        self.diff.is_empty()
    }
}

/// Pack the signed export `dir` (its `.stellaops/` evidence included) into the tar `out`:
/// regular files only, path order, canonical headers dated at the manifest's creation time.
///
/// # Errors
/// [`Error::Io`]; [`Error::ManifestMismatch`] when `dir` has no kit manifest or holds what a
/// kit cannot (a link, a special file, a path ustar cannot store).
pub fn pack_kit(dir: &Path, out: &Path) -> Result<u64> {
    let manifest_path = dir.join(KIT_MANIFEST);
    let manifest =
        read_manifest(&std::fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?)?;
    let mtime = unix_seconds(manifest.created_at())?;
    let mut paths = Vec::new();
    collect(dir, dir, &mut paths)?;
    paths.sort();
    let file = File::create(out).map_err(|e| Error::io(out, e))?;
    let mut writer = BufWriter::new(file);
    let mut total = 0u64;
    for path in &paths {
        let full = dir.join(path);
        let mut f = File::open(&full).map_err(|e| Error::io(&full, e))?;
        let size = f.metadata().map_err(|e| Error::io(&full, e))?.len();
        tar::write_entry(&mut writer, path, size, mtime, &mut f).map_err(|e| Error::io(out, e))?;
        total += size;
    }
    tar::write_end(&mut writer).map_err(|e| Error::io(out, e))?;
    writer.flush().map_err(|e| Error::io(out, e))?;
    Ok(total)
}

/// Every regular file under `dir`, as `/`-separated paths relative to `root`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let kind = entry.file_type().map_err(|e| Error::io(&entry.path(), e))?;
        let full = entry.path();
        let relative = full
            .strip_prefix(root)
            .ok()
            .and_then(|p| p.to_str())
            .map(|p| p.replace(std::path::MAIN_SEPARATOR, "/"))
            .ok_or_else(|| kit_error(&full.display().to_string(), "is not a UTF-8 path"))?;
        if kind.is_dir() {
            collect(root, &full, out)?;
        } else if kind.is_file() {
            out.push(relative);
        } else {
            return Err(kit_error(
                &relative,
                "is not a regular file; a kit holds files only",
            ));
        }
    }
    Ok(())
}

#[cfg(feature = "sigstore")]
/// Verify the kit `tar` with `root` and `policy` (the signer the export must come from).
///
/// # Errors
/// Verification failures: the bundle's ([`verify_bundle`]), [`Error::ManifestMismatch`] for a
/// tar that is not the canonical packing or evidence that disagrees with the signed statement;
/// [`Error::Io`] for an unreadable file. Differences between files and manifest are in the
/// result ([`KitVerification::diff`]), each naming its file.
pub fn verify_kit(
    tar_path: &Path,
    root: &TrustedRoot,
    policy: &BundlePolicy,
) -> Result<KitVerification> {
    let file = File::open(tar_path).map_err(|e| Error::io(tar_path, e))?;
    let mut reader = BufReader::new(file);
    // Pass 1: the layout (every header canonical, padding zero, the end exact) and the
    // evidence files' contents.
    let entries = read_layout(&mut reader, tar_path)?;
    let mut evidence = |name: &str| -> Result<Vec<u8>> {
        let (offset, size, _) = entries
            .get(name)
            .copied()
            .ok_or_else(|| kit_error(name, "is missing from the kit"))?;
        if size > MAX_EVIDENCE {
            return Err(kit_error(name, "is larger than any kit evidence file"));
        }
        let mut buf = vec![0u8; usize::try_from(size).unwrap_or(0)];
        reader
            .seek(SeekFrom::Start(offset))
            .and_then(|_| reader.read_exact(&mut buf))
            .map_err(|e| Error::io(tar_path, e))?;
        Ok(buf)
    };
    let manifest_json = evidence(KIT_MANIFEST)?;
    let bundle_json = evidence(KIT_BUNDLE)?;
    if entries.contains_key(KIT_TRUSTED_ROOT) && evidence(KIT_TRUSTED_ROOT)? != root.as_json() {
        return Err(kit_error(
            KIT_TRUSTED_ROOT,
            "is not the trusted root given to verify with (compare them: the kit was signed and checked against this one)",
        ));
    }
    let bundle =
        verify_bundle(&bundle_json, root, policy, None).map_err(|e| in_entry(KIT_BUNDLE, e))?;
    bundle_is_exact(&bundle_json, root)?;
    let statement = bundle
        .statement
        .as_ref()
        .ok_or_else(|| kit_error(KIT_BUNDLE, "carries no in-toto statement"))?;
    let limits = crate::verify::document_limits(&stellaops_dsse::EnvelopeLimits::default());
    let statement =
        Statement::from_json(&serde_json::to_vec(statement).unwrap_or_default(), &limits)?;
    if statement.predicate_type() != EXPORT_PREDICATE_TYPE {
        return Err(kit_error(KIT_BUNDLE, "does not sign an export manifest"));
    }
    let manifest = ExportManifest::from_value(statement.predicate().clone())
        .map_err(|e| in_entry(KIT_BUNDLE, e.into()))?;
    if manifest.to_json()? != manifest_json {
        return Err(kit_error(
            KIT_MANIFEST,
            "is not, byte for byte, the manifest the bundle signs",
        ));
    }
    if statement.subjects() != manifest.subjects()?.as_slice() {
        return Err(kit_error(
            KIT_BUNDLE,
            "signs subjects other than the manifest's files",
        ));
    }
    let mtime = unix_seconds(manifest.created_at())?;
    if let Some((path, _)) = entries.iter().find(|(_, &(_, _, t))| t != mtime) {
        return Err(kit_error(
            path,
            "is dated otherwise than the manifest's creation time",
        ));
    }
    // Pass 2: every file against the manifest, streaming.
    let mut diff = ExportDiff::default();
    let mut in_kit: BTreeMap<&str, (u64, u64)> = entries
        .iter()
        .filter(|(p, _)| !matches!(p.as_str(), KIT_MANIFEST | KIT_BUNDLE | KIT_TRUSTED_ROOT))
        .map(|(p, &(offset, size, _))| (p.as_str(), (offset, size)))
        .collect();
    for file in manifest.files() {
        let Some((offset, size)) = in_kit.remove(file.path.as_str()) else {
            diff.missing.push(file.path.clone());
            continue;
        };
        reader
            .seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io(tar_path, e))?;
        let content = (&mut reader).take(size);
        if let Some(problem) = content_problem(file, size, content, &file.path)? {
            diff.changed.push(ExportChange {
                path: file.path.clone(),
                problem,
            });
        }
    }
    for link in manifest.symlinks() {
        diff.missing.push(link.path.clone());
    }
    diff.extra = in_kit.into_keys().map(str::to_owned).collect();
    diff.missing.sort();
    Ok(KitVerification {
        bundle,
        manifest,
        diff,
    })
}

#[cfg(feature = "sigstore")]
/// Where an entry's content starts, its size and its modification time.
type Layout = BTreeMap<String, (u64, u64, u64)>;

#[cfg(feature = "sigstore")]
/// Walk the tar: every header must be the canonical one for what it states, padding zero, the
/// end two zero blocks and nothing after. Each entry's content offset, size and time, by path.
fn read_layout(reader: &mut BufReader<File>, tar_path: &Path) -> Result<Layout> {
    let io = |e| Error::io(tar_path, e);
    let mut entries = BTreeMap::new();
    let mut offset = 0u64;
    let mut previous: Option<String> = None;
    let after = |p: &Option<String>| p.clone().unwrap_or_else(|| "the start".to_owned());
    loop {
        let mut h = [0u8; BLOCK];
        reader.read_exact(&mut h).map_err(|_| {
            kit_error(
                &after(&previous),
                "is followed by a cut-off archive (no end blocks)",
            )
        })?;
        offset += BLOCK as u64;
        if h.iter().all(|&b| b == 0) {
            let mut second = [0u8; BLOCK];
            let complete = reader.read_exact(&mut second).is_ok() && second.iter().all(|&b| b == 0);
            let mut rest = [0u8; 1];
            let trailing = reader.read(&mut rest).map_err(io)?;
            if !complete || trailing != 0 {
                return Err(kit_error(
                    &after(&previous),
                    "is followed by an end of archive that is not the canonical two zero blocks",
                ));
            }
            return Ok(entries);
        }
        let (path, size, mtime) = tar::parse(&h).map_err(|problem| {
            kit_error(&format!("the entry after {}", after(&previous)), &problem)
        })?;
        let canonical =
            tar::header(&path, size, mtime).map_err(|problem| kit_error(&path, &problem))?;
        if canonical != h {
            return Err(kit_error(&path, "has a header that is not the canonical one (a changed byte, or not packed by stella export pack)"));
        }
        if previous.as_deref().is_some_and(|p| p >= path.as_str()) {
            return Err(kit_error(&path, "is out of order or appears twice"));
        }
        if path.starts_with('/')
            || path
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(kit_error(&path, "is not a plain relative path"));
        }
        entries.insert(path.clone(), (offset, size, mtime));
        reader
            .seek(SeekFrom::Current(i64::try_from(size).unwrap_or(i64::MAX)))
            .map_err(io)?;
        let mut pad = vec![0u8; tar::padding(size)];
        reader
            .read_exact(&mut pad)
            .map_err(|_| kit_error(&path, "is cut off"))?;
        if pad.iter().any(|&b| b != 0) {
            return Err(kit_error(&path, "is followed by padding that is not zero"));
        }
        offset += size + pad.len() as u64;
        previous = Some(path);
    }
}

fn read_manifest(json: &[u8]) -> Result<ExportManifest> {
    Ok(ExportManifest::from_json(
        json,
        &crate::verify::document_limits(&stellaops_dsse::EnvelopeLimits::default()),
    )?)
}

/// RFC 3339 (UTC, as manifests write it) to Unix seconds.
fn unix_seconds(time: &str) -> Result<u64> {
    let parsed = stellaops_crypto::rfc3339::parse(time)
        .map_err(|e| kit_error(KIT_MANIFEST, &format!("creation time {time:?}: {e}")))?;
    parsed
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| kit_error(KIT_MANIFEST, "a creation time before 1970"))
}

/// What a verifier anchored on the trusted root never reads must still be exactly what the
/// signer wrote, or a changed byte there would go unnoticed: the bundle is canonical JSON (RFC
/// 8785, as `stella` writes it), its RFC 3161 tokens are in their strict form
/// ([`stellaops_sigstore::tsa::check_strict_token`]), a Rekor v2 inclusion proof's copies of
/// the log index, tree size and root hash are the entry's and the signed checkpoint's, and
/// the DSSE signature names no key id.
#[cfg(feature = "sigstore")]
fn bundle_is_exact(bundle_json: &[u8], root: &TrustedRoot) -> Result<()> {
    use base64::Engine as _;
    let canonical = stellaops_dsse::canon::canonicalize(
        bundle_json,
        stellaops_dsse::canon::Mode::Jcs,
        &stellaops_dsse::canon::Limits::default(),
    )
    .map_err(|e| in_entry(KIT_BUNDLE, e.into()))?;
    if canonical != bundle_json {
        return Err(kit_error(KIT_BUNDLE, "is not in canonical JSON (RFC 8785)"));
    }
    let doc: serde_json::Value = serde_json::from_slice(bundle_json)
        .map_err(|e| kit_error(KIT_BUNDLE, &format!("is not JSON: {e}")))?;
    let material = &doc["verificationMaterial"];
    let trusted = root.timestamp_authority_certificates();
    let stamps = material["timestampVerificationData"]["rfc3161Timestamps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, stamp) in stamps.iter().enumerate() {
        let der = base64::engine::general_purpose::STANDARD
            .decode(stamp["signedTimestamp"].as_str().unwrap_or_default())
            .map_err(|e| kit_error(KIT_BUNDLE, &format!("timestamp {}: {e}", i + 1)))?;
        stellaops_sigstore::tsa::check_strict_token(&der, &trusted)
            .map_err(|why| kit_error(KIT_BUNDLE, &format!("timestamp {}: {why}", i + 1)))?;
    }
    let root_doc: serde_json::Value = serde_json::from_slice(root.as_json()).unwrap_or_default();
    let log_ids: Vec<&serde_json::Value> = root_doc["tlogs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| &t["logId"]["keyId"])
        .collect();
    for entry in material["tlogEntries"].as_array().into_iter().flatten() {
        if !log_ids.contains(&&entry["logId"]["keyId"]) {
            return Err(kit_error(
                KIT_BUNDLE,
                "names a transparency log the trusted root does not list",
            ));
        }
        let proof = &entry["inclusionProof"];
        let note = proof["checkpoint"]["envelope"].as_str().unwrap_or_default();
        // The signature lines are outside what they sign: each must name the note's origin
        // (Rekor v2: the log's host name), or the host its Rekor v1 origin `HOST - TREE_ID`
        // begins with. Exactly those two names, so any changed byte of a name is refused.
        let origin = note.lines().next().unwrap_or_default();
        let named = |name: &str| {
            name == origin
                || origin
                    .strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix(" - "))
                    .is_some_and(|tree| {
                        !tree.is_empty() && tree.bytes().all(|b| b.is_ascii_digit())
                    })
        };
        let foreign = note
            .lines()
            .filter_map(|l| l.strip_prefix("\u{2014} "))
            .any(|l| !l.split(' ').next().is_some_and(named));
        if foreign {
            return Err(kit_error(
                KIT_BUNDLE,
                "has a checkpoint signature line that does not name the checkpoint's origin",
            ));
        }
        let mut lines = note.lines().skip(1);
        let (size, root_hash) = (lines.next(), lines.next());
        let same = proof["logIndex"] == entry["logIndex"]
            && proof["treeSize"].as_str() == size
            && proof["rootHash"].as_str() == root_hash;
        if !same {
            return Err(kit_error(
                KIT_BUNDLE,
                "has an inclusion proof whose index, size or root differs from its entry's and its signed checkpoint's",
            ));
        }
    }
    for signature in doc["dsseEnvelope"]["signatures"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if signature.get("keyid").is_some_and(|k| k != "") {
            return Err(kit_error(
                KIT_BUNDLE,
                "names a key id its signature does not cover",
            ));
        }
    }
    Ok(())
}

#[cfg(feature = "sigstore")]
fn in_entry(entry: &str, source: Error) -> Error {
    Error::KitEntry {
        entry: entry.to_owned(),
        source: Box::new(source),
    }
}

fn kit_error(entry: &str, problem: &str) -> Error {
    Error::ManifestMismatch(format!("Offline Kit: {entry} {problem}"))
}
