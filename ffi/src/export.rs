//! Signed export manifests.

use std::ffi::c_char;
use std::path::Path;

use stellaops_signer::faces::{
    check_export_json, describe_export_json, export_report_json, export_statement_json,
    path_list_json, sign_export_json,
};
use stellaops_signer::{verify_export, OpenedKey, VerificationPolicy};

use crate::args::{handles, nonempty_bytes, optional_bytes, text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::guard;
use crate::key::stellaops_key;
use crate::status::stellaops_status;
use crate::verifying_key::stellaops_verifying_key;

/// Sign an export with every key. `request` is JSON: `root` (the export directory), and
/// optionally `files` (relative paths; default: every file under `root`), `export_id`,
/// `tenant`, `profile`, `created_at` (RFC 3339; default `$SOURCE_DATE_EPOCH`; the clock is
/// never read), `sha512`, `record_symlinks`, `exclude`. On success `*out_manifest` holds the
/// manifest (RFC 8785 JSON) and `*out_envelope` the DSSE envelope, both reproducible: software
/// ECDSA keys sign with RFC 6979 nonces here. On error neither is written.
///
/// Errors: NULL_POINTER, NO_SIGNING_KEYS, INVALID_ARGUMENT (malformed request, no creation time,
/// an empty export), MALFORMED_JSON, DUPLICATE_KEY, INVALID_EXPORT_ENTRY (a special file, a
/// refused link, a path with `..`), IO, and the signing errors.
///
/// # Safety
/// `keys` points to `keys_len` live keys; `request` to `request_len` readable bytes; both outs
/// are writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_export_sign(
    keys: *const *const stellaops_key,
    keys_len: usize,
    request: *const u8,
    request_len: usize,
    out_manifest: *mut stellaops_buffer,
    out_envelope: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out_manifest = Out::new(out_manifest, "out_manifest")?;
        let out_envelope = Out::new(out_envelope, "out_envelope")?;
        // SAFETY: the caller promises keys_len live keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        // SAFETY: the caller promises request_len readable bytes.
        let request = unsafe { nonempty_bytes(request, request_len, "request") }?;
        let opened: Vec<&OpenedKey> = keys.iter().map(|k| &*k.key).collect();
        let signed = sign_export_json(&opened, request)?;
        // SAFETY: both were checked non-NULL; the caller promises they are writable.
        unsafe {
            out_manifest.write(stellaops_buffer::from_bytes(signed.manifest_json));
            out_envelope.write(stellaops_buffer::from_bytes(signed.envelope_json));
        }
        Ok(())
    })
}

/// Verify the export under `root` (UTF-8 path) against the signed manifest in `envelope`:
/// signatures by at least `threshold` of the trusted `keys`, `manifest` (optional: NULL with 0)
/// equal to the signed one, then every file re-hashed. `exclude_json` (optional: NULL with 0)
/// is a JSON array of relative paths to skip (a manifest kept inside the export).
///
/// `*out_report` gets the report JSON (`intact`, `export_id`, `files`, `keys`, `missing`,
/// `extra`, `changed`) when the status is OK **and** when it is EXPORT_CHANGED (the signature
/// verified, the files differ); free it in both cases. Other errors write nothing.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT, INVALID_POLICY, VERIFICATION_FAILED,
/// PREDICATE_TYPE_MISMATCH (not an export manifest), MANIFEST_MISMATCH, EXPORT_CHANGED,
/// INVALID_MANIFEST, IO, and the envelope parse errors.
///
/// # Safety
/// Every pointer/length pair is readable (or NULL with 0 where optional); `keys` points to
/// `keys_len` live verifying keys; `out_report` is writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn stellaops_export_verify(
    root: *const c_char,
    root_len: usize,
    envelope: *const u8,
    envelope_len: usize,
    manifest: *const u8,
    manifest_len: usize,
    exclude_json: *const u8,
    exclude_json_len: usize,
    keys: *const *const stellaops_verifying_key,
    keys_len: usize,
    threshold: usize,
    out_report: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out_report = Out::new(out_report, "out_report")?;
        // SAFETY: the caller promises root_len readable bytes.
        let root = unsafe { text(root, root_len, "root") }?;
        // SAFETY: the caller promises envelope_len readable bytes.
        let envelope = unsafe { nonempty_bytes(envelope, envelope_len, "envelope") }?;
        // SAFETY: the caller promises manifest_len readable bytes or NULL with 0.
        let manifest = unsafe { optional_bytes(manifest, manifest_len, "manifest") }?;
        // SAFETY: the caller promises exclude_json_len readable bytes or NULL with 0.
        let exclude = unsafe { optional_bytes(exclude_json, exclude_json_len, "exclude_json") }?;
        let exclude = exclude.map(path_list_json).transpose()?.unwrap_or_default();
        // SAFETY: the caller promises keys_len live verifying keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
        let policy = VerificationPolicy::new(
            trusted,
            threshold,
            Some(stellaops_signer::predicates::PAYLOAD_TYPE),
        )?;
        let v = verify_export(Path::new(root), envelope, manifest, &policy, &exclude)?;
        // SAFETY: out_report was checked non-NULL; the caller promises it is writable.
        unsafe { out_report.write(stellaops_buffer::from_bytes(export_report_json(&v))) };
        v.require_intact()?;
        Ok(())
    })
}

