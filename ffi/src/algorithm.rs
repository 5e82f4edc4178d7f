//! Algorithm numbers.

use std::ffi::c_char;

use stellaops_signer::Algorithm;

use crate::args::{text, Out};
use crate::guard::{guard, Failure};
use crate::status::stellaops_status;

/// A signature algorithm, as one of the `STELLAOPS_ALGORITHM_*` numbers.
pub type stellaops_algorithm = u32;

/// No single algorithm: an RSA public key loaded without one verifies both RSA-PSS-SHA256 and
/// RSA-PKCS1-SHA256.
pub const STELLAOPS_ALGORITHM_UNSPECIFIED: stellaops_algorithm = 0;
/// ECDSA P-256 with SHA-256 (`es256`), DER signatures.
pub const STELLAOPS_ALGORITHM_ES256: stellaops_algorithm = 1;
/// ECDSA P-384 with SHA-384 (`es384`), DER signatures.
pub const STELLAOPS_ALGORITHM_ES384: stellaops_algorithm = 2;
/// Ed25519 (`ed25519`).
pub const STELLAOPS_ALGORITHM_ED25519: stellaops_algorithm = 3;
/// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (`rsa-pss-sha256`).
pub const STELLAOPS_ALGORITHM_RSA_PSS_SHA256: stellaops_algorithm = 4;
/// RSASSA-PKCS1-v1_5 with SHA-256 (`rsa-pkcs1-sha256`).
pub const STELLAOPS_ALGORITHM_RSA_PKCS1_SHA256: stellaops_algorithm = 5;
/// An algorithm the library does not implement, signed by a key from
/// `stellaops_key_from_callbacks` or verified through a `stellaops_verifier_registry`. No
/// function takes it as an input.
pub const STELLAOPS_ALGORITHM_EXTERNAL: stellaops_algorithm = 100;

pub(crate) fn to_number(algorithm: Algorithm) -> stellaops_algorithm {
    match algorithm {
        Algorithm::EcdsaP256Sha256 => STELLAOPS_ALGORITHM_ES256,
        Algorithm::EcdsaP384Sha384 => STELLAOPS_ALGORITHM_ES384,
        Algorithm::Ed25519 => STELLAOPS_ALGORITHM_ED25519,
        Algorithm::RsaPssSha256 => STELLAOPS_ALGORITHM_RSA_PSS_SHA256,
        Algorithm::RsaPkcs1Sha256 => STELLAOPS_ALGORITHM_RSA_PKCS1_SHA256,
        Algorithm::External(_) => STELLAOPS_ALGORITHM_EXTERNAL,
        _ => STELLAOPS_ALGORITHM_UNSPECIFIED,
    }
}

pub(crate) fn from_number(number: stellaops_algorithm) -> Result<Algorithm, Failure> {
    Algorithm::ALL
        .iter()
        .copied()
        .find(|a| to_number(*a) == number)
        .ok_or_else(|| {
            Failure::new(
                stellaops_status::UnknownAlgorithm,
                format!("unknown algorithm number {number}"),
            )
        })
}

/// The short name of an algorithm (`"es256"`, `"ed25519"`, `"rsa-pss-sha256"`, ...): a static
/// string, never freed; NULL for a number that names no algorithm.
#[no_mangle]
pub extern "C" fn stellaops_algorithm_name(algorithm: stellaops_algorithm) -> *const c_char {
    match from_number(algorithm) {
        Ok(Algorithm::EcdsaP256Sha256) => c"es256".as_ptr(),
        Ok(Algorithm::EcdsaP384Sha384) => c"es384".as_ptr(),
        Ok(Algorithm::Ed25519) => c"ed25519".as_ptr(),
        Ok(Algorithm::RsaPssSha256) => c"rsa-pss-sha256".as_ptr(),
        Ok(Algorithm::RsaPkcs1Sha256) => c"rsa-pkcs1-sha256".as_ptr(),
        _ => std::ptr::null(),
    }
}

/// The algorithm a short name (as `stellaops_algorithm_name` gives) or JOSE name (`ES256`,
/// `EdDSA`, `PS256`, ...) stands for.
///
/// Errors: NULL_POINTER, INVALID_UTF8_ARGUMENT, UNKNOWN_ALGORITHM.
///
/// # Safety
/// `name` points to `name_len` readable bytes; `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_algorithm_from_name(
    name: *const c_char,
    name_len: usize,
    out: *mut stellaops_algorithm,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises name_len readable bytes.
        let name = unsafe { text(name, name_len, "name") }?;
        let algorithm: Algorithm = name.parse()?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(to_number(algorithm)) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_names_match_the_crate() {
        for algorithm in Algorithm::ALL {
            let number = to_number(algorithm);
            assert_ne!(number, STELLAOPS_ALGORITHM_UNSPECIFIED);
            assert_eq!(from_number(number).ok(), Some(algorithm));
            // SAFETY: a static NUL-terminated string for a known number.
            let name = unsafe { std::ffi::CStr::from_ptr(stellaops_algorithm_name(number)) };
            assert_eq!(name.to_str(), Ok(algorithm.name()));
        }
        assert!(stellaops_algorithm_name(0).is_null());
        assert!(stellaops_algorithm_name(99).is_null());
    }
}
