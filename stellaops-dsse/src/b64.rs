//! Base64 as DSSE envelopes carry it: read either alphabet, padded or not; write standard padded.

#[cfg(any(not(feature = "simd-base64"), test))]
use base64::engine::general_purpose::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};

use crate::{Error, Result};

const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decode standard or URL-safe base64, padded or not. One alphabet per value: mixing `+` and `-`
/// is an error, as are whitespace and non-zero trailing bits.
pub(crate) fn decode(field: &'static str, text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    decode_append(field, text, &mut out)?;
    Ok(out)
}

/// Standard alphabet with padding, what securesystemslib, cosign and go-securesystemslib write.
#[cfg(not(feature = "simd-base64"))]
pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// As the portable `encode`, with `base64-simd`.
#[cfg(feature = "simd-base64")]
pub(crate) fn encode(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// The portable decoder, for the property test that holds the SIMD one to the same answers.
#[cfg(all(test, feature = "simd-base64"))]
fn decode_portable(text: &str) -> Option<Vec<u8>> {
    STANDARD_ANY_PAD
        .decode(text)
        .or_else(|_| URL_SAFE_ANY_PAD.decode(text))
        .ok()
}

#[cfg(all(test, feature = "simd-base64"))]
mod simd_tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn simd_encoding_is_byte_identical(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(encode(&bytes), STANDARD.encode(&bytes));
        }

        #[test]
        fn simd_decoding_accepts_and_rejects_the_same_text(text in "[A-Za-z0-9+/=_ -]{0,40}") {
            prop_assert_eq!(decode("t", &text).ok(), decode_portable(&text));
        }

        #[test]
        fn simd_decoding_round_trips_every_form(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            for text in [
                STANDARD.encode(&bytes),
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes),
                base64::engine::general_purpose::URL_SAFE.encode(&bytes),
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes),
            ] {
                prop_assert_eq!(decode("t", &text).ok(), Some(bytes.clone()));
            }
        }
    }

    #[test]
    fn odd_padding_is_judged_as_the_base64_crate_judges_it() {
        for text in ["_Q=", "QQ=", "QUI"] {
            assert_eq!(decode("t", text).ok(), decode_portable(text), "{text}");
        }
    }

    #[test]
    fn trailing_bits_and_mixed_alphabets_are_refused() {
        for bad in ["QR==", "QUJ=", "ab+-", "ab c", "a===", "===="] {
            assert_eq!(decode("t", bad).ok(), decode_portable(bad), "{bad}");
            assert!(decode("t", bad).is_err(), "{bad}");
        }
    }
}

/// Decode `text` as [`decode`] does, appending the bytes to `out`; on error `out` is unchanged.
///
/// # Errors
/// [`Error::InvalidBase64`] naming `field`.
#[cfg(not(feature = "simd-base64"))]
pub(crate) fn decode_append(field: &'static str, text: &str, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    if STANDARD_ANY_PAD.decode_vec(text, out).is_ok() {
        return Ok(());
    }
    out.truncate(start);
    URL_SAFE_ANY_PAD.decode_vec(text, out).map_err(|_| {
        out.truncate(start);
        Error::InvalidBase64(field)
    })
}

/// As the portable `decode_append`, with `base64-simd` (feature `simd-base64`): the same
/// acceptance, checked against the `base64` crate by a property test.
///
/// # Errors
/// [`Error::InvalidBase64`] naming `field`.
#[cfg(feature = "simd-base64")]
pub(crate) fn decode_append(field: &'static str, text: &str, out: &mut Vec<u8>) -> Result<()> {
    use base64_simd::{STANDARD as S, STANDARD_NO_PAD as SN, URL_SAFE as U, URL_SAFE_NO_PAD as UN};
    let (standard, url) = if text.ends_with('=') {
        (S, U)
    } else {
        (SN, UN)
    };
    let start = out.len();
    if standard.decode_append(text, out).is_ok() {
        return Ok(());
    }
    out.truncate(start);
    if url.decode_append(text, out).is_ok() {
        return Ok(());
    }
    // base64-simd is stricter about odd padding (e.g. "_Q="); the base64 crate has the last word
    // on anything SIMD refuses, so both builds accept exactly the same text (property-tested).
    out.truncate(start);
    if STANDARD_ANY_PAD.decode_vec(text, out).is_ok() {
        return Ok(());
    }
    out.truncate(start);
    URL_SAFE_ANY_PAD.decode_vec(text, out).map_err(|_| {
        out.truncate(start);
        Error::InvalidBase64(field)
    })
}

/// The exact decoded size of well-formed base64 `text` (either alphabet, padded or not), `None`
/// when no base64 text has that length. Malformed text of a plausible length is caught by the
/// decoder, which must then produce exactly this many bytes.
pub(crate) fn decoded_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let padding = bytes
        .iter()
        .rev()
        .take(2)
        .take_while(|&&c| c == b'=')
        .count();
    let n = bytes.len() - padding;
    let whole = n / 4 * 3;
    match n % 4 {
        0 => Some(whole),
        2 => Some(whole + 1),
        3 => Some(whole + 2),
        _ => None,
    }
}

/// Upper bound of the decoded size of `len` base64 characters.
pub(crate) fn decoded_len_bound(len: usize) -> usize {
    len / 4 * 3 + 3
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    #[test]
    fn decoded_len_is_exact_for_every_form_and_length() {
        use base64::engine::general_purpose as gp;
        for len in 0..200usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            for text in [
                gp::STANDARD.encode(&bytes),
                gp::STANDARD_NO_PAD.encode(&bytes),
                gp::URL_SAFE.encode(&bytes),
                gp::URL_SAFE_NO_PAD.encode(&bytes),
            ] {
                assert_eq!(decoded_len(&text), Some(len), "{text}");
                let mut out = b"prefix".to_vec();
                decode_append("t", &text, &mut out).unwrap();
                assert_eq!(&out[6..], &bytes[..]);
            }
        }
        assert_eq!(decoded_len("A"), None);
        assert_eq!(decoded_len("AAAAA"), None);
        let mut out = b"keep".to_vec();
        assert!(decode_append("t", "ab+-", &mut out).is_err());
        assert_eq!(out, b"keep", "a failed decode leaves the buffer as it was");
    }
}
