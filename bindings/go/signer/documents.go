package signer

/*
#include <stdlib.h>
#include "stellaops_signer.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"unsafe"
)

// Statement is an unsigned in-toto statement as RFC 8785 canonical JSON: what SBOMStatement,
// ReportStatement and PromotionStatement build, SignStatement signs, and a pipeline request
// carries in its "statement" member.
type Statement []byte

// PredicateStatement builds the statement of type predicateType (a URI or a catalog short name
// such as "vex") whose predicate is predicateJSON (parsed strictly; StellaOps predicates checked
// against their schema) about subjects: what Attest signs, for signing elsewhere (a
// BundleSigner, a pipeline request).
func PredicateStatement(predicateType string, predicateJSON []byte, subjects ...Subject) (Statement, error) {
	var arena cArena
	defer arena.free()
	t, tn := textArg(predicateType)
	p, pn := bytesArg(predicateJSON)
	cs := arena.subjects(subjects)
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status {
		return C.stellaops_predicate_statement(t, tn, p, pn, cs, C.size_t(len(subjects)), &out)
	}); err != nil {
		return nil, err
	}
	return Statement(takeBuffer(&out)), nil
}

// SBOMStatement builds the statement for an SBOM (CycloneDX or SPDX JSON, detected): the SBOM as
// the predicate of its format's type, about subjects, or, with none given, about the subjects
// the SBOM declares (components with SHA-2 hashes).
func SBOMStatement(sbomJSON []byte, subjects ...Subject) (Statement, error) {
	var arena cArena
	defer arena.free()
	s, sn := bytesArg(sbomJSON)
	cs := arena.subjects(subjects)
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status {
		return C.stellaops_sbom_statement(s, sn, cs, C.size_t(len(subjects)), &out)
	}); err != nil {
		return nil, err
	}
	return Statement(takeBuffer(&out)), nil
}

// ReportStatement builds the statement for a scan report (stella.ops/report@v1, validated
// against its schema) about the report's artifact.
func ReportStatement(reportJSON []byte) (Statement, error) {
	r, rn := bytesArg(reportJSON)
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status { return C.stellaops_report_statement(r, rn, &out) }); err != nil {
		return nil, err
	}
	return Statement(takeBuffer(&out)), nil
}

// PromotionStatement builds the statement for a promotion (stella.ops/promotion@v1, validated
// against its schema) about the promoted artifact.
func PromotionStatement(promotionJSON []byte) (Statement, error) {
	p, pn := bytesArg(promotionJSON)
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status { return C.stellaops_promotion_statement(p, pn, &out) }); err != nil {
		return nil, err
	}
	return Statement(takeBuffer(&out)), nil
}

// SignStatement signs an in-toto statement (built by the functions above or elsewhere; parsed
// strictly, StellaOps predicates checked against their schema) with every key: the signing path
// Attest takes, for a statement that is already made.
func SignStatement(ctx context.Context, statement Statement, opts AttestOptions, keys ...*Key) (*Attestation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	enforcement := enforcementOf(opts)
	s, sn := bytesArg(statement)
	var out C.stellaops_buffer
	var admission C.stellaops_admission
	err := withKeys(keyHandles(keys), func(ptrs unsafe.Pointer, n C.size_t) error {
		return call(func() C.stellaops_status {
			return C.stellaops_sign_statement((**C.stellaops_key)(ptrs), n, s, sn,
				C.stellaops_enforcement(enforcement), &out, &admission)
		})
	})
	if err != nil {
		return nil, err
	}
	warnUnlistedStatement(opts, Admission(admission), statement)
	return &Attestation{Envelope: Envelope(takeBuffer(&out)), Admission: Admission(admission)}, nil
}

// warnUnlistedStatement is warnUnlisted for a statement signed as it was given: its predicate
// type read from it (the library has just parsed it strictly).
func warnUnlistedStatement(opts AttestOptions, admission Admission, statement Statement) {
	if admission != Unlisted {
		return
	}
	var st struct {
		PredicateType string `json:"predicateType"`
	}
	_ = json.Unmarshal(statement, &st)
	warnUnlisted(opts, admission, st.PredicateType)
}

// enforcementOf is opts' enforcement, Warn when unset.
func enforcementOf(opts AttestOptions) Enforcement {
	if opts.Enforcement == 0 {
		return Warn
	}
	return opts.Enforcement
}

// PromotionRequirements is what VerifyPromotion requires of a promotion beyond a good
// signature; zero fields are not checked.
type PromotionRequirements struct {
	// ArtifactDigest: the promoted artifact's digest set must hold each ("sha256": hex).
	ArtifactDigest map[string]string
	// TargetEnvironment: where it must be promoted to.
	TargetEnvironment string
	// PolicyDigest: the policy ("sha256:<hex>") that must have allowed it.
	PolicyDigest string
}

// VerifyPromotion verifies a promotion envelope: at least opts.Threshold of keys signed it, it
// carries a stella.ops/promotion@v1 statement whose predicate follows the schema and whose
// subject is the promoted artifact, and the promotion meets req. The Verification's payload is
// the statement. A promotion that does not meet req fails with CodePredicateMismatch.
func VerifyPromotion(ctx context.Context, envelope []byte, keys []*PublicKey, opts VerifyOptions, req PromotionRequirements) (*Verification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Threshold < 0 {
		return nil, &Error{Code: CodeInvalidPolicy, Message: "negative threshold"}
	}
	if opts.PayloadType != "" && opts.PayloadType != "application/vnd.in-toto+json" {
		return nil, &Error{Code: CodeInvalidArgument, Message: "a promotion's payload type is application/vnd.in-toto+json"}
	}
	var arena cArena
	defer arena.free()
	creq := (*C.stellaops_promotion_requirements)(arena.alloc(int(unsafe.Sizeof(C.stellaops_promotion_requirements{}))))
	creq.artifact_digests, creq.artifact_digests_len = arena.digests(req.ArtifactDigest)
	if req.TargetEnvironment != "" {
		creq.target_environment, creq.target_environment_len = arena.text(req.TargetEnvironment)
	}
	if req.PolicyDigest != "" {
		creq.policy_digest, creq.policy_digest_len = arena.text(req.PolicyDigest)
	}
	e, en := bytesArg(envelope)
	var result *Verification
	err := withKeys(publicHandles(keys), func(ptrs unsafe.Pointer, nkeys C.size_t) error {
		var v *C.stellaops_verification
		if err := call(func() C.stellaops_status {
			return C.stellaops_verify_promotion(e, en, (**C.stellaops_verifying_key)(ptrs), nkeys,
				C.size_t(opts.Threshold), creq, &v)
		}); err != nil {
			return err
		}
		defer C.stellaops_verification_free(v)
		result = copyVerification(v, int(nkeys))
		return nil
	})
	return result, err
}

// AttestationFacts is what InspectAttestation found in an envelope or a Sigstore bundle.
type AttestationFacts struct {
	// Container is "dsse" for a bare envelope, else the bundle's media type.
	Container     string  `json:"container"`
	PayloadType   string  `json:"payload_type"`
	PredicateType *string `json:"predicate_type"`
	Subjects      []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subjects"`
	Signatures []struct {
		KeyID string `json:"keyid"`
		// VerifiedBy names the trusted key that verified it ("key <key id>"), nil for none.
		VerifiedBy *string `json:"verified_by"`
		Algorithm  *string `json:"algorithm"`
		// MatchesEmbeddedCertificate: consistency with the bundle's own certificate, never trust.
		MatchesEmbeddedCertificate *bool `json:"matches_embedded_certificate"`
	} `json:"signatures"`
	Certificate *struct {
		Identities []string `json:"identities"`
		Issuer     *string  `json:"issuer"`
		NotBefore  string   `json:"not_before"`
		NotAfter   string   `json:"not_after"`
	} `json:"certificate"`
	PublicKeyHint *string `json:"public_key_hint"`
	TlogEntries   []struct {
		LogIndex       string `json:"log_index"`
		IntegratedTime string `json:"integrated_time"`
		Kind           string `json:"kind"`
		InclusionProof bool   `json:"inclusion_proof"`
	} `json:"tlog_entries"`
	// Verified is true only when a signature verified under one of the keys given.
	Verified   bool     `json:"verified"`
	Checked    []string `json:"checked"`
	NotChecked []string `json:"not_checked"`
}

// InspectAttestation reads an envelope or a Sigstore bundle and reports what it claims (stella
// forensic attest show). Only a key in keys makes a signature verified; a bundle's own
// certificate, chain and log entries are reported, not trusted: verify the bundle against a
// trusted root (VerifyBundle) for that.
func InspectAttestation(data []byte, keys ...*PublicKey) (*AttestationFacts, error) {
	d, dn := bytesArg(data)
	var out C.stellaops_buffer
	err := withKeys(publicHandles(keys), func(ptrs unsafe.Pointer, n C.size_t) error {
		return call(func() C.stellaops_status {
			return C.stellaops_inspect_attestation(d, dn, (**C.stellaops_verifying_key)(ptrs), n, &out)
		})
	})
	if err != nil {
		return nil, err
	}
	var facts AttestationFacts
	if err := json.Unmarshal(takeBuffer(&out), &facts); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "reading the facts: " + err.Error()}
	}
	return &facts, nil
}

// ArtifactSubjects hashes files into subjects, one per file named by its file name: SHA-256 and,
// with sha512, SHA-512 too, read by streaming (any size, constant memory).
func ArtifactSubjects(sha512 bool, paths ...string) ([]Subject, error) {
	list, err := json.Marshal(paths)
	if err != nil {
		return nil, &Error{Code: CodeInvalidArgument, Message: "paths: " + err.Error()}
	}
	l, ln := bytesArg(list)
	var out C.stellaops_buffer
	if err := call(func() C.stellaops_status {
		return C.stellaops_artifact_subjects(l, ln, C.bool(sha512), &out)
	}); err != nil {
		return nil, err
	}
	var subjects []Subject
	if err := json.Unmarshal(takeBuffer(&out), &subjects); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "reading the subjects: " + err.Error()}
	}
	return subjects, nil
}

// AuditChain is what VerifyAuditChain established.
type AuditChain struct {
	// Records is how many records the log holds.
	Records uint64
	// LastHash is the last line's hash: anchor it elsewhere so that a truncation shows.
	LastHash string
}

// VerifyAuditChain verifies the hash chain of the pipeline's audit log at path. A broken chain
// fails with CodeAuditChainBroken naming the first bad line.
func VerifyAuditChain(path string) (*AuditChain, error) {
	p, pn := textArg(path)
	var records C.uint64_t
	var last C.stellaops_buffer
	if err := call(func() C.stellaops_status {
		return C.stellaops_verify_audit_chain(p, pn, &records, &last)
	}); err != nil {
		return nil, err
	}
	return &AuditChain{Records: uint64(records), LastHash: string(takeBuffer(&last))}, nil
}
