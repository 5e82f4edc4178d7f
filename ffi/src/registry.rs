//! The tenant key registry: which key signs for a tenant now, and which keys are revoked since
//! when.

use std::ffi::c_char;
use std::path::Path;
use std::time::SystemTime;

use stellaops_signer::faces::{entry_json, parse_time, registry_entries_json};
use stellaops_signer::{KeyRegistry, OpenedKey, Selector};

use crate::args::{handle, optional_text, text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::{guard, Failure};
use crate::key::stellaops_key;
use crate::status::stellaops_status;

/// A tenant key registry read from its TOML file (format in docs/keys.md). Opaque; made by
/// `stellaops_key_registry_open`, freed by `stellaops_key_registry_free`. Keys it hands out keep
/// it alive and stop signing the moment a reload revokes them.
///
/// Thread safety: any number of threads may use one registry at once; only freeing must not race
/// with a use.
#[derive(Debug)]
pub struct stellaops_key_registry {
    registry: KeyRegistry,
}

/// Read the registry file at `path` (UTF-8, not NUL-terminated). On success `*out` owns a new
/// registry.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (empty path), IO,
/// INVALID_KEY_URI and the registry's configuration errors (the message names the entry).
///
/// # Safety
/// `path` points to `path_len` readable bytes; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_registry_open(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut stellaops_key_registry,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises path_len readable bytes.
        let path = unsafe { text(path, path_len, "path") }?;
        if path.is_empty() {
            return Err(Failure::invalid("path is empty"));
        }
        let registry = KeyRegistry::load(Path::new(path)).map_err(stellaops_signer::Error::from)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(Box::new(stellaops_key_registry { registry }))) };
        Ok(())
    })
}

/// Every entry of the current configuration as a JSON array (owned by the caller): `tenant`,
/// `uri` (PINs hidden), `key_id`, `status`, `not_before`, `not_after`, `revoked_at`, `reason`,
/// `plans`, `families`, `signatures`.
///
/// Errors: NULL_POINTER.
///
/// # Safety
/// `registry` is live; `out_json` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_registry_entries(
    registry: *const stellaops_key_registry,
    out_json: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_json, "out_json")?;
        // SAFETY: the caller promises a live registry or NULL.
        let r = unsafe { handle(registry, "registry") }?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe {
            out.write(stellaops_buffer::from_bytes(registry_entries_json(
                &r.registry,
            )))
        };
        Ok(())
    })
}

/// The arguments that pick a tenant's key, read.
///
/// # Safety
/// Each pair is readable for its length (plan and family may be NULL with 0).
unsafe fn selection<'a>(
    tenant: *const c_char,
    tenant_len: usize,
    plan: *const c_char,
    plan_len: usize,
    family: *const c_char,
    family_len: usize,
) -> Result<(&'a str, Selector<'a>), Failure> {
    // SAFETY: forwarded from the caller.
    let tenant = unsafe { text(tenant, tenant_len, "tenant") }?;
    // SAFETY: forwarded from the caller.
    let plan = unsafe { optional_text(plan, plan_len, "plan") }?;
    // SAFETY: forwarded from the caller.
    let family = unsafe { optional_text(family, family_len, "family") }?;
    Ok((tenant, Selector { plan, family }))
}

/// The entry that should sign for `tenant` now (the best fit for `plan` and the predicate
/// `family`, either NULL with 0 for any), as a JSON object like `stellaops_key_registry_entries`'
/// (owned by the caller).
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, NO_ACTIVE_KEY.
///
/// # Safety
/// `registry` is live; each pair is readable for its length; `out_entry_json` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_registry_select(
    registry: *const stellaops_key_registry,
    tenant: *const c_char,
    tenant_len: usize,
    plan: *const c_char,
    plan_len: usize,
    family: *const c_char,
    family_len: usize,
    out_entry_json: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_entry_json, "out_entry_json")?;
        // SAFETY: the caller promises a live registry or NULL.
        let r = unsafe { handle(registry, "registry") }?;
        // SAFETY: forwarded from the caller.
        let (tenant, selector) =
            unsafe { selection(tenant, tenant_len, plan, plan_len, family, family_len) }?;
        let entry = r
            .registry
            .select(tenant, selector, SystemTime::now())
            .map_err(stellaops_signer::Error::from)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(entry_json(&entry))) };
        Ok(())
    })
}

/// Open the key that should sign for `tenant` now (as `stellaops_key_registry_select` picks it,
/// reloading a changed file first), checked against its pinned key id and every revocation. On
/// success `*out_key` owns a key usable wherever a key is (free it with `stellaops_key_free`);
/// it refuses to sign once a reload revokes it. It cannot be exported.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, NO_ACTIVE_KEY, KEY_ID_MISMATCH, KEY_REVOKED, the
/// key errors of `stellaops_key_from_uri`.
///
/// # Safety
/// `registry` is live; each pair is readable for its length; `out_key` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_registry_signing_key(
    registry: *const stellaops_key_registry,
    tenant: *const c_char,
    tenant_len: usize,
    plan: *const c_char,
    plan_len: usize,
    family: *const c_char,
    family_len: usize,
    out_key: *mut *mut stellaops_key,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out_key, "out_key")?;
        // SAFETY: the caller promises a live registry or NULL.
        let r = unsafe { handle(registry, "registry") }?;
        // SAFETY: forwarded from the caller.
        let (tenant, selector) =
            unsafe { selection(tenant, tenant_len, plan, plan_len, family, family_len) }?;
        let key = r
            .registry
            .signing_key(tenant, selector, SystemTime::now())
            .map_err(stellaops_signer::Error::from)?;
        let key = Box::new(stellaops_key::new(OpenedKey::from(key)));
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(Box::into_raw(key)) };
        Ok(())
    })
}

/// Check a signature by the key `key_id` made at `signed_at` (RFC 3339, e.g. a bundle's
/// integrated time; NULL with 0 when unknown) against the registry's revocations: KEY_REVOKED
/// when the key was revoked at or before that time, or at all when the time is unknown. Retired
/// keys still verify.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, INVALID_ARGUMENT (a time that does not parse),
/// KEY_REVOKED (the message says since when and why).
///
/// # Safety
/// `registry` is live; each pair is readable for its length.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_registry_check_not_revoked(
    registry: *const stellaops_key_registry,
    key_id: *const c_char,
    key_id_len: usize,
    signed_at: *const c_char,
    signed_at_len: usize,
) -> stellaops_status {
    guard(|| {
        // SAFETY: the caller promises a live registry or NULL.
        let r = unsafe { handle(registry, "registry") }?;
        // SAFETY: the caller promises key_id_len readable bytes.
        let key_id = unsafe { text(key_id, key_id_len, "key_id") }?;
        // SAFETY: the caller promises signed_at_len readable bytes or NULL with 0.
        let signed_at = unsafe { optional_text(signed_at, signed_at_len, "signed_at") }?;
        let signed_at = signed_at
            .map(parse_time)
            .transpose()
            .map_err(|e| Failure::invalid(format!("signed_at: {e}")))?;
        r.registry
            .check_not_revoked(key_id, signed_at)
            .map_err(stellaops_signer::Error::from)?;
        Ok(())
    })
}

/// Read the registry file again. A file that does not parse or validate leaves the previous
/// configuration in force and returns its error.
///
/// Errors: NULL_POINTER, IO, the configuration errors of `stellaops_key_registry_open`.
///
/// # Safety
/// `registry` is live.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_registry_reload(
    registry: *const stellaops_key_registry,
) -> stellaops_status {
    guard(|| {
        // SAFETY: the caller promises a live registry or NULL.
        let r = unsafe { handle(registry, "registry") }?;
        r.registry.reload().map_err(stellaops_signer::Error::from)?;
        Ok(())
    })
}

/// Free a registry (NULL is a no-op). Keys it handed out stay usable.
///
/// # Safety
/// `registry` is NULL or a live registry from this library, not used by any thread after this
/// call.
#[no_mangle]
pub unsafe extern "C" fn stellaops_key_registry_free(registry: *mut stellaops_key_registry) {
    if !registry.is_null() {
        // SAFETY: the caller promises a live registry made by Box::into_raw in this library and
        // no further use.
        drop(unsafe { Box::from_raw(registry) });
    }
}
