//! Public keys that verify.

use stellaops_signer::{keys, VerifyingKey};

use crate::algorithm::{stellaops_algorithm, to_number, STELLAOPS_ALGORITHM_UNSPECIFIED};
use crate::args::{handle, nonempty_bytes, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::{guard, Failure};
use crate::status::stellaops_status;

/// A public key trusted to verify signatures. Opaque; made by
/// `stellaops_verifying_key_from_bytes` or `stellaops_key_public_key`, freed by
/// `stellaops_verifying_key_free`. Immutable: safe to share between threads.
#[derive(Debug)]
pub struct stellaops_verifying_key {
    pub(crate) key: VerifyingKey,
}

impl stellaops_verifying_key {
    pub(crate) fn new(key: VerifyingKey) -> Self {
        stellaops_verifying_key { key }
    }
}

/// A public-key encoding for `stellaops_verifying_key_export`.
pub type stellaops_key_format = u32;
/// SubjectPublicKeyInfo, DER.
pub const STELLAOPS_KEY_FORMAT_SPKI_DER: stellaops_key_format = 1;
/// SubjectPublicKeyInfo, PEM (`PUBLIC KEY`; RSA keys pinned to one padding carry a
/// `Stella-Algorithm:` hint line).
pub const STELLAOPS_KEY_FORMAT_SPKI_PEM: stellaops_key_format = 2;
/// A public JWK (RFC 7517) with `alg` when the key is pinned to one algorithm.
pub const STELLAOPS_KEY_FORMAT_JWK: stellaops_key_format = 3;

/// Load a public key from SPKI PEM or DER, a public JWK, or an X.509 certificate (PEM or DER; its
/// key is used, the certificate is not validated). A private key is accepted too: its public
/// half is kept. On success `*out` owns a new verifying key.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty input), MALFORMED_KEY, UNSUPPORTED_KEY.
///
/// # Safety
/// `data` points to `data_len` readable bytes; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifying_key_from_bytes(
    data: *const u8,
    data_len: usize,
    out: *mut *mut stellaops_verifying_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises data_len readable bytes.
        let data = unsafe { nonempty_bytes(data, data_len, "data") }?;
        let key = keys::load_verifying_key(data)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_verifying_key::new(key)))) };
        Ok(())
    })
}

/// The one algorithm this key verifies, or `STELLAOPS_ALGORITHM_UNSPECIFIED` for an RSA key
/// loaded without one (it verifies both RSA-PSS-SHA256 and RSA-PKCS1-SHA256).
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `key` is a live verifying key; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifying_key_algorithm(
    key: *const stellaops_verifying_key,
    out: *mut stellaops_algorithm,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live verifying key or NULL.
        let key = unsafe { handle(key, "key") }?;
        let number = if key.key.is_pinned() {
            to_number(key.key.algorithm())
        } else {
            STELLAOPS_ALGORITHM_UNSPECIFIED
        };
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(number) };
        Ok(())
    })
}

/// The key id (lowercase hex SHA-256 of the SPKI DER; 64 bytes of ASCII, no NUL).
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `key` is a live verifying key; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifying_key_id(
    key: *const stellaops_verifying_key,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live verifying key or NULL.
        let key = unsafe { handle(key, "key") }?;
        let id = key.key.key_id().to_string().into_bytes();
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(id)) };
        Ok(())
    })
}

/// Encode the public key as `format` (`STELLAOPS_KEY_FORMAT_*`).
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (unknown format).
///
/// # Safety
/// `key` is a live verifying key; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifying_key_export(
    key: *const stellaops_verifying_key,
    format: stellaops_key_format,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live verifying key or NULL.
        let key = unsafe { handle(key, "key") }?;
        let bytes = match format {
            STELLAOPS_KEY_FORMAT_SPKI_DER => key.key.to_spki_der().to_vec(),
            STELLAOPS_KEY_FORMAT_SPKI_PEM => key.key.to_spki_pem()?.into_bytes(),
            STELLAOPS_KEY_FORMAT_JWK => key.key.to_jwk()?.into_bytes(),
            other => return Err(Failure::invalid(format!("unknown key format {other}"))),
        };
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(bytes)) };
        Ok(())
    })
}

/// Free a verifying key. NULL is fine.
///
/// # Safety
/// `key` is NULL or a live verifying key from this library, not used by any thread after this
/// call.
#[no_mangle]
pub unsafe extern "C" fn stellaops_verifying_key_free(key: *mut stellaops_verifying_key) {
    if !key.is_null() {
        // SAFETY: the caller promises a live handle made by Box::into_raw here and no further use.
        drop(unsafe { Box::from_raw(key) });
    }
}
