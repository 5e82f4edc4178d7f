package signer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	signer "git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// serviceEnv reads a variable scripts/services.sh sets; the backend tests fail without it.
func serviceEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run `scripts/services.sh start DIR` and source DIR/services.env (scripts/test.sh does)", name)
	}
	return v
}

const statement = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}}],"predicateType":"https://cyclonedx.org/bom","predicate":{}}`

// Keys in SoftHSM2, the KMS server and OpenBao sign through the binding; go-securesystemslib
// verifies each envelope.
func TestKeyFromURIBackends(t *testing.T) {
	ctx := context.Background()
	pin := serviceEnv(t, "STELLAOPS_TEST_PKCS11_PIN_FILE")
	kms := serviceEnv(t, "STELLAOPS_TEST_KMS_ENDPOINT")
	serviceEnv(t, "VAULT_ADDR")
	cases := []struct {
		uri string
		alg signer.Algorithm
	}{
		{fmt.Sprintf("pkcs11:token=stellaops;object=p256?pin-source=%s", pin), signer.ES256},
		{fmt.Sprintf("pkcs11:token=stellaops;object=rsa?pin-source=%s", pin), signer.RSAPSSSHA256},
		{fmt.Sprintf("awskms://%s/alias/stellaops-p256", kms), signer.ES256},
		{"hashivault://ed25519", signer.Ed25519},
	}
	for _, c := range cases {
		t.Run(c.alg.String()+" "+c.uri[:8], func(t *testing.T) {
			key := must(signer.KeyFromURI(c.uri, nil))
			defer key.Close()
			if alg := must(key.Algorithm()); alg != c.alg {
				t.Fatalf("algorithm %s, want %s", alg, c.alg)
			}
			pub := must(key.PublicKey())
			defer pub.Close()
			env := must(signer.Sign(ctx, "application/vnd.in-toto+json", []byte(statement), key))
			if _, err := signer.Verify(ctx, env, []*signer.PublicKey{pub}, signer.VerifyOptions{Threshold: 1}); err != nil {
				t.Fatalf("our verifier: %v", err)
			}
			var parsed dsse.Envelope
			if err := json.Unmarshal(env, &parsed); err != nil {
				t.Fatal(err)
			}
			sv := sslibSignerVerifier(t, must(pub.Export(signer.SPKIPEM)), c.alg, must(key.KeyID()))
			verifier, err := dsse.NewEnvelopeVerifier(sv)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := verifier.Verify(ctx, &parsed); err != nil {
				t.Fatalf("go-securesystemslib rejects the %s envelope: %v", c.uri, err)
			}
			if _, err := key.PKCS8PEM(nil); !errors.Is(err, signer.ErrKeyNotExportable) {
				t.Fatalf("export of a backend key: %v", err)
			}
		})
	}
}

func TestKeyFromURIErrors(t *testing.T) {
	for _, c := range []struct {
		uri  string
		code signer.Code
	}{
		{"", signer.CodeInvalidArgument},
		{"pkcs11:token=x", signer.CodeInvalidKeyURI},
		{"azurekms://vault/key", signer.CodeBackendUnavailable},
		{"pkcs11:token=stellaops;object=p256?pin-value=1", signer.CodeWrongPIN},
		{"awskms://127.0.0.1:9/alias/x", signer.CodeBackendUnreachable},
	} {
		_, err := signer.KeyFromURI(c.uri, nil)
		wantCode(t, err, c.code)
	}
}
