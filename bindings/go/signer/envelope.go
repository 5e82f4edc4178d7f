package signer

/*
#include "stellaops_signer.h"
*/
import "C"

import (
	"context"
	"unsafe"
)

// Envelope is a DSSE envelope as canonical JSON: {"payload", "payloadType", "signatures":
// [{"keyid", "sig"}]}. It unmarshals into go-securesystemslib's dsse.Envelope.
type Envelope []byte

// withKeys runs f with the live pointers of every key, each held open for the call. A handle
// given twice is locked once: a second read lock on the same RWMutex would deadlock behind a
// Close waiting for the first.
func withKeys(handles []*handle, f func(ptrs unsafe.Pointer, n C.size_t) error) error {
	ptrs := make([]unsafe.Pointer, 0, len(handles))
	locked := make(map[*handle]bool, len(handles))
	defer func() {
		for h := range locked {
			h.mu.RUnlock()
		}
	}()
	for _, h := range handles {
		if h == nil {
			return &Error{Code: CodeNullPointer, Message: "nil key"}
		}
		if !locked[h] {
			h.mu.RLock()
			locked[h] = true
		}
		if h.ptr == nil {
			return &Error{Code: CodeClosed, Message: "use after Close"}
		}
		ptrs = append(ptrs, h.ptr)
	}
	if len(ptrs) == 0 {
		return f(nil, 0)
	}
	// A Go slice of C pointers may be passed to C: it holds no Go pointers.
	return f(unsafe.Pointer(&ptrs[0]), C.size_t(len(ptrs)))
}

func keyHandles(keys []*Key) []*handle {
	hs := make([]*handle, len(keys))
	for i, k := range keys {
		if k != nil {
			hs[i] = k.h
		}
	}
	return hs
}

func publicHandles(keys []*PublicKey) []*handle {
	hs := make([]*handle, len(keys))
	for i, k := range keys {
		if k != nil {
			hs[i] = k.h
		}
	}
	return hs
}

// Sign signs payload as payloadType with every key (one signature each).
func Sign(ctx context.Context, payloadType string, payload []byte, keys ...*Key) (Envelope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf C.stellaops_buffer
	t, tn := textArg(payloadType)
	p, pn := bytesArg(payload)
	err := withKeys(keyHandles(keys), func(ptrs unsafe.Pointer, n C.size_t) error {
		return call(func() C.stellaops_status {
			return C.stellaops_sign((**C.stellaops_key)(ptrs), n, t, tn, p, pn, &buf)
		})
	})
	if err != nil {
		return nil, err
	}
	return Envelope(takeBuffer(&buf)), nil
}

// VerifyOptions says what a valid envelope is.
type VerifyOptions struct {
	// Threshold is how many distinct keys must verify; 1 or more, at most len(keys). Required:
	// 0 is an error (CodeInvalidPolicy), never "any signature will do".
	Threshold int
	// PayloadType, when not empty, must equal the envelope's.
	PayloadType string
}

// VerifiedKey is one trusted key that verified.
type VerifiedKey struct {
	// KeyIndex is its first position in the keys given to Verify (a key given twice, say as
	// PEM and as JWK, is at more than one; see Verification.SignedBy).
	KeyIndex int
	// SignatureIndex is the position of the signature it verified.
	SignatureIndex int
	// Algorithm is what the signature was made with.
	Algorithm Algorithm
}

// Verification is what a successful Verify established.
type Verification struct {
	PayloadType string
	Payload     []byte
	Keys        []VerifiedKey
	// Positions lists, in order, every position in the keys given to Verify whose key accepted
	// a signature: both positions of a key given twice, none of a listing pinned to another
	// RSA padding than the signature's.
	Positions []int
}

// SignedBy reports whether the key at position k of the keys given to Verify signed: the check
// for a rule such as "key #k must have signed".
func (v *Verification) SignedBy(k int) bool {
	for _, p := range v.Positions {
		if p == k {
			return true
		}
	}
	return false
}

// Verify parses envelope strictly and checks that at least opts.Threshold distinct keys verify.
// keyids in the envelope are hints only.
func Verify(ctx context.Context, envelope []byte, keys []*PublicKey, opts VerifyOptions) (*Verification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Threshold < 0 {
		return nil, &Error{Code: CodeInvalidPolicy, Message: "negative threshold"}
	}
	e, en := bytesArg(envelope)
	var t *C.char
	var tn C.size_t
	if opts.PayloadType != "" {
		t, tn = textArg(opts.PayloadType)
	}
	var result *Verification
	err := withKeys(publicHandles(keys), func(ptrs unsafe.Pointer, nkeys C.size_t) error {
		var v *C.stellaops_verification
		if err := call(func() C.stellaops_status {
			return C.stellaops_verify(e, en, (**C.stellaops_verifying_key)(ptrs), nkeys,
				C.size_t(opts.Threshold), t, tn, &v)
		}); err != nil {
			return err
		}
		defer C.stellaops_verification_free(v)
		result = copyVerification(v, int(nkeys))
		return nil
	})
	return result, err
}

// copyVerification reads a verification into Go memory. The accessors cannot fail on a live
// handle with valid out-pointers, so their statuses are not consulted.
func copyVerification(v *C.stellaops_verification, nkeys int) *Verification {
	var data *C.uint8_t
	var n C.size_t
	C.stellaops_verification_payload(v, &data, &n)
	var tdata *C.char
	var tn C.size_t
	C.stellaops_verification_payload_type(v, &tdata, &tn)
	var count C.size_t
	C.stellaops_verification_key_count(v, &count)
	out := &Verification{
		PayloadType: C.GoStringN(tdata, C.int(tn)),
		Payload:     []byte{},
		Keys:        make([]VerifiedKey, 0, int(count)),
	}
	if n > 0 {
		out.Payload = C.GoBytes(unsafe.Pointer(data), C.int(n))
	}
	for i := C.size_t(0); i < count; i++ {
		var k C.stellaops_verified_key
		C.stellaops_verification_key(v, i, &k)
		out.Keys = append(out.Keys, VerifiedKey{
			KeyIndex:       int(k.key_index),
			SignatureIndex: int(k.signature_index),
			Algorithm:      Algorithm(k.algorithm),
		})
	}
	for p := 0; p < nkeys; p++ {
		var signed C.bool
		C.stellaops_verification_signed_by(v, C.size_t(p), &signed)
		if signed {
			out.Positions = append(out.Positions, p)
		}
	}
	return out
}

// PAE is the DSSE pre-authentication encoding of payloadType and payload.
func PAE(payloadType string, payload []byte) ([]byte, error) {
	var buf C.stellaops_buffer
	t, tn := textArg(payloadType)
	p, pn := bytesArg(payload)
	if err := call(func() C.stellaops_status { return C.stellaops_pae(t, tn, p, pn, &buf) }); err != nil {
		return nil, err
	}
	return takeBuffer(&buf), nil
}
