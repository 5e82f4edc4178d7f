//! Sigstore bundles: verified offline against a trusted root, and signed — keylessly (Fulcio,
//! Rekor) or with one of our keys (Rekor, public-key hint) — into canonical bundles v0.3.

use std::ffi::c_char;
use std::path::Path;

use stellaops_signer::faces::{
    bundle_policy_from_json, bundle_report, keyful_config_from_json, keyless_config_from_json,
};
use stellaops_signer::sigstore::{
    BundleSigner, IdentityToken, KeyfulSigner, KeylessSigner, TrustedRoot,
};
use stellaops_signer::{Authority, BundleArtifact, IssuerMode};

use crate::args::{bytes, handle, nonempty_bytes, optional_text, text, Out};
use crate::attest::{
    statement_request, stellaops_admission, stellaops_enforcement, stellaops_subject,
};
use crate::buffer::stellaops_buffer;
use crate::documents::sign_statement_into;
use crate::guard::{guard, Failure};
use crate::key::stellaops_key;
use crate::status::stellaops_status;

/// A Sigstore trusted root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys, timestamp
/// authorities). Opaque; made by `stellaops_trusted_root_from_json`, freed by
/// `stellaops_trusted_root_free`.
///
/// Thread safety: immutable; any number of threads may verify with one root at the same time.
/// Only freeing must not race with a use.
#[derive(Debug)]
pub struct stellaops_trusted_root {
    root: TrustedRoot,
}

/// Read a trusted root (strict JSON; its media type must be a Sigstore trusted root). On success
/// `*out` owns a new root.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty), INVALID_TRUSTED_ROOT.
///
/// # Safety
/// `json` points to `json_len` readable bytes; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_trusted_root_from_json(
    json: *const u8,
    json_len: usize,
    out: *mut *mut stellaops_trusted_root,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises json_len readable bytes.
        let json = unsafe { nonempty_bytes(json, json_len, "json") }?;
        let root = TrustedRoot::from_json(json).map_err(stellaops_signer::Error::from)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_trusted_root { root }))) };
        Ok(())
    })
}

/// Read a trusted root from the file at `path` (UTF-8, not NUL-terminated; at most 96 MiB), as
/// sigstore-go's `NewTrustedRootFromPath`. On success `*out` owns it.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty path), INVALID_UTF8_ARGUMENT, IO, TOO_LARGE, and
/// the errors of `stellaops_trusted_root_from_json`.
///
/// # Safety
/// `path` points to `path_len` bytes; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_trusted_root_from_path(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut stellaops_trusted_root,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises path_len readable bytes.
        let path = unsafe { text(path, path_len, "path") }?;
        if path.is_empty() {
            return Err(Failure::invalid("path is empty"));
        }
        let root = stellaops_signer::trusted_root_from_path(Path::new(path))?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_trusted_root { root }))) };
        Ok(())
    })
}

/// Free a trusted root. NULL is fine.
///
/// # Safety
/// `root` is NULL or a live root from this library, not used by any thread after this call.
#[no_mangle]
pub unsafe extern "C" fn stellaops_trusted_root_free(root: *mut stellaops_trusted_root) {
    if !root.is_null() {
        // SAFETY: the caller promises a live root made by Box::into_raw here, and no further use.
        drop(unsafe { Box::from_raw(root) });
    }
}

