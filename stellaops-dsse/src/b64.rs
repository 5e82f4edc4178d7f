//! Base64 as DSSE envelopes carry it: read either alphabet, padded or not; write standard padded.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
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
    STANDARD_ANY_PAD
        .decode(text)
        .or_else(|_| URL_SAFE_ANY_PAD.decode(text))
        .map_err(|_| Error::InvalidBase64(field))
}

/// Standard alphabet with padding, what securesystemslib, cosign and go-securesystemslib write.
pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Upper bound of the decoded size of `len` base64 characters.
pub(crate) fn decoded_len_bound(len: usize) -> usize {
    len / 4 * 3 + 3
}
