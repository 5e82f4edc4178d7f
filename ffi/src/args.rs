//! Turning C arguments (pointer + length pairs, handles, out-parameters) into Rust values, with
//! every check the header promises: NULL, length, UTF-8.

use std::ffi::c_char;

use crate::guard::Failure;
use crate::status::stellaops_status;

/// Bytes from a pointer + length pair. A zero length is the empty slice whatever the pointer
/// (NULL included); otherwise NULL is an error.
///
/// # Safety
/// When `len > 0` and `ptr` is not NULL, `ptr` must point to `len` readable bytes that stay
/// unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len > isize::MAX as usize {
        return Err(Failure::invalid(format!(
            "{what}: length {len} is impossible"
        )));
    }
    // SAFETY: ptr is non-NULL, len is within isize::MAX, and the caller promises len readable
    // bytes that stay unchanged for 'a.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// As [`bytes`], refusing the empty input.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn nonempty_bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Err(Failure::invalid(format!("{what} is empty")));
    }
    // SAFETY: forwarded from the caller.
    unsafe { bytes(ptr, len, what) }
}

/// UTF-8 text from a pointer + length pair (not NUL-terminated; a NUL byte is just a byte).
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, Failure> {
    // SAFETY: forwarded from the caller.
    let raw = unsafe { bytes(ptr.cast(), len, what) }?;
    std::str::from_utf8(raw).map_err(|e| {
        Failure::new(
            stellaops_status::InvalidUtf8Argument,
            format!("{what} is not valid utf-8 (at byte {})", e.valid_up_to()),
        )
    })
}

/// Optional text: NULL with length 0 means "not given".
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    unsafe { text(ptr, len, what) }.map(Some)
}

/// Optional bytes: NULL with length 0 means "not given".
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn optional_bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<Option<&'a [u8]>, Failure> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    unsafe { bytes(ptr, len, what) }.map(Some)
}

/// A handle the library made, borrowed.
///
/// # Safety
/// A non-NULL `ptr` must come from this library's matching `_new`/`_from_*` function and not have
/// been freed; it stays valid for `'a`.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller promises a live handle of this type when non-NULL.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(what))
}

/// An array of handles: pointer + count, no element NULL.
///
/// # Safety
/// When `len > 0`, `ptr` must point to `len` readable pointers, each satisfying [`handle`].
pub(crate) unsafe fn handles<'a, T>(
    ptr: *const *const T,
    len: usize,
    what: &str,
) -> Result<Vec<&'a T>, Failure> {
    if len == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len > isize::MAX as usize / std::mem::size_of::<*const T>() {
        return Err(Failure::invalid(format!(
            "{what}: count {len} is impossible"
        )));
    }
    // SAFETY: ptr is non-NULL and the caller promises len readable pointers.
    let pointers = unsafe { std::slice::from_raw_parts(ptr, len) };
    pointers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // SAFETY: the caller promises each element is a live handle or NULL.
            unsafe { handle(*p, &format!("{what}[{i}]")) }
        })
        .collect()
}

/// An array of C structs: pointer + count.
///
/// # Safety
/// When `len > 0`, `ptr` must point to `len` readable, initialised `T`.
pub(crate) unsafe fn array<'a, T>(
    ptr: *const T,
    len: usize,
    what: &str,
) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(Failure::invalid(format!(
            "{what}: count {len} is impossible"
        )));
    }
    // SAFETY: ptr is non-NULL, the size fits isize, and the caller promises len initialised T.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An out-parameter, checked for NULL before any work is done; written with [`Out::write`]
/// only when the call succeeds.
#[derive(Debug)]
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Check `ptr`.
    pub(crate) fn new(ptr: *mut T, what: &str) -> Result<Self, Failure> {
        if ptr.is_null() {
            Err(Failure::null(what))
        } else {
            Ok(Out(ptr))
        }
    }

    /// An optional out-parameter: NULL means "not wanted".
    pub(crate) fn optional(ptr: *mut T) -> Option<Self> {
        (!ptr.is_null()).then_some(Out(ptr))
    }

    /// Store `value`, without reading or dropping what the caller's memory held before.
    ///
    /// # Safety
    /// The pointer given to [`Out::new`] must be valid for a write of `T` and suitably aligned.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: non-NULL (checked in new); the caller promises validity and alignment.
        unsafe { self.0.write(value) }
    }
}
