//! The signing pipeline: policy (token, entitlement, quotas, release), tenant key, audit.

use std::ffi::c_char;
use std::path::Path;

use stellaops_signer::SignerPipeline;

use crate::args::{bytes, handle, text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::{guard, Failure};
use crate::status::stellaops_status;

/// A signing pipeline built from a configuration file. Opaque; made by
/// `stellaops_pipeline_open`, freed by `stellaops_pipeline_free`.
///
/// Thread safety: any number of threads may sign through one pipeline at the same time; the
/// replay cache, quota state and audit log are shared and locked inside. Only freeing must not
/// race with a use.
#[derive(Debug)]
pub struct stellaops_pipeline {
    pipeline: SignerPipeline,
}

/// Build a pipeline from the TOML configuration at `config_path` (UTF-8, not NUL-terminated;
/// relative paths inside it are relative to its directory; format in docs/entitlement.md). This
/// reads the key sets, opens the signing key or key registry and the audit log (verifying the
/// existing chain). On success `*out` owns a new pipeline.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (empty path), IO,
/// POLICY_FAILED (invalid configuration, a key set that does not parse, a broken audit log),
/// and the key errors of `stellaops_key_from_uri`.
///
/// # Safety
/// `config_path` points to `config_path_len` readable bytes; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_pipeline_open(
    config_path: *const c_char,
    config_path_len: usize,
    out: *mut *mut stellaops_pipeline,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises config_path_len readable bytes.
        let path = unsafe { text(config_path, config_path_len, "config_path") }?;
        if path.is_empty() {
            return Err(Failure::invalid("config_path is empty"));
        }
        // The library's metrics recorder, unless the host installed one (a C caller has no
        // other way to see what the pipeline counts: stellaops_metrics_snapshot).
        stellaops_signer::metrics_text::install();
        let pipeline = SignerPipeline::from_config_file(Path::new(path))?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_pipeline { pipeline }))) };
        Ok(())
    })
}

/// Run one request (JSON: `access_token`, `dpop_proof`, `method`, `uri`,
/// `client_certificate_der_b64`, `tenant`, `predicate_type`, `predicate`, `subjects`,
/// `artifact_bytes`, `scanner_release`, `trace_id`) and write the outcome JSON (`envelope`,
/// `key_id`, `algorithm`, `certificate_chain`, `bundle_digest`, `issuer_mode`, `caller`,
/// `binding`, `tenant`, `poe_state`, `release`, `trace_id`) to `*out`. Every call leaves one
/// audit record, whatever its outcome.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (malformed request), MALFORMED_JSON, DUPLICATE_KEY,
/// TOO_LARGE, TOO_DEEP, DENIED (the last error message starts with `denied (<reason code>)`),
/// AUDIT_FAILED (nothing was signed), POLICY_FAILED, UNKNOWN_PREDICATE_TYPE, INVALID_DIGEST,
/// the key and signing errors.
///
/// # Safety
/// `pipeline` is a live pipeline; `request` points to `request_len` readable bytes; `out` is
/// writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_pipeline_sign_json(
    pipeline: *const stellaops_pipeline,
    request: *const u8,
    request_len: usize,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live pipeline.
        let pipeline = unsafe { handle(pipeline, "pipeline") }?;
        // SAFETY: the caller promises request_len readable bytes.
        let request = unsafe { bytes(request, request_len, "request") }?;
        let outcome = pipeline.pipeline.sign_json(request)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(outcome)) };
        Ok(())
    })
}

/// The scanner-release verdict for `digest` (`sha256:<hex>`, UTF-8) under the pipeline's
/// `[release]` configuration, on its own (allow-list, then signatures in the registry, then
/// overrides). `*out_json` (owned by the caller) gets `{"digest", "trusted": true, "trust":
/// "allowlist" | "signature" | "override", "key_id", "referrer", "override_reason",
/// "approved_by"}`, or `{"digest", "trusted": false, "reason": "release.untrusted", "detail"}`:
/// an untrusted release is a verdict, not an error. May ask the OCI registry (network).
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, POLICY_FAILED (the release check is off).
///
/// # Safety
/// `pipeline` is live; `digest` points to `digest_len` bytes; `out_json` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_pipeline_check_release(
    pipeline: *const stellaops_pipeline,
    digest: *const c_char,
    digest_len: usize,
    out_json: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_json, "out_json")?;
        // SAFETY: the caller promises a live pipeline or NULL.
        let p = unsafe { handle(pipeline, "pipeline") }?;
        // SAFETY: the caller promises digest_len readable bytes.
        let digest = unsafe { text(digest, digest_len, "digest") }?;
        let verdict = stellaops_signer::faces::release_verdict_json(&p.pipeline, digest)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(verdict)) };
        Ok(())
    })
}

/// What the library counted since the first pipeline was opened (or since this was first
/// called), as Prometheus text: `stellaops_signer_sign_seconds` (summary),
/// `stellaops_signer_denials_total{reason}`, `stellaops_signer_poe_failures_total{reason}`,
/// `stellaops_signer_quota_hits_total{reason}`, `stellaops_signer_key_usage_total{key_id}`,
/// `stellaops_signer_errors_total{code}`, `stellaops_signer_audit_failures_total`.
/// `*out_text` is owned by the caller.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `out_text` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_metrics_snapshot(
    out_text: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_text, "out_text")?;
        stellaops_signer::metrics_text::install();
        let text = stellaops_signer::metrics_snapshot();
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(text.into_bytes())) };
        Ok(())
    })
}

/// Free a pipeline (closing its audit log). NULL is fine.
///
/// # Safety
/// `pipeline` is NULL or a live pipeline from this library, not used by any thread after this
/// call.
#[no_mangle]
pub unsafe extern "C" fn stellaops_pipeline_free(pipeline: *mut stellaops_pipeline) {
    if !pipeline.is_null() {
        // SAFETY: the caller promises a live pipeline made by Box::into_raw in this library and
        // no further use.
        drop(unsafe { Box::from_raw(pipeline) });
    }
}
