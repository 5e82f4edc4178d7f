//! Signing keys.

use std::ffi::c_char;
use std::sync::Arc;

use stellaops_signer::{keys, OpenedKey, SigningKey, SoftwareKey};

use crate::algorithm::{from_number, stellaops_algorithm, to_number};
use crate::args::{handle, nonempty_bytes, optional_bytes, text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::guard;
use crate::status::stellaops_status;
use crate::verifying_key::stellaops_verifying_key;

/// A private signing key: software, or in an HSM, KMS or Vault. Opaque; made by
/// `stellaops_key_generate`, `stellaops_key_from_bytes` or `stellaops_key_from_uri`, freed by
/// `stellaops_key_free`.
///
/// Thread safety: a key is immutable once made; any number of threads may use one key at the
/// same time (sign, export, inspect). Only freeing must not race with a use.
#[derive(Debug)]
pub struct stellaops_key {
    /// Shared, so that a bundle signer can keep the key alive after `stellaops_key_free`.
    pub(crate) key: Arc<OpenedKey>,
}

impl stellaops_key {
    pub(crate) fn new(key: OpenedKey) -> Self {
        stellaops_key { key: Arc::new(key) }
    }

    /// The key, as the facade's authority takes it.
    pub(crate) fn opened(&self) -> &OpenedKey {
        &self.key
    }
}

/// Generate a fresh key for `algorithm` (RSA keys get 3072 bits) from the operating system's
/// random source. On success `*out` owns a new key.
///
/// Errors: NULL_POINTER, UNKNOWN_ALGORITHM.
///
/// # Safety
/// `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_generate(
    algorithm: stellaops_algorithm,
    out: *mut *mut stellaops_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        let key = SoftwareKey::generate(from_number(algorithm)?)?.into();
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_key::new(key)))) };
        Ok(())
    })
}

/// Load a private key from PEM (PKCS#8, encrypted PKCS#8, SEC1 `EC PRIVATE KEY`, PKCS#1
/// `RSA PRIVATE KEY`), PKCS#8 DER or a private JWK. `passphrase` (NULL and 0 for none) decrypts
/// an encrypted PKCS#8 key. On success `*out` owns a new key.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty input), MALFORMED_KEY,
/// UNSUPPORTED_KEY, PASSPHRASE_REQUIRED, WRONG_PASSPHRASE.
///
/// # Safety
/// `data` points to `data_len` readable bytes, `passphrase` to `passphrase_len` (or is NULL with
/// 0); `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_from_bytes(
    data: *const u8,
    data_len: usize,
    passphrase: *const u8,
    passphrase_len: usize,
    out: *mut *mut stellaops_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises data_len readable bytes.
        let data = unsafe { nonempty_bytes(data, data_len, "data") }?;
        // SAFETY: the caller promises passphrase_len readable bytes or NULL with 0.
        let passphrase = unsafe { optional_bytes(passphrase, passphrase_len, "passphrase") }?;
        let key = keys::load_signing_key(data, passphrase)?.into();
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_key::new(key)))) };
        Ok(())
    })
}

/// Open a key by URI (UTF-8, not NUL-terminated): `file:PATH` or a bare path, RFC 7512
/// `pkcs11:…` (`module-path`, `pin-value` or `pin-source` in the query), `awskms://[HOST:PORT]/KEY`
/// (credentials and region from the AWS environment variables), `hashivault://KEY[?version=N]`
/// (`VAULT_ADDR`, `VAULT_TOKEN`), `fido2:CREDENTIAL?device=…` (a FIDO2 security key; its PIN
/// from `pin-source=FILE` or `STELLAOPS_FIDO2_PIN`, never prompted for here). `passphrase` (NULL and 0 for none) decrypts an encrypted key
/// file. Opening contacts the backend (log in, fetch the public key); signing with a remote key
/// makes one request per signature, on the calling thread. On success `*out` owns a new key.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (empty URI), INVALID_KEY_URI,
/// BACKEND_UNAVAILABLE, IO, the key-file errors of `stellaops_key_from_bytes`, KEY_NOT_FOUND,
/// AMBIGUOUS_KEY, WRONG_PIN, PIN_REQUIRED, TOKEN_ABSENT, MECHANISM_UNSUPPORTED, BACKEND_REFUSED,
/// BACKEND_UNREACHABLE, BACKEND_CONFIGURATION, ALGORITHM_MISMATCH.
///
/// # Safety
/// `uri` points to `uri_len` readable bytes, `passphrase` to `passphrase_len` (or is NULL with 0);
/// `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_from_uri(
    uri: *const c_char,
    uri_len: usize,
    passphrase: *const u8,
    passphrase_len: usize,
    out: *mut *mut stellaops_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises uri_len readable bytes.
        let uri = unsafe { text(uri, uri_len, "uri") }?;
        if uri.is_empty() {
            return Err(crate::guard::Failure::invalid("uri is empty"));
        }
        // SAFETY: the caller promises passphrase_len readable bytes or NULL with 0.
        let passphrase = unsafe { optional_bytes(passphrase, passphrase_len, "passphrase") }?;
        let key = stellaops_signer::open_key(uri, passphrase)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_key::new(key)))) };
        Ok(())
    })
}