/// The manifest (canonical JSON, owned by the caller) of the export a request like
/// `stellaops_export_sign`'s describes, unsigned: `root`, and optionally `files`, `export_id`,
/// `tenant`, `profile`, `created_at`, `sha512`, `record_symlinks`, `exclude`.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (a malformed request), INVALID_EXPORT_ENTRY,
/// INVALID_EXPORT_PATH, EMPTY_EXPORT, IO, the JSON errors.
///
/// # Safety
/// `request_json` points to `request_json_len` bytes; `out_manifest` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_export_describe(
    request_json: *const u8,
    request_json_len: usize,
    out_manifest: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_manifest, "out_manifest")?;
        // SAFETY: the caller promises request_json_len readable bytes.
        let request = unsafe { nonempty_bytes(request_json, request_json_len, "request_json") }?;
        let manifest = describe_export_json(request)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(manifest)) };
        Ok(())
    })
}

/// The statement (canonical JSON, owned by the caller) for an export manifest: its files as
/// subjects, the manifest as predicate; what `stellaops_export_sign` signs, for signing
/// elsewhere (a bundle signer, a pipeline request).
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT, INVALID_MANIFEST, the JSON errors.
///
/// # Safety
/// `manifest_json` points to `manifest_json_len` bytes; `out_statement` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_export_statement(
    manifest_json: *const u8,
    manifest_json_len: usize,
    out_statement: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_statement, "out_statement")?;
        // SAFETY: the caller promises manifest_json_len readable bytes.
        let manifest =
            unsafe { nonempty_bytes(manifest_json, manifest_json_len, "manifest_json") }?;
        let statement = export_statement_json(manifest)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(statement)) };
        Ok(())
    })
}

/// Compare the export under `root` with a manifest (JSON; no signature is checked: for that,
/// `stellaops_export_verify`), skipping the relative paths in `exclude_json` (a JSON array, or
/// NULL with 0). `*out_report` (owned by the caller) gets `intact`, `export_id`, `files`,
/// `missing`, `extra`, `changed` (`path`, `problem`); a difference is reported there, not as an
/// error.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT, INVALID_UTF8_ARGUMENT, INVALID_MANIFEST,
/// INVALID_EXPORT_PATH, IO, the JSON errors.
///
/// # Safety
/// Every pointer/length pair is readable (or NULL with 0 where optional); `out_report` is
/// writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_export_check(
    root: *const c_char,
    root_len: usize,
    manifest_json: *const u8,
    manifest_json_len: usize,
    exclude_json: *const u8,
    exclude_json_len: usize,
    out_report: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_report, "out_report")?;
        // SAFETY: the caller promises root_len readable bytes.
        let root = unsafe { text(root, root_len, "root") }?;
        // SAFETY: the caller promises manifest_json_len readable bytes.
        let manifest =
            unsafe { nonempty_bytes(manifest_json, manifest_json_len, "manifest_json") }?;
        // SAFETY: the caller promises exclude_json_len readable bytes or NULL with 0.
        let exclude = unsafe { optional_bytes(exclude_json, exclude_json_len, "exclude_json") }?;
        let exclude = exclude.map(path_list_json).transpose()?.unwrap_or_default();
        let report = check_export_json(manifest, Path::new(root), &exclude)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(report)) };
        Ok(())
    })
}
