//! `sbomStatement`, `reportStatement`, `promotionStatement`, `signStatement(Sync)`,
//! `verifyPromotion(Sync)`: the document flows over statements.

use std::collections::BTreeMap;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::canon::Limits;
use stellaops_signer::{
    EnforcementMode, OpenedKey, PromotionRequirements, Statement, VerificationPolicy,
};

use crate::attest::{AttestOptionsJs, Attestation, AttestationTask, Subject};
use crate::envelope::VerifiedKey;
use crate::errors::{js, Failure};
use crate::input::json_arg;
use crate::keys::{SigningKey, VerifyingKey};
use crate::task::Job;

fn statement_buffer(
    statement: stellaops_signer::Result<Statement>,
) -> std::result::Result<Buffer, Failure> {
    Ok(Buffer::from(statement?.to_json()?))
}

/// The statement (RFC 8785 JSON) of type `predicateType` (a URI or catalog short name) whose
/// predicate is `predicate` about `subjects`: what `attest` signs, for signing elsewhere.
#[napi(
    ts_args_type = "predicateType: string, predicate: string | Uint8Array | object, subjects: Array<Subject>"
)]
pub fn predicate_statement(
    env: Env,
    predicate_type: String,
    predicate: Unknown<'_>,
    subjects: Vec<Subject>,
) -> Result<Buffer> {
    let run = || {
        let predicate = json_arg(&env, predicate, "predicate")?;
        let subjects = subjects
            .into_iter()
            .map(|s| stellaops_signer::Subject::new(s.name, s.digest))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        statement_buffer(stellaops_signer::predicate_statement(
            &predicate_type,
            &predicate,
            subjects,
            &Limits::default(),
        ))
    };
    js(&env, run())
}

/// What an envelope or a Sigstore bundle claims (`stella forensic attest show --json`):
/// `container`, `payload_type`, `predicate_type`, `subjects`, `signatures`, `certificate`,
/// `tlog_entries`, `verified`, `checked`, `not_checked`. Only a key in `keys` makes a signature
/// verified; use `verifyBundle` for a verdict on a bundle.
#[napi(
    ts_args_type = "data: string | Uint8Array | object, keys?: Array<VerifyingKey>",
    ts_return_type = "Record<string, any>"
)]
pub fn inspect_attestation<'env>(
    env: &'env Env,
    data: Unknown<'_>,
    keys: Option<Vec<&VerifyingKey>>,
) -> Result<Unknown<'env>> {
    let run = || {
        let data = json_arg(env, data, "data")?;
        let trusted: Vec<_> = keys
            .unwrap_or_default()
            .iter()
            .map(|k| k.key.clone())
            .collect();
        let facts = stellaops_signer::inspect_attestation(&data, &trusted)?;
        Ok(stellaops_signer::faces::facts_json(&facts))
    };
    let json = js(env, run())?;
    crate::input::parse_json(env, json)
}

/// The statement (RFC 8785 JSON) for a CycloneDX or SPDX SBOM, about `subjects` or, with none,
/// about the subjects the SBOM declares. Sign it with `signStatement`, a `BundleSigner`, or put
/// it in a pipeline request's `statement`.
#[napi(ts_args_type = "sbom: string | Uint8Array | object, subjects?: Array<Subject>")]
pub fn sbom_statement(
    env: Env,
    sbom: Unknown<'_>,
    subjects: Option<Vec<Subject>>,
) -> Result<Buffer> {
    let run = || {
        let sbom = json_arg(&env, sbom, "sbom")?;
        let subjects = subjects
            .unwrap_or_default()
            .into_iter()
            .map(|s| stellaops_signer::Subject::new(s.name, s.digest))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        statement_buffer(
            stellaops_signer::sbom_statement(&sbom, subjects, &Limits::default()).map(|(_, s)| s),
        )
    };
    js(&env, run())
}

/// The statement (RFC 8785 JSON) for a scan report (`stella.ops/report@v1`) about its
/// `artifact`.
#[napi(ts_args_type = "report: string | Uint8Array | object")]
pub fn report_statement(env: Env, report: Unknown<'_>) -> Result<Buffer> {
    let run = || {
        let report = json_arg(&env, report, "report")?;
        statement_buffer(stellaops_signer::report_statement(
            &report,
            &Limits::default(),
        ))
    };
    js(&env, run())
}

/// The statement (RFC 8785 JSON) for a promotion (`stella.ops/promotion@v1`) about the promoted
/// artifact.
#[napi(ts_args_type = "promotion: string | Uint8Array | object")]
pub fn promotion_statement(env: Env, promotion: Unknown<'_>) -> Result<Buffer> {
    let run = || {
        let promotion = json_arg(&env, promotion, "promotion")?;
        statement_buffer(stellaops_signer::promotion_statement(
            &promotion,
            &Limits::default(),
        ))
    };
    js(&env, run())
}