/// Verify a Sigstore bundle (v0.1-v0.3) offline against `root`, for the signer `policy` names
/// (JSON: `{"certificate_identity": ID, "certificate_oidc_issuer": ISS}`, or
/// `certificate_identity_regexp` (anchored) instead of `certificate_identity`, or
/// `{"public_key": PEM}`; optionally `"insecure_ignore_tlog": true` for trust domains without a
/// public log, whose bundles carry an RFC 3161 timestamp instead (GitHub's private-repository
/// attestations), `"insecure_ignore_sct": true` for a Fulcio without a CT log, and
/// `"predicate_type"`: a URI or catalog short name the signed statement must have, as cosign's
/// `--type`), bound to the artifact `artifact` names (UTF-8; optional: NULL with 0 checks the
/// signature against the digest the bundle names): a file path, or `sha256:<hex>` for the
/// artifact's digest. No network access.
///
/// On success `*out_report` holds the report JSON (`verified`, `mediaType`, `identity`,
/// `issuer`, `integratedTime`, `verifiedTimes`, `certificateVerified`, `sctVerified`, `tlogVerified`,
/// `payloadType`, `predicateType`, `subjects`, `statement`, `artifactChecked`), as
/// `stella verify --bundle --json` prints it.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (a malformed policy, identity
/// pattern or digest; no artifact and no digest in the bundle), MALFORMED_KEY (the policy's
/// public key), UNKNOWN_PREDICATE_TYPE, INVALID_BUNDLE, the verification failures
/// IDENTITY_MISMATCH, ARTIFACT_MISMATCH, PREDICATE_TYPE_MISMATCH and VERIFICATION_FAILED, and IO
/// for the artifact.
///
/// # Safety
/// `root` is a live root; each pointer + length pair is readable (the artifact may be NULL
/// with 0); `out_report` is writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn stellaops_bundle_verify(
    root: *const stellaops_trusted_root,
    bundle: *const u8,
    bundle_len: usize,
    policy: *const u8,
    policy_len: usize,
    artifact: *const c_char,
    artifact_len: usize,
    out_report: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out_report = Out::new(out_report, "out_report")?;
        // SAFETY: the caller promises artifact_len readable bytes, or NULL with 0.
        let artifact = unsafe { optional_text(artifact, artifact_len, "artifact") }?
            .map(BundleArtifact::from_reference)
            .transpose()
            .map_err(stellaops_signer::Error::from)?;
        // SAFETY: forwarded from the caller.
        unsafe {
            verify_into(
                root, bundle, bundle_len, policy, policy_len, artifact, out_report,
            )
        }
    })
}

/// `stellaops_bundle_verify` with the artifact's bytes (`artifact_len` of them at `artifact`;
/// NULL with 0 is an empty artifact) instead of a path or digest.
///
/// Errors: as `stellaops_bundle_verify`.
///
/// # Safety
/// As `stellaops_bundle_verify`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn stellaops_bundle_verify_bytes(
    root: *const stellaops_trusted_root,
    bundle: *const u8,
    bundle_len: usize,
    policy: *const u8,
    policy_len: usize,
    artifact: *const u8,
    artifact_len: usize,
    out_report: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out_report = Out::new(out_report, "out_report")?;
        // SAFETY: the caller promises artifact_len readable bytes, or NULL with 0.
        let artifact = unsafe { bytes(artifact, artifact_len, "artifact") }?;
        let artifact = Some(BundleArtifact::Bytes(artifact));
        // SAFETY: forwarded from the caller.
        unsafe {
            verify_into(
                root, bundle, bundle_len, policy, policy_len, artifact, out_report,
            )
        }
    })
}

/// The verification both entry points share, writing the report to `out_report`.
///
/// # Safety
/// As `stellaops_bundle_verify`.
unsafe fn verify_into(
    root: *const stellaops_trusted_root,
    bundle: *const u8,
    bundle_len: usize,
    policy: *const u8,
    policy_len: usize,
    artifact: Option<BundleArtifact<'_>>,
    out_report: Out<stellaops_buffer>,
) -> Result<(), Failure> {
    // SAFETY: the caller promises a live root.
    let root = unsafe { handle(root, "root") }?;
    // SAFETY: the caller promises bundle_len readable bytes.
    let bundle = unsafe { nonempty_bytes(bundle, bundle_len, "bundle") }?;
    // SAFETY: the caller promises policy_len readable bytes.
    let policy = unsafe { nonempty_bytes(policy, policy_len, "policy") }?;
    let policy = bundle_policy_from_json(policy)?;
    let verified = stellaops_signer::verify_bundle(bundle, &root.root, &policy, artifact)?;
    let report = bundle_report(&verified).to_string().into_bytes();
    // SAFETY: out_report was checked non-NULL; the caller promises it is writable.
    unsafe { out_report.write(stellaops_buffer::from_bytes(report)) };
    Ok(())
}

