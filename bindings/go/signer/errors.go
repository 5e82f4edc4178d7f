package signer

/*
#include "stellaops_signer.h"
*/
import "C"

import "fmt"

// Code is the library's stable status number (the same in C, Go, Python and Node). Ranges:
// 1xx arguments, 2xx input documents, 3xx keys and signing, 4xx verification said no,
// 5xx predicate types, 6xx environment, 9xx library bugs.
type Code uint32

// The codes. Numbers never change meaning.
const (
	CodeNullPointer           Code = C.STELLAOPS_STATUS_NULL_POINTER
	CodeInvalidUTF8Argument   Code = C.STELLAOPS_STATUS_INVALID_UTF8_ARGUMENT
	CodeInvalidArgument       Code = C.STELLAOPS_STATUS_INVALID_ARGUMENT
	CodeInvalidPolicy         Code = C.STELLAOPS_STATUS_INVALID_POLICY
	CodeNoSigningKeys         Code = C.STELLAOPS_STATUS_NO_SIGNING_KEYS
	CodeTooLarge              Code = C.STELLAOPS_STATUS_TOO_LARGE
	CodeTooDeep               Code = C.STELLAOPS_STATUS_TOO_DEEP
	CodeDuplicateKey          Code = C.STELLAOPS_STATUS_DUPLICATE_KEY
	CodeMalformedJSON         Code = C.STELLAOPS_STATUS_MALFORMED_JSON
	CodeInvalidUnicode        Code = C.STELLAOPS_STATUS_INVALID_UNICODE
	CodeNumberOutOfRange      Code = C.STELLAOPS_STATUS_NUMBER_OUT_OF_RANGE
	CodeFloatInOLPC           Code = C.STELLAOPS_STATUS_FLOAT_IN_OLPC
	CodeInvalidEnvelope       Code = C.STELLAOPS_STATUS_INVALID_ENVELOPE
	CodeInvalidBase64         Code = C.STELLAOPS_STATUS_INVALID_BASE64
	CodeTooManySignatures     Code = C.STELLAOPS_STATUS_TOO_MANY_SIGNATURES
	CodeInvalidStatement      Code = C.STELLAOPS_STATUS_INVALID_STATEMENT
	CodeInvalidDigest         Code = C.STELLAOPS_STATUS_INVALID_DIGEST
	CodeInvalidManifest       Code = C.STELLAOPS_STATUS_INVALID_MANIFEST
	CodeInvalidPredicate      Code = C.STELLAOPS_STATUS_INVALID_PREDICATE
	CodeInvalidExportEntry    Code = C.STELLAOPS_STATUS_INVALID_EXPORT_ENTRY
	CodeInvalidBundle         Code = C.STELLAOPS_STATUS_INVALID_BUNDLE
	CodeInvalidTrustedRoot    Code = C.STELLAOPS_STATUS_INVALID_TRUSTED_ROOT
	CodeInvalidIdentityToken  Code = C.STELLAOPS_STATUS_INVALID_IDENTITY_TOKEN
	CodeUnknownAlgorithm      Code = C.STELLAOPS_STATUS_UNKNOWN_ALGORITHM
	CodeUnsupportedKey        Code = C.STELLAOPS_STATUS_UNSUPPORTED_KEY
	CodeAlgorithmMismatch     Code = C.STELLAOPS_STATUS_ALGORITHM_MISMATCH
	CodeMalformedKey          Code = C.STELLAOPS_STATUS_MALFORMED_KEY
	CodePassphraseRequired    Code = C.STELLAOPS_STATUS_PASSPHRASE_REQUIRED
	CodeWrongPassphrase       Code = C.STELLAOPS_STATUS_WRONG_PASSPHRASE
	CodeSigningFailed         Code = C.STELLAOPS_STATUS_SIGNING_FAILED
	CodeBackendFailed         Code = C.STELLAOPS_STATUS_BACKEND_FAILED
	CodeInvalidKeyURI         Code = C.STELLAOPS_STATUS_INVALID_KEY_URI
	CodeBackendUnavailable    Code = C.STELLAOPS_STATUS_BACKEND_UNAVAILABLE
	CodeKeyNotFound           Code = C.STELLAOPS_STATUS_KEY_NOT_FOUND
	CodeAmbiguousKey          Code = C.STELLAOPS_STATUS_AMBIGUOUS_KEY
	CodeWrongPIN              Code = C.STELLAOPS_STATUS_WRONG_PIN
	CodePINRequired           Code = C.STELLAOPS_STATUS_PIN_REQUIRED
	CodeTokenAbsent           Code = C.STELLAOPS_STATUS_TOKEN_ABSENT
	CodeMechanismUnsupported  Code = C.STELLAOPS_STATUS_MECHANISM_UNSUPPORTED
	CodeBackendRefused        Code = C.STELLAOPS_STATUS_BACKEND_REFUSED
	CodeBackendUnreachable    Code = C.STELLAOPS_STATUS_BACKEND_UNREACHABLE
	CodeBackendConfiguration  Code = C.STELLAOPS_STATUS_BACKEND_CONFIGURATION
	CodeInvalidKeyConfig      Code = C.STELLAOPS_STATUS_INVALID_KEY_CONFIG
	CodeNoActiveKey           Code = C.STELLAOPS_STATUS_NO_ACTIVE_KEY
	CodeKeyRevoked            Code = C.STELLAOPS_STATUS_KEY_REVOKED
	CodeKeyIDMismatch         Code = C.STELLAOPS_STATUS_KEY_ID_MISMATCH
	CodeKeyNotExportable      Code = C.STELLAOPS_STATUS_KEY_NOT_EXPORTABLE
	CodeCallerSignerFailed    Code = C.STELLAOPS_STATUS_CALLER_SIGNER_FAILED
	CodeVerificationFailed    Code = C.STELLAOPS_STATUS_VERIFICATION_FAILED
	CodePayloadTypeMismatch   Code = C.STELLAOPS_STATUS_PAYLOAD_TYPE_MISMATCH
	CodeArtifactNotInSubjects Code = C.STELLAOPS_STATUS_ARTIFACT_NOT_IN_SUBJECTS
	CodeNoComparableDigest    Code = C.STELLAOPS_STATUS_NO_COMPARABLE_DIGEST
	CodeNotAStatement         Code = C.STELLAOPS_STATUS_NOT_A_STATEMENT
	CodePredicateTypeMismatch Code = C.STELLAOPS_STATUS_PREDICATE_TYPE_MISMATCH
	CodeManifestMismatch      Code = C.STELLAOPS_STATUS_MANIFEST_MISMATCH
	CodePredicateMismatch     Code = C.STELLAOPS_STATUS_PREDICATE_MISMATCH
	CodeExportChanged         Code = C.STELLAOPS_STATUS_EXPORT_CHANGED
	CodeIdentityMismatch      Code = C.STELLAOPS_STATUS_IDENTITY_MISMATCH
	CodeArtifactMismatch      Code = C.STELLAOPS_STATUS_ARTIFACT_MISMATCH
	CodeAuditChainBroken      Code = C.STELLAOPS_STATUS_AUDIT_CHAIN_BROKEN
	CodeUnknownPredicateType  Code = C.STELLAOPS_STATUS_UNKNOWN_PREDICATE_TYPE
	CodePredicateNotAllowed   Code = C.STELLAOPS_STATUS_PREDICATE_NOT_ALLOWED
	CodeIO                    Code = C.STELLAOPS_STATUS_IO
	CodeNoHome                Code = C.STELLAOPS_STATUS_NO_HOME
	CodeDenied                Code = C.STELLAOPS_STATUS_DENIED
	CodeAuditFailed           Code = C.STELLAOPS_STATUS_AUDIT_FAILED
	CodePolicyFailed          Code = C.STELLAOPS_STATUS_POLICY_FAILED
	CodePanic                 Code = C.STELLAOPS_STATUS_PANIC
	CodeInternal              Code = C.STELLAOPS_STATUS_INTERNAL
	// CodeClosed is reported by this package (not the library) for a closed Key or PublicKey.
	CodeClosed Code = 1_000_001
)

