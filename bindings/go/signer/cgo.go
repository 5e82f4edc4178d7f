package signer

/*
// How the library is found.
// Default: pkg-config, as for any installed C library: a release tarball unpacked anywhere, or
// scripts/install-c.sh PREFIX; point PKG_CONFIG_PATH at PREFIX/lib/pkgconfig. The program links
// the shared library (libstellaops_signer.so.0), found at run time like any other (ld.so.conf,
// LD_LIBRARY_PATH, or -ldflags=-r).
// -tags stellaops_inrepo: the static library built in this repository
// (cargo build -p stellaops-signer-ffi --release), linked into the Go binary: for work on the
// binding itself. (The shared library is found by its SONAME, libstellaops_signer.so.0, which
// only an installed copy has: scripts/install-c.sh PREFIX, then the default pkg-config build.)
// -tags stellaops_external: nothing here; set CGO_CFLAGS and CGO_LDFLAGS yourself
// (e.g. CGO_CFLAGS=-I/opt/stellaops/include CGO_LDFLAGS="-L/opt/stellaops/lib -lstellaops_signer").
#cgo !stellaops_external,!stellaops_inrepo pkg-config: stellaops_signer
#cgo stellaops_inrepo,!stellaops_external CFLAGS: -I${SRCDIR}/../../../include
#cgo stellaops_inrepo,!stellaops_external LDFLAGS: ${SRCDIR}/../../../target/release/libstellaops_signer.a -ldl -lm -lpthread
#include <stdlib.h>
#include "stellaops_signer.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// call runs one library call and, on failure, reads the message from the same OS thread (the
// library keeps the last error per thread).
func call(f func() C.stellaops_status) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	status := f()
	if status == C.STELLAOPS_STATUS_OK {
		return nil
	}
	return &Error{Code: Code(status), Message: C.GoString(C.stellaops_last_error_message())}
}

// bytesArg passes a Go byte slice as pointer + length; C only reads it during the call.
func bytesArg(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// textArg passes a Go string as pointer + length (not NUL-terminated).
func textArg(s string) (*C.char, C.size_t) {
	if len(s) == 0 {
		return nil, 0
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// takeBuffer copies a library buffer into Go memory and frees it.
func takeBuffer(b *C.stellaops_buffer) []byte {
	defer C.stellaops_buffer_free(b)
	if b.len == 0 {
		return []byte{}
	}
	return C.GoBytes(unsafe.Pointer(b.data), C.int(b.len))
}

// ABIVersion is the C ABI version of the linked library.
func ABIVersion() uint32 { return uint32(C.stellaops_abi_version()) }

// HeaderABIVersion is the C ABI version of the header this package was compiled against; the
// package refuses (panics at init) a library older than it.
const HeaderABIVersion = uint32(C.STELLAOPS_SIGNER_ABI_VERSION)

// BindingVersion is this package's version (the module is tagged bindings/go/vX.Y.Z); it
// needs a library of at least the same ABI version ([HeaderABIVersion]).
const BindingVersion = "0.1.0"

// Version is the linked library's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.stellaops_version()) }

func init() {
	if ABIVersion() < HeaderABIVersion {
		panic("stellaops signer: the linked libstellaops_signer is older than the header this package was built with")
	}
}
