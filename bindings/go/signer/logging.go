package signer

/*
#include <stdlib.h>
#include "stellaops_signer.h"

extern void stellaopsGoLog(void *, uint32_t, uint8_t *, size_t);
extern void stellaopsGoRelease(void *);
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
)

// slogLevel maps the library's levels (1 error ... 5 trace) to slog's.
func slogLevel(level uint32) slog.Level {
	switch level {
	case C.STELLAOPS_LOG_ERROR:
		return slog.LevelError
	case C.STELLAOPS_LOG_WARN:
		return slog.LevelWarn
	case C.STELLAOPS_LOG_INFO:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}

// SetLogger sends the library's log records to logger, replacing an earlier one; nil stops
// them. The library produces the records the logger's handler enables (Debug, Info, Warn or
// Error): one "signing decision" record per pipeline request at Info, with the attributes
// target, trace_id, tenant, subject_digests, issuer_mode, decision, reason, key_ids,
// predicate_type and latency_ms. Records are logged on the goroutine's thread that made the
// library call, possibly from several at once.
func SetLogger(logger *slog.Logger) error {
	if logger == nil {
		return call(func() C.stellaops_status {
			return C.stellaops_set_log_callback(C.STELLAOPS_LOG_OFF, nil, nil, nil)
		})
	}
	level := C.stellaops_log_level(C.STELLAOPS_LOG_OFF)
	for _, l := range []struct {
		slog slog.Level
		lib  C.stellaops_log_level
	}{{slog.LevelError, C.STELLAOPS_LOG_ERROR}, {slog.LevelWarn, C.STELLAOPS_LOG_WARN}, {slog.LevelInfo, C.STELLAOPS_LOG_INFO}, {slog.LevelDebug, C.STELLAOPS_LOG_DEBUG}} {
		if logger.Enabled(context.Background(), l.slog) {
			level = l.lib
		}
	}
	h := cgo.NewHandle(logger)
	ctx := handleContext(h)
	err := call(func() C.stellaops_status {
		return C.stellaops_set_log_callback(level, C.stellaops_log_callback(C.stellaopsGoLog), ctx,
			C.stellaops_release_callback(C.stellaopsGoRelease))
	})
	if err != nil {
		h.Delete()
		C.free(ctx)
	}
	return err
}
