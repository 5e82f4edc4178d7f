//! Signers and verifiers the caller supplies as callbacks: a key whose signature operation is
//! the caller's (a GOST key in an OpenSSL engine, a CryptoPro container, a signing service), and
//! a registry of verifiers for algorithms the library does not implement.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use stellaops_signer::crypto::MAX_CALLER_SIGNATURE_LEN;
use stellaops_signer::{CallerError, CallerSigner, ExternalAlgorithm, OpenedKey, VerifierRegistry};

use crate::args::{handle, nonempty_bytes, text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::{guard, Failure};
use crate::key::stellaops_key;
use crate::status::stellaops_status;
use crate::verifying_key::stellaops_verifying_key;

/// Signs `message` (the bytes to sign as the algorithm signs them, e.g. a DSSE PAE: hash it
/// yourself if your algorithm hashes). Write the signature, in the algorithm's wire encoding, to
/// `signature`, which has room for `*signature_len` bytes (16384), and set `*signature_len` to
/// the number written. Return 0 on success; any other value is a failure, which the signing
/// call reports as CALLER_SIGNER_FAILED.
///
/// It may be called from any thread, and from several threads at once, for as long as the key
/// lives. It must not unwind (no C++ exception, no longjmp out of it).
pub type stellaops_sign_callback = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        message: *const u8,
        message_len: usize,
        signature: *mut u8,
        signature_len: *mut usize,
    ) -> i32,
>;

/// Checks `signature` over `message` under `public_key` (its DER SubjectPublicKeyInfo).
/// Return 1 for a valid signature; any other value means invalid.
///
/// It may be called from any thread, and from several threads at once, for as long as a key
/// made from its registry lives. It must not unwind.
pub type stellaops_verify_callback = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        public_key: *const u8,
        public_key_len: usize,
        message: *const u8,
        message_len: usize,
        signature: *const u8,
        signature_len: usize,
    ) -> i32,
>;

/// Called once with the callback's `context` when nothing uses the callback any more (the last
/// key or verifying key made with it was freed), on whichever thread freed it. NULL when the
/// context needs no release.
pub type stellaops_release_callback = Option<unsafe extern "C" fn(context: *mut c_void)>;

/// The caller's context pointer and its release, called once on drop.
pub(crate) struct Context {
    pub(crate) pointer: *mut c_void,
    pub(crate) release: stellaops_release_callback,
}

// SAFETY: the header makes the caller promise that the callbacks given with this context may be
// called from any thread, concurrently, for as long as the key lives, and that release may run on
// any thread; the library itself never reads or writes through the pointer.
unsafe impl Send for Context {}
// SAFETY: as for Send: shared use only passes the pointer back to the caller's own callbacks.
unsafe impl Sync for Context {}

impl Context {
    /// The pointer, read through the whole context so that a closure captures the context (and
    /// its Send/Sync promise and its release), not the bare pointer field.
    pub(crate) fn pointer(&self) -> *mut c_void {
        self.pointer
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the caller gave release for this context and promised it may be called once,
            // from any thread, when the last user is gone, which is now.
            unsafe { release(self.pointer) }
        }
    }
}

