package signer

/*
#include <stdlib.h>
#include "stellaops_signer.h"

// The exported Go callbacks (callbacks.go), with the types cgo gives them.
extern int32_t stellaopsGoSign(void *, uint8_t *, size_t, uint8_t *, size_t *);
extern int32_t stellaopsGoVerify(void *, uint8_t *, size_t, uint8_t *, size_t, uint8_t *, size_t);
extern void stellaopsGoRelease(void *);
*/
import "C"

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // crypto.SHA256.New for digests
	_ "crypto/sha512" // crypto.SHA384.New
	"crypto/x509"
	"encoding/json"
	"runtime"
	"runtime/cgo"
	"strings"
	"unsafe"
)

// AlgorithmExternal is what Key.Algorithm and PublicKey.Algorithm report for an algorithm the
// library does not implement (a key from KeyFromSigner or VerifierRegistry.VerifyingKey).
const AlgorithmExternal Algorithm = C.STELLAOPS_ALGORITHM_EXTERNAL

// PKIXPublicKey is a public key as its DER SubjectPublicKeyInfo, for a crypto.Signer whose key
// crypto/x509 cannot marshal (GOST, SM2 and other regional algorithms): return one from Public.
type PKIXPublicKey []byte

// callerSigner is what a sign callback reaches through its handle.
type callerSigner struct {
	signer crypto.Signer
	hash   crypto.Hash
	opts   crypto.SignerOpts
}

// sign signs the message as the algorithm does: digest first for ECDSA and RSA (a crypto.Signer
// signs digests), the whole message for Ed25519 and external algorithms.
func (s *callerSigner) sign(message []byte) ([]byte, error) {
	digest := message
	if s.hash != 0 {
		h := s.hash.New()
		h.Write(message)
		digest = h.Sum(nil)
	}
	return s.signer.Sign(rand.Reader, digest, s.opts)
}

// signingMethod is how a crypto.Signer signs for the named algorithm.
func signingMethod(algorithm string) (crypto.Hash, crypto.SignerOpts) {
	switch a, err := ParseAlgorithm(algorithm); {
	case err != nil:
		return 0, crypto.Hash(0) // external: the signer hashes, if its algorithm does
	case a == ES256:
		return crypto.SHA256, crypto.SHA256
	case a == ES384:
		return crypto.SHA384, crypto.SHA384
	case a == RSAPSSSHA256:
		return crypto.SHA256, &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	case a == RSAPKCS1v15SHA256:
		return crypto.SHA256, crypto.SHA256
	default: // Ed25519 signs the message itself
		return 0, crypto.Hash(0)
	}
}

// KeyFromSigner makes a Key whose signatures come from signer: a KMS or HSM client, a hardware
// token, or a provider of an algorithm the library does not implement (GOST R 34.10-2012
// through CryptoPro or OpenSSL). The Key works wherever a Key does (Sign, Attest,
// SignStatement, bundles).
//
// algorithm is a built-in name ("es256", "es384", "ed25519", "rsa-pss-sha256",
// "rsa-pkcs1-sha256") or an external one ("gost3410-2012-256": lowercase letters, digits, '-',
// '.', '_'). For built-in algorithms signer.Public() is a key crypto/x509 marshals and Sign gets
// the digest with the matching crypto.SignerOpts (PSS with a 32-byte salt), as crypto.Signer
// expects; for external ones signer.Public() is a PKIXPublicKey and Sign gets the whole message
// with crypto.Hash(0), to hash as its algorithm does.
//
// Every signature is checked before use (not empty, at most 16 KiB, and for built-in
// algorithms valid under the public key): a failing, panicking or lying signer gives
// ErrCallerSignerFailed and nothing is signed. Sign may be called from several goroutines at
// once.
func KeyFromSigner(signer crypto.Signer, algorithm string) (*Key, error) {
	if signer == nil {
		return nil, &Error{Code: CodeInvalidArgument, Message: "signer is nil"}
	}
	var spki []byte
	switch pub := signer.Public().(type) {
	case PKIXPublicKey:
		spki = pub
	default:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return nil, &Error{Code: CodeUnsupportedKey, Message: "signer.Public(): " + err.Error() + " (return a PKIXPublicKey for other algorithms)"}
		}
		spki = der
	}
	hash, opts := signingMethod(algorithm)
	h := cgo.NewHandle(&callerSigner{signer: signer, hash: hash, opts: opts})
	ctx := handleContext(h)
	var out *C.stellaops_key
	a, an := textArg(algorithm)
	p, pn := bytesArg(spki)
	err := call(func() C.stellaops_status {
		return C.stellaops_key_from_callbacks(a, an, p, pn,
			C.stellaops_sign_callback(C.stellaopsGoSign), ctx,
			C.stellaops_release_callback(C.stellaopsGoRelease), &out)
	})
	runtime.KeepAlive(spki)
	if err != nil {
		// On failure the library does not call release: the context is still ours.
		h.Delete()
		C.free(ctx)
		return nil, err
	}
	return newKey(out), nil
}

