// Built in a temporary module outside the repository (tests/dist/run.sh): it requires the
// binding by its module path from a module proxy made of dist/go, links the installed C library
// through pkg-config, signs and verifies with a fresh key, verifies the release's provenance with
// the release key, and checks its predicate with in-toto's own SLSA provenance v1 validator.
// Usage: main RELEASE_PUB PROVENANCE_ENVELOPE
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

func main() {
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "go:", err)
		os.Exit(1)
	}
}

func run(pubPath, provenancePath string) error {
	ctx := context.Background()
	key, err := signer.GenerateKey(signer.ES256)
	if err != nil {
		return err
	}
	defer key.Close()
	envelope, err := signer.Sign(ctx, "application/json", []byte(`{"hello":"release"}`), key)
	if err != nil {
		return err
	}
	public, err := key.PublicKey()
	if err != nil {
		return err
	}
	if _, err := signer.Verify(ctx, envelope, []*signer.PublicKey{public}, signer.VerifyOptions{Threshold: 1}); err != nil {
		return err
	}

	pem, err := os.ReadFile(pubPath)
	if err != nil {
		return err
	}
	releaseKey, err := signer.LoadPublicKey(pem)
	if err != nil {
		return err
	}
	provenance, err := os.ReadFile(provenancePath)
	if err != nil {
		return err
	}
	v, err := signer.Verify(ctx, provenance, []*signer.PublicKey{releaseKey},
		signer.VerifyOptions{Threshold: 1, PayloadType: "application/vnd.in-toto+json"})
	if err != nil {
		return fmt.Errorf("release provenance: %w", err)
	}
	if _, err := signer.Verify(ctx, provenance, []*signer.PublicKey{public}, signer.VerifyOptions{Threshold: 1}); err == nil {
		return fmt.Errorf("a key that did not sign the provenance verified it")
	}
	var statement struct {
		PredicateType string          `json:"predicateType"`
		Subject       []any           `json:"subject"`
		Predicate     json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(v.Payload, &statement); err != nil {
		return err
	}
	if statement.PredicateType != "https://slsa.dev/provenance/v1" {
		return fmt.Errorf("predicate type %q", statement.PredicateType)
	}
	var p slsa.Provenance
	if err := protojson.Unmarshal(statement.Predicate, &p); err != nil {
		return fmt.Errorf("in-toto reads the predicate: %w", err)
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("in-toto's SLSA v1 validator: %w", err)
	}
	fmt.Printf("go: binding %s over libstellaops_signer %s (ABI %d): signed and verified; release provenance verified, %d subjects, builder %s (in-toto's validator agrees)\n",
		"git.stella-ops.org/stellaops/signer/bindings/go", signer.Version(), signer.ABIVersion(),
		len(statement.Subject), p.GetRunDetails().GetBuilder().GetId())
	return nil
}
