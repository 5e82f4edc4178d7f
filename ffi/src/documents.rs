//! Statements built from documents (SBOMs, scan reports, promotions), signing a statement, and
//! verifying a promotion.

use stellaops_signer::canon::Limits;
use stellaops_signer::faces::{path_list_json, subjects_json};
use stellaops_signer::{
    artifact_subjects, inspect_attestation, predicate_statement, promotion_statement,
    report_statement, sbom_statement, verify_audit_chain, verify_promotion, AllowList, Authority,
    EnforcementMode, OpenedKey, PromotionRequirements, Statement, Verification, VerificationPolicy,
};

use crate::args::{array, handles, nonempty_bytes, optional_text, text, Out};
use crate::attest::{
    digest_map, stellaops_admission, stellaops_digest, stellaops_enforcement, stellaops_subject,
    subject, write_attestation, STELLAOPS_ENFORCEMENT_LOG_ONLY, STELLAOPS_ENFORCEMENT_REJECT,
    STELLAOPS_ENFORCEMENT_WARN,
};
use crate::buffer::stellaops_buffer;
use crate::envelope::stellaops_verification;
use crate::guard::{guard, Failure};
use crate::key::stellaops_key;
use crate::status::stellaops_status;
use crate::verifying_key::stellaops_verifying_key;

/// Write a statement's JSON (RFC 8785 canonical, what gets signed) into `out`.
fn write_statement(out: Out<stellaops_buffer>, statement: &Statement) -> Result<(), Failure> {
    let json = statement.to_json()?;
    // SAFETY: out was checked non-NULL by the caller of this helper, which promises it is
    // writable.
    unsafe { out.write(stellaops_buffer::from_bytes(json)) };
    Ok(())
}

/// The statement for an SBOM (CycloneDX or SPDX JSON, detected), unsigned: the SBOM as the
/// predicate of its format's type, about `subjects`, or when `subjects_len` is 0 about the
/// subjects the SBOM declares (components with SHA-2 hashes). `*out_statement` receives the
/// statement JSON (RFC 8785), to sign with `stellaops_sign_statement`, a bundle signer, or in a
/// pipeline request's `"statement"`. Owned by the caller: free it with `stellaops_buffer_free`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty SBOM, not an SBOM, no subject given or
/// declared), INVALID_UTF8_ARGUMENT, INVALID_DIGEST, the JSON errors (2xx).
///
/// # Safety
/// `sbom_json` points to `sbom_json_len` bytes; `subjects` holds `subjects_len` subjects (or is
/// NULL with 0); `out_statement` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_sbom_statement(
    sbom_json: *const u8,
    sbom_json_len: usize,
    subjects: *const stellaops_subject,
    subjects_len: usize,
    out_statement: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_statement, "out_statement")?;
        // SAFETY: the caller promises sbom_json_len readable bytes.
        let sbom = unsafe { nonempty_bytes(sbom_json, sbom_json_len, "sbom_json") }?;
        // SAFETY: the caller promises subjects_len valid subjects.
        let subjects = unsafe { read_subjects(subjects, subjects_len) }?;
        let (_, statement) = sbom_statement(sbom, subjects, &Limits::default())?;
        write_statement(out, &statement)
    })
}

/// The statement for a scan report (`stella.ops/report@v1`, validated against its schema),
/// unsigned, about the report's `artifact`. `*out_statement` as for `stellaops_sbom_statement`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty report), INVALID_PREDICATE (naming the field),
/// INVALID_DIGEST, the JSON errors (2xx).
///
/// # Safety
/// `report_json` points to `report_json_len` bytes; `out_statement` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_report_statement(
    report_json: *const u8,
    report_json_len: usize,
    out_statement: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_statement, "out_statement")?;
        // SAFETY: the caller promises report_json_len readable bytes.
        let report = unsafe { nonempty_bytes(report_json, report_json_len, "report_json") }?;
        write_statement(out, &report_statement(report, &Limits::default())?)
    })
}

