//! Canonical JSON.

use stellaops_signer::canon::{canonicalize, Limits, Mode};

use crate::args::{bytes, Out};
use crate::buffer::stellaops_buffer;
use crate::guard::{guard, Failure};
use crate::status::stellaops_status;

/// A canonical JSON form.
pub type stellaops_canon_mode = u32;
/// RFC 8785 JSON Canonicalization Scheme (floats allowed, ECMAScript number form).
pub const STELLAOPS_CANON_JCS: stellaops_canon_mode = 1;
/// OLPC canonical JSON, as securesystemslib and TUF use (integers only).
pub const STELLAOPS_CANON_OLPC: stellaops_canon_mode = 2;

/// Parse `input` strictly (at most 64 MiB, nesting at most 128; duplicate keys, invalid UTF-8
/// and lone surrogates are errors) and write its canonical form.
///
/// Errors: NULL_POINTER, INVALID_ARGUMENT (unknown mode), TOO_LARGE, TOO_DEEP, DUPLICATE_KEY,
/// MALFORMED_JSON (including empty input), INVALID_UNICODE, NUMBER_OUT_OF_RANGE, FLOAT_IN_OLPC.
///
/// # Safety
/// `input` points to `input_len` bytes (or is NULL with 0); `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn stellaops_canonicalize(
    input: *const u8,
    input_len: usize,
    mode: stellaops_canon_mode,
    out: *mut stellaops_buffer,
) -> stellaops_status {
    guard(|| {
        let out = Out::new(out, "out")?;
        // SAFETY: the caller promises input_len readable bytes.
        let input = unsafe { bytes(input, input_len, "input") }?;
        let mode = match mode {
            STELLAOPS_CANON_JCS => Mode::Jcs,
            STELLAOPS_CANON_OLPC => Mode::Olpc,
            other => return Err(Failure::invalid(format!("unknown canonical mode {other}"))),
        };
        let canonical = canonicalize(input, mode, &Limits::default())?;
        // SAFETY: out was checked non-NULL; the caller promises it is writable.
        unsafe { out.write(stellaops_buffer::from_bytes(canonical)) };
        Ok(())
    })
}