// handleContext stores h in C memory, the context pointer the library keeps (it must not point
// into Go memory); stellaopsGoRelease frees it.
func handleContext(h cgo.Handle) unsafe.Pointer {
	ctx := C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0))))
	*(*C.uintptr_t)(ctx) = C.uintptr_t(h)
	return ctx
}

// VerifierRegistry verifies algorithms the library does not implement, by name, with functions
// the caller registers. A key of an algorithm nobody registered is refused (ErrUnknownAlgorithm),
// so an envelope signed with it cannot verify by default. Register everything first; after that
// a registry is safe for concurrent use.
type VerifierRegistry struct {
	h *handle
}

// NewVerifierRegistry makes a registry that knows only the built-in algorithms.
func NewVerifierRegistry() (*VerifierRegistry, error) {
	var out *C.stellaops_verifier_registry
	if err := call(func() C.stellaops_status { return C.stellaops_verifier_registry_new(&out) }); err != nil {
		return nil, err
	}
	r := &VerifierRegistry{h: &handle{ptr: unsafe.Pointer(out), free: func(p unsafe.Pointer) {
		C.stellaops_verifier_registry_free((*C.stellaops_verifier_registry)(p))
	}}}
	runtime.AddCleanup(r, func(h *handle) { h.close() }, r.h)
	return r, nil
}

// Register verifies signatures of the external algorithm named algorithm with verify, which
// gets the key's DER SubjectPublicKeyInfo, the signed message (the DSSE PAE) and the signature,
// and reports whether the signature is valid (a panic counts as invalid). It may be called from
// several goroutines at once, for as long as a key made from the registry lives.
func (r *VerifierRegistry) Register(algorithm string, verify func(publicKey, message, signature []byte) bool) error {
	if verify == nil {
		return &Error{Code: CodeInvalidArgument, Message: "verify is nil"}
	}
	r.h.mu.Lock() // the library's register must not race with other uses of the registry
	defer r.h.mu.Unlock()
	if r.h.ptr == nil {
		return &Error{Code: CodeClosed, Message: "use after Close"}
	}
	h := cgo.NewHandle(verify)
	ctx := handleContext(h)
	a, an := textArg(algorithm)
	err := call(func() C.stellaops_status {
		return C.stellaops_verifier_registry_register((*C.stellaops_verifier_registry)(r.h.ptr), a, an,
			C.stellaops_verify_callback(C.stellaopsGoVerify), ctx,
			C.stellaops_release_callback(C.stellaopsGoRelease))
	})
	if err != nil {
		h.Delete()
		C.free(ctx)
	}
	return err
}

// VerifyingKey is a PublicKey for algorithm: a built-in name reads publicKey as LoadPublicKey
// does and pins it; a registered name takes its SubjectPublicKeyInfo (PEM or DER), checked by
// the registered function. Use it wherever a PublicKey goes (Verify, thresholds, promotions).
func (r *VerifierRegistry) VerifyingKey(algorithm string, publicKey []byte) (*PublicKey, error) {
	var out *C.stellaops_verifying_key
	a, an := textArg(algorithm)
	p, pn := bytesArg(publicKey)
	err := r.h.use(func(ptr unsafe.Pointer) error {
		return call(func() C.stellaops_status {
			return C.stellaops_verifier_registry_verifying_key((*C.stellaops_verifier_registry)(ptr), a, an, p, pn, &out)
		})
	})
	if err != nil {
		return nil, err
	}
	return newPublicKey(out), nil
}

// Algorithms lists the registered algorithm names, in name order.
func (r *VerifierRegistry) Algorithms() ([]string, error) {
	var buf C.stellaops_buffer
	err := r.h.use(func(ptr unsafe.Pointer) error {
		return call(func() C.stellaops_status {
			return C.stellaops_verifier_registry_algorithms((*C.stellaops_verifier_registry)(ptr), &buf)
		})
	})
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(takeBuffer(&buf), &names); err != nil {
		return nil, &Error{Code: CodeInternal, Message: strings.TrimSpace(err.Error())}
	}
	return names, nil
}

// Close frees the registry. Keys made from it keep working.
func (r *VerifierRegistry) Close() error {
	r.h.close()
	return nil
}
