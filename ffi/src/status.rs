//! The status code every entry point returns.

use std::collections::BTreeMap;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use stellaops_signer::ErrorCode;

/// What a call did: `STELLAOPS_STATUS_OK` (0) or why it failed; details are in
/// `stellaops_last_error_message()`.
///
/// The numbers are a promise: each keeps its meaning forever, and a retired number is never
/// reused. Ranges: 1xx your arguments, 2xx the input documents, 3xx keys and signing, 4xx
/// verification said no, 5xx predicate types, 6xx the environment, 9xx a bug in this library.
/// The Python and Node faces report the same numbers.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum stellaops_status {
    /// Success.
    Ok = 0,
    /// A required pointer argument is NULL.
    NullPointer = 100,
    /// A text argument is not valid UTF-8.
    InvalidUtf8Argument = 101,
    /// An argument is out of its domain: an unknown enumeration value, an empty input where one
    /// is required, a length above `PTRDIFF_MAX`.
    InvalidArgument = 102,
    /// The verification policy is unusable: no keys, or a threshold of 0 or above the number of
    /// keys.
    InvalidPolicy = 103,
    /// Signing was asked for with no keys.
    NoSigningKeys = 104,
    /// The input is larger than the limit.
    TooLarge = 200,
    /// JSON nests deeper than the limit.
    TooDeep = 201,
    /// A JSON object has the same key twice.
    DuplicateKey = 202,
    /// The input is not well-formed JSON.
    MalformedJson = 203,
    /// The JSON text is not valid UTF-8 or holds a lone UTF-16 surrogate.
    InvalidUnicode = 204,
    /// A number is not finite, or an integer a double cannot hold exactly (JCS).
    NumberOutOfRange = 205,
    /// OLPC canonical JSON has no floating-point numbers.
    FloatInOlpc = 206,
    /// An envelope field is missing or has the wrong JSON type.
    InvalidEnvelope = 207,
    /// A field is not valid base64.
    InvalidBase64 = 208,
    /// The envelope carries more signatures than the limit.
    TooManySignatures = 209,
    /// An in-toto statement is malformed (wrong `_type`, no subjects, a subject without digest).
    InvalidStatement = 210,
    /// A subject digest is malformed (not lowercase hex of the algorithm's length).
    InvalidDigest = 211,
    /// An export manifest is malformed (fields, order of paths, time).
    InvalidManifest = 212,
    /// A predicate does not follow its predicate type's JSON schema; the message names the field.
    InvalidPredicate = 213,
    /// A path or entry of an export cannot be exported (not a normalized relative path, listed
    /// twice, a special file, a refused symbolic link).
    InvalidExportEntry = 214,
    /// A Sigstore bundle is malformed or of a kind no verifier accepts.
    InvalidBundle = 215,
    /// A Sigstore trusted root is malformed or unusable.
    InvalidTrustedRoot = 216,
    /// Keyless signing: no OIDC identity token, an unreadable or expired one, or one from an
    /// issuer other than the configured.
    InvalidIdentityToken = 217,
    /// The algorithm is not one the library knows.
    UnknownAlgorithm = 300,
    /// The key type, curve, size or operation is not supported.
    UnsupportedKey = 301,
    /// The key cannot be used with the requested algorithm.
    AlgorithmMismatch = 302,
    /// The key bytes are not a key the library can read.
    MalformedKey = 303,
    /// The private key is encrypted and no passphrase was given.
    PassphraseRequired = 304,
    /// The passphrase does not decrypt the private key.
    WrongPassphrase = 305,
    /// The software signer failed.
    SigningFailed = 306,
    /// A key backend (HSM, KMS, device) failed.
    BackendFailed = 307,
    /// A key URI is malformed.
    InvalidKeyUri = 308,
    /// The key URI's backend is not compiled into this library.
    BackendUnavailable = 309,
    /// No key matches the URI (token object, KMS key, transit key).
    KeyNotFound = 310,
    /// More than one key or token matches the URI.
    AmbiguousKey = 311,
    /// The token rejected the PIN.
    WrongPin = 312,
    /// The token needs a PIN and none was given.
    PinRequired = 313,
    /// No token matches the URI, or it was removed.
    TokenAbsent = 314,
    /// The token or service cannot sign with the key's algorithm.
    MechanismUnsupported = 315,
    /// A remote key service answered with an error (unknown key, access denied).
    BackendRefused = 316,
    /// A remote key service could not be reached, or answered something unusable.
    BackendUnreachable = 317,
    /// Settings or credentials for a key backend are missing or wrong.
    BackendConfiguration = 318,
    /// The tenant key configuration file is invalid.
    InvalidKeyConfig = 319,
    /// The tenant has no active key for the request.
    NoActiveKey = 320,
    /// The key is revoked.
    KeyRevoked = 321,
    /// The key found is not the one the configuration pins.
    KeyIdMismatch = 322,
    /// The key's private half never leaves its backend.
    KeyNotExportable = 323,
    /// A signer made from callbacks failed, or returned an empty, oversized or invalid signature.
    CallerSignerFailed = 324,
    /// Fewer trusted keys verified than the threshold requires. Deliberately says nothing more.
    VerificationFailed = 400,
    /// The envelope's payload type is not the expected one.
    PayloadTypeMismatch = 401,
    /// An artifact matches no subject of the verified statement.
    ArtifactNotInSubjects = 402,
    /// The statement's subjects list no digest the library can compute.
    NoComparableDigest = 403,
    /// Artifacts were given but the payload is not an in-toto statement.
    NotAStatement = 404,
    /// The verified statement has another predicate type than the one required.
    PredicateTypeMismatch = 405,
    /// A signed export manifest and the files shipped with it disagree.
    ManifestMismatch = 406,
    /// The verified predicate does not say what was required.
    PredicateMismatch = 407,
    /// The export on disk differs from its signed manifest; the report names every file.
    ExportChanged = 408,
    /// A Sigstore bundle's certificate is not for the required identity or OIDC issuer.
    IdentityMismatch = 409,
    /// The artifact is not the one a Sigstore bundle signs.
    ArtifactMismatch = 410,
    /// An audit log's hash chain does not verify; the message names the first bad line.
    AuditChainBroken = 411,
    /// A short predicate name is not in the catalog.
    UnknownPredicateType = 500,
    /// The allow-list in reject mode refused the predicate type.
    PredicateNotAllowed = 501,
    /// Reading or writing a file failed.
    Io = 600,
    /// No home directory for the default key could be found.
    NoHome = 601,
    /// The signing pipeline's policy refused the request; the last error names the reason code.
    Denied = 700,
    /// The audit record could not be written; nothing was signed.
    AuditFailed = 701,
    /// The policy machinery failed or is misconfigured.
    PolicyFailed = 702,
    /// The library panicked; the call had no effect. A bug: please report it.
    Panic = 900,
    /// An error the library did not classify. A bug: please report it.
    Internal = 901,
}

