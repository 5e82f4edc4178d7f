//! Base64 as DSSE envelopes carry it: read either alphabet, padded or not; write standard padded.

#[cfg(any(not(feature = "simd-base64"), test))]
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
#[cfg(any(not(feature = "simd-base64"), test))]
use base64::engine::DecodePaddingMode;
#[cfg(any(not(feature = "simd-base64"), test))]
use base64::{alphabet, Engine};

use crate::{Error, Result};

#[cfg(any(not(feature = "simd-base64"), test))]
const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[cfg(any(not(feature = "simd-base64"), test))]
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decode standard or URL-safe base64, padded or not. One alphabet per value: mixing `+` and `-`
/// is an error, as are whitespace and non-zero trailing bits.
#[cfg(not(feature = "simd-base64"))]
pub(crate) fn decode(field: &'static str, text: &str) -> Result<Vec<u8>> {
    STANDARD_ANY_PAD
        .decode(text)
        .or_else(|_| URL_SAFE_ANY_PAD.decode(text))
        .map_err(|_| Error::InvalidBase64(field))
}

/// Standard alphabet with padding, what securesystemslib, cosign and go-securesystemslib write.
#[cfg(not(feature = "simd-base64"))]
pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// As the portable `decode`, with `base64-simd` (feature `simd-base64`): the same acceptance,
/// checked against the `base64` crate by a property test.
#[cfg(feature = "simd-base64")]
pub(crate) fn decode(field: &'static str, text: &str) -> Result<Vec<u8>> {
    use base64_simd::{STANDARD as S, STANDARD_NO_PAD as SN, URL_SAFE as U, URL_SAFE_NO_PAD as UN};
    let (standard, url) = if text.ends_with('=') {
        (S, U)
    } else {
        (SN, UN)
    };
    standard
        .decode_to_vec(text)
        .or_else(|_| url.decode_to_vec(text))
        .map_err(|_| Error::InvalidBase64(field))
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
    fn trailing_bits_and_mixed_alphabets_are_refused() {
        for bad in ["QR==", "QUJ=", "ab+-", "ab c", "a===", "===="] {
            assert_eq!(decode("t", bad).ok(), decode_portable(bad), "{bad}");
            assert!(decode("t", bad).is_err(), "{bad}");
        }
    }
}

/// Upper bound of the decoded size of `len` base64 characters.
pub(crate) fn decoded_len_bound(len: usize) -> usize {
    len / 4 * 3 + 3
}
