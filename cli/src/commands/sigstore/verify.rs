//! `stella verify --bundle`: a Sigstore bundle, offline, against a trusted root.

use std::path::{Path, PathBuf};

use stellaops_signer::faces::bundle_report;
use stellaops_signer::sigstore::{
    BundleVerification, Identity, Signer, TrustedRoot, VerifyOptions, PUBLIC_GOOD_AS_OF,
};
use stellaops_signer::{bundle_policy, BundleArtifact, BundlePolicy, ErrorCode, Issuer};

use crate::cli::VerifyArgs;
use crate::io::read_input;
use crate::Failure;

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
    let Some(bundle) = &a.bundle.bundle else {
        return Err(Failure::Usage(
            "give an envelope, or --bundle with --trusted-root (or --rekor-key)".into(),
        ));
    };
    let root = match (&a.bundle.trusted_root, &a.bundle.rekor_key) {
        (Some(path), _) => Root::File(path),
        (None, Some(_)) => Root::PinnedOnly,
        (None, None) => {
            return Err(Failure::Usage(
                "--bundle needs --trusted-root, or --rekor-key for a keyful bundle".into(),
            ))
        }
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
    policy.options = VerifyOptions {
        insecure_ignore_tlog: a.bundle.insecure_ignore_tlog,
        insecure_ignore_sct: a.bundle.insecure_ignore_sct,
    };
    BundleCheck {
        bundle,
        root,
        rekor_key: a.bundle.rekor_key.as_deref(),
        policy,
        artifact: a.artifacts.first().map(PathBuf::as_path),
        ignore_artifact: a.bundle.insecure_ignore_artifact,
        offline: a.bundle.offline,
        json: a.json,
    }
    .run()
}

/// Which trusted root a bundle is verified against.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Root<'a> {
    /// A `trusted_root.json`.
    File(&'a Path),
    /// The built-in public-good snapshot.
    PublicGood,
    /// Nothing but the pinned `--rekor-key` (keyful bundles).
    PinnedOnly,
}

/// One bundle verification, as `stella verify --bundle` and the cosign commands ask for it.
pub(crate) struct BundleCheck<'a> {
    /// The bundle (or Offline Kit) file.
    pub(crate) bundle: &'a Path,
    /// The trusted root.
    pub(crate) root: Root<'a>,
    /// A pinned log key replacing the root's logs (`--rekor-key`).
    pub(crate) rekor_key: Option<&'a Path>,
    /// Who must have signed, what the statement must be, which checks are left out.
    pub(crate) policy: BundlePolicy,
    /// The artifact (a file, or `sha256:HEX`).
    pub(crate) artifact: Option<&'a Path>,
    /// Verify without an artifact (`--insecure-ignore-artifact`, `--check-claims=false`).
    pub(crate) ignore_artifact: bool,
    /// The bundle is an Offline Kit.
    pub(crate) offline: bool,
    /// Print JSON, on failure too.
    pub(crate) json: bool,
}

