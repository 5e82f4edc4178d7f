//! `signExport`, `verifyExport` and their `Sync` forms: signed export manifests.

use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::{ExportOptions, OpenedKey, SymlinkPolicy, VerificationPolicy};

use crate::errors::{js, Failure};
use crate::keys::{SigningKey, VerifyingKey};

/// Options for `signExport`.
#[napi(object)]
#[derive(Default)]
pub struct SignExportOptions {
    /// Only these files (relative paths); default every file under the root.
    pub files: Option<Vec<String>>,
    /// The export id (default: `sha256:` of the file list).
    pub export_id: Option<String>,
    /// The tenant recorded in the manifest.
    pub tenant: Option<String>,
    /// The profile recorded in the manifest.
    pub profile: Option<String>,
    /// Creation time, RFC 3339; default `SOURCE_DATE_EPOCH`. The clock is never read.
    pub created_at: Option<String>,
    /// Also record SHA-512 digests.
    pub sha512: Option<bool>,
    /// Record symbolic links instead of refusing them.
    pub record_symlinks: Option<bool>,
    /// Relative paths to leave out.
    pub exclude: Option<Vec<String>>,
}

/// A signed export: the manifest (RFC 8785 JSON) and the DSSE envelope.
#[napi(object)]
pub struct SignedExport {
    /// The manifest bytes.
    pub manifest: Buffer,
    /// The envelope bytes.
    pub envelope: Buffer,
}

/// Options for `verifyExport`.
#[napi(object)]
#[derive(Default)]
pub struct VerifyExportOptions {
    /// The manifest shipped with the export; it must be the signed one.
    pub manifest: Option<Uint8Array>,
    /// How many distinct trusted keys must have signed (default 1).
    pub threshold: Option<u32>,
    /// Relative paths to skip (a manifest kept inside the export).
    pub exclude: Option<Vec<String>>,
}

/// One trusted key that verified.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ExportKey {
    /// Its key id.
    pub keyid: String,
    /// Its algorithm name.
    pub algorithm: String,
}

/// A file that differs from the manifest.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ExportChange {
    /// The path, as in the manifest.
    pub path: String,
    /// What differs.
    pub problem: String,
}

/// What `verifyExport` found.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// True when the export matches the signed manifest exactly.
    pub intact: bool,
    /// The export id.
    pub export_id: String,
    /// How many files the manifest lists.
    pub files: u32,
    /// The trusted keys that verified.
    pub keys: Vec<ExportKey>,
    /// In the manifest, not on disk.
    pub missing: Vec<String>,
    /// On disk, not in the manifest.
    pub extra: Vec<String>,
    /// Content, kind or link target differs.
    pub changed: Vec<ExportChange>,
}

/// What a signing task owns.
pub struct SignRequest {
    keys: Vec<Arc<OpenedKey>>,
    root: PathBuf,
    files: Option<Vec<String>>,
    options: ExportOptions,
}

fn sign_request(keys: Vec<&SigningKey>, root: String, o: Option<SignExportOptions>) -> SignRequest {
    let o = o.unwrap_or_default();
    SignRequest {
        keys: keys.iter().map(|k| k.key.clone()).collect(),
        root: PathBuf::from(root),
        files: o.files,
        options: ExportOptions {
            export_id: o.export_id,
            tenant: o.tenant,
            profile: o.profile,
            created_at: o.created_at,
            sha512: o.sha512.unwrap_or(false),
            symlinks: SymlinkPolicy::record_if(o.record_symlinks.unwrap_or(false)),
            exclude: o.exclude.unwrap_or_default(),
        },
    }
}

fn sign(r: SignRequest) -> std::result::Result<SignedExport, Failure> {
    let keys: Vec<&OpenedKey> = r.keys.iter().map(|k| k.as_ref()).collect();
    let signed =
        stellaops_signer::faces::sign_export_files(&keys, &r.root, r.files.as_deref(), &r.options)?;
    Ok(SignedExport {
        manifest: signed.manifest_json.into(),
        envelope: signed.envelope_json.into(),
    })
}

/// What a verification task owns.
pub struct VerifyRequest {
    root: PathBuf,
    envelope: Vec<u8>,
    keys: Vec<stellaops_signer::VerifyingKey>,
    manifest: Option<Vec<u8>>,
    threshold: usize,
    exclude: Vec<String>,
}

fn verify_request(
    root: String,
    envelope: Uint8Array,
    keys: Vec<&VerifyingKey>,
    o: Option<VerifyExportOptions>,
) -> VerifyRequest {
    let o = o.unwrap_or_default();
    VerifyRequest {
        root: PathBuf::from(root),
        envelope: envelope.to_vec(),
        keys: keys.iter().map(|k| k.key.clone()).collect(),
        manifest: o.manifest.map(|m| m.to_vec()),
        threshold: o.threshold.unwrap_or(1) as usize,
        exclude: o.exclude.unwrap_or_default(),
    }
}

