//! Signing and verifying DSSE envelopes, and PAE.

use std::ffi::c_char;

use stellaops_signer::{dsse::pae, verify, EnvelopeLimits, Verification, VerificationPolicy};

use crate::algorithm::{stellaops_algorithm, to_number};
use crate::args::{bytes, handle, handles, nonempty_bytes, optional_text, text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::{guard, Failure};
use crate::key::stellaops_key;
use crate::status::stellaops_status;
use crate::verifying_key::stellaops_verifying_key;

/// Sign `payload` as `payload_type` with every key in `keys` (one signature each) and return the
/// DSSE envelope as canonical JSON (`payload`, `payloadType`, `signatures` with `keyid` and
/// `sig`; standard base64; ECDSA signatures DER). A zero-length payload is allowed (NULL and 0).
///
/// Errors: NULL_POINTER (`keys`, an element of it, `payload_type`, `out`), INVALID_UTF8_ARGUMENT,
/// NO_SIGNING_KEYS (`keys_len` 0), SIGNING_FAILED, BACKEND_FAILED.
///
/// # Safety
/// `keys` points to `keys_len` live keys; `payload_type` to `payload_type_len` bytes;
/// `payload` to `payload_len` bytes (or NULL with 0); `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_sign(
    keys: *const *const stellaops_key,
    keys_len: usize,
    payload_type: *const c_char,
    payload_type_len: usize,
    payload: *const u8,
    payload_len: usize,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises keys_len live keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        // SAFETY: the caller promises payload_type_len readable bytes.
        let payload_type = unsafe { text(payload_type, payload_type_len, "payload_type") }?;
        // SAFETY: the caller promises payload_len readable bytes or NULL with 0.
        let payload = unsafe { bytes(payload, payload_len, "payload") }?;
        let keys: Vec<&stellaops_signer::OpenedKey> = keys.iter().map(|k| k.opened()).collect();
        let outcome = stellaops_signer::Authority::opened_keys(&keys)
            .sign_payload(payload_type, payload.to_vec())?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(outcome.into_json())) };
        Ok(())
    })
}

/// What a successful `stellaops_verify` established. Opaque; freed by
/// `stellaops_verification_free`. Immutable: safe to share between threads.
#[derive(Debug)]
pub struct stellaops_verification {
    verification: Verification,
}

impl stellaops_verification {
    /// Wrap a verification for the caller.
    pub(crate) fn new(verification: Verification) -> Self {
        Self { verification }
    }
}

/// One trusted key that verified.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct stellaops_verified_key {
    /// Its first position in the `keys` array given to `stellaops_verify` (before ABI 6 this
    /// could index a list with duplicate keys removed; see `stellaops_verification_signed_by`
    /// for every position of a key given twice).
    pub key_index: usize,
    /// The position of the signature it verified in the envelope's `signatures`.
    pub signature_index: usize,
    /// The algorithm the signature was made with.
    pub algorithm: stellaops_algorithm,
}

/// Parse `envelope` (JSON, at most 96 MiB, payload at most 64 MiB, at most 16 signatures,
/// strict: duplicate keys and malformed base64 are errors) and verify it: at least `threshold`
/// distinct keys of `keys` must each have a valid signature. `keyid`s in the envelope are hints
/// only. When `payload_type` is given (not NULL), the envelope's must equal it. On success
/// `*out` owns the verification: which keys verified, the payload and its type.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty envelope), INVALID_UTF8_ARGUMENT,
/// INVALID_POLICY (no keys, threshold 0 or above `keys_len`), TOO_LARGE, TOO_DEEP,
/// DUPLICATE_KEY, MALFORMED_JSON, INVALID_UNICODE, INVALID_ENVELOPE, INVALID_BASE64,
/// TOO_MANY_SIGNATURES, PAYLOAD_TYPE_MISMATCH, VERIFICATION_FAILED.
///
/// # Safety
/// `envelope` points to `envelope_len` bytes; `keys` to `keys_len` live verifying keys;
/// `payload_type` to `payload_type_len` bytes or is NULL with 0; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verify(
    envelope: *const u8,
    envelope_len: usize,
    keys: *const *const stellaops_verifying_key,
    keys_len: usize,
    threshold: usize,
    payload_type: *const c_char,
    payload_type_len: usize,
    out: *mut *mut stellaops_verification,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises envelope_len readable bytes.
        let envelope = unsafe { nonempty_bytes(envelope, envelope_len, "envelope") }?;
        // SAFETY: the caller promises keys_len live verifying keys.
        let keys = unsafe { handles(keys, keys_len, "keys") }?;
        // SAFETY: the caller promises payload_type_len readable bytes or NULL with 0.
        let payload_type =
            unsafe { optional_text(payload_type, payload_type_len, "payload_type") }?;
        let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
        let policy = VerificationPolicy::new(trusted, threshold, payload_type)?;
        let verification = verify(envelope, &policy, &[], &EnvelopeLimits::default())?;
        let result = Box::new(stellaops_verification { verification });
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(result)) };
        Ok(())
    })
}

