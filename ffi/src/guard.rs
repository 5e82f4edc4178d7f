//! The panic boundary every entry point runs inside, and the per-thread last error.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::status::stellaops_status;

/// Why a call failed: the status it returns and the message `stellaops_last_error_message`
/// gives.
#[derive(Debug)]
pub(crate) struct Failure {
    status: stellaops_status,
    message: String,
}

impl Failure {
    pub(crate) fn new(status: stellaops_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn null(what: &str) -> Self {
        Failure::new(stellaops_status::NullPointer, format!("{what} is NULL"))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Failure::new(stellaops_status::InvalidArgument, message)
    }
}

/// Any library error (the facade's or one of its crates'), by its stable code.
impl<E: Into<stellaops_signer::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let e = e.into();
        Failure::new(e.code().into(), e.to_string())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_last_error(message: &str) {
    // Interior NULs cannot be represented in a C string; they are replaced, not truncated at.
    let text = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    // try_with: during thread teardown the slot may be gone; losing a message beats aborting.
    let _ = LAST_ERROR.try_with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = text;
        }
    });
}

/// Run one entry point's body: clear the last error, catch any panic, turn the outcome into a
/// status and record the message of a failure.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> stellaops_status {
    set_last_error("");
    // AssertUnwindSafe: handles are immutable after creation and out-parameters are written
    // only after the work succeeded, so a panic leaves nothing half-changed for the caller.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => stellaops_status::Ok,
        Ok(Err(failure)) => {
            set_last_error(&failure.message);
            failure.status
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            set_last_error(&format!(
                "internal error (a bug in stellaops-signer, please report it): {what}"
            ));
            stellaops_status::Panic
        }
    }
}

/// The message of the last failed call on this thread, or `""` after a successful call.
///
/// The string is owned by the library and stays valid until the next call into the library
/// on the same thread; copy it if you need it longer. Never NULL. Messages are for people and
/// logs: branch on the status code, not on the text.
#[no_mangle]
pub extern "C" fn stellaops_last_error_message() -> *const c_char {
    LAST_ERROR
        .try_with(|cell| cell.try_borrow().map(|s| s.as_ptr()).ok())
        .ok()
        .flatten()
        .unwrap_or(c"".as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> String {
        // SAFETY: the pointer is a NUL-terminated string valid until the next call on this thread.
        unsafe { std::ffi::CStr::from_ptr(stellaops_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = guard(|| panic!("boom"));
        assert_eq!(status, stellaops_status::Panic);
        assert!(last().contains("boom"), "{}", last());
        let status = guard(|| std::panic::panic_any(42_u8));
        assert_eq!(status, stellaops_status::Panic);
        assert!(last().contains("unknown panic"));
    }

    #[test]
    fn success_clears_the_last_error() {
        assert_eq!(
            guard(|| Err(Failure::invalid("bad\0value"))),
            stellaops_status::InvalidArgument
        );
        assert_eq!(last(), "bad\u{FFFD}value");
        assert_eq!(guard(|| Ok(())), stellaops_status::Ok);
        assert_eq!(last(), "");
    }
}
