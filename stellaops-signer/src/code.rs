//! Stable numbers for every error, shared by the C ABI, the Python and the Node faces.
//!
//! A number, once published, keeps its meaning forever; a retired number is never reused. Numbers
//! are grouped in ranges so a caller can tell the kind of failure without knowing every code:
//! 1xx the caller's arguments, 2xx the input documents, 3xx keys and signing, 4xx verification
//! said no, 5xx predicate types, 6xx the environment, 9xx bugs in this library.

use crate::Error;

/// What kind of error happened, as a stable number. See the module documentation for the ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A required pointer argument is NULL (the C ABI only).
    NullPointer = 100,
    /// An argument that must be text is not valid UTF-8.
    InvalidUtf8Argument = 101,
    /// An argument is out of its domain: an unknown enumeration value, an empty input where one
    /// is required, a length that cannot be.
    InvalidArgument = 102,
    /// The verification policy is unusable: no trusted keys, or a threshold of 0 or above the
    /// number of keys.
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
    /// OLPC canonical JSON was asked for a document with floating-point numbers.
    FloatInOlpc = 206,
    /// An envelope field is missing or has the wrong JSON type.
    InvalidEnvelope = 207,
    /// A field is not valid base64.
    InvalidBase64 = 208,
    /// The envelope carries more signatures than the limit.
    TooManySignatures = 209,
    /// An in-toto statement is malformed: wrong `_type`, no subjects, a subject without digest,
    /// a field of the wrong shape.
    InvalidStatement = 210,
    /// A subject digest is malformed (not lowercase hex of the algorithm's length).
    InvalidDigest = 211,
    /// An export manifest is malformed (fields, order of paths, time).
    InvalidManifest = 212,
    /// A predicate does not follow its predicate type's JSON schema; the message names the field.
    InvalidPredicate = 213,
    /// A path or entry of an export cannot be exported: not a normalized relative path, listed
    /// twice, a special file, a refused symbolic link, a name that is not UTF-8.
    InvalidExportEntry = 214,
    /// A Sigstore bundle is malformed (JSON, fields, encodings) or of a kind no verifier
    /// accepts (several signatures, a v0.3 bundle without an inclusion proof).
    InvalidBundle = 215,
    /// A Sigstore trusted root is malformed or holds unusable keys or certificates.
    InvalidTrustedRoot = 216,
    /// Keyless signing: no OIDC identity token, an unreadable or expired one, or one from an
    /// issuer other than the configured.
    InvalidIdentityToken = 217,

    /// The algorithm name is not one the library knows.
    UnknownAlgorithm = 300,
    /// The key type, curve, size or operation is not supported.
    UnsupportedKey = 301,
    /// The key cannot be used with the requested algorithm.
    AlgorithmMismatch = 302,
    /// The key bytes are not a key we can read (PEM, DER, JWK or certificate framing).
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
    /// The key URI's backend is not compiled into this build.
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
    /// The key's private half never leaves its backend, so it cannot be exported.
    KeyNotExportable = 323,

    /// Fewer trusted keys verified than the threshold requires, or a signature is invalid.
    /// Deliberately says nothing more.
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
    /// A signed export manifest and the files shipped with it disagree (the manifest file is not
    /// the signed one, or the subjects are not the manifest's files).
    ManifestMismatch = 406,
    /// The verified predicate does not say what was required (a target environment, a policy
    /// digest, an artifact digest).
    PredicateMismatch = 407,
    /// The export on disk differs from its signed manifest (missing, extra or changed files).
    ExportChanged = 408,
    /// A Sigstore bundle's signing certificate is not for the required identity or OIDC issuer.
    IdentityMismatch = 409,
    /// The artifact is not the one a Sigstore bundle signs.
    ArtifactMismatch = 410,

    /// A short predicate name is not in the catalog.
    UnknownPredicateType = 500,
    /// The allow-list in reject mode refused the predicate type.
    PredicateNotAllowed = 501,

    /// Reading or writing a file failed.
    Io = 600,
    /// No home directory for the default key could be found.
    NoHome = 601,

    /// The signing pipeline's policy refused the request (the message holds the reason code).
    Denied = 700,
    /// The audit record could not be written; nothing was signed.
    AuditFailed = 701,
    /// The policy machinery failed or is misconfigured (key sets, stores, pipeline parts).
    PolicyFailed = 702,

    /// The library panicked; this is a bug in the library, please report it.
    Panic = 900,
    /// An error the library did not classify; this is a bug in the library, please report it.
    Internal = 901,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::NullPointer,
        ErrorCode::InvalidUtf8Argument,
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidPolicy,
        ErrorCode::NoSigningKeys,
        ErrorCode::TooLarge,
        ErrorCode::TooDeep,
        ErrorCode::DuplicateKey,
        ErrorCode::MalformedJson,
        ErrorCode::InvalidUnicode,
        ErrorCode::NumberOutOfRange,
        ErrorCode::FloatInOlpc,
        ErrorCode::InvalidEnvelope,
        ErrorCode::InvalidBase64,
        ErrorCode::TooManySignatures,
        ErrorCode::InvalidStatement,
        ErrorCode::InvalidDigest,
        ErrorCode::InvalidManifest,
        ErrorCode::InvalidPredicate,
        ErrorCode::InvalidExportEntry,
        ErrorCode::InvalidBundle,
        ErrorCode::InvalidTrustedRoot,
        ErrorCode::InvalidIdentityToken,
        ErrorCode::UnknownAlgorithm,
        ErrorCode::UnsupportedKey,
        ErrorCode::AlgorithmMismatch,
        ErrorCode::MalformedKey,
        ErrorCode::PassphraseRequired,
        ErrorCode::WrongPassphrase,
        ErrorCode::SigningFailed,
        ErrorCode::BackendFailed,
        ErrorCode::InvalidKeyUri,
        ErrorCode::BackendUnavailable,
        ErrorCode::KeyNotFound,
        ErrorCode::AmbiguousKey,
        ErrorCode::WrongPin,
        ErrorCode::PinRequired,
        ErrorCode::TokenAbsent,
        ErrorCode::MechanismUnsupported,
        ErrorCode::BackendRefused,
        ErrorCode::BackendUnreachable,
        ErrorCode::BackendConfiguration,
        ErrorCode::InvalidKeyConfig,
        ErrorCode::NoActiveKey,
        ErrorCode::KeyRevoked,
        ErrorCode::KeyIdMismatch,
        ErrorCode::KeyNotExportable,
        ErrorCode::VerificationFailed,
        ErrorCode::PayloadTypeMismatch,
        ErrorCode::ArtifactNotInSubjects,
        ErrorCode::NoComparableDigest,
        ErrorCode::NotAStatement,
        ErrorCode::PredicateTypeMismatch,
        ErrorCode::ManifestMismatch,
        ErrorCode::PredicateMismatch,
        ErrorCode::ExportChanged,
        ErrorCode::IdentityMismatch,
        ErrorCode::ArtifactMismatch,
        ErrorCode::UnknownPredicateType,
        ErrorCode::PredicateNotAllowed,
        ErrorCode::Io,
        ErrorCode::NoHome,
        ErrorCode::Denied,
        ErrorCode::AuditFailed,
        ErrorCode::PolicyFailed,
        ErrorCode::Panic,
        ErrorCode::Internal,
    ];

    /// The stable number.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The code with this number, if any.
    pub fn from_number(number: u32) -> Option<ErrorCode> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.number() == number)
    }

    /// The stable snake_case name, e.g. `verification_failed`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::NullPointer => "null_pointer",
            ErrorCode::InvalidUtf8Argument => "invalid_utf8_argument",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::InvalidPolicy => "invalid_policy",
            ErrorCode::NoSigningKeys => "no_signing_keys",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::TooDeep => "too_deep",
            ErrorCode::DuplicateKey => "duplicate_key",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidUnicode => "invalid_unicode",
            ErrorCode::NumberOutOfRange => "number_out_of_range",
            ErrorCode::FloatInOlpc => "float_in_olpc",
            ErrorCode::InvalidEnvelope => "invalid_envelope",
            ErrorCode::InvalidBase64 => "invalid_base64",
            ErrorCode::TooManySignatures => "too_many_signatures",
            ErrorCode::InvalidStatement => "invalid_statement",
            ErrorCode::InvalidDigest => "invalid_digest",
            ErrorCode::InvalidManifest => "invalid_manifest",
            ErrorCode::InvalidPredicate => "invalid_predicate",
            ErrorCode::InvalidExportEntry => "invalid_export_entry",
            ErrorCode::InvalidBundle => "invalid_bundle",
            ErrorCode::InvalidTrustedRoot => "invalid_trusted_root",
            ErrorCode::InvalidIdentityToken => "invalid_identity_token",
            ErrorCode::UnknownAlgorithm => "unknown_algorithm",
            ErrorCode::UnsupportedKey => "unsupported_key",
            ErrorCode::AlgorithmMismatch => "algorithm_mismatch",
            ErrorCode::MalformedKey => "malformed_key",
            ErrorCode::PassphraseRequired => "passphrase_required",
            ErrorCode::WrongPassphrase => "wrong_passphrase",
            ErrorCode::SigningFailed => "signing_failed",
            ErrorCode::BackendFailed => "backend_failed",
            ErrorCode::InvalidKeyUri => "invalid_key_uri",
            ErrorCode::BackendUnavailable => "backend_unavailable",
            ErrorCode::KeyNotFound => "key_not_found",
            ErrorCode::AmbiguousKey => "ambiguous_key",
            ErrorCode::WrongPin => "wrong_pin",
            ErrorCode::PinRequired => "pin_required",
            ErrorCode::TokenAbsent => "token_absent",
            ErrorCode::MechanismUnsupported => "mechanism_unsupported",
            ErrorCode::BackendRefused => "backend_refused",
            ErrorCode::BackendUnreachable => "backend_unreachable",
            ErrorCode::BackendConfiguration => "backend_configuration",
            ErrorCode::InvalidKeyConfig => "invalid_key_config",
            ErrorCode::NoActiveKey => "no_active_key",
            ErrorCode::KeyRevoked => "key_revoked",
            ErrorCode::KeyIdMismatch => "key_id_mismatch",
            ErrorCode::KeyNotExportable => "key_not_exportable",
            ErrorCode::VerificationFailed => "verification_failed",
            ErrorCode::PayloadTypeMismatch => "payload_type_mismatch",
            ErrorCode::ArtifactNotInSubjects => "artifact_not_in_subjects",
            ErrorCode::NoComparableDigest => "no_comparable_digest",
            ErrorCode::NotAStatement => "not_a_statement",
            ErrorCode::PredicateTypeMismatch => "predicate_type_mismatch",
            ErrorCode::ManifestMismatch => "manifest_mismatch",
            ErrorCode::PredicateMismatch => "predicate_mismatch",
            ErrorCode::ExportChanged => "export_changed",
            ErrorCode::IdentityMismatch => "identity_mismatch",
            ErrorCode::ArtifactMismatch => "artifact_mismatch",
            ErrorCode::UnknownPredicateType => "unknown_predicate_type",
            ErrorCode::PredicateNotAllowed => "predicate_not_allowed",
            ErrorCode::Io => "io",
            ErrorCode::NoHome => "no_home",
            ErrorCode::Denied => "denied",
            ErrorCode::AuditFailed => "audit_failed",
            ErrorCode::PolicyFailed => "policy_failed",
            ErrorCode::Panic => "panic",
            ErrorCode::Internal => "internal",
        }
    }

    /// True for the 4xx range: verification ran and said no (as opposed to bad input).
    pub fn is_verification_failure(self) -> bool {
        (400..500).contains(&self.number())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Crypto(e) => crypto_code(e),
            Error::Dsse(e) => dsse_code(e),
            Error::Predicates(e) => predicates_code(e),
            Error::Io { .. } => ErrorCode::Io,
            Error::ArtifactNotInSubjects { .. } => ErrorCode::ArtifactNotInSubjects,
            Error::NoComparableDigest => ErrorCode::NoComparableDigest,
            Error::NotAStatement(_) => ErrorCode::NotAStatement,
            Error::PredicateTypeMismatch { .. } => ErrorCode::PredicateTypeMismatch,
            Error::ManifestMismatch(_) => ErrorCode::ManifestMismatch,
            Error::PredicateMismatch(_) => ErrorCode::PredicateMismatch,
            Error::ExportChanged { .. } => ErrorCode::ExportChanged,
            Error::NoHome => ErrorCode::NoHome,
            Error::Keys(e) => keys_code(e),
            #[cfg(feature = "sigstore")]
            Error::Sigstore(e) => sigstore_code(e),
            Error::NotExportable { .. } => ErrorCode::KeyNotExportable,
            // One outcome for "not allowed", whichever way it would have signed: the allow-list's
            // refusal keeps its own number (501) through local keys, bundles and the pipeline.
            Error::Denied(d) if d.reason == stellaops_poe::Reason::PredicateNotAllowed => {
                ErrorCode::PredicateNotAllowed
            }
            Error::Denied(_) => ErrorCode::Denied,
            Error::Audit(_) => ErrorCode::AuditFailed,
            Error::Policy(_) | Error::PipelineConfig(_) => ErrorCode::PolicyFailed,
            Error::InvalidRequest(_) => ErrorCode::InvalidArgument,
        }
    }
}