/// Signs into Sigstore bundles: keyless (an OIDC token, Fulcio, Rekor) or with one key (Rekor).
/// Opaque; made by `stellaops_bundle_signer_keyless` or `stellaops_bundle_signer_keyful`, freed
/// by `stellaops_bundle_signer_free`.
///
/// Thread safety: any number of threads may sign with one signer at the same time (each keyless
/// signature has its own ephemeral key). Only freeing must not race with a use.
#[derive(Debug)]
pub struct stellaops_bundle_signer {
    signer: Box<dyn BundleSigner + Send + Sync>,
    mode: IssuerMode,
}

/// A keyless signer. `config` is JSON: `fulcio_url`, `rekor_url`, and optionally
/// `timeout_seconds` (30), `retries` (2), `oidc_issuer` (refuse tokens from any other),
/// `trusted_root` (a path: each bundle is verified offline before it is returned),
/// `require_sct` (true), `timestamp_url` (an RFC 3161 timestamp authority's request URL: each
/// bundle also carries its timestamp), `rekor_version` (1, or 2 for Rekor v2, which needs
/// `timestamp_url`). `token` is the OIDC identity token; NULL with 0 reads it from
/// `$STELLAOPS_OIDC_TOKEN`, `$STELLAOPS_OIDC_TOKEN_FILE` or the ambient cosign token file.
/// Nothing is sent until the first signature. On success `*out` owns a new signer.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (malformed configuration), INVALID_IDENTITY_TOKEN
/// (missing, malformed, expired, another issuer), BACKEND_CONFIGURATION (a URL),
/// INVALID_TRUSTED_ROOT, IO.
///
/// # Safety
/// Each pointer + length pair is readable (the token may be NULL with 0); `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_bundle_signer_keyless(
    config: *const u8,
    config_len: usize,
    token: *const c_char,
    token_len: usize,
    out: *mut *mut stellaops_bundle_signer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises config_len readable bytes.
        let config = unsafe { nonempty_bytes(config, config_len, "config") }?;
        // SAFETY: the caller promises token_len readable bytes, or NULL with 0.
        let token = unsafe { optional_text(token, token_len, "token") }?;
        let config = keyless_config_from_json(config)?;
        let token = match token {
            Some(token) => IdentityToken::parse(token),
            None => IdentityToken::from_environment(),
        }
        .map_err(stellaops_signer::Error::from)?;
        let signer = KeylessSigner::new(&config, token).map_err(stellaops_signer::Error::from)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(new_signer(Box::new(signer), IssuerMode::Keyless)) };
        Ok(())
    })
}

/// A keyful bundle signer with `key` (which it keeps alive: `key` may be freed before the
/// signer). `config` is JSON: `rekor_url`, and optionally `timeout_seconds` (30), `retries` (2),
/// `trusted_root` (a path), `timestamp_url`, `rekor_version` (1 or 2, as for keyless). Rekor v1
/// checks DSSE signatures with SHA-256, so only ES256, Ed25519 and RSA PKCS#1 keys are accepted;
/// Rekor v2 ES256 only. On success `*out` owns a new signer.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (malformed configuration), BACKEND_CONFIGURATION
/// (a URL, a key Rekor cannot log), INVALID_TRUSTED_ROOT, IO.
///
/// # Safety
/// `config` points to `config_len` readable bytes; `key` is a live key; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_bundle_signer_keyful(
    config: *const u8,
    config_len: usize,
    key: *const stellaops_key,
    out: *mut *mut stellaops_bundle_signer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises config_len readable bytes.
        let config = unsafe { nonempty_bytes(config, config_len, "config") }?;
        // SAFETY: the caller promises a live key.
        let key = unsafe { handle(key, "key") }?;
        let config = keyful_config_from_json(config)?;
        let mode = IssuerMode::of_scheme(key.key.scheme());
        let signer = KeyfulSigner::new(&config, std::sync::Arc::clone(&key.key))
            .map_err(stellaops_signer::Error::from)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(new_signer(Box::new(signer), mode)) };
        Ok(())
    })
}

