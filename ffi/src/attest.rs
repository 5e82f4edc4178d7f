//! In-toto attestations.

use std::collections::BTreeMap;
use std::ffi::c_char;

use stellaops_signer::canon::Limits;
use stellaops_signer::{
    predicate_statement, Admission, AllowList, Authority, OpenedKey, Statement, Subject,
};

use crate::args::{array, handles, nonempty_bytes, text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::{guard, Failure};
use crate::key::stellaops_key;
use crate::status::stellaops_status;

/// One digest of a subject: algorithm name (`sha256`, `sha512`, ...) and lowercase hex value,
/// both UTF-8, not NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct stellaops_digest {
    /// The algorithm name.
    pub algorithm: *const c_char,
    /// Its length in bytes.
    pub algorithm_len: usize,
    /// The hex digest.
    pub value: *const c_char,
    /// Its length in bytes.
    pub value_len: usize,
}

/// One subject of a statement: a name and at least one digest.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct stellaops_subject {
    /// The name (a file name, a package URL, an image reference), UTF-8, not NUL-terminated.
    pub name: *const c_char,
    /// Its length in bytes.
    pub name_len: usize,
    /// The digests.
    pub digests: *const stellaops_digest,
    /// How many.
    pub digests_len: usize,
}

/// What happens to a predicate type outside the catalog.
pub type stellaops_enforcement = u32;
/// Admit it; the admission says it was unlisted, for your audit log.
pub const STELLAOPS_ENFORCEMENT_LOG_ONLY: stellaops_enforcement = 1;
/// Admit it; the admission says it was unlisted, so you can warn.
pub const STELLAOPS_ENFORCEMENT_WARN: stellaops_enforcement = 2;
/// Refuse it with PREDICATE_NOT_ALLOWED.
pub const STELLAOPS_ENFORCEMENT_REJECT: stellaops_enforcement = 3;

/// How the predicate type was admitted.
pub type stellaops_admission = u32;
/// The predicate type is in the catalog.
pub const STELLAOPS_ADMISSION_ALLOWED: stellaops_admission = 1;
/// Not in the catalog, admitted because of LOG_ONLY or WARN enforcement.
pub const STELLAOPS_ADMISSION_UNLISTED: stellaops_admission = 2;

/// Build an in-toto Statement v1 with `subjects`, the predicate `predicate_json` (parsed
/// strictly: duplicate keys, lone surrogates and over-deep nesting are errors) of type
/// `predicate_type` (a URI, or a catalog short name such as `sbom`, `vex`, `slsa-provenance`),
/// canonicalize it (RFC 8785) and sign it with every key. Returns the DSSE envelope JSON
/// (`payloadType` `application/vnd.in-toto+json`) and, if `out_admission` is not NULL, how the
/// predicate type was admitted under `enforcement`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (unknown enforcement, empty predicate),
/// INVALID_UTF8_ARGUMENT, NO_SIGNING_KEYS, UNKNOWN_PREDICATE_TYPE, PREDICATE_NOT_ALLOWED,
/// INVALID_STATEMENT (no subjects, a subject without digests), INVALID_DIGEST, the JSON errors
/// (2xx), SIGNING_FAILED, BACKEND_FAILED.
///
/// # Safety
/// Every pointer + length pair is readable for its length; `keys` holds `keys_len` live keys;
/// `subjects` holds `subjects_len` subjects, each with `digests_len` digests; `out_envelope` is
/// writable; `out_admission` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_attest(
    keys: *const *const stellaops_key,
    keys_len: usize,
    predicate_type: *const c_char,
    predicate_type_len: usize,
    predicate_json: *const u8,
    predicate_json_len: usize,
    subjects: *const stellaops_subject,
    subjects_len: usize,
    enforcement: stellaops_enforcement,
    out_envelope: *mut stellaops_buffer,
    out_admission: *mut stellaops_admission,
) -> stellaops_status {
    guard(|| {
        let out_envelope = Out::new(out_envelope, "out_envelope")?;
        let out_admission = Out::optional(out_admission);
        // SAFETY: the caller promises keys_len live keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        // SAFETY: the caller promises readable pairs and subjects_len valid subjects.
        let request = unsafe {
            statement_request(
                predicate_type,
                predicate_type_len,
                predicate_json,
                predicate_json_len,
                subjects,
                subjects_len,
                enforcement,
            )
        }?;
        let keys: Vec<&OpenedKey> = keys.iter().map(|k| k.opened()).collect();
        // SAFETY: out_envelope was checked non-NULL, out_admission is None or non-NULL; the
        // caller promises they are writable.
        unsafe { request.sign_into(Authority::opened_keys(&keys), out_envelope, out_admission) }
    })
}

/// The statement `stellaops_attest` and `stellaops_bundle_attest` are asked to sign, in parts.
pub(crate) struct StatementRequest<'a> {
    predicate_type: &'a str,
    predicate_json: &'a [u8],
    subjects: Vec<Subject>,
    /// The catalog as allow-list, under the enforcement asked for.
    pub(crate) allow_list: AllowList,
}