/// The statement for a promotion (`stella.ops/promotion@v1`, validated against its schema),
/// unsigned, about the promoted artifact. `*out_statement` as for `stellaops_sbom_statement`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty promotion), INVALID_PREDICATE (naming the
/// field), INVALID_DIGEST, the JSON errors (2xx).
///
/// # Safety
/// `promotion_json` points to `promotion_json_len` bytes; `out_statement` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_promotion_statement(
    promotion_json: *const u8,
    promotion_json_len: usize,
    out_statement: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_statement, "out_statement")?;
        // SAFETY: the caller promises promotion_json_len readable bytes.
        let promotion =
            unsafe { nonempty_bytes(promotion_json, promotion_json_len, "promotion_json") }?;
        write_statement(out, &promotion_statement(promotion, &Limits::default())?)
    })
}

/// The statement of type `predicate_type` (a URI or a catalog short name such as `vex`) whose
/// predicate is `predicate_json` (parsed strictly; StellaOps predicates checked against their
/// schema) about `subjects`, unsigned: what `stellaops_attest` signs, for callers that sign
/// elsewhere (a bundle signer, a pipeline request). `*out_statement` as for
/// `stellaops_sbom_statement`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty predicate), INVALID_UTF8_ARGUMENT,
/// UNKNOWN_PREDICATE_TYPE, INVALID_STATEMENT (no subjects), INVALID_DIGEST, INVALID_PREDICATE,
/// the JSON errors (2xx).
///
/// # Safety
/// Every pointer + length pair is readable; `subjects` holds `subjects_len` subjects;
/// `out_statement` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_predicate_statement(
    predicate_type: *const std::ffi::c_char,
    predicate_type_len: usize,
    predicate_json: *const u8,
    predicate_json_len: usize,
    subjects: *const stellaops_subject,
    subjects_len: usize,
    out_statement: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_statement, "out_statement")?;
        // SAFETY: the caller promises predicate_type_len readable bytes.
        let predicate_type = unsafe { text(predicate_type, predicate_type_len, "predicate_type") }?;
        // SAFETY: the caller promises predicate_json_len readable bytes.
        let predicate =
            unsafe { nonempty_bytes(predicate_json, predicate_json_len, "predicate_json") }?;
        // SAFETY: the caller promises subjects_len valid subjects.
        let subjects = unsafe { read_subjects(subjects, subjects_len) }?;
        let statement =
            predicate_statement(predicate_type, predicate, subjects, &Limits::default())?;
        write_statement(out, &statement)
    })
}

/// Read an envelope or a Sigstore bundle (`data`, JSON) and report what it claims, as JSON in
/// `*out_json` (owned by the caller: `stellaops_buffer_free`): `container`, `payload_type`,
/// `predicate_type`, `subjects`, `signatures` (each with `verified_by`: `key <key id>` of the
/// trusted key that verified it, or null), `certificate`, `public_key_hint`,
/// `tlog_entries`, and `verified`, `checked`, `not_checked`. Only a key in `keys` makes a
/// signature verified; a bundle's own certificate, chain and log entries are reported, not
/// trusted (verify the bundle against a trusted root for that). `stella forensic attest show`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty data), the JSON and envelope errors, NOT_A_STATEMENT.
///
/// # Safety
/// `data` points to `data_len` bytes; `keys` holds `keys_len` live verifying keys (or is NULL
/// with 0); `out_json` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_inspect_attestation(
    data: *const u8,
    data_len: usize,
    keys: *const *const stellaops_verifying_key,
    keys_len: usize,
    out_json: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_json, "out_json")?;
        // SAFETY: the caller promises data_len readable bytes.
        let data = unsafe { nonempty_bytes(data, data_len, "data") }?;
        // SAFETY: the caller promises keys_len live verifying keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
        let facts = inspect_attestation(data, &trusted)?;
        let json = stellaops_signer::faces::facts_json(&facts);
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(json)) };
        Ok(())
    })
}