fn new_signer(
    signer: Box<dyn BundleSigner + Send + Sync>,
    mode: IssuerMode,
) -> *mut stellaops_bundle_signer {
    Box::into_raw(Box::new(stellaops_bundle_signer { signer, mode }))
}

/// Free a bundle signer. NULL is fine.
///
/// # Safety
/// `signer` is NULL or a live signer from this library, not used by any thread after this call.
#[no_mangle]
pub unsafe extern "C" fn stellaops_bundle_signer_free(signer: *mut stellaops_bundle_signer) {
    if !signer.is_null() {
        // SAFETY: the caller promises a live signer made by Box::into_raw here, and no further
        // use.
        drop(unsafe { Box::from_raw(signer) });
    }
}

/// Sign `payload` as `payload_type` into a Sigstore bundle v0.3 (canonical JSON) in
/// `*out_bundle`: the DSSE envelope, the certificate (keyless) or public-key hint (keyful), and
/// the Rekor entry with its inclusion proof. On error nothing is written.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, INVALID_IDENTITY_TOKEN (expired meanwhile),
/// BACKEND_UNREACHABLE, BACKEND_REFUSED (Fulcio or Rekor), SIGNING_FAILED, and the verification
/// errors when a trusted root is configured and the bundle does not verify.
///
/// # Safety
/// `signer` is a live signer; each pointer + length pair is readable; `out_bundle` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_bundle_sign(
    signer: *const stellaops_bundle_signer,
    payload_type: *const c_char,
    payload_type_len: usize,
    payload: *const u8,
    payload_len: usize,
    out_bundle: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out_bundle = Out::new(out_bundle, "out_bundle")?;
        // SAFETY: the caller promises a live signer.
        let signer = unsafe { handle(signer, "signer") }?;
        // SAFETY: the caller promises payload_type_len readable bytes.
        let payload_type = unsafe { text(payload_type, payload_type_len, "payload_type") }?;
        if payload_type.is_empty() {
            return Err(Failure::invalid("payload_type is empty"));
        }
        // SAFETY: the caller promises payload_len readable bytes.
        let payload = unsafe { bytes(payload, payload_len, "payload") }?;
        let signed = signer
            .signer
            .sign(payload_type, payload)
            .map_err(stellaops_signer::Error::from)?;
        // SAFETY: out_bundle was checked non-NULL; the caller promises it is writable.
        unsafe { out_bundle.write(stellaops_buffer::from_bytes(signed.json)) };
        Ok(())
    })
}

/// Sign `blob` itself into a Sigstore bundle v0.3 (canonical JSON) in `*out_bundle`, as `cosign
/// sign-blob` does: a message signature with the blob's SHA-256, the certificate (keyless) or
/// public-key hint (keyful), the Rekor entry (a `hashedrekord`) and, with a timestamp authority
/// configured, an RFC 3161 timestamp. At most 1 GiB (the blob is signed whole). On error
/// nothing is written.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (a blob over the limit), BACKEND_CONFIGURATION (a key
/// the log cannot check over a digest: only ECDSA P-256, or RSA PKCS#1 v1.5 with Rekor v1), and
/// those of `stellaops_bundle_sign`.
///
/// # Safety
/// `signer` is a live signer; `blob` points to `blob_len` readable bytes (NULL allowed when
/// `blob_len` is 0); `out_bundle` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_bundle_sign_blob(
    signer: *const stellaops_bundle_signer,
    blob: *const u8,
    blob_len: usize,
    out_bundle: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out_bundle = Out::new(out_bundle, "out_bundle")?;
        // SAFETY: the caller promises a live signer.
        let signer = unsafe { handle(signer, "signer") }?;
        // SAFETY: the caller promises blob_len readable bytes.
        let blob = unsafe { bytes(blob, blob_len, "blob") }?;
        let signed = signer
            .signer
            .sign_message(blob)
            .map_err(stellaops_signer::Error::from)?;
        // SAFETY: out_bundle was checked non-NULL; the caller promises it is writable.
        unsafe { out_bundle.write(stellaops_buffer::from_bytes(signed.json)) };
        Ok(())
    })
}