fn crypto_code(e: &stellaops_crypto::Error) -> ErrorCode {
    use stellaops_crypto::Error as E;
    match e {
        E::UnknownAlgorithm(_) => ErrorCode::UnknownAlgorithm,
        E::UnsupportedKey(_) | E::RsaKeySize { .. } | E::Unsupported(_) => {
            ErrorCode::UnsupportedKey
        }
        E::AlgorithmMismatch { .. } => ErrorCode::AlgorithmMismatch,
        E::Pkcs8(_)
        | E::Spki(_)
        | E::Der(_)
        | E::UnrecognisedEncoding(_)
        | E::UnexpectedPemLabel(_)
        | E::Jwk(_)
        | E::Certificate(_) => ErrorCode::MalformedKey,
        E::PassphraseRequired => ErrorCode::PassphraseRequired,
        E::Decryption => ErrorCode::WrongPassphrase,
        E::Rsa(_) | E::Signing(_) => ErrorCode::SigningFailed,
        E::Backend { source, .. } => match source.downcast_ref::<stellaops_keys::Error>() {
            Some(inner) => keys_code(inner),
            None => ErrorCode::BackendFailed,
        },
        // A FIDO2 signature that does not decode is a signature that does not verify.
        E::InvalidSignature | E::Fido2Encoding(_) => ErrorCode::VerificationFailed,
        _ => ErrorCode::Internal,
    }
}