/// The verified payload: `*data` and `*len` are set to bytes owned by `verification`, valid until
/// it is freed (`*data` is NULL when the payload is empty).
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `verification` is live; `data` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verification_payload(
    verification: *const stellaops_verification,
    data: *mut *const u8,
    len: *mut usize,
) -> stellaops_status {
    guard(|| {
        let data = Out::new(data, "data")?;
        let len = Out::new(len, "len")?;
        // SAFETY: the caller promises a live verification or NULL.
        let v = unsafe { handle(verification, "verification") }?;
        let payload = v.verification.envelope.payload();
        let ptr = if payload.is_empty() {
            std::ptr::null()
        } else {
            payload.as_ptr()
        };
        // SAFETY: both were checked non-NULL; the caller promises they are writable.
        unsafe {
            data.write(ptr);
            len.write(payload.len());
        }
        Ok(())
    })
}

/// The verified payload type (UTF-8, not NUL-terminated), owned by `verification` like the
/// payload.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `verification` is live; `data` and `len` are writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verification_payload_type(
    verification: *const stellaops_verification,
    data: *mut *const c_char,
    len: *mut usize,
) -> stellaops_status {
    guard(|| {
        let data = Out::new(data, "data")?;
        let len = Out::new(len, "len")?;
        // SAFETY: the caller promises a live verification or NULL.
        let v = unsafe { handle(verification, "verification") }?;
        let payload_type = v.verification.envelope.payload_type();
        // SAFETY: both were checked non-NULL; the caller promises they are writable.
        unsafe {
            data.write(payload_type.as_ptr().cast());
            len.write(payload_type.len());
        }
        Ok(())
    })
}

/// How many trusted keys verified (at least the threshold).
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `verification` is live; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verification_key_count(
    verification: *const stellaops_verification,
    out: *mut usize,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live verification or NULL.
        let v = unsafe { handle(verification, "verification") }?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(v.verification.keys.len()) };
        Ok(())
    })
}

/// The `index`-th key that verified (`index` below `stellaops_verification_key_count`).
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (index out of range).
///
/// # Safety
/// `verification` is live; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verification_key(
    verification: *const stellaops_verification,
    index: usize,
    out: *mut stellaops_verified_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live verification or NULL.
        let v = unsafe { handle(verification, "verification") }?;
        let key = v.verification.keys.get(index).ok_or_else(|| {
            Failure::invalid(format!(
                "index {index} is out of range: {} keys verified",
                v.verification.keys.len()
            ))
        })?;
        let verified = stellaops_verified_key {
            key_index: key.policy_index,
            signature_index: key.signature_index,
            algorithm: to_number(key.algorithm),
        };
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(verified) };
        Ok(())
    })
}

/// Whether the key at `position` of the `keys` array given to `stellaops_verify` accepted a
/// signature of the envelope (`*out` true), for rules like "key #k must have signed". A key given
/// twice (say as PEM and as JWK) is true at both positions; one pinned to another RSA padding
/// than the signature's is not. A position past the array is false.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `verification` is live; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verification_signed_by(
    verification: *const stellaops_verification,
    position: usize,
    out: *mut bool,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live verification or NULL.
        let v = unsafe { handle(verification, "verification") }?;
        let signed = v
            .verification
            .keys
            .iter()
            .any(|k| k.positions.contains(&position));
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(signed) };
        Ok(())
    })
}

/// Free a verification (and the payload it owns). NULL is fine.
///
/// # Safety
/// `verification` is NULL or live, and no pointer obtained from it is used afterwards.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verification_free(verification: *mut stellaops_verification) {
    if !verification.is_null() {
        // SAFETY: the caller promises a live handle made by Box::into_raw here and no further use.
        drop(unsafe { Box::from_raw(verification) });
    }
}

/// The DSSE pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload`, lengths in ASCII decimal.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT.
///
/// # Safety
/// `payload_type` points to `payload_type_len` bytes; `payload` to `payload_len` bytes (or
/// NULL with 0); `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_pae(
    payload_type: *const c_char,
    payload_type_len: usize,
    payload: *const u8,
    payload_len: usize,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises payload_type_len readable bytes.
        let payload_type = unsafe { text(payload_type, payload_type_len, "payload_type") }?;
        // SAFETY: the caller promises payload_len readable bytes or NULL with 0.
        let payload = unsafe { bytes(payload, payload_len, "payload") }?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(pae(payload_type, payload))) };
        Ok(())
    })
}