/// Sign an in-toto statement (JSON, v1 or v0.1, parsed strictly; StellaOps predicates are
/// checked against their schema) with every key: the one signing path `stellaops_attest` also
/// takes, for statements built elsewhere (`stellaops_sbom_statement`,
/// `stellaops_report_statement`, `stellaops_promotion_statement`, or your own). Returns the DSSE
/// envelope JSON in `*out_envelope` (owned by the caller: `stellaops_buffer_free`) and, when
/// `out_admission` is not NULL, how the predicate type was admitted under `enforcement`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (unknown enforcement, empty statement),
/// INVALID_UTF8_ARGUMENT, NO_SIGNING_KEYS, INVALID_STATEMENT, INVALID_PREDICATE,
/// PREDICATE_NOT_ALLOWED, the JSON errors (2xx), SIGNING_FAILED, BACKEND_FAILED.
///
/// # Safety
/// `keys` holds `keys_len` live keys; `statement_json` points to `statement_json_len` bytes;
/// `out_envelope` is writable; `out_admission` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_sign_statement(
    keys: *const *const stellaops_key,
    keys_len: usize,
    statement_json: *const u8,
    statement_json_len: usize,
    enforcement: stellaops_enforcement,
    out_envelope: *mut stellaops_buffer,
    out_admission: *mut stellaops_admission,
) -> stellaops_status {
    guard(|| {
        let out_envelope = Out::new(out_envelope, "out_envelope")?;
        let out_admission = Out::optional(out_admission);
        // SAFETY: the caller promises keys_len live keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        // SAFETY: the caller promises statement_json_len readable bytes.
        let json = unsafe { nonempty_bytes(statement_json, statement_json_len, "statement_json") }?;
        let keys: Vec<&OpenedKey> = keys.iter().map(|k| k.opened()).collect();
        let authority = Authority::opened_keys(&keys);
        authority.require_keys()?;
        // SAFETY: out_envelope was checked non-NULL, out_admission is None or non-NULL; the
        // caller promises they are writable.
        unsafe { sign_statement_into(authority, json, enforcement, out_envelope, out_admission) }
    })
}

/// Parse `json` as an in-toto statement and sign it through `authority` under `enforcement`,
/// writing the signed document to `out` and the admission to `out_admission`: the one statement
/// path of `stellaops_sign_statement` and `stellaops_bundle_sign_statement`.
///
/// # Safety
/// `out` and `out_admission` (when given) are writable.
pub(crate) unsafe fn sign_statement_into(
    authority: Authority<'_>,
    json: &[u8],
    enforcement: stellaops_enforcement,
    out: Out<stellaops_buffer>,
    out_admission: Option<Out<stellaops_admission>>,
) -> Result<(), Failure> {
    // SAFETY: forwarded from the caller.
    unsafe {
        sign_made_into(authority, enforcement, out, out_admission, || {
            Ok(Statement::from_json(json, &Limits::default())?)
        })
    }
}

/// Sign the statement `make` builds through `authority` under `enforcement` (checked first),
/// writing the signed document and the admission.
///
/// # Safety
/// `out` and `out_admission` (when given) are writable.
unsafe fn sign_made_into(
    authority: Authority<'_>,
    enforcement: stellaops_enforcement,
    out: Out<stellaops_buffer>,
    out_admission: Option<Out<stellaops_admission>>,
    make: impl FnOnce() -> stellaops_signer::Result<Statement>,
) -> Result<(), Failure> {
    let mode = enforcement_mode(enforcement)?;
    let statement = make()?;
    let outcome = authority
        .allow_list(AllowList::catalog(mode))
        .sign_statement(statement, None)?;
    let admission = outcome.admission;
    // SAFETY: forwarded from the caller.
    unsafe { write_attestation(out, outcome.into_json(), out_admission, admission) };
    Ok(())
}

/// What `stellaops_verify_promotion` requires of a promotion beyond a good signature. A NULL
/// pointer (with length 0) leaves that part unchecked.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct stellaops_promotion_requirements {
    /// The promoted artifact's digest set must hold each of these.
    pub artifact_digests: *const stellaops_digest,
    /// How many.
    pub artifact_digests_len: usize,
    /// The target environment (UTF-8, not NUL-terminated), or NULL.
    pub target_environment: *const std::ffi::c_char,
    /// Its length in bytes.
    pub target_environment_len: usize,
    /// The policy digest (`sha256:<hex>`), or NULL.
    pub policy_digest: *const std::ffi::c_char,
    /// Its length in bytes.
    pub policy_digest_len: usize,
}

