package signer

/*
#include "stellaops_signer.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"unsafe"
)

// ExportOptions describes how SignExport lists an export. The zero value signs every file under
// the root, takes the creation time from SOURCE_DATE_EPOCH and refuses symbolic links.
type ExportOptions struct {
	// Files limits the export to these relative paths; empty means every file under the root.
	Files []string `json:"files,omitempty"`
	// ExportID is the export id (default: "sha256:" and the SHA-256 of the file list).
	ExportID string `json:"export_id,omitempty"`
	// Tenant and Profile are recorded in the manifest when set.
	Tenant  string `json:"tenant,omitempty"`
	Profile string `json:"profile,omitempty"`
	// CreatedAt is the creation time (RFC 3339); empty means SOURCE_DATE_EPOCH. The clock is
	// never read, so the manifest is reproducible.
	CreatedAt string `json:"created_at,omitempty"`
	// SHA512 also records SHA-512 digests.
	SHA512 bool `json:"sha512,omitempty"`
	// RecordSymlinks records links (path and target) instead of refusing them.
	RecordSymlinks bool `json:"record_symlinks,omitempty"`
	// Exclude leaves these relative paths out (a manifest written into the export).
	Exclude []string `json:"exclude,omitempty"`
}

// SignExport lists every file of the export under root (path, size, digests) in a canonical
// manifest and signs it with every key as a stella.ops/export@v1 statement whose subjects are
// the files. The same files, options and keys give byte-identical manifest and envelope
// (software ECDSA keys sign with RFC 6979 nonces here).
func SignExport(ctx context.Context, root string, opts ExportOptions, keys ...*Key) (manifest []byte, envelope Envelope, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	request, err := json.Marshal(struct {
		Root string `json:"root"`
		ExportOptions
	}{root, opts})
	if err != nil {
		return nil, nil, &Error{Code: CodeInvalidArgument, Message: err.Error()}
	}
	var m, e C.stellaops_buffer
	r, rn := bytesArg(request)
	err = withKeys(keyHandles(keys), func(ptrs unsafe.Pointer, n C.size_t) error {
		return call(func() C.stellaops_status {
			return C.stellaops_export_sign((**C.stellaops_key)(ptrs), n, r, rn, &m, &e)
		})
	})
	if err != nil {
		return nil, nil, err
	}
	return takeBuffer(&m), Envelope(takeBuffer(&e)), nil
}

// ExportVerifyOptions says what VerifyExport requires.
type ExportVerifyOptions struct {
	// Threshold is how many distinct trusted keys must have signed (1 or more).
	Threshold int
	// Manifest, when set, must be the manifest the envelope signs.
	Manifest []byte
	// Exclude skips these relative paths (a manifest kept inside the export).
	Exclude []string
}

// ExportChange is a file whose content, kind or link target differs from the manifest.
type ExportChange struct {
	Path    string `json:"path"`
	Problem string `json:"problem"`
}

// ExportReport is what VerifyExport found.
type ExportReport struct {
	// Intact is true when the export matches the signed manifest exactly.
	Intact   bool   `json:"intact"`
	ExportID string `json:"export_id"`
	// Files is how many files the manifest lists.
	Files int `json:"files"`
	// Keys are the trusted keys that verified.
	Keys []struct {
		KeyID     string `json:"keyid"`
		Algorithm string `json:"algorithm"`
	} `json:"keys"`
	// Missing, Extra and Changed name every difference, sorted by path.
	Missing []string       `json:"missing"`
	Extra   []string       `json:"extra"`
	Changed []ExportChange `json:"changed"`
}

// VerifyExport checks the envelope's signatures against keys and opts.Threshold, then re-hashes
// the export under root against the signed manifest. When the signature verifies but files
// differ it returns the report and an *Error with CodeExportChanged (errors.Is(err,
// ErrExportChanged)); any other error comes without a report.
func VerifyExport(ctx context.Context, root string, envelope []byte, opts ExportVerifyOptions, keys ...*PublicKey) (*ExportReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var exclude []byte
	if len(opts.Exclude) > 0 {
		var err error
		if exclude, err = json.Marshal(opts.Exclude); err != nil {
			return nil, &Error{Code: CodeInvalidArgument, Message: err.Error()}
		}
	}
	var buf C.stellaops_buffer
	rt, rtn := textArg(root)
	ev, evn := bytesArg(envelope)
	mf, mfn := bytesArg(opts.Manifest)
	ex, exn := bytesArg(exclude)
	callErr := withKeys(publicHandles(keys), func(ptrs unsafe.Pointer, n C.size_t) error {
		return call(func() C.stellaops_status {
			return C.stellaops_export_verify(rt, rtn, ev, evn, mf, mfn, ex, exn,
				(**C.stellaops_verifying_key)(ptrs), n, C.size_t(opts.Threshold), &buf)
		})
	})
	if callErr != nil && !errors.Is(callErr, ErrExportChanged) {
		return nil, callErr
	}
	report := new(ExportReport)
	if err := json.Unmarshal(takeBuffer(&buf), report); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "report: " + err.Error()}
	}
	return report, callErr
}

// DescribeExport lists the export under root in a canonical manifest as SignExport does (the
// same bytes), without signing it: for signing elsewhere (ExportStatement, a BundleSigner, a
// pipeline request) or checking a tree later (CheckExport).
func DescribeExport(root string, opts ExportOptions) ([]byte, error) {
	request, err := json.Marshal(struct {
		Root string `json:"root"`
		ExportOptions
	}{root, opts})
	if err != nil {
		return nil, &Error{Code: CodeInvalidArgument, Message: err.Error()}
	}
	r, rn := bytesArg(request)
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status { return C.stellaops_export_describe(r, rn, &out) }); err != nil {
		return nil, err
	}
	return takeBuffer(&out), nil
}

// ExportStatement builds the statement for a manifest: its files as subjects, the manifest as
// the stella.ops/export@v1 predicate.
func ExportStatement(manifest []byte) (Statement, error) {
	m, mn := bytesArg(manifest)
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status { return C.stellaops_export_statement(m, mn, &out) }); err != nil {
		return nil, err
	}
	return Statement(takeBuffer(&out)), nil
}

// ExportCheck is how an export on disk compares with a manifest (CheckExport).
type ExportCheck struct {
	Intact   bool           `json:"intact"`
	ExportID string         `json:"export_id"`
	Files    int            `json:"files"`
	Missing  []string       `json:"missing"`
	Extra    []string       `json:"extra"`
	Changed  []ExportChange `json:"changed"`
}

// CheckExport compares the export under root with manifest (no signature is checked: that is
// VerifyExport), skipping the relative paths in exclude. Differences are in the result, not an
// error.
func CheckExport(root string, manifest []byte, exclude ...string) (*ExportCheck, error) {
	rt, rtn := textArg(root)
	m, mn := bytesArg(manifest)
	var x *C.uint8_t
	var xn C.size_t
	var list []byte
	if len(exclude) > 0 {
		var err error
		if list, err = json.Marshal(exclude); err != nil {
			return nil, &Error{Code: CodeInvalidArgument, Message: err.Error()}
		}
		x, xn = bytesArg(list)
	}
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status { return C.stellaops_export_check(rt, rtn, m, mn, x, xn, &out) }); err != nil {
		return nil, err
	}
	var check ExportCheck
	if err := json.Unmarshal(takeBuffer(&out), &check); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "reading the report: " + err.Error()}
	}
	return &check, nil
}