struct SignRequest {
    keys: Vec<Arc<OpenedKey>>,
    statement: Vec<u8>,
    enforcement: String,
}

fn sign(r: SignRequest) -> std::result::Result<Attestation, Failure> {
    let mode: EnforcementMode = r.enforcement.parse().map_err(Failure::invalid)?;
    crate::attest::sign_with(&r.keys, mode, || {
        Ok(Statement::from_json(&r.statement, &Limits::default())?)
    })
}

fn sign_request(
    env: &Env,
    keys: Vec<&SigningKey>,
    statement: Unknown<'_>,
    options: Option<AttestOptionsJs>,
) -> std::result::Result<SignRequest, Failure> {
    Ok(SignRequest {
        keys: keys.iter().map(|k| k.key.clone()).collect(),
        statement: json_arg(env, statement, "statement")?,
        enforcement: options
            .and_then(|o| o.enforcement)
            .unwrap_or_else(|| "warn".to_owned()),
    })
}

/// Sign an in-toto statement (StellaOps predicates checked against their schema) with every
/// key, off the main thread. A wrong argument throws `STELLAOPS_INVALID_ARGUMENT` at once.
#[napi(
    ts_args_type = "keys: Array<SigningKey>, statement: string | Uint8Array | object, options?: AttestOptions",
    ts_return_type = "Promise<Attestation>"
)]
pub fn sign_statement(
    env: Env,
    keys: Vec<&SigningKey>,
    statement: Unknown<'_>,
    options: Option<AttestOptionsJs>,
) -> Result<AsyncTask<AttestationTask>> {
    let request = js(&env, sign_request(&env, keys, statement, options))?;
    Ok(AsyncTask::new(AttestationTask::new(move || sign(request))))
}

/// As `signStatement`, on the calling thread.
#[napi(
    ts_args_type = "keys: Array<SigningKey>, statement: string | Uint8Array | object, options?: AttestOptions"
)]
pub fn sign_statement_sync(
    env: Env,
    keys: Vec<&SigningKey>,
    statement: Unknown<'_>,
    options: Option<AttestOptionsJs>,
) -> Result<Attestation> {
    crate::attest::attested(
        &env,
        sign_request(&env, keys, statement, options).and_then(sign),
    )
}

/// What `verifyPromotion` requires beyond good signatures; what is left out is not checked.
#[napi(object)]
pub struct VerifyPromotionOptions {
    /// How many distinct keys must verify (default 1).
    pub threshold: Option<u32>,
    /// The promoted artifact's digest set must hold each: `{ sha256: "…" }`.
    pub artifact_digest: Option<BTreeMap<String, String>>,
    /// Where it must have been promoted to.
    pub target_environment: Option<String>,
    /// The policy (`sha256:<hex>`) that must have allowed it.
    pub policy_digest: Option<String>,
}

/// What `verifyPromotion` established.
#[napi(object)]
pub struct PromotionVerification {
    /// The trusted keys that verified.
    pub keys: Vec<VerifiedKey>,
    /// The verified statement (the envelope's payload).
    pub statement: Buffer,
    /// The promoted artifact's name.
    pub artifact_name: String,
    /// Its digests.
    pub artifact_digest: BTreeMap<String, String>,
    /// Where it was promoted from.
    pub source_environment: String,
    /// Where it was promoted to.
    pub target_environment: String,
    /// The policy digest that allowed it.
    pub policy_digest: String,
}

struct VerifyRequest {
    envelope: Vec<u8>,
    keys: Vec<stellaops_signer::VerifyingKey>,
    threshold: usize,
    requirements: PromotionRequirements,
}

fn verify_request(
    env: &Env,
    envelope: Unknown<'_>,
    keys: Vec<&VerifyingKey>,
    options: Option<VerifyPromotionOptions>,
) -> std::result::Result<VerifyRequest, Failure> {
    let envelope = json_arg(env, envelope, "envelope")?;
    let options = options.unwrap_or(VerifyPromotionOptions {
        threshold: None,
        artifact_digest: None,
        target_environment: None,
        policy_digest: None,
    });
    Ok(VerifyRequest {
        envelope,
        keys: keys.iter().map(|k| k.key.clone()).collect(),
        threshold: options.threshold.unwrap_or(1) as usize,
        requirements: PromotionRequirements {
            artifact_digest: options.artifact_digest.unwrap_or_default(),
            target_environment: options.target_environment,
            policy_digest: options.policy_digest,
        },
    })
}