/// A key whose signatures come from `sign`: usable wherever a key is (`stellaops_attest`,
/// `stellaops_sign_statement`, `stellaops_envelope_sign`, bundles), with the key id of
/// `public_key`.
///
/// `algorithm` (UTF-8) is a built-in name (`es256`, `ed25519`, `rsa-pss-sha256`, ...) or the name
/// of an algorithm the library does not implement (`gost3410-2012-256`: lowercase letters,
/// digits, `-`, `.`, `_`, at most 64 bytes). `public_key` is the key in any encoding
/// `stellaops_verifying_key_from_bytes` reads, or for an external algorithm its SubjectPublicKeyInfo
/// (PEM or DER). Every signature `sign` returns is checked: not empty, at most 16384 bytes, and
/// for a built-in algorithm valid under `public_key`; otherwise the signing call fails with
/// CALLER_SIGNER_FAILED and nothing is signed.
///
/// The key keeps `context` until it is freed; then `release` (may be NULL) is called with it.
/// On failure `release` is not called: `context` stays yours. On success `*out` owns a new key.
///
/// Errors: NULL_POINTER (also a NULL `sign`), INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (an empty
/// key or a malformed external name), MALFORMED_KEY, UNSUPPORTED_KEY, ALGORITHM_MISMATCH.
///
/// # Safety
/// `algorithm` points to `algorithm_len` readable bytes, `public_key` to `public_key_len`; `out`
/// is writable; `sign` and `release` keep the promises their types document.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_from_callbacks(
    algorithm: *const c_char,
    algorithm_len: usize,
    public_key: *const u8,
    public_key_len: usize,
    sign: stellaops_sign_callback,
    context: *mut c_void,
    release: stellaops_release_callback,
    out: *mut *mut stellaops_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        let sign = sign.ok_or_else(|| Failure::null("sign"))?;
        // SAFETY: the caller promises algorithm_len readable bytes.
        let algorithm = unsafe { text(algorithm, algorithm_len, "algorithm") }?;
        // SAFETY: the caller promises public_key_len readable bytes.
        let public_key = unsafe { nonempty_bytes(public_key, public_key_len, "public_key") }?;
        let public = stellaops_signer::keys::caller_public_key(algorithm, public_key)?;
        // From here on the library owns the context: dropping it releases it.
        let context = Context {
            pointer: context,
            release,
        };
        let signer = CallerSigner::new(public, move |message: &[u8]| {
            let mut signature = vec![0u8; MAX_CALLER_SIGNATURE_LEN];
            let mut len = signature.len();
            // SAFETY: message and the signature buffer are valid for their lengths during the
            // call; the caller promised sign may be called with its context from any thread.
            let status = unsafe {
                sign(
                    context.pointer(),
                    message.as_ptr(),
                    message.len(),
                    signature.as_mut_ptr(),
                    &mut len,
                )
            };
            if status != 0 {
                return Err(CallerError::new(&format!(
                    "the sign callback returned {status}"
                )));
            }
            if len > MAX_CALLER_SIGNATURE_LEN {
                return Err(CallerError::new(
                    "the sign callback set a signature length beyond the buffer",
                ));
            }
            signature.truncate(len);
            Ok(signature)
        });
        let key = stellaops_key::new(OpenedKey::from(signer));
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(key))) };
        Ok(())
    })
}

/// Verifiers by algorithm name, for algorithms the library does not implement. Opaque; made by
/// `stellaops_verifier_registry_new`, freed by `stellaops_verifier_registry_free`.
///
/// Thread safety: register every verifier before sharing the registry; after that any number
/// of threads may make keys from it at once.
#[derive(Debug)]
pub struct stellaops_verifier_registry {
    registry: VerifierRegistry,
}

/// A registry that knows only the built-in algorithms: a key of any other algorithm is refused
/// (UNKNOWN_ALGORITHM) until a verifier is registered for it. On success `*out` owns it.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifier_registry_new(
    out: *mut *mut stellaops_verifier_registry,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        let registry = stellaops_verifier_registry {
            registry: VerifierRegistry::new(),
        };
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(registry))) };
        Ok(())
    })
}

