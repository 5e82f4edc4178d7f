package signer

/*
#include "stellaops_signer.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"unsafe"
)

// Pipeline signs on behalf of callers with policy first: the caller's access token and its DPoP
// or mTLS binding, the tenant's entitlement, plan quotas, the scanner release, the tenant's key,
// and one audit record per request. It is built from a TOML configuration file (see
// docs/entitlement.md) and takes requests and returns outcomes as JSON. Safe for concurrent use.
type Pipeline struct {
	h *handle
}

// OpenPipeline builds the pipeline the configuration file at configPath describes.
func OpenPipeline(configPath string) (*Pipeline, error) {
	var out *C.stellaops_pipeline
	p, pn := textArg(configPath)
	if err := call(func() C.stellaops_status { return C.stellaops_pipeline_open(p, pn, &out) }); err != nil {
		return nil, err
	}
	pl := &Pipeline{h: &handle{ptr: unsafe.Pointer(out), free: func(p unsafe.Pointer) {
		C.stellaops_pipeline_free((*C.stellaops_pipeline)(p))
	}}}
	runtime.AddCleanup(pl, func(h *handle) { h.close() }, pl.h)
	return pl, nil
}

// SignJSON runs one request (JSON) and returns the outcome (JSON: envelope, key_id,
// bundle_digest, caller, poe_state, ...). A refusal is an *Error with CodeDenied whose message
// starts with "denied (<reason code>)"; errors.Is(err, ErrDenied) matches it.
func (p *Pipeline) SignJSON(request []byte) ([]byte, error) {
	var buf C.stellaops_buffer
	r, rn := bytesArg(request)
	err := p.h.use(func(h unsafe.Pointer) error {
		pl := (*C.stellaops_pipeline)(h)
		return call(func() C.stellaops_status { return C.stellaops_pipeline_sign_json(pl, r, rn, &buf) })
	})
	if err != nil {
		return nil, err
	}
	return takeBuffer(&buf), nil
}

// Close frees the pipeline (closing its audit log). Safe to call twice and concurrently with
// SignJSON (running calls finish first; later ones get ErrClosed).
func (p *Pipeline) Close() error {
	p.h.close()
	return nil
}

// ReleaseVerdict is whether a scanner release is trusted (Pipeline.CheckRelease).
type ReleaseVerdict struct {
	Digest  string `json:"digest"`
	Trusted bool   `json:"trusted"`
	// Trust says why a trusted release is: "allowlist", "signature" or "override".
	Trust string `json:"trust,omitempty"`
	// KeyID and Referrer name the release signature that verified ("signature").
	KeyID    string `json:"key_id,omitempty"`
	Referrer string `json:"referrer,omitempty"`
	// OverrideReason and ApprovedBy describe the override that applied ("override").
	OverrideReason string `json:"override_reason,omitempty"`
	ApprovedBy     string `json:"approved_by,omitempty"`
	// Reason ("release.untrusted") and Detail say why an untrusted release is not trusted.
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CheckRelease gives the scanner-release verdict for digest ("sha256:<hex>") under the
// pipeline's [release] configuration, without signing: allow-list, then signatures in the
// registry (network), then overrides. An untrusted release is a verdict (Trusted false), not an
// error; a pipeline whose release check is off fails with CodePolicyFailed.
func (p *Pipeline) CheckRelease(ctx context.Context, digest string) (*ReleaseVerdict, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf C.stellaops_buffer
	d, dn := textArg(digest)
	err := p.h.use(func(h unsafe.Pointer) error {
		pl := (*C.stellaops_pipeline)(h)
		return call(func() C.stellaops_status { return C.stellaops_pipeline_check_release(pl, d, dn, &buf) })
	})
	if err != nil {
		return nil, err
	}
	var v ReleaseVerdict
	if err := json.Unmarshal(takeBuffer(&buf), &v); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "reading the verdict: " + err.Error()}
	}
	return &v, nil
}

// MetricsSnapshot returns what the library counted since the first pipeline was opened, as
// Prometheus text: stellaops_signer_sign_seconds (a summary), stellaops_signer_denials_total,
// stellaops_signer_poe_failures_total and stellaops_signer_quota_hits_total by reason,
// stellaops_signer_key_usage_total by key id, stellaops_signer_errors_total by code. Serve it
// from your own /metrics handler.
func MetricsSnapshot() (string, error) {
	var buf C.stellaops_buffer
	if err := call(func() C.stellaops_status { return C.stellaops_metrics_snapshot(&buf) }); err != nil {
		return "", err
	}
	return string(takeBuffer(&buf)), nil
}