/// Verify a promotion envelope: at least `threshold` of `keys` signed it, it carries an in-toto
/// statement of type `stella.ops/promotion@v1` whose predicate follows the schema and whose
/// subject is the promoted artifact, and the promotion meets `requirements` (NULL: nothing
/// more). On success `*out` owns the verification, read with the `stellaops_verification_*`
/// functions (the payload is the statement; key positions index `keys`).
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty envelope), INVALID_UTF8_ARGUMENT,
/// INVALID_POLICY, the envelope errors of `stellaops_verify`, VERIFICATION_FAILED,
/// NOT_A_STATEMENT, PREDICATE_TYPE_MISMATCH, INVALID_PREDICATE, PREDICATE_MISMATCH (subject,
/// artifact digest, target environment or policy digest differ).
///
/// # Safety
/// `envelope` points to `envelope_len` bytes; `keys` holds `keys_len` live verifying keys;
/// `requirements` is NULL or valid with its pointers valid for their lengths; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verify_promotion(
    envelope: *const u8,
    envelope_len: usize,
    keys: *const *const stellaops_verifying_key,
    keys_len: usize,
    threshold: usize,
    requirements: *const stellaops_promotion_requirements,
    out: *mut *mut stellaops_verification,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises envelope_len readable bytes.
        let envelope = unsafe { nonempty_bytes(envelope, envelope_len, "envelope") }?;
        // SAFETY: the caller promises keys_len live verifying keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        // SAFETY: the caller promises NULL or valid requirements.
        let requirements = unsafe { read_requirements(requirements) }?;
        let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
        let policy = VerificationPolicy::new(trusted, threshold, None)?;
        let verified = verify_promotion(envelope, &policy, &requirements)?;
        let verification = Verification {
            envelope: verified.envelope,
            keys: verified.keys,
            statement: Some(verified.statement),
            artifacts: Vec::new(),
        };
        let result = Box::new(stellaops_verification::new(verification));
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(result)) };
        Ok(())
    })
}

/// # Safety
/// NULL, or valid requirements whose pointers are valid for their lengths.
unsafe fn read_requirements(
    raw: *const stellaops_promotion_requirements,
) -> Result<PromotionRequirements, Failure> {
    if raw.is_null() {
        return Ok(PromotionRequirements::default());
    }
    // SAFETY: non-NULL, and the caller promises it is valid.
    let raw = unsafe { &*raw };
    // SAFETY: forwarded from the caller.
    let artifact_digest = unsafe {
        digest_map(
            raw.artifact_digests,
            raw.artifact_digests_len,
            "requirements.artifact",
        )
    }?;
    // SAFETY: forwarded from the caller.
    let target = unsafe {
        optional_text(
            raw.target_environment,
            raw.target_environment_len,
            "requirements.target_environment",
        )
    }?;
    // SAFETY: forwarded from the caller.
    let policy = unsafe {
        optional_text(
            raw.policy_digest,
            raw.policy_digest_len,
            "requirements.policy_digest",
        )
    }?;
    Ok(PromotionRequirements {
        artifact_digest,
        target_environment: target.map(str::to_owned),
        policy_digest: policy.map(str::to_owned),
    })
}

/// # Safety
/// `subjects` holds `subjects_len` subjects whose pointers are valid, or is NULL with 0.
unsafe fn read_subjects(
    subjects: *const stellaops_subject,
    subjects_len: usize,
) -> Result<Vec<stellaops_signer::Subject>, Failure> {
    // SAFETY: forwarded from the caller.
    let raw = unsafe { array(subjects, subjects_len, "subjects") }?;
    raw.iter()
        .enumerate()
        // SAFETY: forwarded from the caller.
        .map(|(i, s)| unsafe { subject(s, i) })
        .collect()
}

/// The enforcement number as a mode.
pub(crate) fn enforcement_mode(n: stellaops_enforcement) -> Result<EnforcementMode, Failure> {
    match n {
        STELLAOPS_ENFORCEMENT_LOG_ONLY => Ok(EnforcementMode::LogOnly),
        STELLAOPS_ENFORCEMENT_WARN => Ok(EnforcementMode::Warn),
        STELLAOPS_ENFORCEMENT_REJECT => Ok(EnforcementMode::Reject),
        other => Err(Failure::invalid(format!("unknown enforcement {other}"))),
    }
}