/// As `stellaops_sign_statement` (an in-toto statement already made, parsed strictly, StellaOps
/// predicates checked, `enforcement` for a type outside the catalog), signed by `signer` into a
/// Sigstore bundle v0.3 (canonical JSON) in `*out_bundle`. The statement is admitted before
/// anything is sent to Fulcio or Rekor.
///
/// Errors: those of `stellaops_sign_statement` for the statement (but not NO_SIGNING_KEYS), and
/// those of `stellaops_bundle_sign`.
///
/// # Safety
/// `signer` is a live signer; `statement_json` points to `statement_json_len` readable bytes;
/// `out_bundle` is writable; `out_admission` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_bundle_sign_statement(
    signer: *const stellaops_bundle_signer,
    statement_json: *const u8,
    statement_json_len: usize,
    enforcement: stellaops_enforcement,
    out_bundle: *mut stellaops_buffer,
    out_admission: *mut stellaops_admission,
) -> stellaops_status {
    guard(|| {
        let out_bundle = Out::new(out_bundle, "out_bundle")?;
        let out_admission = Out::optional(out_admission);
        // SAFETY: the caller promises a live signer.
        let signer = unsafe { handle(signer, "signer") }?;
        // SAFETY: the caller promises statement_json_len readable bytes.
        let json = unsafe { nonempty_bytes(statement_json, statement_json_len, "statement_json") }?;
        let authority = Authority::bundle(signer.signer.as_ref(), signer.mode);
        // SAFETY: out_bundle was checked non-NULL, out_admission is None or non-NULL; the
        // caller promises they are writable.
        unsafe { sign_statement_into(authority, json, enforcement, out_bundle, out_admission) }
    })
}

/// As `stellaops_attest`, signed by `signer` into a Sigstore bundle v0.3 (canonical JSON) in
/// `*out_bundle` instead of an envelope. The statement is built and admitted before anything is
/// sent to Fulcio or Rekor.
///
/// Errors: those of `stellaops_attest` for the statement (but not NO_SIGNING_KEYS), and those of
/// `stellaops_bundle_sign`.
///
/// # Safety
/// `signer` is a live signer; every pointer + length pair is readable for its length;
/// `subjects` holds `subjects_len` subjects, each with `digests_len` digests; `out_bundle` is
/// writable; `out_admission` is NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn stellaops_bundle_attest(
    signer: *const stellaops_bundle_signer,
    predicate_type: *const c_char,
    predicate_type_len: usize,
    predicate_json: *const u8,
    predicate_json_len: usize,
    subjects: *const stellaops_subject,
    subjects_len: usize,
    enforcement: stellaops_enforcement,
    out_bundle: *mut stellaops_buffer,
    out_admission: *mut stellaops_admission,
) -> stellaops_status {
    guard(|| {
        let out_bundle = Out::new(out_bundle, "out_bundle")?;
        let out_admission = Out::optional(out_admission);
        // SAFETY: the caller promises a live signer.
        let signer = unsafe { handle(signer, "signer") }?;
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
        let authority = Authority::bundle(signer.signer.as_ref(), signer.mode);
        // SAFETY: out_bundle was checked non-NULL, out_admission is None or non-NULL; the
        // caller promises they are writable.
        unsafe { request.sign_into(authority, out_bundle, out_admission) }
    })
}