impl From<ErrorCode> for stellaops_status {
    fn from(code: ErrorCode) -> Self {
        use stellaops_status as S;
        match code {
            ErrorCode::NullPointer => S::NullPointer,
            ErrorCode::InvalidUtf8Argument => S::InvalidUtf8Argument,
            ErrorCode::InvalidArgument => S::InvalidArgument,
            ErrorCode::InvalidPolicy => S::InvalidPolicy,
            ErrorCode::NoSigningKeys => S::NoSigningKeys,
            ErrorCode::TooLarge => S::TooLarge,
            ErrorCode::TooDeep => S::TooDeep,
            ErrorCode::DuplicateKey => S::DuplicateKey,
            ErrorCode::MalformedJson => S::MalformedJson,
            ErrorCode::InvalidUnicode => S::InvalidUnicode,
            ErrorCode::NumberOutOfRange => S::NumberOutOfRange,
            ErrorCode::FloatInOlpc => S::FloatInOlpc,
            ErrorCode::InvalidEnvelope => S::InvalidEnvelope,
            ErrorCode::InvalidBase64 => S::InvalidBase64,
            ErrorCode::TooManySignatures => S::TooManySignatures,
            ErrorCode::InvalidStatement => S::InvalidStatement,
            ErrorCode::InvalidDigest => S::InvalidDigest,
            ErrorCode::InvalidManifest => S::InvalidManifest,
            ErrorCode::InvalidPredicate => S::InvalidPredicate,
            ErrorCode::InvalidExportEntry => S::InvalidExportEntry,
            ErrorCode::InvalidBundle => S::InvalidBundle,
            ErrorCode::InvalidTrustedRoot => S::InvalidTrustedRoot,
            ErrorCode::InvalidIdentityToken => S::InvalidIdentityToken,
            ErrorCode::UnknownAlgorithm => S::UnknownAlgorithm,
            ErrorCode::UnsupportedKey => S::UnsupportedKey,
            ErrorCode::AlgorithmMismatch => S::AlgorithmMismatch,
            ErrorCode::MalformedKey => S::MalformedKey,
            ErrorCode::PassphraseRequired => S::PassphraseRequired,
            ErrorCode::WrongPassphrase => S::WrongPassphrase,
            ErrorCode::SigningFailed => S::SigningFailed,
            ErrorCode::BackendFailed => S::BackendFailed,
            ErrorCode::InvalidKeyUri => S::InvalidKeyUri,
            ErrorCode::BackendUnavailable => S::BackendUnavailable,
            ErrorCode::KeyNotFound => S::KeyNotFound,
            ErrorCode::AmbiguousKey => S::AmbiguousKey,
            ErrorCode::WrongPin => S::WrongPin,
            ErrorCode::PinRequired => S::PinRequired,
            ErrorCode::TokenAbsent => S::TokenAbsent,
            ErrorCode::MechanismUnsupported => S::MechanismUnsupported,
            ErrorCode::BackendRefused => S::BackendRefused,
            ErrorCode::BackendUnreachable => S::BackendUnreachable,
            ErrorCode::BackendConfiguration => S::BackendConfiguration,
            ErrorCode::InvalidKeyConfig => S::InvalidKeyConfig,
            ErrorCode::NoActiveKey => S::NoActiveKey,
            ErrorCode::KeyRevoked => S::KeyRevoked,
            ErrorCode::KeyIdMismatch => S::KeyIdMismatch,
            ErrorCode::KeyNotExportable => S::KeyNotExportable,
            ErrorCode::CallerSignerFailed => S::CallerSignerFailed,
            ErrorCode::VerificationFailed => S::VerificationFailed,
            ErrorCode::PayloadTypeMismatch => S::PayloadTypeMismatch,
            ErrorCode::ArtifactNotInSubjects => S::ArtifactNotInSubjects,
            ErrorCode::NoComparableDigest => S::NoComparableDigest,
            ErrorCode::NotAStatement => S::NotAStatement,
            ErrorCode::PredicateTypeMismatch => S::PredicateTypeMismatch,
            ErrorCode::ManifestMismatch => S::ManifestMismatch,
            ErrorCode::PredicateMismatch => S::PredicateMismatch,
            ErrorCode::ExportChanged => S::ExportChanged,
            ErrorCode::IdentityMismatch => S::IdentityMismatch,
            ErrorCode::ArtifactMismatch => S::ArtifactMismatch,
            ErrorCode::AuditChainBroken => S::AuditChainBroken,
            ErrorCode::UnknownPredicateType => S::UnknownPredicateType,
            ErrorCode::PredicateNotAllowed => S::PredicateNotAllowed,
            ErrorCode::Io => S::Io,
            ErrorCode::NoHome => S::NoHome,
            ErrorCode::Denied => S::Denied,
            ErrorCode::AuditFailed => S::AuditFailed,
            ErrorCode::PolicyFailed => S::PolicyFailed,
            ErrorCode::Panic => S::Panic,
            // A code added to the facade but not yet here reads as Internal; a test catches it.
            _ => S::Internal,
        }
    }
}

