package signer

/*
#include <stdlib.h>
#include <string.h>
#include "stellaops_signer.h"
*/
import "C"

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"unsafe"
)

// Subject is an artifact a statement is about: a name and digests by algorithm ("sha256": hex).
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Enforcement says what happens to a predicate type outside the catalog.
type Enforcement uint32

// The enforcement modes.
const (
	LogOnly Enforcement = C.STELLAOPS_ENFORCEMENT_LOG_ONLY
	Warn    Enforcement = C.STELLAOPS_ENFORCEMENT_WARN
	Reject  Enforcement = C.STELLAOPS_ENFORCEMENT_REJECT
)

// Admission says how the predicate type was admitted.
type Admission uint32

// The admissions.
const (
	Allowed  Admission = C.STELLAOPS_ADMISSION_ALLOWED
	Unlisted Admission = C.STELLAOPS_ADMISSION_UNLISTED
)

// AttestOptions tunes Attest. The zero value warns on unlisted predicate types.
type AttestOptions struct {
	// Enforcement for predicate types outside the catalog; zero means Warn.
	Enforcement Enforcement
	// Logger receives the Warn record for a predicate type outside the catalog signed under
	// Warn enforcement; nil means slog.Default().
	Logger *slog.Logger
}

// warnUnlisted logs the Warn record for a predicate type admitted only because enforcement
// is Warn (LogOnly admits silently; the admission says so either way).
func warnUnlisted(opts AttestOptions, admission Admission, predicateType string) {
	if admission != Unlisted || (opts.Enforcement != 0 && opts.Enforcement != Warn) {
		return
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if len(predicateType) > 200 {
		predicateType = predicateType[:200] + " (cut)"
	}
	logger.Warn(fmt.Sprintf("predicate type %q is not in the StellaOps catalog; signed because enforcement is \"warn\"", predicateType),
		"code", "STELLAOPS_PREDICATE_UNLISTED", "predicate_type", predicateType)
}

// Attestation is a signed in-toto statement.
type Attestation struct {
	Envelope  Envelope
	Admission Admission
}

// cArena holds C allocations for one call: Go memory handed to C must not hold Go pointers, so
// the subject arrays and their strings are built in C memory and freed after the call.
type cArena struct{ ptrs []unsafe.Pointer }

func (a *cArena) alloc(n int) unsafe.Pointer {
	if n == 0 {
		n = 1
	}
	p := C.calloc(1, C.size_t(n))
	if p == nil {
		panic("stellaops signer: out of memory")
	}
	a.ptrs = append(a.ptrs, p)
	return p
}

func (a *cArena) text(s string) (*C.char, C.size_t) {
	p := a.alloc(len(s))
	if len(s) > 0 {
		C.memcpy(p, unsafe.Pointer(unsafe.StringData(s)), C.size_t(len(s)))
	}
	return (*C.char)(p), C.size_t(len(s))
}

// subjects copies subjects into C memory (digests sorted by algorithm); nil for none.
func (a *cArena) subjects(subjects []Subject) *C.stellaops_subject {
	if len(subjects) == 0 {
		return nil
	}
	csubjects := (*C.stellaops_subject)(a.alloc(len(subjects) * int(unsafe.Sizeof(C.stellaops_subject{}))))
	subjectSlice := unsafe.Slice(csubjects, len(subjects))
	for i, s := range subjects {
		subjectSlice[i].name, subjectSlice[i].name_len = a.text(s.Name)
		subjectSlice[i].digests, subjectSlice[i].digests_len = a.digests(s.Digest)
	}
	return csubjects
}

// digests copies a digest set into C memory, sorted by algorithm; nil for none.
func (a *cArena) digests(set map[string]string) (*C.stellaops_digest, C.size_t) {
	if len(set) == 0 {
		return nil, 0
	}
	algorithms := make([]string, 0, len(set))
	for alg := range set {
		algorithms = append(algorithms, alg)
	}
	sort.Strings(algorithms)
	digests := (*C.stellaops_digest)(a.alloc(len(algorithms) * int(unsafe.Sizeof(C.stellaops_digest{}))))
	slice := unsafe.Slice(digests, len(algorithms))
	for j, alg := range algorithms {
		slice[j].algorithm, slice[j].algorithm_len = a.text(alg)
		slice[j].value, slice[j].value_len = a.text(set[alg])
	}
	return digests, C.size_t(len(algorithms))
}

func (a *cArena) free() {
	for _, p := range a.ptrs {
		C.free(p)
	}
}

// Attest builds an in-toto Statement v1 over subjects with the predicate predicateJSON of type
// predicateType (a URI or a catalog short name: "sbom", "vex", "slsa-provenance", ...) and signs
// it with every key (given last, as Sign, SignStatement and SignExport take them).
func Attest(ctx context.Context, predicateType string, predicateJSON []byte, subjects []Subject, opts AttestOptions, keys ...*Key) (*Attestation, error) {
	out, admission, err := attestWith(ctx, predicateType, predicateJSON, subjects, opts, func(a *attestArgs, out *C.stellaops_buffer, admission *C.stellaops_admission) error {
		return withKeys(keyHandles(keys), func(ptrs unsafe.Pointer, n C.size_t) error {
			return call(func() C.stellaops_status {
				return C.stellaops_attest((**C.stellaops_key)(ptrs), n, a.predicateType, a.predicateTypeLen,
					a.predicate, a.predicateLen, a.subjects, a.subjectsLen, a.enforcement, out, admission)
			})
		})
	})
	if err != nil {
		return nil, err
	}
	return &Attestation{Envelope: Envelope(out), Admission: admission}, nil
}

// attestArgs are the statement arguments in C form of stellaops_attest and
// stellaops_bundle_attest. (The outputs are separate variables: cgo refuses a pointer into a
// struct that holds Go pointers.)
type attestArgs struct {
	predicateType    *C.char
	predicateTypeLen C.size_t
	predicate        *C.uint8_t
	predicateLen     C.size_t
	subjects         *C.stellaops_subject
	subjectsLen      C.size_t
	enforcement      C.stellaops_enforcement
}

// attestWith puts the statement arguments into C memory for the length of run and returns what
// run's call wrote.
func attestWith(ctx context.Context, predicateType string, predicateJSON []byte, subjects []Subject, opts AttestOptions, run func(*attestArgs, *C.stellaops_buffer, *C.stellaops_admission) error) ([]byte, Admission, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	enforcement := enforcementOf(opts)
	var arena cArena
	defer arena.free()
	a := attestArgs{subjects: arena.subjects(subjects), subjectsLen: C.size_t(len(subjects)), enforcement: C.stellaops_enforcement(enforcement)}
	a.predicateType, a.predicateTypeLen = textArg(predicateType)
	a.predicate, a.predicateLen = bytesArg(predicateJSON)
	var out C.stellaops_buffer
	var admission C.stellaops_admission
	if err := run(&a, &out, &admission); err != nil {
		return nil, 0, err
	}
	warnUnlisted(opts, Admission(admission), predicateType)
	return takeBuffer(&out), Admission(admission), nil
}
