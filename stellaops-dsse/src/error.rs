//! The one error type of this crate.

/// Everything that can go wrong parsing, canonicalizing, signing or verifying.
///
/// Variants are stable; new ones may be added. Verification failures carry counts and types, never
/// which bytes were wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than the configured limit.
    #[error("input of {actual} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit.
        limit: usize,
        /// The input size.
        actual: usize,
    },
    /// Arrays/objects nest deeper than the configured limit.
    #[error("json nests deeper than the limit of {limit}")]
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
    /// An object has the same key twice.
    #[error("duplicate object key {0:?}")]
    DuplicateKey(String),
    /// The input is not valid UTF-8.
    #[error("input is not valid utf-8")]
    InvalidUtf8,
    /// A `\u` escape encodes a lone UTF-16 surrogate.
    #[error("string contains a lone utf-16 surrogate")]
    LoneSurrogate,
    /// A number is not finite, or (for JCS) an integer outside ±(2^53−1) that a double cannot hold
    /// exactly.
    #[error("number out of range: {0}")]
    NumberOutOfRange(String),
    /// OLPC canonical JSON has no floating-point numbers.
    #[error("floating-point numbers are not allowed in olpc canonical json: {0}")]
    FloatInOlpc(f64),
    /// Malformed JSON.
    #[error("malformed json: {0}")]
    Syntax(#[source] stellaops_crypto::Cause),
    /// A required envelope or statement field is missing or has the wrong JSON type.
    #[error("field {field:?}: {problem}")]
    Field {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A field is not valid base64 (standard or URL-safe, padded or not).
    #[error("field {0:?} is not valid base64")]
    InvalidBase64(&'static str),
    /// The envelope has more signatures than the configured limit.
    #[error("{found} signatures exceed the limit of {limit}")]
    TooManySignatures {
        /// The configured limit.
        limit: usize,
        /// How many the envelope has.
        found: usize,
    },
    /// Signing was asked for with no keys.
    #[error("no signing keys given")]
    NoSigningKeys,
    /// A signing key failed.
    #[error("signing with key {key_id} failed: {source}")]
    Signing {
        /// The key that failed.
        key_id: String,
        /// Why.
        #[source]
        source: stellaops_crypto::Error,
    },
    /// The verification policy is unusable (no keys, threshold 0 or above the number of keys).
    #[error("invalid verification policy: {0}")]
    InvalidPolicy(&'static str),
    /// The envelope's payloadType is not the expected one.
    #[error("payload type {found:?} is not the expected {expected:?}")]
    PayloadTypeMismatch {
        /// What the policy expects.
        expected: String,
        /// What the envelope says.
        found: String,
    },
    /// Fewer distinct trusted keys verified than the threshold requires.
    #[error("signature verification failed: {verified} of the required {required} trusted keys verified")]
    VerificationFailed {
        /// Distinct trusted keys whose signature verified.
        verified: usize,
        /// The policy's threshold.
        required: usize,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
