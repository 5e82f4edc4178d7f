package signer

// The Go functions the C library calls back: a caller's crypto.Signer or verify function, found
// through a cgo.Handle kept in C memory (the library holds the context pointer, so it must not
// point into Go memory). This file has only declarations in its preamble, as //export requires.

/*
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"log/slog"
	"runtime/cgo"
	"sort"
	"unsafe"
)

// Statuses a sign callback returns besides 0; the library reports each as CALLER_SIGNER_FAILED
// with the number in the message.
const (
	signFailed   = 1 // the signer returned an error
	signPanicked = 2 // the signer panicked
	signTooLarge = 3 // the signature does not fit the library's buffer
)

// contextHandle reads the cgo.Handle stored at ctx.
func contextHandle(ctx unsafe.Pointer) cgo.Handle {
	return cgo.Handle(*(*C.uintptr_t)(ctx))
}

//export stellaopsGoSign
func stellaopsGoSign(ctx unsafe.Pointer, msg *C.uint8_t, msgLen C.size_t, sig *C.uint8_t, sigLen *C.size_t) (status C.int32_t) {
	defer func() {
		if recover() != nil {
			status = signPanicked
		}
	}()
	s := contextHandle(ctx).Value().(*callerSigner)
	message := C.GoBytes(unsafe.Pointer(msg), C.int(msgLen))
	signature, err := s.sign(message)
	if err != nil {
		return signFailed
	}
	if len(signature) > int(*sigLen) {
		return signTooLarge
	}
	if len(signature) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(sig)), len(signature)), signature)
	}
	*sigLen = C.size_t(len(signature))
	return 0
}

//export stellaopsGoVerify
func stellaopsGoVerify(ctx unsafe.Pointer, pub *C.uint8_t, pubLen C.size_t, msg *C.uint8_t, msgLen C.size_t, sig *C.uint8_t, sigLen C.size_t) (valid C.int32_t) {
	defer func() {
		if recover() != nil {
			valid = 0
		}
	}()
	verify := contextHandle(ctx).Value().(func(publicKey, message, signature []byte) bool)
	ok := verify(
		C.GoBytes(unsafe.Pointer(pub), C.int(pubLen)),
		C.GoBytes(unsafe.Pointer(msg), C.int(msgLen)),
		C.GoBytes(unsafe.Pointer(sig), C.int(sigLen)),
	)
	if ok {
		return 1
	}
	return 0
}

//export stellaopsGoRelease
func stellaopsGoRelease(ctx unsafe.Pointer) {
	contextHandle(ctx).Delete()
	C.free(ctx)
}

//export stellaopsGoLog
func stellaopsGoLog(ctx unsafe.Pointer, level C.uint32_t, record *C.uint8_t, recordLen C.size_t) {
	defer func() { _ = recover() }() // a broken handler must not unwind into the library
	logger := contextHandle(ctx).Value().(*slog.Logger)
	var fields map[string]any
	if json.Unmarshal(C.GoBytes(unsafe.Pointer(record), C.int(recordLen)), &fields) != nil {
		return
	}
	message, _ := fields["message"].(string)
	delete(fields, "message")
	delete(fields, "level")
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	attrs := make([]slog.Attr, 0, len(names))
	for _, name := range names {
		attrs = append(attrs, slog.Any(name, fields[name]))
	}
	logger.LogAttrs(context.Background(), slogLevel(uint32(level)), message, attrs...)
}
