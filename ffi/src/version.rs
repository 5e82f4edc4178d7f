//! Library and ABI versions.

use std::ffi::c_char;

/// The ABI version this header describes. It grows by one whenever functions, constants or codes
/// are added; nothing published is ever removed or changed. A caller compiled against version N
/// works with any library whose `stellaops_abi_version()` is at least N, and should refuse a
/// smaller one.
pub const STELLAOPS_SIGNER_ABI_VERSION: u32 = 8;

/// Major version of the library this header came from (semantic versioning).
pub const STELLAOPS_SIGNER_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header came from.
pub const STELLAOPS_SIGNER_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header came from.
pub const STELLAOPS_SIGNER_VERSION_PATCH: u32 = 0;

/// The ABI version of the loaded library (see `STELLAOPS_SIGNER_ABI_VERSION`).
#[no_mangle]
pub extern "C" fn stellaops_abi_version() -> u32 {
    STELLAOPS_SIGNER_ABI_VERSION
}

/// The library's version, e.g. `"0.1.0"`: a static string, never freed.
#[no_mangle]
pub extern "C" fn stellaops_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rustls-ffi once shipped version macros that disagreed with its Cargo.toml.
    #[test]
    fn version_constants_match_cargo() {
        let parse = |s: &str| s.parse::<u32>().unwrap();
        assert_eq!(
            STELLAOPS_SIGNER_VERSION_MAJOR,
            parse(env!("CARGO_PKG_VERSION_MAJOR"))
        );
        assert_eq!(
            STELLAOPS_SIGNER_VERSION_MINOR,
            parse(env!("CARGO_PKG_VERSION_MINOR"))
        );
        assert_eq!(
            STELLAOPS_SIGNER_VERSION_PATCH,
            parse(env!("CARGO_PKG_VERSION_PATCH"))
        );
        // SAFETY: a static NUL-terminated string.
        let runtime = unsafe { std::ffi::CStr::from_ptr(stellaops_version()) };
        assert_eq!(runtime.to_str(), Ok(env!("CARGO_PKG_VERSION")));
        assert_eq!(stellaops_abi_version(), STELLAOPS_SIGNER_ABI_VERSION);
    }
}