impl StatementRequest<'_> {
    /// The statement, built (the predicate parsed and checked against its schema) after
    /// `authority` is known to have keys: no keys is reported before anything about the predicate.
    pub(crate) fn build(
        self,
        authority: &Authority<'_>,
    ) -> Result<(Statement, AllowList), Failure> {
        authority.require_keys()?;
        let statement = predicate_statement(
            self.predicate_type,
            self.predicate_json,
            self.subjects,
            &Limits::default(),
        )?;
        Ok((statement, self.allow_list))
    }

    /// Build the statement and sign it through `authority`, writing the signed document to
    /// `out` and the admission to `out_admission`: the one step of `stellaops_attest` and
    /// `stellaops_bundle_attest`.
    ///
    /// # Safety
    /// `out` and `out_admission` (when given) are writable.
    pub(crate) unsafe fn sign_into(
        self,
        authority: Authority<'_>,
        out: Out<stellaops_buffer>,
        out_admission: Option<Out<stellaops_admission>>,
    ) -> Result<(), Failure> {
        let (statement, allow_list) = self.build(&authority)?;
        let outcome = authority
            .allow_list(allow_list)
            .sign_statement(statement, None)?;
        let admission = outcome.admission;
        // SAFETY: forwarded from the caller.
        unsafe { write_attestation(out, outcome.into_json(), out_admission, admission) };
        Ok(())
    }
}

/// The arguments `stellaops_attest` and `stellaops_bundle_attest` share, read.
///
/// # Safety
/// Every pointer + length pair is readable; `subjects` holds `subjects_len` subjects whose
/// pointers are valid for their lengths.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn statement_request<'a>(
    predicate_type: *const c_char,
    predicate_type_len: usize,
    predicate_json: *const u8,
    predicate_json_len: usize,
    subjects: *const stellaops_subject,
    subjects_len: usize,
    enforcement: stellaops_enforcement,
) -> Result<StatementRequest<'a>, Failure> {
    // SAFETY: the caller promises predicate_type_len readable bytes.
    let predicate_type = unsafe { text(predicate_type, predicate_type_len, "predicate_type") }?;
    // SAFETY: the caller promises predicate_json_len readable bytes.
    let predicate_json =
        unsafe { nonempty_bytes(predicate_json, predicate_json_len, "predicate_json") }?;
    // SAFETY: the caller promises subjects_len initialised subjects.
    let raw_subjects = unsafe { array(subjects, subjects_len, "subjects") }?;
    let subjects = raw_subjects
        .iter()
        .enumerate()
        // SAFETY: the caller promises each subject's pointers are valid for their lengths.
        .map(|(i, s)| unsafe { subject(s, i) })
        .collect::<Result<Vec<_>, _>>()?;
    let mode = crate::documents::enforcement_mode(enforcement)?;
    Ok(StatementRequest {
        predicate_type,
        predicate_json,
        subjects,
        allow_list: AllowList::catalog(mode),
    })
}

/// Write a signed attestation (envelope or bundle JSON) and, when asked for, its admission.
///
/// # Safety
/// Both out-parameters are valid for writes.
pub(crate) unsafe fn write_attestation(
    out: Out<stellaops_buffer>,
    json: Vec<u8>,
    out_admission: Option<Out<stellaops_admission>>,
    admission: Admission,
) {
    let number = match admission {
        Admission::Allowed => STELLAOPS_ADMISSION_ALLOWED,
        Admission::Unlisted(_) => STELLAOPS_ADMISSION_UNLISTED,
    };
    // SAFETY: forwarded from the caller.
    unsafe {
        out.write(stellaops_buffer::from_bytes(json));
        if let Some(out_admission) = out_admission {
            out_admission.write(number);
        }
    }
}

/// # Safety
/// The subject's pointers are valid for their lengths.
pub(crate) unsafe fn subject(raw: &stellaops_subject, i: usize) -> Result<Subject, Failure> {
    let what = format!("subjects[{i}]");
    // SAFETY: forwarded from the caller.
    let name = unsafe { text(raw.name, raw.name_len, &format!("{what}.name")) }?;
    // SAFETY: forwarded from the caller.
    let map = unsafe { digest_map(raw.digests, raw.digests_len, &what) }?;
    Ok(Subject::new(name, map)?)
}

/// A digest array as a map by algorithm (`what` names the array's owner in errors); an
/// algorithm given twice is an error, never a silent overwrite.
///
/// # Safety
/// `digests` holds `len` digests whose pointers are valid for their lengths (or is NULL with 0).
pub(crate) unsafe fn digest_map(
    digests: *const stellaops_digest,
    len: usize,
    what: &str,
) -> Result<BTreeMap<String, String>, Failure> {
    // SAFETY: forwarded from the caller.
    let digests = unsafe { array(digests, len, &format!("{what}.digests")) }?;
    let mut map = BTreeMap::new();
    for (j, d) in digests.iter().enumerate() {
        let at = format!("{what}.digests[{j}]");
        // SAFETY: forwarded from the caller.
        let algorithm = unsafe { text(d.algorithm, d.algorithm_len, &format!("{at}.algorithm")) }?;
        // SAFETY: forwarded from the caller.
        let value = unsafe { text(d.value, d.value_len, &format!("{at}.value")) }?;
        if map.insert(algorithm.to_owned(), value.to_owned()).is_some() {
            return Err(Failure::invalid(format!(
                "{what}: digest algorithm {algorithm:?} given twice"
            )));
        }
    }
    Ok(map)
}
