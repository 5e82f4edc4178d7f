package signer_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// The shared vectors in tests/vectors/, which the Rust, Python and Node suites run too: through
// the C ABI here, so C and Go stay byte-compatible with every other face.

func loadVectors(t *testing.T, name string, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "tests", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

type vectorKey struct {
	Name       string `json:"name"`
	Algorithm  string `json:"algorithm"`
	PrivatePEM string `json:"private_pem"`
	PublicPEM  string `json:"public_pem"`
	KeyID      string `json:"key_id"`
}

func codeName(err error) string {
	var e *signer.Error
	if errors.As(err, &e) {
		return e.Code.String()
	}
	return "not a signer error: " + err.Error()
}

func TestVectors(t *testing.T) {
	var keys []vectorKey
	loadVectors(t, "keys.json", &keys)
	publics := map[string]*signer.PublicKey{}
	for _, k := range keys {
		private := must(signer.LoadKey([]byte(k.PrivatePEM), nil))
		if must(private.KeyID()) != k.KeyID || must(private.Algorithm()).String() != k.Algorithm {
			t.Fatalf("key %s", k.Name)
		}
		private.Close()
		publics[k.Name] = must(signer.LoadPublicKey([]byte(k.PublicPEM)))
		if must(publics[k.Name].KeyID()) != k.KeyID {
			t.Fatalf("public key %s", k.Name)
		}
	}

	var paes []struct {
		PayloadType string `json:"payload_type"`
		Payload     []byte `json:"payload_b64"`
		PAE         []byte `json:"pae_b64"`
	}
	loadVectors(t, "pae.json", &paes)
	for _, c := range paes {
		if got := must(signer.PAE(c.PayloadType, c.Payload)); string(got) != string(c.PAE) {
			t.Errorf("pae %q: %q", c.PayloadType, got)
		}
	}

	var canon []map[string]string
	loadVectors(t, "canonical.json", &canon)
	for _, c := range canon {
		for mode, key := range map[signer.CanonMode]string{signer.JCS: "jcs", signer.OLPC: "olpc"} {
			got, err := signer.Canonicalize([]byte(c["input"]), mode)
			if want, ok := c[key]; ok {
				if err != nil || string(got) != want {
					t.Errorf("%s %s: %q %v", c["name"], key, got, err)
				}
			} else if err == nil || codeName(err) != c[key+"_error"] {
				t.Errorf("%s %s: want %s, got %v", c["name"], key, c[key+"_error"], err)
			}
		}
	}

	var envelopes []struct {
		Name        string   `json:"name"`
		Envelope    string   `json:"envelope"`
		Trusted     []string `json:"trusted"`
		Threshold   int      `json:"threshold"`
		PayloadType *string  `json:"payload_type"`
		Expect      string   `json:"expect"`
	}
	loadVectors(t, "envelopes.json", &envelopes)
	for _, c := range envelopes {
		trusted := make([]*signer.PublicKey, len(c.Trusted))
		for i, n := range c.Trusted {
			trusted[i] = publics[n]
		}
		opts := signer.VerifyOptions{Threshold: c.Threshold}
		if c.PayloadType != nil {
			opts.PayloadType = *c.PayloadType
		}
		_, err := signer.Verify(context.Background(), []byte(c.Envelope), trusted, opts)
		switch {
		case c.Expect == "ok" && err != nil:
			t.Errorf("%s: %v", c.Name, err)
		case c.Expect != "ok" && (err == nil || codeName(err) != c.Expect):
			t.Errorf("%s: want %s, got %v", c.Name, c.Expect, err)
		}
	}
	if len(envelopes) < 13 {
		t.Fatalf("only %d envelope vectors", len(envelopes))
	}
}
