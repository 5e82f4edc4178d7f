package signer

/*
#include "stellaops_signer.h"
*/
import "C"

// CanonMode is a canonical JSON form.
type CanonMode uint32

// The forms.
const (
	// JCS is RFC 8785 (floats allowed).
	JCS CanonMode = C.STELLAOPS_CANON_JCS
	// OLPC is OLPC canonical JSON, as securesystemslib and TUF use (integers only).
	OLPC CanonMode = C.STELLAOPS_CANON_OLPC
)

// Canonicalize parses data strictly (duplicate keys, invalid UTF-8, lone surrogates, nesting
// beyond 128 and inputs beyond 64 MiB are errors) and returns its canonical form.
func Canonicalize(data []byte, mode CanonMode) ([]byte, error) {
	var buf C.stellaops_buffer
	d, dn := bytesArg(data)
	if err := call(func() C.stellaops_status {
		return C.stellaops_canonicalize(d, dn, C.stellaops_canon_mode(mode), &buf)
	}); err != nil {
		return nil, err
	}
	return takeBuffer(&buf), nil
}

// Family is what a predicate type is about.
type Family uint32

// The families.
const (
	FamilyNone         Family = C.STELLAOPS_FAMILY_NONE
	FamilySBOM         Family = C.STELLAOPS_FAMILY_SBOM
	FamilyVEX          Family = C.STELLAOPS_FAMILY_VEX
	FamilyReachability Family = C.STELLAOPS_FAMILY_REACHABILITY
	FamilyProvenance   Family = C.STELLAOPS_FAMILY_PROVENANCE
	FamilyPolicy       Family = C.STELLAOPS_FAMILY_POLICY
	FamilyEvidence     Family = C.STELLAOPS_FAMILY_EVIDENCE
	FamilyPromotion    Family = C.STELLAOPS_FAMILY_PROMOTION
	FamilyReplay       Family = C.STELLAOPS_FAMILY_REPLAY
	FamilyLink         Family = C.STELLAOPS_FAMILY_LINK
)

// PredicateInfo classifies a predicate type.
type PredicateInfo struct {
	Family              Family
	VEXRelated          bool
	ReachabilityRelated bool
	SBOM                bool
	// Allowed: on the default allow-list (the catalog).
	Allowed bool
}

// ResolvePredicateType turns a catalog short name ("sbom", "vex", "cyclonedx", ...) into its URI;
// a URI comes back unchanged.
func ResolvePredicateType(name string) (string, error) {
	var buf C.stellaops_buffer
	n, nn := textArg(name)
	if err := call(func() C.stellaops_status { return C.stellaops_predicate_type_resolve(n, nn, &buf) }); err != nil {
		return "", err
	}
	return string(takeBuffer(&buf)), nil
}

// ClassifyPredicateType says what a predicate-type URI is; an unknown URI has FamilyNone and no
// flags.
func ClassifyPredicateType(uri string) (PredicateInfo, error) {
	var family C.stellaops_family
	var flags C.uint32_t
	u, un := textArg(uri)
	if err := call(func() C.stellaops_status {
		return C.stellaops_predicate_type_classify(u, un, &family, &flags)
	}); err != nil {
		return PredicateInfo{}, err
	}
	return PredicateInfo{
		Family:              Family(family),
		VEXRelated:          flags&C.STELLAOPS_PREDICATE_VEX_RELATED != 0,
		ReachabilityRelated: flags&C.STELLAOPS_PREDICATE_REACHABILITY_RELATED != 0,
		SBOM:                flags&C.STELLAOPS_PREDICATE_SBOM != 0,
		Allowed:             flags&C.STELLAOPS_PREDICATE_ALLOWED != 0,
	}, nil
}