#[cfg(feature = "sigstore")]
fn sigstore_code(e: &stellaops_sigstore::Error) -> ErrorCode {
    use stellaops_sigstore::Error as E;
    match e {
        E::TrustedRoot(_) => ErrorCode::InvalidTrustedRoot,
        E::InvalidBundle(_) => ErrorCode::InvalidBundle,
        E::InvalidPattern(_) | E::PatternTooLarge(_) | E::ArtifactRequired(_) | E::Payload(_) => {
            ErrorCode::InvalidArgument
        }
        E::InvalidKey(_) => ErrorCode::MalformedKey,
        E::IdentityMismatch(_) => ErrorCode::IdentityMismatch,
        E::Verification(_) => ErrorCode::VerificationFailed,
        E::ArtifactMismatch(_) => ErrorCode::ArtifactMismatch,
        E::Io { .. } => ErrorCode::Io,
        E::Token(_) => ErrorCode::InvalidIdentityToken,
        E::Config(_) => ErrorCode::BackendConfiguration,
        E::Unreachable { .. } => ErrorCode::BackendUnreachable,
        E::Service { .. } => ErrorCode::BackendRefused,
        E::Signing(_) => ErrorCode::SigningFailed,
        _ => ErrorCode::Internal,
    }
}

fn keys_code(e: &stellaops_keys::Error) -> ErrorCode {
    use stellaops_keys::Error as E;
    match e {
        E::InvalidUri(_) => ErrorCode::InvalidKeyUri,
        E::BackendNotAvailable(_) => ErrorCode::BackendUnavailable,
        E::Io { .. } => ErrorCode::Io,
        E::Key(inner) => crypto_code(inner),
        E::WrongPin => ErrorCode::WrongPin,
        E::PinRequired | E::Fido2PinRequired => ErrorCode::PinRequired,
        E::KeyNotFound(_) => ErrorCode::KeyNotFound,
        E::AmbiguousKey(_) => ErrorCode::AmbiguousKey,
        E::TokenAbsent(_) => ErrorCode::TokenAbsent,
        E::MechanismUnsupported(_) => ErrorCode::MechanismUnsupported,
        E::Remote { .. } => ErrorCode::BackendRefused,
        E::Transport { .. } => ErrorCode::BackendUnreachable,
        E::Configuration { .. } => ErrorCode::BackendConfiguration,
        E::Registry { .. } => ErrorCode::InvalidKeyConfig,
        E::NoActiveKey { .. } => ErrorCode::NoActiveKey,
        E::KeyRevoked { .. } => ErrorCode::KeyRevoked,
        E::KeyIdMismatch { .. } => ErrorCode::KeyIdMismatch,
        E::Pkcs11(_) | E::Authenticator(_) => ErrorCode::BackendFailed,
        _ => ErrorCode::Internal,
    }
}