fn verify(r: VerifyRequest) -> std::result::Result<PromotionVerification, Failure> {
    let policy = VerificationPolicy::new(r.keys, r.threshold, None)?;
    let v = stellaops_signer::verify_promotion(&r.envelope, &policy, &r.requirements)?;
    let p = &v.promotion;
    Ok(PromotionVerification {
        keys: v.keys.iter().map(VerifiedKey::new).collect(),
        statement: Buffer::from(v.envelope.payload().to_vec()),
        artifact_name: p.artifact.name.clone(),
        artifact_digest: p.artifact.digest.clone(),
        source_environment: p.source.environment.clone(),
        target_environment: p.target.environment.clone(),
        policy_digest: p.policy.digest.clone(),
    })
}

/// Verify a promotion envelope off the main thread: `threshold` of `keys` signed a
/// `stella.ops/promotion@v1` statement about the promoted artifact, which meets every
/// requirement given. Rejects with `STELLAOPS_PREDICATE_MISMATCH`,
/// `STELLAOPS_PREDICATE_TYPE_MISMATCH`, `STELLAOPS_VERIFICATION_FAILED`, ...
#[napi(
    ts_args_type = "envelope: string | Uint8Array | object, keys: Array<VerifyingKey>, options?: VerifyPromotionOptions",
    ts_return_type = "Promise<PromotionVerification>"
)]
pub fn verify_promotion(
    env: Env,
    envelope: Unknown<'_>,
    keys: Vec<&VerifyingKey>,
    options: Option<VerifyPromotionOptions>,
) -> Result<AsyncTask<Job<PromotionVerification>>> {
    let request = js(&env, verify_request(&env, envelope, keys, options))?;
    Ok(AsyncTask::new(Job::new(move || verify(request))))
}

/// As `verifyPromotion`, on the calling thread.
#[napi(
    ts_args_type = "envelope: string | Uint8Array | object, keys: Array<VerifyingKey>, options?: VerifyPromotionOptions"
)]
pub fn verify_promotion_sync(
    env: Env,
    envelope: Unknown<'_>,
    keys: Vec<&VerifyingKey>,
    options: Option<VerifyPromotionOptions>,
) -> Result<PromotionVerification> {
    js(
        &env,
        verify_request(&env, envelope, keys, options).and_then(verify),
    )
}

/// Options for `artifactSubjects`.
#[napi(object)]
pub struct ArtifactSubjectsOptions {
    /// Add SHA-512 to each subject's digests (SHA-256 is always there).
    pub sha512: Option<bool>,
}

fn subjects_of(paths: &[String], sha512: bool) -> std::result::Result<Vec<Subject>, Failure> {
    let paths: Vec<&std::path::Path> = paths.iter().map(std::path::Path::new).collect();
    Ok(stellaops_signer::artifact_subjects(&paths, sha512)?
        .into_iter()
        .map(|s| Subject {
            name: s.name().to_owned(),
            digest: s.digest().clone(),
        })
        .collect())
}

/// Hash files into subjects off the main thread, one per file named by its file name: SHA-256
/// and, with `sha512`, SHA-512 too, read by streaming.
#[napi(ts_return_type = "Promise<Array<Subject>>")]
pub fn artifact_subjects(
    paths: Vec<String>,
    options: Option<ArtifactSubjectsOptions>,
) -> AsyncTask<Job<Vec<Subject>>> {
    let sha512 = options.and_then(|o| o.sha512).unwrap_or(false);
    AsyncTask::new(Job::new(move || subjects_of(&paths, sha512)))
}

/// As `artifactSubjects`, on the calling thread.
#[napi]
pub fn artifact_subjects_sync(
    env: Env,
    paths: Vec<String>,
    options: Option<ArtifactSubjectsOptions>,
) -> Result<Vec<Subject>> {
    let sha512 = options.and_then(|o| o.sha512).unwrap_or(false);
    js(&env, subjects_of(&paths, sha512))
}

/// What `verifyAuditChain` established.
#[napi(object)]
pub struct AuditChain {
    /// How many records the log holds.
    pub records: i64,
    /// The last line's hash: anchor it elsewhere so that a truncation shows.
    pub last_hash: String,
}

fn chain_of(path: &str) -> std::result::Result<AuditChain, Failure> {
    let summary = stellaops_signer::verify_audit_chain(std::path::Path::new(path))?;
    Ok(AuditChain {
        records: i64::try_from(summary.records).unwrap_or(i64::MAX),
        last_hash: summary.last_hash,
    })
}

/// Verify the hash chain of the pipeline's audit log at `path`, off the main thread. A broken
/// chain rejects with `STELLAOPS_AUDIT_CHAIN_BROKEN` naming the first bad line.
#[napi(ts_return_type = "Promise<AuditChain>")]
pub fn verify_audit_chain(path: String) -> AsyncTask<Job<AuditChain>> {
    AsyncTask::new(Job::new(move || chain_of(&path)))
}

/// As `verifyAuditChain`, on the calling thread.
#[napi]
pub fn verify_audit_chain_sync(env: Env, path: String) -> Result<AuditChain> {
    js(&env, chain_of(&path))
}
