//! `stella verify --bundle`: a Sigstore bundle, offline, against a trusted root.

use stellaops_signer::faces::bundle_report;
use stellaops_signer::sigstore::{BundleVerification, Signer, TrustedRoot, VerifyOptions};
use stellaops_signer::{bundle_policy, BundleArtifact, BundlePolicy, Issuer};

use crate::cli::VerifyArgs;
use crate::io::read_input;
use crate::Failure;

fn sigstore<T>(r: Result<T, stellaops_signer::sigstore::Error>) -> Result<T, Failure> {
    r.map_err(|e| stellaops_signer::Error::from(e).into())
}

/// Which signer the flags require.
fn signer(a: &VerifyArgs) -> Result<Signer, Failure> {
    let b = &a.bundle;
    let key = match a.keys.as_slice() {
        [] => None,
        [key] => Some(read_input(key)?),
        _ => {
            return Err(Failure::Usage(
                "a keyful bundle is verified with exactly one --key".into(),
            ))
        }
    };
    // clap keeps the two apart (one argument group).
    let issuer = Issuer::choose(
        b.certificate_oidc_issuer.clone(),
        b.no_certificate_oidc_issuer,
    )?;
    Ok(bundle_policy(
        b.certificate_identity.clone(),
        b.certificate_identity_regexp.clone(),
        issuer,
        key.as_deref(),
    )?)
}

pub(crate) fn verify(a: &VerifyArgs) -> Result<(), Failure> {
    let (Some(bundle), Some(root)) = (&a.bundle.bundle, &a.bundle.trusted_root) else {
        return Err(Failure::Usage(
            "give an envelope, or --bundle with --trusted-root".into(),
        ));
    };
    if a.artifacts.len() > 1
        || a.threshold != 1
        || a.payload_type.is_some()
        || a.key_config.is_some()
    {
        return Err(Failure::Usage(
            "a bundle carries one signature over one artifact: at most one --artifact, and no \
             --threshold, --payload-type or --key-config"
                .into(),
        ));
    }
    let mut policy = BundlePolicy::new(signer(a)?);
    if let Some(required) = &a.predicate_type {
        policy = policy.require_predicate_type(required)?;
    }
    let root = sigstore(TrustedRoot::from_file(root))?;
    if a.bundle.offline {
        return offline_kit(a, bundle, &root, &policy);
    }
    let artifact = a.artifacts.first().map(std::path::PathBuf::as_path);
    if artifact.is_none() && !a.bundle.insecure_ignore_artifact {
        return Err(Failure::Usage(
            "give the artifact the bundle must be bound to (--artifact FILE, or --artifact \
             sha256:HEX for its digest), or --insecure-ignore-artifact to check the signature \
             only against the digest the bundle itself names"
                .into(),
        ));
    }
    let reference = match artifact {
        Some(path) => Some(match path.to_str() {
            Some(text) => sigstore(BundleArtifact::from_reference(text))?,
            None => BundleArtifact::File(path),
        }),
        None => None,
    };
    let options = VerifyOptions {
        insecure_ignore_tlog: a.bundle.insecure_ignore_tlog,
        insecure_ignore_sct: a.bundle.insecure_ignore_sct,
    };
    policy.options = options;
    if options.insecure_ignore_tlog {
        crate::term::note!(
            "stella: warning: --insecure-ignore-tlog: the transparency log is not checked"
        );
    }
    if options.insecure_ignore_sct {
        crate::term::note!(
            "stella: warning: --insecure-ignore-sct: the certificate's SCT is not checked"
        );
    }
    let v = stellaops_signer::verify_bundle(&read_input(bundle)?, &root, &policy, reference)?;
    if a.json {
        crate::term::json(&bundle_report(&v));
    } else {
        print_text(&v, artifact, false);
    }
    Ok(())
}

/// `--offline`: the bundle is an Offline Kit.
fn offline_kit(
    a: &VerifyArgs,
    kit: &std::path::Path,
    root: &TrustedRoot,
    policy: &BundlePolicy,
) -> Result<(), Failure> {
    let v = stellaops_signer::export::verify_kit(kit, root, policy)?;
    let d = &v.diff;
    if a.json {
        let mut report = bundle_report(&v.bundle);
        report["kit"] = serde_json::json!({
            "exportId": v.manifest.export_id(),
            "files": v.manifest.files().len(),
            "missing": d.missing,
            "extra": d.extra,
            "changed": d.changed.iter().map(|c| serde_json::json!({"path": c.path, "problem": c.problem})).collect::<Vec<_>>(),
            "intact": v.is_intact(),
        });
        crate::term::json(&report);
    } else {
        print_text(&v.bundle, None, true);
        crate::term::say!(
            "  Offline Kit {}: export {} ({} files), canonical tar",
            kit.display(),
            v.manifest.export_id(),
            v.manifest.files().len()
        );
        crate::commands::export::print_diff(d);
        if v.is_intact() {
            crate::term::say!("kit intact: every file is the signed one");
        }
    }
    if v.is_intact() {
        return Ok(());
    }
    Err(stellaops_signer::Error::ExportChanged {
        missing: d.missing.len(),
        extra: d.extra.len(),
        changed: d.changed.len(),
    }
    .into())
}

fn print_text(v: &BundleVerification, artifact: Option<&std::path::Path>, kit: bool) {
    crate::term::say!("verified: Sigstore bundle ({})", v.media_type);
    match &v.identity {
        Some(identity) => {
            let issuer = v.issuer.as_ref().map_or_else(
                || "no OIDC issuer".to_owned(),
                |i| format!("OIDC issuer {i}"),
            );
            let sct = if v.sct_verified {
                "checked"
            } else {
                "NOT checked"
            };
            crate::term::say!(
                "  signed by {identity} ({issuer}); certificate chain checked, SCT {sct}"
            );
        }
        None => crate::term::say!("  signed by the given public key"),
    }
    match (&v.integrated_time, &v.tlog_entry, v.tlog_verified) {
        (Some(time), _, true) => crate::term::say!("  logged in Rekor at {time}; entry checked"),
        // Rekor v2: no integrated time; the inclusion proof and its signed checkpoint.
        (None, Some((kind, index)), true) => crate::term::say!(
            "  logged in Rekor ({kind} entry, index {index}); inclusion proof and signed \
             checkpoint checked"
        ),
        _ => crate::term::say!("  transparency log not checked"),
    }
    if !v.verified_times.is_empty() {
        crate::term::say!(
            "  verified signing time(s): {}",
            v.verified_times.join(", ")
        );
    }
    for reason in &v.unverified_timestamps {
        crate::term::say!("  not counted: RFC 3161 {reason}");
    }
    for warning in &v.warnings {
        crate::term::say!("  warning: {warning}");
    }
    let report = bundle_report(v);
    if let Some(predicate_type) = report["predicateType"].as_str() {
        crate::term::say!("  predicate: {predicate_type}");
        for s in report["subjects"].as_array().into_iter().flatten() {
            let name = s["name"].as_str().or_else(|| s["uri"].as_str());
            crate::term::say!("  subject:   {}", name.unwrap_or("(unnamed)"));
        }
    }
    match artifact {
        None if kit => {}
        Some(path) => crate::term::say!("  artifact {}: is the signed one", path.display()),
        None => crate::term::say!(
            "  --insecure-ignore-artifact: signature checked against the digest the bundle \
             names, bound to no artifact"
        ),
    }
}
