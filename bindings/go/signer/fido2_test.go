package signer_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	signer "git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// fido2Vectors is tests/vectors/fido2/: a credential file and the software authenticator that
// holds it.
var fido2Vectors = filepath.Join("..", "..", "..", "tests", "vectors", "fido2")

// FIDO2 keys reach the Go face through KeyFromURI and LoadPublicKey alone: a fido2: URI signs
// (the software authenticator standing in for a security key), the credential file verifies,
// beside a software key with threshold 2.
func TestFIDO2KeyFromURI(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "authenticator.json")
	if err := os.WriteFile(state, must(os.ReadFile(filepath.Join(fido2Vectors, "authenticator.json"))), 0o600); err != nil {
		t.Fatal(err)
	}
	credPath := must(filepath.Abs(filepath.Join(fido2Vectors, "credential.json")))
	key := must(signer.KeyFromURI("fido2:"+credPath+"?device=software:"+state, nil))
	defer key.Close()
	if alg := must(key.Algorithm()); alg != signer.ES256 {
		t.Fatalf("algorithm %s", alg)
	}
	software := must(signer.GenerateKey(signer.Ed25519))
	defer software.Close()
	credential := must(os.ReadFile(credPath))
	trusted := must(signer.LoadPublicKey(credential))
	defer trusted.Close()
	softPub := must(software.PublicKey())
	defer softPub.Close()
	if must(trusted.KeyID()) != must(key.KeyID()) {
		t.Fatal("the credential file and the fido2: key disagree on the key id")
	}

	env := must(signer.Sign(ctx, "application/json", []byte(`{"release":"1.0"}`), key, software))
	v, err := signer.Verify(ctx, env, []*signer.PublicKey{trusted, softPub}, signer.VerifyOptions{Threshold: 2})
	if err != nil || len(v.Keys) != 2 {
		t.Fatalf("threshold 2: %v %+v", err, v)
	}

	// The credential bound to another relying party does not accept the FIDO2 signature.
	var doc map[string]any
	if err := json.Unmarshal(credential, &doc); err != nil {
		t.Fatal(err)
	}
	doc["rp_id"] = "dsse:other"
	otherRP := must(signer.LoadPublicKey(must(json.Marshal(doc))))
	defer otherRP.Close()
	_, err = signer.Verify(ctx, env, []*signer.PublicKey{otherRP}, signer.VerifyOptions{Threshold: 1})
	if !errors.Is(err, signer.ErrVerificationFailed) {
		t.Fatalf("another rp id: %v", err)
	}

	// No PIN in a URI.
	_, err = signer.KeyFromURI("fido2:"+credPath+"?device=software:"+state+"&pin-value=1", nil)
	var e *signer.Error
	if !errors.As(err, &e) || e.Code != signer.CodeInvalidKeyURI {
		t.Fatalf("pin-value: %v", err)
	}
}