impl BundleCheck<'_> {
    /// Verify and report; with `json`, a failure is reported on stdout as JSON as well (the
    /// reason, its stable code, and what was required), then returned for the exit code.
    pub(crate) fn run(self) -> Result<(), Failure> {
        match self.check() {
            Ok(()) => Ok(()),
            Err((failure, code)) => {
                if self.json {
                    crate::term::json(&self.failure_report(&failure, code));
                }
                Err(failure)
            }
        }
    }

    fn check(&self) -> Result<(), (Failure, Option<ErrorCode>)> {
        let lib = |e: stellaops_signer::Error| {
            let code = e.code();
            (Failure::from(e), Some(code))
        };
        let bytes = if self.offline {
            Vec::new()
        } else {
            read_input(self.bundle).map_err(|f| (f, None))?
        };
        let root = self.trusted_root(&bytes).map_err(|e| lib(e.into()))?;
        if self.offline {
            return offline_kit(self, &root).map_err(lib);
        }
        if self.artifact.is_none() && !self.ignore_artifact {
            return Err((
                Failure::Usage(
                    "give the artifact the bundle must be bound to (--artifact FILE, or --artifact \
                     sha256:HEX for its digest), or --insecure-ignore-artifact to check the \
                     signature only against the digest the bundle itself names"
                        .into(),
                ),
                Some(ErrorCode::InvalidArgument),
            ));
        }
        let reference = match self.artifact {
            Some(path) => Some(match path.to_str() {
                Some(text) => BundleArtifact::from_reference(text).map_err(|e| lib(e.into()))?,
                None => BundleArtifact::File(path),
            }),
            None => None,
        };
        if self.policy.options.insecure_ignore_tlog {
            crate::term::note!(
                "stella: warning: --insecure-ignore-tlog: the transparency log is not checked"
            );
        }
        if self.policy.options.insecure_ignore_sct {
            crate::term::note!(
                "stella: warning: --insecure-ignore-sct: the certificate's SCT is not checked"
            );
        }
        let v = stellaops_signer::verify_bundle(&bytes, &root, &self.policy, reference)
            .map_err(|e| self.with_root_date(e))
            .map_err(lib)?;
        if self.json {
            let mut report = bundle_report(&v);
            report["trustedRoot"] = self.root_report();
            crate::term::json(&report);
        } else {
            print_text(&v, self.artifact, false);
        }
        Ok(())
    }

    /// The root to verify against: the chosen one, its logs replaced by the pinned key when one
    /// is given (named by the origin of the bundle's checkpoint too, for a Rekor v2 log).
    fn trusted_root(
        &self,
        bundle: &[u8],
    ) -> Result<TrustedRoot, stellaops_signer::sigstore::Error> {
        let root = match self.root {
            Root::File(path) => Some(TrustedRoot::from_file(path)?),
            Root::PublicGood => Some(TrustedRoot::public_good()?),
            Root::PinnedOnly => None,
        };
        let Some(path) = self.rekor_key else {
            return root.ok_or_else(|| {
                stellaops_signer::sigstore::Error::TrustedRoot(
                    "no trusted root and no --rekor-key".into(),
                )
            });
        };
        // A public key is a few hundred bytes: read at most 64 KiB of the file.
        let key = stellaops_signer::files::read_limited(path, 64 << 10).map_err(|e| {
            stellaops_signer::sigstore::Error::InvalidKey(format!("{}: {e}", path.display()))
        })?;
        let origin = checkpoint_origin(bundle);
        match root {
            Some(root) => root.with_pinned_log_key(&key, origin.as_deref()),
            None => TrustedRoot::pinned_log_key(&key, origin.as_deref()),
        }
    }

    /// A verification failure against the built-in root also says how old it is: a key the
    /// instance added since is unknown to it.
    fn with_root_date(&self, e: stellaops_signer::Error) -> stellaops_signer::Error {
        if !matches!(self.root, Root::PublicGood) || !e.is_verification_failure() {
            return e;
        }
        crate::term::note!(
            "stella: note: verified against the built-in public-good trusted root of {} \
             (give --trusted-root for keys the instance added since)",
            PUBLIC_GOOD_AS_OF
        );
        e
    }

    fn root_report(&self) -> serde_json::Value {
        let mut report = match self.root {
            Root::File(path) => serde_json::json!({ "file": path.display().to_string() }),
            Root::PublicGood => {
                serde_json::json!({ "builtIn": "public-good", "asOf": PUBLIC_GOOD_AS_OF })
            }
            Root::PinnedOnly => serde_json::json!({}),
        };
        if let Some(key) = self.rekor_key {
            report["rekorKey"] = serde_json::Value::from(key.display().to_string());
        }
        report
    }

    /// `{"verified": false, "error": {code, name, exitCode, message}, "required": {...}}`.
    fn failure_report(&self, failure: &Failure, code: Option<ErrorCode>) -> serde_json::Value {
        let (exit_code, message) = match failure {
            Failure::Verification(m) | Failure::Denied(m) => (1, m),
            Failure::Usage(m) => (2, m),
        };
        let signer = match &self.policy.signer {
            Signer::Keyless { identity, issuer } => serde_json::json!({
                "certificateIdentity": required(identity),
                "certificateOidcIssuer": required(issuer),
            }),
            Signer::IssuerlessCertificate { identity } => serde_json::json!({
                "certificateIdentity": required(identity),
                "certificateOidcIssuer": null,
            }),
            Signer::PublicKey(_) => serde_json::json!({ "publicKey": true }),
        };
        let one_line = message.replace(['\n', '\r'], " ");
        let (text, _) = stellaops_signer::policy::audit::bound_text(&one_line, 2048);
        serde_json::json!({
            "verified": false,
            "error": {
                "code": code.map(ErrorCode::number),
                "name": code.map(ErrorCode::name),
                "exitCode": exit_code,
                "message": text,
            },
            "required": {
                "bundle": self.bundle.display().to_string(),
                "trustedRoot": self.root_report(),
                "signer": signer,
                "predicateType": self.policy.predicate_type,
                "artifact": self.artifact.map(|p| p.display().to_string()),
                "insecureIgnoreTlog": self.policy.options.insecure_ignore_tlog,
                "insecureIgnoreSct": self.policy.options.insecure_ignore_sct,
                "offlineKit": self.offline,
            },
        })
    }
}

/// The origin (first line) of the checkpoint in the bundle's first log entry, if it has one.
fn checkpoint_origin(bundle: &[u8]) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_slice(bundle).ok()?;
    let note = doc["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]
        ["envelope"]
        .as_str()?;
    note.lines().next().map(str::to_owned)
}

/// `{"exact": VALUE}` or `{"regexp": PATTERN}` (anchored at both ends).
fn required(value: &Identity) -> serde_json::Value {
    match value {
        Identity::Exact(v) => serde_json::json!({ "exact": v }),
        Identity::Pattern(p) => serde_json::json!({ "regexp": p.as_str(), "anchored": true }),
    }
}

/// `--offline`: the bundle is an Offline Kit.
fn offline_kit(c: &BundleCheck<'_>, root: &TrustedRoot) -> Result<(), stellaops_signer::Error> {
    let kit = c.bundle;
    let v = stellaops_signer::export::verify_kit(kit, root, &c.policy)?;
    let d = &v.diff;
    if c.json {
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
    })
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
            "  no artifact: signature checked against the digest the bundle names, bound to \
             no file (--insecure-ignore-artifact, --check-claims=false)"
        ),
    }
}
