package signer_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	signer "git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

const promotedDigest = "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99"

// Issue 22: a promotion's statement signed with a local key, verified against what a deployment
// requires, and the same statement signed through the pipeline for a caller.
func TestPromotionSignedLocallyAndThroughThePipeline(t *testing.T) {
	ctx := context.Background()
	dir := pipelineFixture(t)
	promotion := must(os.ReadFile(filepath.Join(dir, "promotion.json")))
	statement := must(signer.PromotionStatement(promotion))
	var parsed struct {
		PredicateType string `json:"predicateType"`
		Subject       []struct {
			Name string `json:"name"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(statement, &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.PredicateType != "stella.ops/promotion@v1" || parsed.Subject[0].Name != "registry.example/stellaops/scanner-web" {
		t.Fatalf("statement: %+v", parsed)
	}

	key := must(signer.GenerateKey(signer.ES256))
	defer key.Close()
	pub := must(key.PublicKey())
	defer pub.Close()
	att := must(signer.SignStatement(ctx, statement, signer.AttestOptions{Enforcement: signer.Reject}, key))
	if att.Admission != signer.Allowed {
		t.Fatalf("admission %v", att.Admission)
	}
	keys := []*signer.PublicKey{pub}
	v := must(signer.VerifyPromotion(ctx, att.Envelope, keys, signer.VerifyOptions{Threshold: 1}, signer.PromotionRequirements{
		ArtifactDigest:    map[string]string{"sha256": promotedDigest},
		TargetEnvironment: "production",
	}))
	if string(v.Payload) != string(statement) || !v.SignedBy(0) {
		t.Fatalf("verification: %+v", v)
	}
	_, err := signer.VerifyPromotion(ctx, att.Envelope, keys, signer.VerifyOptions{Threshold: 1}, signer.PromotionRequirements{TargetEnvironment: "staging"})
	wantCode(t, err, signer.CodePredicateMismatch)
	_, err = signer.VerifyPromotion(ctx, att.Envelope, keys, signer.VerifyOptions{Threshold: 1}, signer.PromotionRequirements{PolicyDigest: "sha256:00"})
	wantCode(t, err, signer.CodePredicateMismatch)
	var serr *signer.Error
	if !errors.As(err, &serr) || serr.Code != signer.CodePredicateMismatch {
		t.Fatalf("errors.As: %v", err)
	}

	// Another statement type is not a promotion.
	vex := must(signer.Attest(ctx, "vex", []byte(`{"statements":[]}`), []signer.Subject{{Name: "a", Digest: map[string]string{"sha256": promotedDigest}}}, signer.AttestOptions{}, key))
	_, err = signer.VerifyPromotion(ctx, vex.Envelope, keys, signer.VerifyOptions{Threshold: 1}, signer.PromotionRequirements{})
	wantCode(t, err, signer.CodePredicateTypeMismatch)

	// Through the pipeline: the caller's members and the statement.
	p := must(signer.OpenPipeline(filepath.Join(dir, "pipeline.toml")))
	defer p.Close()
	var request map[string]json.RawMessage
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, "caller-promotion.json"))), &request); err != nil {
		t.Fatal(err)
	}
	request["statement"] = json.RawMessage(statement)
	out := must(p.SignJSON(must(json.Marshal(request))))
	var outcome struct {
		Envelope json.RawMessage `json:"envelope"`
		TraceID  string          `json:"trace_id"`
	}
	if err := json.Unmarshal(out, &outcome); err != nil {
		t.Fatal(err)
	}
	if outcome.TraceID != "c-caller-promotion" {
		t.Fatalf("outcome: %s", out)
	}

	// The scanner-release verdict on its own.
	allowed := must(p.CheckRelease(ctx, "sha256:"+strings.Repeat("1", 64)))
	if !allowed.Trusted || allowed.Trust != "allowlist" {
		t.Fatalf("allow-listed: %+v", allowed)
	}
	overridden := must(p.CheckRelease(ctx, "sha256:"+strings.Repeat("2", 64)))
	if overridden.Trust != "override" || overridden.ApprovedBy != "alice@example.com" {
		t.Fatalf("overridden: %+v", overridden)
	}
	untrusted := must(p.CheckRelease(ctx, "sha256:"+strings.Repeat("3", 64)))
	if untrusted.Trusted || untrusted.Reason != "release.untrusted" {
		t.Fatalf("untrusted: %+v", untrusted)
	}

	// The audit log the pipeline wrote verifies; an edited copy names its first bad line.
	chain := must(signer.VerifyAuditChain(filepath.Join(dir, "audit.jsonl")))
	if chain.Records != 1 || chain.LastHash == "" {
		t.Fatalf("chain: %+v", chain)
	}
	log := must(os.ReadFile(filepath.Join(dir, "audit.jsonl")))
	edited := filepath.Join(dir, "edited.jsonl")
	if err := os.WriteFile(edited, []byte(strings.Replace(string(log), `"decision":"allowed"`, `"decision":"denied"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = signer.VerifyAuditChain(edited)
	wantCode(t, err, signer.CodeAuditChainBroken)
	if !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("error: %v", err)
	}
	_, err = signer.VerifyAuditChain(filepath.Join(dir, "missing.jsonl"))
	wantCode(t, err, signer.CodeIO)

	// Files hashed into subjects, usable in a pipeline request or for Attest.
	subjects := must(signer.ArtifactSubjects(true, filepath.Join(dir, "promotion.json")))
	if len(subjects) != 1 || subjects[0].Name != "promotion.json" || len(subjects[0].Digest) != 2 {
		t.Fatalf("subjects: %+v", subjects)
	}
	_, err = signer.ArtifactSubjects(false, filepath.Join(dir, "missing"))
	wantCode(t, err, signer.CodeIO)
}

func TestDocumentStatements(t *testing.T) {
	ctx := context.Background()
	dir := pipelineFixture(t)
	report := must(signer.ReportStatement(must(os.ReadFile(filepath.Join(dir, "report.json")))))
	var parsed struct {
		PredicateType string `json:"predicateType"`
	}
	if err := json.Unmarshal(report, &parsed); err != nil || parsed.PredicateType != "stella.ops/report@v1" {
		t.Fatalf("report statement: %s (%v)", report, err)
	}
	_, err := signer.ReportStatement([]byte(`{"scanId":1}`))
	wantCode(t, err, signer.CodeInvalidPredicate)

	sbom := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`)
	artifact := signer.Subject{Name: "app.tar", Digest: map[string]string{"sha256": promotedDigest}}
	statement := must(signer.SBOMStatement(sbom, artifact))
	if err := json.Unmarshal(statement, &parsed); err != nil || parsed.PredicateType != "https://cyclonedx.org/bom" {
		t.Fatalf("sbom statement: %s (%v)", statement, err)
	}
	_, err = signer.SBOMStatement(sbom)
	wantCode(t, err, signer.CodeInvalidArgument)
	_, err = signer.PromotionStatement([]byte(`{"artifact":{}}`))
	wantCode(t, err, signer.CodeInvalidPredicate)
	// SLSA provenance v1 goes through the typed model: a buildType that is not a URI is refused.
	_, err = signer.PredicateStatement("slsa-provenance",
		[]byte(`{"buildDefinition":{"buildType":"theBuildType","externalParameters":{}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}`), artifact)
	wantCode(t, err, signer.CodeInvalidPredicate)
	if !strings.Contains(err.Error(), "/buildDefinition/buildType") {
		t.Fatalf("the error does not name the field: %v", err)
	}

	key := must(signer.GenerateKey(signer.Ed25519))
	defer key.Close()
	_, err = signer.SignStatement(ctx, signer.Statement(`{"_type":"x"}`), signer.AttestOptions{}, key)
	wantCode(t, err, signer.CodeInvalidStatement)
	_, err = signer.SignStatement(ctx, statement, signer.AttestOptions{})
	wantCode(t, err, signer.CodeNoSigningKeys)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := signer.SignStatement(cancelled, statement, signer.AttestOptions{}, key); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestPredicateStatementAndInspect(t *testing.T) {
	ctx := context.Background()
	subject := signer.Subject{Name: "pkg:oci/app", Digest: map[string]string{"sha256": promotedDigest}}
	statement := must(signer.PredicateStatement("vex", []byte(`{"statements":[]}`), subject))
	_, err := signer.PredicateStatement("vex", []byte(`{}`))
	wantCode(t, err, signer.CodeInvalidStatement)
	_, err = signer.PredicateStatement("no-such-name", []byte(`{}`), subject)
	wantCode(t, err, signer.CodeUnknownPredicateType)

	key := must(signer.GenerateKey(signer.Ed25519))
	defer key.Close()
	pub := must(key.PublicKey())
	defer pub.Close()
	att := must(signer.SignStatement(ctx, statement, signer.AttestOptions{}, key))
	facts := must(signer.InspectAttestation(att.Envelope, pub))
	if !facts.Verified || facts.Container != "dsse" || len(facts.Subjects) != 1 || facts.Subjects[0].Name != "pkg:oci/app" {
		t.Fatalf("facts: %+v", facts)
	}
	if facts.Signatures[0].VerifiedBy == nil {
		t.Fatalf("no verifier named: %+v", facts.Signatures[0])
	}
	unverified := must(signer.InspectAttestation(att.Envelope))
	if unverified.Verified || len(unverified.NotChecked) == 0 {
		t.Fatalf("without keys: %+v", unverified)
	}
	_, err = signer.InspectAttestation([]byte(`{"a":1,"a":2}`))
	wantCode(t, err, signer.CodeDuplicateKey)
}

// A predicate type outside the catalog signed under Warn is a slog Warn record; under LogOnly,
// nothing.
func TestUnlistedPredicateTypeWarnsThroughSlog(t *testing.T) {
	ctx := context.Background()
	var records []slog.Record
	logger := slog.New(recordHandler{&records})
	key := must(signer.GenerateKey(signer.Ed25519))
	defer key.Close()
	subject := signer.Subject{Name: "a", Digest: map[string]string{"sha256": promotedDigest}}
	att := must(signer.Attest(ctx, "https://example.com/p@v1", []byte(`{}`), []signer.Subject{subject}, signer.AttestOptions{Logger: logger}, key))
	if att.Admission != signer.Unlisted || len(records) != 1 || records[0].Level != slog.LevelWarn ||
		!strings.Contains(records[0].Message, `"https://example.com/p@v1" is not in the StellaOps catalog`) {
		t.Fatalf("records: %+v", records)
	}
	must(signer.Attest(ctx, "https://example.com/p@v1", []byte(`{}`), []signer.Subject{subject}, signer.AttestOptions{Enforcement: signer.LogOnly, Logger: logger}, key))
	statement := must(signer.PredicateStatement("https://example.com/p@v1", []byte(`{}`), subject))
	must(signer.SignStatement(ctx, statement, signer.AttestOptions{Logger: logger}, key))
	if len(records) != 2 {
		t.Fatalf("want the Attest and SignStatement warnings only: %+v", records)
	}
}

type recordHandler struct{ records *[]slog.Record }

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	*h.records = append(*h.records, r)
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }
