//! The predicate-type catalog.

use std::ffi::c_char;

use stellaops_signer::catalog::{self, Family};

use crate::args::{text, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::guard;
use crate::status::stellaops_status;

/// The family of a predicate type (`STELLAOPS_FAMILY_*`).
pub type stellaops_family = u32;
/// Not in the catalog.
pub const STELLAOPS_FAMILY_NONE: stellaops_family = 0;
/// SBOMs (SPDX, CycloneDX, StellaOps SBOM).
pub const STELLAOPS_FAMILY_SBOM: stellaops_family = 1;
/// VEX statements and decisions.
pub const STELLAOPS_FAMILY_VEX: stellaops_family = 2;
/// Reachability evidence.
pub const STELLAOPS_FAMILY_REACHABILITY: stellaops_family = 3;
/// Build provenance (SLSA).
pub const STELLAOPS_FAMILY_PROVENANCE: stellaops_family = 4;
/// Policy evaluations.
pub const STELLAOPS_FAMILY_POLICY: stellaops_family = 5;
/// Evidence bundles.
pub const STELLAOPS_FAMILY_EVIDENCE: stellaops_family = 6;
/// Promotions between environments.
pub const STELLAOPS_FAMILY_PROMOTION: stellaops_family = 7;
/// Replay manifests.
pub const STELLAOPS_FAMILY_REPLAY: stellaops_family = 8;
/// in-toto links.
pub const STELLAOPS_FAMILY_LINK: stellaops_family = 9;

/// Flag: the type is VEX-related.
pub const STELLAOPS_PREDICATE_VEX_RELATED: u32 = 1;
/// Flag: the type is reachability-related.
pub const STELLAOPS_PREDICATE_REACHABILITY_RELATED: u32 = 2;
/// Flag: the type is an SBOM.
pub const STELLAOPS_PREDICATE_SBOM: u32 = 4;
/// Flag: the type is on the default allow-list (the catalog).
pub const STELLAOPS_PREDICATE_ALLOWED: u32 = 8;

fn family_number(family: Option<Family>) -> stellaops_family {
    match family {
        None => STELLAOPS_FAMILY_NONE,
        Some(Family::Sbom) => STELLAOPS_FAMILY_SBOM,
        Some(Family::Vex) => STELLAOPS_FAMILY_VEX,
        Some(Family::Reachability) => STELLAOPS_FAMILY_REACHABILITY,
        Some(Family::Provenance) => STELLAOPS_FAMILY_PROVENANCE,
        Some(Family::Policy) => STELLAOPS_FAMILY_POLICY,
        Some(Family::Evidence) => STELLAOPS_FAMILY_EVIDENCE,
        Some(Family::Promotion) => STELLAOPS_FAMILY_PROMOTION,
        Some(Family::Replay) => STELLAOPS_FAMILY_REPLAY,
        Some(Family::Link) => STELLAOPS_FAMILY_LINK,
        // A family added to the catalog before it gets a number here reads as uncatalogued.
        Some(_) => STELLAOPS_FAMILY_NONE,
    }
}

/// Resolve a catalog short name or alias (`sbom`, `vex`, `cyclonedx`, `slsa-provenance`, ...)
/// to its predicate-type URI; a URI (anything with `/` or `:`) comes back unchanged.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, UNKNOWN_PREDICATE_TYPE.
///
/// # Safety
/// `name` points to `name_len` bytes; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_predicate_type_resolve(
    name: *const c_char,
    name_len: usize,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises name_len readable bytes.
        let name = unsafe { text(name, name_len, "name") }?;
        let uri = catalog::resolve(name)?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(uri.into_bytes())) };
        Ok(())
    })
}

/// Classify a predicate-type URI: its family (`STELLAOPS_FAMILY_NONE` when uncatalogued) and
/// `STELLAOPS_PREDICATE_*` flags (VEX-related, reachability-related, SBOM, allowed by default).
/// An unknown URI is not an error: it has family NONE and no flags.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT.
///
/// # Safety
/// `uri` points to `uri_len` bytes; `out_family` and `out_flags` are writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_predicate_type_classify(
    uri: *const c_char,
    uri_len: usize,
    out_family: *mut stellaops_family,
    out_flags: *mut u32,
) -> stellaops_status {
    guard(|| {
        let out_family = Out::new(out_family, "out_family")?;
        let out_flags = Out::new(out_flags, "out_flags")?;
        // SAFETY: the caller promises uri_len readable bytes.
        let uri = unsafe { text(uri, uri_len, "uri") }?;
        let mut flags = 0;
        for (set, flag) in [
            (
                catalog::is_vex_related(uri),
                STELLAOPS_PREDICATE_VEX_RELATED,
            ),
            (
                catalog::is_reachability_related(uri),
                STELLAOPS_PREDICATE_REACHABILITY_RELATED,
            ),
            (catalog::is_sbom(uri), STELLAOPS_PREDICATE_SBOM),
            (
                catalog::is_allowed_predicate_type(uri),
                STELLAOPS_PREDICATE_ALLOWED,
            ),
        ] {
            if set {
                flags |= flag;
            }
        }
        // SAFETY: both were checked non-NULL; the caller promises they are writable.
        unsafe {
            out_family.write(family_number(catalog::family(uri)));
            out_flags.write(flags);
        }
        Ok(())
    })
}