/// Hash files into subjects, one per file, named by its file name: SHA-256 and, when `sha512`,
/// SHA-512 too, read by streaming (any size, constant memory). `paths_json` is a JSON array of
/// paths (UTF-8). `*out_subjects_json` receives `[{"name": ..., "digest": {...}}]`, the form a
/// pipeline request's `subjects` takes (owned by the caller: `stellaops_buffer_free`).
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (not an array of strings), the JSON errors, IO.
///
/// # Safety
/// `paths_json` points to `paths_json_len` bytes; `out_subjects_json` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_artifact_subjects(
    paths_json: *const u8,
    paths_json_len: usize,
    sha512: bool,
    out_subjects_json: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_subjects_json, "out_subjects_json")?;
        // SAFETY: the caller promises paths_json_len readable bytes.
        let json = unsafe { nonempty_bytes(paths_json, paths_json_len, "paths_json") }?;
        let paths = path_list_json(json)?;
        let paths: Vec<&std::path::Path> = paths.iter().map(std::path::Path::new).collect();
        let subjects = artifact_subjects(&paths, sha512)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(subjects_json(&subjects))) };
        Ok(())
    })
}

/// As `stellaops_attest`, with the files in `paths_json` (a JSON array of UTF-8 paths) as the
/// subjects, hashed as `stellaops_artifact_subjects` hashes them (SHA-256 and, when `sha512`,
/// SHA-512; named by their file name): what a C caller writes to attest files.
///
/// Errors: those of `stellaops_attest` and of `stellaops_artifact_subjects`.
///
/// # Safety
/// `keys` holds `keys_len` live keys; every pointer + length pair is readable; `out_envelope` is
/// writable; `out_admission` is NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn stellaops_attest_files(
    keys: *const *const stellaops_key,
    keys_len: usize,
    predicate_type: *const std::ffi::c_char,
    predicate_type_len: usize,
    predicate_json: *const u8,
    predicate_json_len: usize,
    paths_json: *const u8,
    paths_json_len: usize,
    sha512: bool,
    enforcement: stellaops_enforcement,
    out_envelope: *mut stellaops_buffer,
    out_admission: *mut stellaops_admission,
) -> stellaops_status {
    guard(|| {
        let out_envelope = Out::new(out_envelope, "out_envelope")?;
        let out_admission = Out::optional(out_admission);
        // SAFETY: the caller promises keys_len live keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        // SAFETY: the caller promises readable pointer + length pairs.
        let (predicate_type, predicate, paths) = unsafe {
            (
                text(predicate_type, predicate_type_len, "predicate_type")?,
                nonempty_bytes(predicate_json, predicate_json_len, "predicate_json")?,
                nonempty_bytes(paths_json, paths_json_len, "paths_json")?,
            )
        };
        let paths = path_list_json(paths)?;
        let keys: Vec<&OpenedKey> = keys.iter().map(|k| k.opened()).collect();
        let authority = Authority::opened_keys(&keys);
        authority.require_keys()?;
        // SAFETY: out_envelope was checked non-NULL, out_admission is None or non-NULL; the
        // caller promises they are writable.
        unsafe {
            sign_made_into(authority, enforcement, out_envelope, out_admission, || {
                let paths: Vec<&std::path::Path> = paths.iter().map(std::path::Path::new).collect();
                let subjects = artifact_subjects(&paths, sha512)?;
                stellaops_signer::predicate_statement(
                    predicate_type,
                    predicate,
                    subjects,
                    &Limits::default(),
                )
            })
        }
    })
}

/// Verify the hash chain of the pipeline's audit log at `path` (UTF-8, not NUL-terminated):
/// `*out_records` receives how many records it holds and `*out_last_hash` (owned by the caller)
/// the last line's hash, to anchor elsewhere so that a truncation shows.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT, INVALID_UTF8_ARGUMENT, AUDIT_CHAIN_BROKEN (the message
/// names the first bad line), IO.
///
/// # Safety
/// `path` points to `path_len` bytes; both out-parameters are writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verify_audit_chain(
    path: *const std::ffi::c_char,
    path_len: usize,
    out_records: *mut u64,
    out_last_hash: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out_records = Out::new(out_records, "out_records")?;
        let out_last_hash = Out::new(out_last_hash, "out_last_hash")?;
        // SAFETY: the caller promises path_len readable bytes.
        let path = unsafe { text(path, path_len, "path") }?;
        if path.is_empty() {
            return Err(Failure::invalid("path: empty"));
        }
        let summary = verify_audit_chain(std::path::Path::new(path))?;
        // SAFETY: both were checked non-NULL; the caller promises they are writable.
        unsafe {
            out_records.write(summary.records);
            out_last_hash.write(stellaops_buffer::from_bytes(summary.last_hash.into_bytes()));
        }
        Ok(())
    })
}