fn dsse_code(e: &stellaops_dsse::Error) -> ErrorCode {
    use stellaops_dsse::Error as E;
    match e {
        E::TooLarge { .. } => ErrorCode::TooLarge,
        E::TooDeep { .. } => ErrorCode::TooDeep,
        E::DuplicateKey(_) => ErrorCode::DuplicateKey,
        E::InvalidUtf8 | E::LoneSurrogate => ErrorCode::InvalidUnicode,
        E::NumberOutOfRange(_) => ErrorCode::NumberOutOfRange,
        E::FloatInOlpc(_) => ErrorCode::FloatInOlpc,
        E::Syntax(_) => ErrorCode::MalformedJson,
        E::Field { .. } => ErrorCode::InvalidEnvelope,
        E::InvalidBase64(_) => ErrorCode::InvalidBase64,
        E::TooManySignatures { .. } => ErrorCode::TooManySignatures,
        E::NoSigningKeys => ErrorCode::NoSigningKeys,
        E::Signing { source, .. } => crypto_code(source),
        E::InvalidPolicy(_) => ErrorCode::InvalidPolicy,
        E::PayloadTypeMismatch { .. } => ErrorCode::PayloadTypeMismatch,
        E::VerificationFailed { .. } => ErrorCode::VerificationFailed,
        _ => ErrorCode::Internal,
    }
}

