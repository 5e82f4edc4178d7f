package signer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	signer "git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// Sign a payload with two keys and require both signatures.
func ExampleVerify() {
	ctx := context.Background()
	a, _ := signer.GenerateKey(signer.ES256)
	b, _ := signer.GenerateKey(signer.Ed25519)
	defer a.Close()
	defer b.Close()
	envelope, err := signer.Sign(ctx, "text/plain", []byte("hello"), a, b)
	if err != nil {
		log.Fatal(err)
	}
	pa, _ := a.PublicKey()
	pb, _ := b.PublicKey()
	v, err := signer.Verify(ctx, envelope, []*signer.PublicKey{pa, pb}, signer.VerifyOptions{Threshold: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(v.Payload), v.SignedBy(0), v.SignedBy(1))
	// Output: hello true true
}

// Build a promotion's statement, sign it, and verify it against what the deployment requires.
func ExampleVerifyPromotion() {
	ctx := context.Background()
	promotion := []byte(`{
	  "artifact": {"name": "registry.example/app", "digest": {"sha256": "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99"}},
	  "source": {"environment": "staging"}, "target": {"environment": "production"},
	  "policy": {"digest": "sha256:9a8b", "viewSet": ["prod-gates"]},
	  "approvals": [{"approver": "alice@example.com", "approvedAt": "2026-11-20T10:15:00Z"}],
	  "promotedAt": "2026-11-20T11:00:00Z"}`)
	statement, err := signer.PromotionStatement(promotion)
	if err != nil {
		log.Fatal(err)
	}
	key, _ := signer.GenerateKey(signer.ES256)
	defer key.Close()
	att, err := signer.SignStatement(ctx, statement, signer.AttestOptions{Enforcement: signer.Reject}, key)
	if err != nil {
		log.Fatal(err)
	}
	pub, _ := key.PublicKey()
	_, err = signer.VerifyPromotion(ctx, att.Envelope, []*signer.PublicKey{pub}, signer.VerifyOptions{Threshold: 1},
		signer.PromotionRequirements{TargetEnvironment: "production"})
	fmt.Println(err)
	_, err = signer.VerifyPromotion(ctx, att.Envelope, []*signer.PublicKey{pub}, signer.VerifyOptions{Threshold: 1},
		signer.PromotionRequirements{TargetEnvironment: "staging"})
	var e *signer.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
	}
	// Output:
	// <nil>
	// predicate_mismatch
}

// Resolve the key a tenant signs with from the key registry.
func ExampleKeyRegistry_SigningKey() {
	dir, _ := os.MkdirTemp("", "registry")
	defer os.RemoveAll(dir)
	key, _ := signer.GenerateKey(signer.ES256)
	pem, _ := key.PKCS8PEM(nil)
	_ = os.WriteFile(filepath.Join(dir, "acme.pem"), pem, 0o600)
	_ = os.WriteFile(filepath.Join(dir, "keys.toml"), []byte(`
[[tenant]]
id = "acme"

[[tenant.key]]
uri = "`+filepath.Join(dir, "acme.pem")+`"
status = "active"
`), 0o600)
	registry, err := signer.OpenKeyRegistry(filepath.Join(dir, "keys.toml"))
	if err != nil {
		log.Fatal(err)
	}
	defer registry.Close()
	tenantKey, err := registry.SigningKey("acme", signer.KeySelector{})
	if err != nil {
		log.Fatal(err)
	}
	id, _ := tenantKey.KeyID()
	want, _ := key.KeyID()
	entry, _ := registry.Select("acme", signer.KeySelector{})
	fmt.Println(id == want, entry.Status)
	// Output: true active
}

// Hash files into subjects and attest them.
func ExampleArtifactSubjects() {
	dir, _ := os.MkdirTemp("", "artifacts")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "app.tar"), []byte("hello"), 0o600)
	subjects, err := signer.ArtifactSubjects(false, filepath.Join(dir, "app.tar"))
	if err != nil {
		log.Fatal(err)
	}
	key, _ := signer.GenerateKey(signer.Ed25519)
	defer key.Close()
	att, err := signer.Attest(context.Background(), "vex", []byte(`{"statements":[]}`), subjects, signer.AttestOptions{}, key)
	if err != nil {
		log.Fatal(err)
	}
	var envelope struct {
		PayloadType string `json:"payloadType"`
	}
	_ = json.Unmarshal(att.Envelope, &envelope)
	fmt.Println(subjects[0].Name, subjects[0].Digest["sha256"][:12], envelope.PayloadType)
	// Output: app.tar 2cf24dba5fb0 application/vnd.in-toto+json
}
