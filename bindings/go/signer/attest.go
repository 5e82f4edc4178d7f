package signer

/*
#include <stdlib.h>
#include <string.h>
#include "stellaops_signer.h"
*/
import "C"

import (
	"context"
	"sort"
	"unsafe"
)

// Subject is an artifact a statement is about: a name and digests by algorithm ("sha256": hex).
type Subject struct {
	Name   string
	Digest map[string]string
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

func (a *cArena) free() {
	for _, p := range a.ptrs {
		C.free(p)
	}
}

// Attest builds an in-toto Statement v1 over subjects with the predicate predicateJSON of type
// predicateType (a URI or a catalog short name: "sbom", "vex", "slsa-provenance", ...) and signs
// it with every key.
func Attest(ctx context.Context, keys []*Key, predicateType string, predicateJSON []byte, subjects []Subject, opts AttestOptions) (*Attestation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	enforcement := opts.Enforcement
	if enforcement == 0 {
		enforcement = Warn
	}
	var arena cArena
	defer arena.free()
	var csubjects *C.stellaops_subject
	if len(subjects) > 0 {
		csubjects = (*C.stellaops_subject)(arena.alloc(len(subjects) * int(unsafe.Sizeof(C.stellaops_subject{}))))
		subjectSlice := unsafe.Slice(csubjects, len(subjects))
		for i, s := range subjects {
			subjectSlice[i].name, subjectSlice[i].name_len = arena.text(s.Name)
			algorithms := make([]string, 0, len(s.Digest))
			for alg := range s.Digest {
				algorithms = append(algorithms, alg)
			}
			sort.Strings(algorithms)
			if len(algorithms) == 0 {
				continue
			}
			digests := (*C.stellaops_digest)(arena.alloc(len(algorithms) * int(unsafe.Sizeof(C.stellaops_digest{}))))
			digestSlice := unsafe.Slice(digests, len(algorithms))
			for j, alg := range algorithms {
				digestSlice[j].algorithm, digestSlice[j].algorithm_len = arena.text(alg)
				digestSlice[j].value, digestSlice[j].value_len = arena.text(s.Digest[alg])
			}
			subjectSlice[i].digests = digests
			subjectSlice[i].digests_len = C.size_t(len(algorithms))
		}
	}
	t, tn := textArg(predicateType)
	p, pn := bytesArg(predicateJSON)
	var buf C.stellaops_buffer
	var admission C.stellaops_admission
	err := withKeys(keyHandles(keys), func(ptrs unsafe.Pointer, n C.size_t) error {
		return call(func() C.stellaops_status {
			return C.stellaops_attest((**C.stellaops_key)(ptrs), n, t, tn, p, pn,
				csubjects, C.size_t(len(subjects)), C.stellaops_enforcement(enforcement), &buf, &admission)
		})
	})
	if err != nil {
		return nil, err
	}
	return &Attestation{Envelope: Envelope(takeBuffer(&buf)), Admission: Admission(admission)}, nil
}
