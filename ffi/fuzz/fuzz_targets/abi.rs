//! The C ABI's parsers called through the C ABI: `stellaops_pae`, `stellaops_canonicalize` (both
//! modes), `stellaops_verify` (envelope parsing), `stellaops_verifying_key_from_bytes` and
//! `stellaops_trusted_root_from_json`. Every call returns a status, never unwinds or aborts, and
//! what it returns is freed with the library's own functions (ASan and LeakSanitizer watch).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stellaops_signer_ffi::*;

/// One verifying key per process (a C caller's long-lived handle).
struct Key(*mut stellaops_verifying_key);
// SAFETY: handles are immutable and shareable between threads (the header's promise).
unsafe impl Send for Key {}
// SAFETY: as above.
unsafe impl Sync for Key {}

fn key() -> *const stellaops_verifying_key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut signing: *mut stellaops_key = std::ptr::null_mut();
        let mut public: *mut stellaops_verifying_key = std::ptr::null_mut();
        // SAFETY: both out-pointers are valid; the signing key is freed right after use.
        unsafe {
            assert_eq!(
                stellaops_key_generate(STELLAOPS_ALGORITHM_ES256, &mut signing),
                stellaops_status::Ok
            );
            assert_eq!(
                stellaops_key_public_key(signing, &mut public),
                stellaops_status::Ok
            );
            stellaops_key_free(signing);
        }
        Key(public)
    })
    .0
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(
        data.len()
            .min(1 + data.first().copied().unwrap_or(0) as usize % 64),
    );
    let mut buffer = stellaops_buffer {
        data: std::ptr::null_mut(),
        len: 0,
    };
    let ok = stellaops_status::Ok;
    // SAFETY: every pointer/length pair below describes a live slice; out-parameters are valid;
    // results are freed once, with the library's functions.
    unsafe {
        let status = stellaops_pae(
            head.as_ptr().cast(),
            head.len(),
            body.as_ptr(),
            body.len(),
            &mut buffer,
        );
        if status == ok {
            assert_eq!(
                buffer.len,
                6 + 2
                    + head.len().to_string().len()
                    + head.len()
                    + 1
                    + body.len().to_string().len()
                    + body.len()
                    + 1
            );
        }
        stellaops_buffer_free(&mut buffer);
        for mode in [STELLAOPS_CANON_JCS, STELLAOPS_CANON_OLPC, 0] {
            let status = stellaops_canonicalize(data.as_ptr(), data.len(), mode, &mut buffer);
            if mode == 0 {
                assert_eq!(
                    status,
                    stellaops_status::InvalidArgument,
                    "mode 0 is no mode"
                );
            }
            if status != ok {
                assert!(buffer.data.is_null(), "nothing is written on failure");
            }
            stellaops_buffer_free(&mut buffer);
        }
        let keys = [key()];
        let mut verification: *mut stellaops_verification = std::ptr::null_mut();
        let status = stellaops_verify(
            data.as_ptr(),
            data.len(),
            keys.as_ptr(),
            1,
            1,
            std::ptr::null(),
            0,
            &mut verification,
        );
        assert_ne!(status, ok, "nothing fuzzed is signed by this process's key");
        assert!(
            verification.is_null(),
            "out-parameters are written only on success"
        );
        let mut public: *mut stellaops_verifying_key = std::ptr::null_mut();
        if stellaops_verifying_key_from_bytes(data.as_ptr(), data.len(), &mut public) == ok {
            stellaops_verifying_key_free(public);
        }
        let mut root: *mut stellaops_trusted_root = std::ptr::null_mut();
        if stellaops_trusted_root_from_json(data.as_ptr(), data.len(), &mut root) == ok {
            stellaops_trusted_root_free(root);
        }
        // The thread's last error message is always a valid C string.
        let message = stellaops_last_error_message();
        assert!(!message.is_null());
        let _ = std::ffi::CStr::from_ptr(message);
    }
});