/// Verify signatures of the algorithm named `algorithm` (UTF-8; lowercase letters, digits, `-`,
/// `.`, `_`, at most 64 bytes, not a built-in name) with `verify`, replacing an earlier
/// verifier of that name. The registry, and every verifying key made from it, keep `context`
/// until the last of them is freed; then `release` (may be NULL) is called with it. On failure
/// `release` is not called.
///
/// Errors: NULL_POINTER (also a NULL `verify`), INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (a
/// malformed or built-in name).
///
/// # Safety
/// `registry` is a live registry no other thread uses during this call; `algorithm` points to
/// `algorithm_len` readable bytes; `verify` and `release` keep the promises their types document.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifier_registry_register(
    registry: *mut stellaops_verifier_registry,
    algorithm: *const c_char,
    algorithm_len: usize,
    verify: stellaops_verify_callback,
    context: *mut c_void,
    release: stellaops_release_callback,
) -> stellaops_status {
    guard(|| {
        // SAFETY: the caller promises a live registry, used by no other thread now, or NULL.
        let registry = unsafe { registry.as_mut() }.ok_or_else(|| Failure::null("registry"))?;
        let verify = verify.ok_or_else(|| Failure::null("verify"))?;
        // SAFETY: the caller promises algorithm_len readable bytes.
        let algorithm = unsafe { text(algorithm, algorithm_len, "algorithm") }?;
        // Check the name before taking the context, so a refusal leaves it with the caller.
        ExternalAlgorithm::new(algorithm)?;
        let context = Context {
            pointer: context,
            release,
        };
        let verifier = move |public_key: &[u8], message: &[u8], signature: &[u8]| {
            // SAFETY: the three slices are valid for their lengths during the call; the caller
            // promised verify may be called with its context from any thread.
            let answer = unsafe {
                verify(
                    context.pointer(),
                    public_key.as_ptr(),
                    public_key.len(),
                    message.as_ptr(),
                    message.len(),
                    signature.as_ptr(),
                    signature.len(),
                )
            };
            answer == 1
        };
        registry.registry.register(algorithm, Arc::new(verifier))?;
        Ok(())
    })
}

/// A verifying key for `algorithm` (UTF-8): a built-in name reads `public_key` as
/// `stellaops_verifying_key_from_bytes` does and pins it; a registered name takes its
/// SubjectPublicKeyInfo (PEM or DER), checked by the registered verifier. The key works wherever
/// verifying keys do (`stellaops_verify`, thresholds, promotions). On success `*out` owns it.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (empty key), UNKNOWN_ALGORITHM
/// (neither built-in nor registered: refused by default), MALFORMED_KEY, UNSUPPORTED_KEY,
/// ALGORITHM_MISMATCH.
///
/// # Safety
/// `registry` is a live registry; `algorithm` points to `algorithm_len` readable bytes,
/// `public_key` to `public_key_len`; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifier_registry_verifying_key(
    registry: *const stellaops_verifier_registry,
    algorithm: *const c_char,
    algorithm_len: usize,
    public_key: *const u8,
    public_key_len: usize,
    out: *mut *mut stellaops_verifying_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live registry or NULL.
        let registry = unsafe { handle(registry, "registry") }?;
        // SAFETY: the caller promises algorithm_len readable bytes.
        let algorithm = unsafe { text(algorithm, algorithm_len, "algorithm") }?;
        // SAFETY: the caller promises public_key_len readable bytes.
        let public_key = unsafe { nonempty_bytes(public_key, public_key_len, "public_key") }?;
        let key = registry.registry.verifying_key(algorithm, public_key)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_verifying_key::new(key)))) };
        Ok(())
    })
}

/// The names of the registered algorithms, as a JSON array of strings in name order, into
/// `*out` (yours; free with `stellaops_buffer_free`).
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `registry` is a live registry; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifier_registry_algorithms(
    registry: *const stellaops_verifier_registry,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live registry or NULL.
        let registry = unsafe { handle(registry, "registry") }?;
        // Registered names are lowercase letters, digits, '-', '.', '_': nothing to escape.
        let quoted: Vec<String> = registry
            .registry
            .algorithms()
            .map(|name| format!("\"{name}\""))
            .collect();
        let json = format!("[{}]", quoted.join(","));
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(json.into_bytes())) };
        Ok(())
    })
}

/// Free a registry. Keys made from it keep working: each holds its verifier, whose context is
/// released with the last of them. NULL is fine.
///
/// # Safety
/// `registry` is NULL or a live registry from this library, not used by any thread after this
/// call.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifier_registry_free(
    registry: *mut stellaops_verifier_registry,
) {
    if !registry.is_null() {
        // SAFETY: the caller promises a live registry made by Box::into_raw in this library and
        // no further use.
        drop(unsafe { Box::from_raw(registry) });
    }
}