/// The stable snake_case name of a status (`"ok"`, `"verification_failed"`, ...), or
/// `"unknown"` for a number this library does not define. The string is static: never free it.
#[no_mangle]
pub extern "C" fn stellaops_status_name(status: u32) -> *const c_char {
    static NAMES: OnceLock<BTreeMap<u32, CString>> = OnceLock::new();
    if status == 0 {
        return c"ok".as_ptr();
    }
    let names = NAMES.get_or_init(|| {
        ErrorCode::ALL
            .iter()
            .filter_map(|c| Some((c.number(), CString::new(c.name()).ok()?)))
            .collect()
    });
    names
        .get(&status)
        .map_or(c"unknown".as_ptr(), |name| name.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_facade_code_has_the_same_number_here() {
        for code in ErrorCode::ALL {
            let status = stellaops_status::from(*code);
            assert_eq!(status as u32, code.number(), "{code}");
        }
    }

    #[test]
    fn names_come_from_the_facade() {
        // SAFETY: stellaops_status_name returns a static NUL-terminated string.
        let name = |n| unsafe { std::ffi::CStr::from_ptr(stellaops_status_name(n)) };
        assert_eq!(name(0).to_str(), Ok("ok"));
        assert_eq!(name(400).to_str(), Ok("verification_failed"));
        assert_eq!(name(7).to_str(), Ok("unknown"));
    }
}