// String is the stable snake_case name, e.g. "verification_failed".
func (c Code) String() string {
	if c == CodeClosed {
		return "closed"
	}
	return C.GoString(C.stellaops_status_name(C.uint32_t(c)))
}

// IsVerificationFailure reports whether verification ran and said no (the 4xx range), as opposed
// to bad input or usage.
func (c Code) IsVerificationFailure() bool { return c >= 400 && c < 500 }

// Error is what every function of this package returns on failure.
type Error struct {
	// Code is the stable number; branch on it.
	Code Code
	// Message is for people and logs.
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("stellaops signer: %s: %s", e.Code, e.Message) }

// Is matches another *Error with the same code, so errors.Is(err, ErrVerificationFailed) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is; they match any *Error with the same code.
var (
	ErrVerificationFailed   = &Error{Code: CodeVerificationFailed}
	ErrPayloadTypeMismatch  = &Error{Code: CodePayloadTypeMismatch}
	ErrInvalidPolicy        = &Error{Code: CodeInvalidPolicy}
	ErrMalformedKey         = &Error{Code: CodeMalformedKey}
	ErrPassphraseRequired   = &Error{Code: CodePassphraseRequired}
	ErrWrongPassphrase      = &Error{Code: CodeWrongPassphrase}
	ErrPredicateNotAllowed  = &Error{Code: CodePredicateNotAllowed}
	ErrUnknownPredicateType = &Error{Code: CodeUnknownPredicateType}
	ErrClosed               = &Error{Code: CodeClosed}
	ErrKeyNotFound          = &Error{Code: CodeKeyNotFound}
	ErrWrongPIN             = &Error{Code: CodeWrongPIN}
	ErrBackendUnreachable   = &Error{Code: CodeBackendUnreachable}
	ErrKeyNotExportable     = &Error{Code: CodeKeyNotExportable}
	ErrCallerSignerFailed   = &Error{Code: CodeCallerSignerFailed}
	ErrDenied               = &Error{Code: CodeDenied}
	ErrExportChanged        = &Error{Code: CodeExportChanged}
)