fn predicates_code(e: &stellaops_predicates::Error) -> ErrorCode {
    use stellaops_predicates::Error as E;
    match e {
        E::Io { .. } => ErrorCode::Io,
        E::InvalidDigest { .. } => ErrorCode::InvalidDigest,
        E::NoSubjects | E::NoDigest(_) | E::UnsupportedStatementType(_) | E::Field { .. } => {
            ErrorCode::InvalidStatement
        }
        E::Json(inner) => dsse_code(inner),
        E::UnknownPredicateType(_) => ErrorCode::UnknownPredicateType,
        E::PredicateNotAllowed(_) => ErrorCode::PredicateNotAllowed,
        E::Manifest(_) => ErrorCode::InvalidManifest,
        E::InvalidPredicate { .. } => ErrorCode::InvalidPredicate,
        E::ExportPath { .. } | E::ExportEntry { .. } => ErrorCode::InvalidExportEntry,
        E::EmptyExport(_) | E::CreationTime(_) => ErrorCode::InvalidArgument,
        _ => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_sorted_and_round_trip() {
        let numbers: Vec<u32> = ErrorCode::ALL.iter().map(|c| c.number()).collect();
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(numbers, sorted, "ALL must be strictly increasing");
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_number(code.number()), Some(*code));
        }
        assert_eq!(ErrorCode::from_number(0), None);
        assert_eq!(ErrorCode::from_number(399), None);
    }

    #[test]
    fn names_are_unique_snake_case() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        assert!(names.iter().all(|n| n
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())));
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    /// The published numbers. Changing one of these lines breaks every C, Go, Python and Node
    /// caller: add new codes instead.
    #[test]
    fn published_numbers_never_change() {
        let published = [
            (ErrorCode::NullPointer, 100),
            (ErrorCode::InvalidUtf8Argument, 101),
            (ErrorCode::InvalidArgument, 102),
            (ErrorCode::InvalidPolicy, 103),
            (ErrorCode::NoSigningKeys, 104),
            (ErrorCode::TooLarge, 200),
            (ErrorCode::TooDeep, 201),
            (ErrorCode::DuplicateKey, 202),
            (ErrorCode::MalformedJson, 203),
            (ErrorCode::InvalidUnicode, 204),
            (ErrorCode::NumberOutOfRange, 205),
            (ErrorCode::FloatInOlpc, 206),
            (ErrorCode::InvalidEnvelope, 207),
            (ErrorCode::InvalidBase64, 208),
            (ErrorCode::TooManySignatures, 209),
            (ErrorCode::InvalidStatement, 210),
            (ErrorCode::InvalidDigest, 211),
            (ErrorCode::InvalidManifest, 212),
            (ErrorCode::InvalidPredicate, 213),
            (ErrorCode::InvalidExportEntry, 214),
            (ErrorCode::InvalidBundle, 215),
            (ErrorCode::InvalidTrustedRoot, 216),
            (ErrorCode::InvalidIdentityToken, 217),
            (ErrorCode::UnknownAlgorithm, 300),
            (ErrorCode::UnsupportedKey, 301),
            (ErrorCode::AlgorithmMismatch, 302),
            (ErrorCode::MalformedKey, 303),
            (ErrorCode::PassphraseRequired, 304),
            (ErrorCode::WrongPassphrase, 305),
            (ErrorCode::SigningFailed, 306),
            (ErrorCode::BackendFailed, 307),
            (ErrorCode::InvalidKeyUri, 308),
            (ErrorCode::BackendUnavailable, 309),
            (ErrorCode::KeyNotFound, 310),
            (ErrorCode::AmbiguousKey, 311),
            (ErrorCode::WrongPin, 312),
            (ErrorCode::PinRequired, 313),
            (ErrorCode::TokenAbsent, 314),
            (ErrorCode::MechanismUnsupported, 315),
            (ErrorCode::BackendRefused, 316),
            (ErrorCode::BackendUnreachable, 317),
            (ErrorCode::BackendConfiguration, 318),
            (ErrorCode::InvalidKeyConfig, 319),
            (ErrorCode::NoActiveKey, 320),
            (ErrorCode::KeyRevoked, 321),
            (ErrorCode::KeyIdMismatch, 322),
            (ErrorCode::KeyNotExportable, 323),
            (ErrorCode::VerificationFailed, 400),
            (ErrorCode::PayloadTypeMismatch, 401),
            (ErrorCode::ArtifactNotInSubjects, 402),
            (ErrorCode::NoComparableDigest, 403),
            (ErrorCode::NotAStatement, 404),
            (ErrorCode::PredicateTypeMismatch, 405),
            (ErrorCode::ManifestMismatch, 406),
            (ErrorCode::PredicateMismatch, 407),
            (ErrorCode::ExportChanged, 408),
            (ErrorCode::IdentityMismatch, 409),
            (ErrorCode::ArtifactMismatch, 410),
            (ErrorCode::UnknownPredicateType, 500),
            (ErrorCode::PredicateNotAllowed, 501),
            (ErrorCode::Io, 600),
            (ErrorCode::NoHome, 601),
            (ErrorCode::Denied, 700),
            (ErrorCode::AuditFailed, 701),
            (ErrorCode::PolicyFailed, 702),
            (ErrorCode::Panic, 900),
            (ErrorCode::Internal, 901),
        ];
        assert_eq!(published.len(), ErrorCode::ALL.len());
        for (code, number) in published {
            assert_eq!(code.number(), number, "{code}");
        }
    }

    #[test]
    fn verification_failures_agree_with_the_error_classification() {
        let failed: Error = stellaops_dsse::Error::VerificationFailed {
            verified: 0,
            required: 1,
        }
        .into();
        assert_eq!(failed.code(), ErrorCode::VerificationFailed);
        assert!(failed.is_verification_failure() && failed.code().is_verification_failure());
        let syntax: Error = stellaops_dsse::Error::DuplicateKey("a".into()).into();
        assert_eq!(syntax.code(), ErrorCode::DuplicateKey);
        assert!(!syntax.is_verification_failure() && !syntax.code().is_verification_failure());
        let nested: Error =
            stellaops_predicates::Error::Json(stellaops_dsse::Error::TooDeep { limit: 3 }).into();
        assert_eq!(nested.code(), ErrorCode::TooDeep);
    }
}
