//! `stella export sign` and `stella export verify`.

use std::path::Path;

use stellaops_signer::export::{pack_kit, KIT_BUNDLE, KIT_MANIFEST, KIT_TRUSTED_ROOT};
use stellaops_signer::faces::{export_bytes, export_report_json};
use stellaops_signer::{
    export_statement, verify_export, AllowList, EnforcementMode, ExportOptions, SymlinkPolicy,
    VerificationPolicy,
};

use crate::cli::{ExportPackArgs, ExportSignArgs, ExportVerifyArgs};
use crate::io::{read_input, signing_keys, verifying_keys, write_output};
use crate::signers::Signers;
use crate::Failure;

pub(crate) fn sign(a: &ExportSignArgs) -> Result<(), Failure> {
    let sigstore = a.sigstore.keyless || a.sigstore.sigstore_bundle;
    // clap requires both outputs unless signing into a bundle, which has fixed places.
    let manifest_out = a
        .manifest
        .clone()
        .unwrap_or_else(|| a.dir.join(KIT_MANIFEST));
    let outputs: Vec<std::path::PathBuf> = if sigstore {
        let bundle = a.dir.join(KIT_BUNDLE);
        if let Some(evidence) = bundle.parent() {
            std::fs::create_dir_all(evidence).map_err(|e| stellaops_signer::Error::Io {
                path: evidence.display().to_string(),
                source: e,
            })?;
        }
        vec![manifest_out.clone(), bundle, a.dir.join(KIT_TRUSTED_ROOT)]
    } else {
        vec![manifest_out.clone(), a.envelope.clone().unwrap_or_default()]
    };
    // An envelope beside the bundle: anywhere but inside the export, which the kit packs whole
    // (a file there that the manifest leaves out would be an extra file in the kit).
    let beside = a.envelope.as_ref().filter(|_| sigstore);
    if let Some(envelope) = beside {
        if inside(&a.dir, envelope).is_some() {
            return Err(Failure::Usage(format!(
                "{}: an envelope beside a Sigstore bundle goes outside the export (`export \
                 pack` packs the export whole, and the manifest leaves its own evidence out); \
                 `export verify --envelope` checks it there",
                envelope.display()
            )));
        }
    }
    let exclude = outputs
        .iter()
        .filter_map(|out| inside(&a.dir, out))
        .collect();
    let signers = if sigstore && beside.is_none() {
        None
    } else {
        Some(Signers::open(
            &a.pipeline,
            &a.keys,
            &a.tenant,
            Some("evidence"),
        )?)
    };
    let options = ExportOptions {
        export_id: a.export_id.clone(),
        // Through a pipeline, the export belongs to the tenant the caller signs for.
        tenant: signers
            .as_ref()
            .and_then(Signers::pipeline_tenant)
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
    let statement = export_statement(&manifest)?;
    // The envelope beside a bundle: the same statement, signed by the keys (or pipeline).
    let envelope_beside = match (&signers, beside) {
        (Some(signers), Some(_)) => {
            Some(signers.sign_reproducibly(statement.clone(), Some(export_bytes(&manifest)))?)
        }
        _ => None,
    };
    let signed = match signers {
        Some(signers) if !sigstore => {
            signers.sign_reproducibly(statement, Some(export_bytes(&manifest)))?
        }
        _ if a.sigstore.keyless => crate::commands::sigstore::keyless(
            &a.sigstore,
            statement,
            AllowList::catalog(EnforcementMode::Reject),
        )?,
        signers => {
            // The key already opened for an envelope beside the bundle, else opened now.
            let keys = match signers {
                Some(Signers::Keys(keys)) => keys,
                _ => signing_keys(&a.keys, &a.tenant, Some("evidence"))?,
            };
            let key = crate::commands::sigstore::one_key(keys)?;
            crate::commands::sigstore::keyful(
                &a.sigstore,
                key,
                statement,
                AllowList::catalog(EnforcementMode::Reject),
            )?
        }
    };
    let manifest_json = manifest.to_json().map_err(stellaops_signer::Error::from)?;
    write_output(Some(&manifest_out), &manifest_json)?;
    if sigstore {
        write_output(Some(&a.dir.join(KIT_BUNDLE)), signed.json())?;
        if let Some(root) = &a.sigstore.trusted_root {
            write_output(Some(&a.dir.join(KIT_TRUSTED_ROOT)), &read_input(root)?)?;
        }
        if let (Some(path), Some(envelope)) = (beside, &envelope_beside) {
            write_output(Some(path), envelope.json())?;
        }
    } else if let Some(envelope) = &a.envelope {
        write_output(Some(envelope), signed.json())?;
    }
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

pub(crate) fn pack(a: &ExportPackArgs) -> Result<(), Failure> {
    let bytes = pack_kit(&a.dir, &a.out)?;
    crate::term::say!(
        "packed {} ({} bytes of files) into {}",
        a.dir.display(),
        bytes,
        a.out.display()
    );
    Ok(())
}

pub(crate) fn verify(a: &ExportVerifyArgs) -> Result<(), Failure> {
    let envelope = read_input(&a.envelope)?;
    let manifest = a.manifest.as_deref().map(read_input).transpose()?;
    let mut exclude: Vec<String> = std::iter::once(&a.envelope)
        .chain(a.manifest.as_ref())
        .filter_map(|p| inside(&a.dir, p))
        .collect();
    // A kit's own evidence (`export sign --keyless|--sigstore-bundle`, an envelope beside it):
    // never part of its manifest.
    if a.dir.join(KIT_BUNDLE).is_file() {
        exclude.extend([KIT_MANIFEST, KIT_BUNDLE, KIT_TRUSTED_ROOT].map(str::to_owned));
        exclude.sort();
        exclude.dedup();
    }
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
        print_diff(d);
        if v.is_intact() {
            crate::term::say!("export intact");
        }
    }
    Ok(v.require_intact()?)
}

/// Each missing, extra and changed entry of an export, one line each.
pub(crate) fn print_diff(d: &stellaops_signer::predicates::ExportDiff) {
    for path in &d.missing {
        crate::term::say!("missing: {path}");
    }
    for path in &d.extra {
        crate::term::say!("extra:   {path}");
    }
    for c in &d.changed {
        crate::term::say!("changed: {}: {}", c.path, c.problem);
    }
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
