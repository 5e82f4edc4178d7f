//! `stella export sign` and `stella export verify`.

use std::path::Path;

use stellaops_signer::faces::{export_bytes, export_report_json};
use stellaops_signer::{
    export_statement, verify_export, ExportOptions, SymlinkPolicy, VerificationPolicy,
};

use crate::cli::{ExportSignArgs, ExportVerifyArgs};
use crate::io::{read_input, verifying_keys, write_output};
use crate::signers::Signers;
use crate::Failure;

pub(crate) fn sign(a: &ExportSignArgs) -> Result<(), Failure> {
    let exclude = [&a.manifest, &a.envelope]
        .iter()
        .filter_map(|out| inside(&a.dir, out))
        .collect();
    let signers = Signers::open(&a.pipeline, &a.keys, &a.tenant, Some("evidence"))?;
    let options = ExportOptions {
        export_id: a.export_id.clone(),
        // Through a pipeline, the export belongs to the tenant the caller signs for.
        tenant: signers
            .pipeline_tenant()
            .map(str::to_owned)
            .or_else(|| a.tenant.tenant.clone()),
        profile: a.profile.clone(),
        created_at: a.created_at.clone(),
        sha512: a.sha512,
        symlinks: SymlinkPolicy::record_if(a.record_symlinks),
        exclude,
    };
    let manifest =
        stellaops_signer::describe_dir(&a.dir, &options).map_err(stellaops_signer::Error::from)?;
    let outcome =
        signers.sign_reproducibly(export_statement(&manifest)?, Some(export_bytes(&manifest)))?;
    let manifest_json = manifest.to_json().map_err(stellaops_signer::Error::from)?;
    write_output(Some(&a.manifest), &manifest_json)?;
    write_output(Some(&a.envelope), outcome.json())?;
    let m = &manifest;
    crate::term::say!(
        "signed export {}: {} file(s), {} link(s), created {}",
        m.export_id(),
        m.files().len(),
        m.symlinks().len(),
        m.created_at()
    );
    Ok(())
}

pub(crate) fn verify(a: &ExportVerifyArgs) -> Result<(), Failure> {
    let envelope = read_input(&a.envelope)?;
    let manifest = a.manifest.as_deref().map(read_input).transpose()?;
    let exclude: Vec<String> = std::iter::once(&a.envelope)
        .chain(a.manifest.as_ref())
        .filter_map(|p| inside(&a.dir, p))
        .collect();
    let keys = verifying_keys(&a.keys)?;
    let policy = VerificationPolicy::new(
        keys,
        a.threshold,
        Some(stellaops_signer::predicates::PAYLOAD_TYPE),
    )
    .map_err(stellaops_signer::Error::from)?;
    let v = verify_export(&a.dir, &envelope, manifest.as_deref(), &policy, &exclude)?;
    let d = &v.diff;
    if a.json {
        let doc: serde_json::Value = serde_json::from_slice(&export_report_json(&v))
            .map_err(|e| Failure::Usage(format!("report: {e}")))?;
        crate::term::json(&doc);
    } else {
        crate::term::say!(
            "signature: {} of {} required trusted key(s) signed export {} ({} files)",
            v.keys.len(),
            policy.threshold(),
            v.manifest.export_id(),
            v.manifest.files().len()
        );
        for k in &v.keys {
            crate::term::say!("  key {} ({})", k.key_id, k.algorithm);
        }
        for path in &d.missing {
            crate::term::say!("missing: {path}");
        }
        for path in &d.extra {
            crate::term::say!("extra:   {path}");
        }
        for c in &d.changed {
            crate::term::say!("changed: {}: {}", c.path, c.problem);
        }
        if v.is_intact() {
            crate::term::say!("export intact");
        }
    }
    Ok(v.require_intact()?)
}

/// `file`'s path relative to `dir` when it is (or would be) inside it.
fn inside(dir: &Path, file: &Path) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let full = parent.canonicalize().ok()?.join(file.file_name()?);
    full.strip_prefix(&dir).ok()?.to_str().map(str::to_owned)
}
