//! The one buffer type the library hands out.

use zeroize::Zeroize;

/// Bytes the library allocated for you: `len` bytes at `data` (`data` is NULL when `len` is 0).
/// Not NUL-terminated. Free it with `stellaops_buffer_free` and nothing else.
///
/// Owned by the caller after a successful call; on failure the library does not touch it.
#[repr(C)]
#[derive(Debug)]
pub struct stellaops_buffer {
    /// The bytes.
    pub data: *mut u8,
    /// How many.
    pub len: usize,
}

impl stellaops_buffer {
    pub(crate) fn from_bytes(bytes: Vec<u8>) -> Self {
        if bytes.is_empty() {
            return stellaops_buffer {
                data: std::ptr::null_mut(),
                len: 0,
            };
        }
        let boxed = bytes.into_boxed_slice();
        let len = boxed.len();
        stellaops_buffer {
            data: Box::into_raw(boxed).cast::<u8>(),
            len,
        }
    }

    /// Copy secret bytes into an allocation of exactly their size, so no reallocation leaves an
    /// unzeroized copy behind.
    pub(crate) fn from_secret(secret: &[u8]) -> Self {
        if secret.is_empty() {
            return Self::from_bytes(Vec::new());
        }
        let boxed: Box<[u8]> = Box::from(secret);
        let len = boxed.len();
        stellaops_buffer {
            data: Box::into_raw(boxed).cast::<u8>(),
            len,
        }
    }
}

/// Zero and free a buffer the library returned, then set it to `{NULL, 0}`. NULL `buffer`, an
/// already freed (zeroed) buffer and an empty buffer are fine. Every buffer is zeroed before
/// it is freed, so exported private keys do not linger in freed memory.
///
/// # Safety
/// `buffer` is NULL or points to a `stellaops_buffer` that this library filled and that has not
/// been freed since (or was reset to `{NULL, 0}`).
#[no_mangle]
pub unsafe extern "C" fn stellaops_buffer_free(buffer: *mut stellaops_buffer) {
    // SAFETY: the caller promises NULL or a valid, library-filled buffer.
    let Some(buffer) = (unsafe { buffer.as_mut() }) else {
        return;
    };
    if !buffer.data.is_null() && buffer.len > 0 {
        let slice = std::ptr::slice_from_raw_parts_mut(buffer.data, buffer.len);
        // SAFETY: data/len came from Box::into_raw of a Box<[u8]> of exactly len bytes, and the
        // caller promises it has not been freed.
        let mut boxed = unsafe { Box::from_raw(slice) };
        boxed.zeroize();
    }
    buffer.data = std::ptr::null_mut();
    buffer.len = 0;
}
