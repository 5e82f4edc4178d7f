package signer

/*
#include "stellaops_signer.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Algorithm is a signature algorithm.
type Algorithm uint32

// The algorithms.
const (
	// AlgorithmUnspecified: an RSA public key not pinned to one padding (verifies PSS and PKCS#1).
	AlgorithmUnspecified Algorithm = C.STELLAOPS_ALGORITHM_UNSPECIFIED
	ES256                Algorithm = C.STELLAOPS_ALGORITHM_ES256
	ES384                Algorithm = C.STELLAOPS_ALGORITHM_ES384
	Ed25519              Algorithm = C.STELLAOPS_ALGORITHM_ED25519
	RSAPSSSHA256         Algorithm = C.STELLAOPS_ALGORITHM_RSA_PSS_SHA256
	RSAPKCS1v15SHA256    Algorithm = C.STELLAOPS_ALGORITHM_RSA_PKCS1_SHA256
)

// String is the short name ("es256", "ed25519", "rsa-pss-sha256", ...).
func (a Algorithm) String() string {
	name := C.stellaops_algorithm_name(C.stellaops_algorithm(a))
	if name == nil {
		return "unspecified"
	}
	return C.GoString(name)
}

// ParseAlgorithm accepts a short name ("es256"), a JOSE name ("ES256", "EdDSA", "PS256") or a
// securesystemslib scheme ("ecdsa-sha2-nistp256"), ignoring case.
func ParseAlgorithm(name string) (Algorithm, error) {
	var out C.stellaops_algorithm
	p, n := textArg(name)
	err := call(func() C.stellaops_status { return C.stellaops_algorithm_from_name(p, n, &out) })
	return Algorithm(out), err
}

// handle is a library pointer shared by a Go object and its cleanup, freed exactly once. (The
// C types are incomplete, so the pointer is kept untyped.)
type handle struct {
	mu   sync.RWMutex
	ptr  unsafe.Pointer
	free func(unsafe.Pointer)
}

// use runs f with the live pointer under a read lock, so Close waits for running calls.
func (h *handle) use(f func(unsafe.Pointer) error) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.ptr == nil {
		return &Error{Code: CodeClosed, Message: "use after Close"}
	}
	return f(h.ptr)
}

func (h *handle) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ptr != nil {
		h.free(h.ptr)
		h.ptr = nil
	}
}

// Key is a private signing key held by the library. Safe for concurrent use.
type Key struct {
	h *handle
}

func newKey(ptr *C.stellaops_key) *Key {
	k := &Key{h: &handle{ptr: unsafe.Pointer(ptr), free: func(p unsafe.Pointer) { C.stellaops_key_free((*C.stellaops_key)(p)) }}}
	runtime.AddCleanup(k, func(h *handle) { h.close() }, k.h)
	return k
}

// GenerateKey makes a fresh key (RSA: 3072 bits) from the operating system's random source.
func GenerateKey(alg Algorithm) (*Key, error) {
	var out *C.stellaops_key
	if err := call(func() C.stellaops_status {
		return C.stellaops_key_generate(C.stellaops_algorithm(alg), &out)
	}); err != nil {
		return nil, err
	}
	return newKey(out), nil
}

// LoadKey reads a private key: PEM (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1), PKCS#8 DER or a
// private JWK. passphrase decrypts an encrypted PKCS#8 key; nil for none.
func LoadKey(data, passphrase []byte) (*Key, error) {
	var out *C.stellaops_key
	d, dn := bytesArg(data)
	p, pn := bytesArg(passphrase)
	if passphrase != nil && len(passphrase) == 0 {
		return nil, &Error{Code: CodeInvalidArgument, Message: "passphrase is empty: pass nil for none"}
	}
	if err := call(func() C.stellaops_status { return C.stellaops_key_from_bytes(d, dn, p, pn, &out) }); err != nil {
		return nil, err
	}
	return newKey(out), nil
}

// KeyFromURI opens a key by URI: "file:PATH" or a bare path, RFC 7512 "pkcs11:..." (with
// module-path and pin-value or pin-source in the query), "awskms://[HOST:PORT]/KEY" (credentials
// and region from the AWS environment variables) or "hashivault://KEY[?version=N]" (VAULT_ADDR,
// VAULT_TOKEN) or "fido2:CREDENTIAL?device=..." (a FIDO2 security key; PIN from
// pin-source=FILE or STELLAOPS_FIDO2_PIN). passphrase (nil for none) decrypts an encrypted key file. Opening contacts the
// backend; signing with a remote key makes one request per signature on the calling goroutine's
// thread. Keys in an HSM, KMS or Vault cannot be exported (ErrKeyNotExportable).
func KeyFromURI(uri string, passphrase []byte) (*Key, error) {
	if uri == "" {
		return nil, &Error{Code: CodeInvalidArgument, Message: "uri is empty"}
	}
	if passphrase != nil && len(passphrase) == 0 {
		return nil, &Error{Code: CodeInvalidArgument, Message: "passphrase is empty: pass nil for none"}
	}
	var out *C.stellaops_key
	u, un := textArg(uri)
	p, pn := bytesArg(passphrase)
	if err := call(func() C.stellaops_status { return C.stellaops_key_from_uri(u, un, p, pn, &out) }); err != nil {
		return nil, err
	}
	return newKey(out), nil
}

// Algorithm is the algorithm the key signs with.
func (k *Key) Algorithm() (Algorithm, error) {
	var out C.stellaops_algorithm
	err := k.h.use(func(h unsafe.Pointer) error {
		p := (*C.stellaops_key)(h)
		return call(func() C.stellaops_status { return C.stellaops_key_algorithm(p, &out) })
	})
	return Algorithm(out), err
}

// KeyID is the lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER: the keyid the
// library writes into envelopes. A hint, never a reason to trust.
func (k *Key) KeyID() (string, error) {
	var buf C.stellaops_buffer
	err := k.h.use(func(h unsafe.Pointer) error {
		p := (*C.stellaops_key)(h)
		return call(func() C.stellaops_status { return C.stellaops_key_id(p, &buf) })
	})
	if err != nil {
		return "", err
	}
	return string(takeBuffer(&buf)), nil
}

// PublicKey returns the public half as a new PublicKey (Close it too).
func (k *Key) PublicKey() (*PublicKey, error) {
	var out *C.stellaops_verifying_key
	err := k.h.use(func(h unsafe.Pointer) error {
		p := (*C.stellaops_key)(h)
		return call(func() C.stellaops_status { return C.stellaops_key_public_key(p, &out) })
	})
	if err != nil {
		return nil, err
	}
	return newPublicKey(out), nil
}

// PKCS8PEM exports the private key as PKCS#8 PEM, encrypted with passphrase unless it is nil.
// The result is a secret: clear it when done.
func (k *Key) PKCS8PEM(passphrase []byte) ([]byte, error) {
	if passphrase != nil && len(passphrase) == 0 {
		return nil, &Error{Code: CodeInvalidArgument, Message: "passphrase is empty: pass nil for none"}
	}
	var buf C.stellaops_buffer
	p, pn := bytesArg(passphrase)
	err := k.h.use(func(h unsafe.Pointer) error {
		key := (*C.stellaops_key)(h)
		return call(func() C.stellaops_status { return C.stellaops_key_to_pkcs8_pem(key, p, pn, &buf) })
	})
	if err != nil {
		return nil, err
	}
	return takeBuffer(&buf), nil
}

// Close frees the key (its secret is zeroed in the library). Safe to call twice and
// concurrently with other calls (they finish first; later ones get ErrClosed).
func (k *Key) Close() error {
	k.h.close()
	return nil
}

// KeyFormat is a public-key encoding.
type KeyFormat uint32

// The encodings.
const (
	SPKIDER KeyFormat = C.STELLAOPS_KEY_FORMAT_SPKI_DER
	SPKIPEM KeyFormat = C.STELLAOPS_KEY_FORMAT_SPKI_PEM
	JWK     KeyFormat = C.STELLAOPS_KEY_FORMAT_JWK
)

// PublicKey is a public key trusted to verify. Safe for concurrent use.
type PublicKey struct {
	h *handle
}

func newPublicKey(ptr *C.stellaops_verifying_key) *PublicKey {
	k := &PublicKey{h: &handle{ptr: unsafe.Pointer(ptr), free: func(p unsafe.Pointer) {
		C.stellaops_verifying_key_free((*C.stellaops_verifying_key)(p))
	}}}
	runtime.AddCleanup(k, func(h *handle) { h.close() }, k.h)
	return k
}

// LoadPublicKey reads SPKI PEM or DER, a public JWK, or an X.509 certificate (its key; the
// certificate is not validated). A private key's public half is accepted too.
func LoadPublicKey(data []byte) (*PublicKey, error) {
	var out *C.stellaops_verifying_key
	d, dn := bytesArg(data)
	if err := call(func() C.stellaops_status { return C.stellaops_verifying_key_from_bytes(d, dn, &out) }); err != nil {
		return nil, err
	}
	return newPublicKey(out), nil
}

// Algorithm is the one algorithm the key verifies, or AlgorithmUnspecified for an RSA key that
// verifies both paddings.
func (k *PublicKey) Algorithm() (Algorithm, error) {
	var out C.stellaops_algorithm
	err := k.h.use(func(h unsafe.Pointer) error {
		p := (*C.stellaops_verifying_key)(h)
		return call(func() C.stellaops_status { return C.stellaops_verifying_key_algorithm(p, &out) })
	})
	return Algorithm(out), err
}

// KeyID is the lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
func (k *PublicKey) KeyID() (string, error) {
	var buf C.stellaops_buffer
	err := k.h.use(func(h unsafe.Pointer) error {
		p := (*C.stellaops_verifying_key)(h)
		return call(func() C.stellaops_status { return C.stellaops_verifying_key_id(p, &buf) })
	})
	if err != nil {
		return "", err
	}
	return string(takeBuffer(&buf)), nil
}

// Export encodes the key as SPKI DER, SPKI PEM or a JWK.
func (k *PublicKey) Export(format KeyFormat) ([]byte, error) {
	var buf C.stellaops_buffer
	err := k.h.use(func(h unsafe.Pointer) error {
		p := (*C.stellaops_verifying_key)(h)
		return call(func() C.stellaops_status {
			return C.stellaops_verifying_key_export(p, C.stellaops_key_format(format), &buf)
		})
	})
	if err != nil {
		return nil, err
	}
	return takeBuffer(&buf), nil
}

// Close frees the key. Safe to call twice and concurrently with other calls.
func (k *PublicKey) Close() error {
	k.h.close()
	return nil
}

// WritePrivateKey writes the key as PKCS#8 PEM to a new file at path with mode 0600, encrypted
// with passphrase when it is not nil: atomically, and never over an existing file (CodeIO).
// Keys in an HSM, KMS or Vault fail with CodeKeyNotExportable.
func (k *Key) WritePrivateKey(path string, passphrase []byte) error {
	p, pn := textArg(path)
	var pp *C.uint8_t
	var ppn C.size_t
	if passphrase != nil {
		if len(passphrase) == 0 {
			return &Error{Code: CodeInvalidArgument, Message: "passphrase is empty: pass nil for an unencrypted key"}
		}
		pp, ppn = bytesArg(passphrase)
	}
	return k.h.use(func(h unsafe.Pointer) error {
		return call(func() C.stellaops_status {
			return C.stellaops_key_write_private_key((*C.stellaops_key)(h), p, pn, pp, ppn)
		})
	})
}