fn verify(r: VerifyRequest) -> std::result::Result<ExportReport, Failure> {
    let policy = VerificationPolicy::new(
        r.keys,
        r.threshold,
        Some(stellaops_signer::predicates::PAYLOAD_TYPE),
    )?;
    let v = stellaops_signer::verify_export(
        &r.root,
        &r.envelope,
        r.manifest.as_deref(),
        &policy,
        &r.exclude,
    )?;
    let report = ExportReport {
        intact: v.is_intact(),
        export_id: v.manifest.export_id().to_owned(),
        files: u32::try_from(v.manifest.files().len()).unwrap_or(u32::MAX),
        keys: v
            .keys
            .iter()
            .map(|k| ExportKey {
                keyid: k.key_id.to_string(),
                algorithm: k.algorithm.name().to_owned(),
            })
            .collect(),
        missing: v.diff.missing.clone(),
        extra: v.diff.extra.clone(),
        changed: v
            .diff
            .changed
            .iter()
            .map(|c| ExportChange {
                path: c.path.clone(),
                problem: c.problem.clone(),
            })
            .collect(),
    };
    match v.require_intact() {
        Ok(()) => Ok(report),
        Err(e) => {
            let mut failure = Failure::from(e);
            failure.report = Some(Box::new(report));
            Err(failure)
        }
    }
}

/// Signing an export off the main thread.
pub struct SignExportTask(Option<SignRequest>);

impl Task for SignExportTask {
    type Output = std::result::Result<SignedExport, Failure>;
    type JsValue = SignedExport;

    fn compute(&mut self) -> Result<Self::Output> {
        let r = self
            .0
            .take()
            .ok_or_else(|| Error::new(Status::GenericFailure, "task ran twice"))?;
        Ok(sign(r))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<SignedExport> {
        js(&env, output)
    }
}

/// Verifying an export off the main thread.
pub struct VerifyExportTask(Option<VerifyRequest>);

impl Task for VerifyExportTask {
    type Output = std::result::Result<ExportReport, Failure>;
    type JsValue = ExportReport;