/// The algorithm the key signs with.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `key` is a live key; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_algorithm(
    key: *const stellaops_key,
    out: *mut stellaops_algorithm,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live key or NULL.
        let key = unsafe { handle(key, "key") }?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(to_number(key.key.algorithm())) };
        Ok(())
    })
}

/// The key id: lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER (64 bytes of
/// ASCII, no NUL), as written into envelope signatures. A hint for finding keys, never a reason
/// to trust one.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `key` is a live key; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_id(
    key: *const stellaops_key,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live key or NULL.
        let key = unsafe { handle(key, "key") }?;
        let id = key.key.key_id().to_string().into_bytes();
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(id)) };
        Ok(())
    })
}

/// The public half, as a new verifying key owned by the caller.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `key` is a live key; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_public_key(
    key: *const stellaops_key,
    out: *mut *mut stellaops_verifying_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live key or NULL.
        let key = unsafe { handle(key, "key") }?;
        let public = stellaops_verifying_key::new(key.key.public_key().clone());
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(public))) };
        Ok(())
    })
}

/// Export the private key as PKCS#8 PEM, encrypted (PBKDF2-SHA256 + AES-256-CBC, as OpenSSL
/// reads) when `passphrase` is given (NULL and 0 for none). RSA keys carry a
/// `Stella-Algorithm:` hint line naming their padding. The buffer holds a secret: free it soon
/// with `stellaops_buffer_free`, which zeroes it.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (an empty passphrase), KEY_NOT_EXPORTABLE (a key in an
/// HSM, KMS or Vault).
///
/// # Safety
/// `key` is a live key; `passphrase` points to `passphrase_len` readable bytes (or is NULL with
/// 0); `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_to_pkcs8_pem(
    key: *const stellaops_key,
    passphrase: *const u8,
    passphrase_len: usize,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises a live key or NULL.
        let key = unsafe { handle(key, "key") }?;
        // SAFETY: the caller promises passphrase_len readable bytes or NULL with 0.
        let passphrase = unsafe { optional_bytes(passphrase, passphrase_len, "passphrase") }?;
        let pem = match passphrase {
            Some([]) => {
                return Err(crate::guard::Failure::invalid(
                    "passphrase is empty: pass NULL and 0 for an unencrypted key",
                ))
            }
            Some(p) => key.key.exportable()?.to_encrypted_pkcs8_pem(p)?,
            None => key.key.exportable()?.to_pkcs8_pem()?,
        };
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_secret(pem.as_bytes())) };
        Ok(())
    })
}

/// Write the key as PKCS#8 PEM to a new file at `path` (UTF-8, not NUL-terminated) with mode 0600,
/// encrypted with `passphrase` when given (NULL with 0: unencrypted): atomically, and never over
/// an existing file.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (empty path or passphrase), INVALID_UTF8_ARGUMENT,
/// KEY_NOT_EXPORTABLE (HSM, KMS, Vault keys), IO (also when `path` exists).
///
/// # Safety
/// `key` is live; `path` points to `path_len` bytes; `passphrase` to `passphrase_len` bytes or
/// NULL with 0.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_write_private_key(
    key: *const stellaops_key,
    path: *const std::ffi::c_char,
    path_len: usize,
    passphrase: *const u8,
    passphrase_len: usize,
) -> stellaops_status {
    guard(|| {
        // SAFETY: the caller promises a live key or NULL.
        let key = unsafe { handle(key, "key") }?;
        // SAFETY: the caller promises path_len readable bytes.
        let path = unsafe { crate::args::text(path, path_len, "path") }?;
        if path.is_empty() {
            return Err(crate::guard::Failure::invalid("path is empty"));
        }
        // SAFETY: the caller promises passphrase_len readable bytes or NULL with 0.
        let passphrase = unsafe { optional_bytes(passphrase, passphrase_len, "passphrase") }?;
        stellaops_signer::write_private_key(std::path::Path::new(path), &key.key, passphrase)?;
        Ok(())
    })
}

/// Free a key (its secret is zeroed). NULL is fine.
///
/// # Safety
/// `key` is NULL or a live key from this library, not used by any thread after this call.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_free(key: *mut stellaops_key) {
    if !key.is_null() {
        // SAFETY: the caller promises a live key made by Box::into_raw in this library and no
        // further use; SoftwareKey zeroizes its secret on drop.
        drop(unsafe { Box::from_raw(key) });
    }
}
