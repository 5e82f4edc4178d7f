// Package signer signs and verifies DSSE envelopes and in-toto attestations with the
// stellaops-signer library, through its C ABI.
//
// Keys ([Key], [PublicKey]) wrap library handles: call Close when done; a finalizer frees them
// if you forget, but an explicit Close keeps memory (and private keys) from lingering. Keys are
// safe for concurrent use by many goroutines, Close included.
//
// Errors are *[Error] values carrying a stable [Code]; compare with errors.Is against the
// sentinels ([ErrVerificationFailed], ...) or read the code with errors.As.
//
// This is version 0.1.0 of the module git.stella-ops.org/stellaops/signer/bindings/go. It links
// the C library through pkg-config (stellaops_signer.pc; see cgo.go for the build tags that link
// a build of this repository instead).
//
// Calls into the library cannot be interrupted: functions taking a context.Context check it
// before starting (keys in HSMs and KMSs will honour it once those backends exist).
package signer