    fn compute(&mut self) -> Result<Self::Output> {
        let r = self
            .0
            .take()
            .ok_or_else(|| Error::new(Status::GenericFailure, "task ran twice"))?;
        Ok(verify(r))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<ExportReport> {
        js(&env, output)
    }
}

/// Sign the export under `root` with every key, off the main thread: the manifest lists every
/// file by path, size and digests; the envelope signs it as a `stella.ops/export@v1` statement.
/// Reproducible: software ECDSA keys sign with RFC 6979 nonces here.
#[napi(ts_return_type = "Promise<SignedExport>")]
pub fn sign_export(
    keys: Vec<&SigningKey>,
    root: String,
    options: Option<SignExportOptions>,
) -> AsyncTask<SignExportTask> {
    AsyncTask::new(SignExportTask(Some(sign_request(keys, root, options))))
}

/// As `signExport`, on the calling thread.
#[napi]
pub fn sign_export_sync(
    env: Env,
    keys: Vec<&SigningKey>,
    root: String,
    options: Option<SignExportOptions>,
) -> Result<SignedExport> {
    js(&env, sign(sign_request(keys, root, options)))
}

/// Verify the export under `root` against the signed manifest in `envelope`, off the main
/// thread. Resolves to the report when the export is intact; rejects with code
/// `STELLAOPS_EXPORT_CHANGED` and the report as `error.report` when files differ.
#[napi(ts_return_type = "Promise<ExportReport>")]
pub fn verify_export(
    root: String,
    envelope: Uint8Array,
    keys: Vec<&VerifyingKey>,
    options: Option<VerifyExportOptions>,
) -> AsyncTask<VerifyExportTask> {
    AsyncTask::new(VerifyExportTask(Some(verify_request(
        root, envelope, keys, options,
    ))))
}

/// As `verifyExport`, on the calling thread.
#[napi]
pub fn verify_export_sync(
    env: Env,
    root: String,
    envelope: Uint8Array,
    keys: Vec<&VerifyingKey>,
    options: Option<VerifyExportOptions>,
) -> Result<ExportReport> {
    js(&env, verify(verify_request(root, envelope, keys, options)))
}

/// What `describeExport` owns.
pub struct DescribeTask {
    root: PathBuf,
    files: Option<Vec<String>>,
    options: ExportOptions,
}

fn describe(r: &DescribeTask) -> std::result::Result<Buffer, Failure> {
    let manifest = match &r.files {
        Some(files) => stellaops_signer::describe_files(&r.root, files, &r.options)?,
        None => stellaops_signer::describe_dir(&r.root, &r.options)?,
    };
    Ok(manifest
        .to_json()
        .map_err(stellaops_signer::Error::from)?
        .into())
}

impl Task for DescribeTask {
    type Output = std::result::Result<Buffer, Failure>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(describe(self))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Buffer> {
        js(&env, output)
    }
}

fn describe_task(root: String, options: Option<SignExportOptions>) -> DescribeTask {
    let r = sign_request(Vec::new(), root, options);
    DescribeTask {
        root: r.root,
        files: r.files,
        options: r.options,
    }
}

/// The manifest (RFC 8785 JSON) `signExport` would sign with the same arguments, unsigned, off
/// the main thread: for signing elsewhere (`exportStatement`, a `BundleSigner`, a pipeline
/// request) or checking a tree later (`checkExport`).
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn describe_export(
    root: String,
    options: Option<SignExportOptions>,
) -> AsyncTask<DescribeTask> {
    AsyncTask::new(describe_task(root, options))
}

/// As `describeExport`, on the calling thread.
#[napi]
pub fn describe_export_sync(
    env: Env,
    root: String,
    options: Option<SignExportOptions>,
) -> Result<Buffer> {
    js(&env, describe(&describe_task(root, options)))
}

/// The statement (RFC 8785 JSON) for an export manifest: its files as subjects, the manifest as
/// the `stella.ops/export@v1` predicate.
#[napi(ts_args_type = "manifest: string | Uint8Array | object")]
pub fn export_statement(env: Env, manifest: Unknown<'_>) -> Result<Buffer> {
    let run = || {
        let manifest = crate::input::json_arg(&env, manifest, "manifest")?;
        Ok(stellaops_signer::faces::export_statement_json(&manifest)?.into())
    };
    js(&env, run())
}

/// What `checkExport` found.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct ExportCheck {
    /// True when the export matches the manifest exactly.
    pub intact: bool,
    /// The export id.
    pub export_id: String,
    /// How many files the manifest lists.
    pub files: u32,
    /// In the manifest, not on disk.
    pub missing: Vec<String>,
    /// On disk, not in the manifest.
    pub extra: Vec<String>,
    /// Content, kind or link target differs.
    pub changed: Vec<ExportChange>,
}

/// What `checkExport` owns.
pub struct CheckTask {
    root: PathBuf,
    manifest: Vec<u8>,
    exclude: Vec<String>,
}

fn check(r: &CheckTask) -> std::result::Result<ExportCheck, Failure> {
    let manifest = stellaops_signer::ExportManifest::from_json(
        &r.manifest,
        &stellaops_signer::canon::Limits::default(),
    )
    .map_err(stellaops_signer::Error::from)?;
    let diff = stellaops_signer::check_export(&manifest, &r.root, &r.exclude)?;
    Ok(ExportCheck {
        intact: diff.is_empty(),
        export_id: manifest.export_id().to_owned(),
        files: u32::try_from(manifest.files().len()).unwrap_or(u32::MAX),
        missing: diff.missing,
        extra: diff.extra,
        changed: diff
            .changed
            .into_iter()
            .map(|c| ExportChange {
                path: c.path,
                problem: c.problem,
            })
            .collect(),
    })
}

impl Task for CheckTask {
    type Output = std::result::Result<ExportCheck, Failure>;
    type JsValue = ExportCheck;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(check(self))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<ExportCheck> {
        js(&env, output)
    }
}

/// Options for `checkExport`.
#[napi(object)]
pub struct CheckExportOptions {
    /// Relative paths to skip.
    pub exclude: Option<Vec<String>>,
}

fn check_task(
    env: &Env,
    root: String,
    manifest: Unknown<'_>,
    options: Option<CheckExportOptions>,
) -> std::result::Result<CheckTask, Failure> {
    Ok(CheckTask {
        root: PathBuf::from(root),
        manifest: crate::input::json_arg(env, manifest, "manifest")?,
        exclude: options.and_then(|o| o.exclude).unwrap_or_default(),
    })
}

/// Compare the export under `root` with `manifest`, off the main thread (no signature is
/// checked: that is `verifyExport`). Differences are in the result, not an error.
#[napi(
    ts_args_type = "root: string, manifest: string | Uint8Array | object, options?: CheckExportOptions",
    ts_return_type = "Promise<ExportCheck>"
)]
pub fn check_export(
    env: Env,
    root: String,
    manifest: Unknown<'_>,
    options: Option<CheckExportOptions>,
) -> Result<AsyncTask<CheckTask>> {
    Ok(AsyncTask::new(js(
        &env,
        check_task(&env, root, manifest, options),
    )?))
}

/// As `checkExport`, on the calling thread.
#[napi(
    ts_args_type = "root: string, manifest: string | Uint8Array | object, options?: CheckExportOptions"
)]
pub fn check_export_sync(
    env: Env,
    root: String,
    manifest: Unknown<'_>,
    options: Option<CheckExportOptions>,
) -> Result<ExportCheck> {
    js(
        &env,
        check_task(&env, root, manifest, options).and_then(|t| check(&t)),
    )
}
