package signer

/*
#include "stellaops_signer.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"time"
	"unsafe"
)

// KeyRegistry is the tenant key registry: a TOML file naming each tenant's keys (URI, status,
// validity window, plans, predicate families, revocations; see docs/keys.md). Safe for
// concurrent use.
type KeyRegistry struct {
	h *handle
}

// RegistryEntry is one key of one tenant, as configured.
type RegistryEntry struct {
	Tenant string `json:"tenant"`
	// URI is the key's URI with PINs hidden.
	URI   string  `json:"uri"`
	KeyID *string `json:"key_id"`
	// Status is "active", "retired" or "revoked".
	Status    string   `json:"status"`
	NotBefore *string  `json:"not_before"`
	NotAfter  *string  `json:"not_after"`
	RevokedAt *string  `json:"revoked_at"`
	Reason    *string  `json:"reason"`
	Plans     []string `json:"plans"`
	Families  []string `json:"families"`
	// Signatures is "one" (the best fit signs) or "all" (every fitting key signs).
	Signatures string `json:"signatures"`
}

// KeySelector narrows which of a tenant's keys signs: the caller's plan and the predicate
// family ("sbom", "vex", ...); empty fields match any.
type KeySelector struct {
	Plan   string
	Family string
}

// OpenKeyRegistry reads the registry file at path.
func OpenKeyRegistry(path string) (*KeyRegistry, error) {
	var out *C.stellaops_key_registry
	p, pn := textArg(path)
	if err := call(func() C.stellaops_status { return C.stellaops_key_registry_open(p, pn, &out) }); err != nil {
		return nil, err
	}
	r := &KeyRegistry{h: &handle{ptr: unsafe.Pointer(out), free: func(p unsafe.Pointer) {
		C.stellaops_key_registry_free((*C.stellaops_key_registry)(p))
	}}}
	runtime.AddCleanup(r, func(h *handle) { h.close() }, r.h)
	return r, nil
}

func (r *KeyRegistry) jsonCall(into any, f func(*C.stellaops_key_registry, *C.stellaops_buffer) C.stellaops_status) error {
	var buf C.stellaops_buffer
	err := r.h.use(func(h unsafe.Pointer) error {
		return call(func() C.stellaops_status { return f((*C.stellaops_key_registry)(h), &buf) })
	})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(takeBuffer(&buf), into); err != nil {
		return &Error{Code: CodeInternal, Message: "reading the registry: " + err.Error()}
	}
	return nil
}

// Entries lists every entry of the current configuration.
func (r *KeyRegistry) Entries() ([]RegistryEntry, error) {
	var entries []RegistryEntry
	err := r.jsonCall(&entries, func(h *C.stellaops_key_registry, out *C.stellaops_buffer) C.stellaops_status {
		return C.stellaops_key_registry_entries(h, out)
	})
	return entries, err
}

// Select names the entry that should sign for tenant now (the best fit for sel);
// CodeNoActiveKey when none fits.
func (r *KeyRegistry) Select(tenant string, sel KeySelector) (*RegistryEntry, error) {
	var entry RegistryEntry
	t, tn := textArg(tenant)
	p, pn := textArg(sel.Plan)
	f, fn := textArg(sel.Family)
	err := r.jsonCall(&entry, func(h *C.stellaops_key_registry, out *C.stellaops_buffer) C.stellaops_status {
		return C.stellaops_key_registry_select(h, t, tn, p, pn, f, fn, out)
	})
	if err != nil {
		return nil, err
	}
	return &entry, nil
}

// SigningKey opens the key that should sign for tenant now, checked against its pinned key id
// and every revocation. The key signs like any other and refuses once a reload revokes it; it
// cannot be exported.
func (r *KeyRegistry) SigningKey(tenant string, sel KeySelector) (*Key, error) {
	var out *C.stellaops_key
	t, tn := textArg(tenant)
	p, pn := textArg(sel.Plan)
	f, fn := textArg(sel.Family)
	err := r.h.use(func(h unsafe.Pointer) error {
		return call(func() C.stellaops_status {
			return C.stellaops_key_registry_signing_key((*C.stellaops_key_registry)(h), t, tn, p, pn, f, fn, &out)
		})
	})
	if err != nil {
		return nil, err
	}
	return newKey(out), nil
}

// CheckNotRevoked fails with CodeKeyRevoked when the key keyID was revoked at or before
// signedAt (a zero time: at all). Retired keys still verify.
func (r *KeyRegistry) CheckNotRevoked(keyID string, signedAt time.Time) error {
	k, kn := textArg(keyID)
	var at string
	if !signedAt.IsZero() {
		at = signedAt.UTC().Format(time.RFC3339Nano)
	}
	a, an := textArg(at)
	return r.h.use(func(h unsafe.Pointer) error {
		return call(func() C.stellaops_status {
			return C.stellaops_key_registry_check_not_revoked((*C.stellaops_key_registry)(h), k, kn, a, an)
		})
	})
}

// Reload reads the file again; a file that does not parse or validate leaves the previous
// configuration in force and returns its error.
func (r *KeyRegistry) Reload() error {
	return r.h.use(func(h unsafe.Pointer) error {
		return call(func() C.stellaops_status { return C.stellaops_key_registry_reload((*C.stellaops_key_registry)(h)) })
	})
}

// Close frees the registry; keys it handed out stay usable. Safe to call twice.
func (r *KeyRegistry) Close() error {
	r.h.close()
	return nil
}
