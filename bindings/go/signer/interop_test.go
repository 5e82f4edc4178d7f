package signer_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// sslibSignerVerifier turns PEM (private or public) into go-securesystemslib's signer-verifier
// for the key type. keyID, when not empty, replaces securesystemslib's own key id (a hash of its
// key JSON): go-securesystemslib skips signatures whose keyid differs from the verifier's.
func sslibSignerVerifier(t testing.TB, pem []byte, alg signer.Algorithm, keyID string) dsse.SignerVerifier {
	t.Helper()
	key, err := signerverifier.LoadKey(pem)
	if err != nil {
		t.Fatalf("securesystemslib LoadKey: %v", err)
	}
	if keyID != "" {
		key.KeyID = keyID
	}
	var sv dsse.SignerVerifier
	switch alg {
	case signer.ES256:
		sv, err = signerverifier.NewECDSASignerVerifierFromSSLibKey(key)
	case signer.Ed25519:
		sv, err = signerverifier.NewED25519SignerVerifierFromSSLibKey(key)
	case signer.RSAPSSSHA256:
		sv, err = signerverifier.NewRSAPSSSignerVerifierFromSSLibKey(key)
	default:
		t.Fatalf("no securesystemslib scheme for %s", alg)
	}
	if err != nil {
		t.Fatalf("securesystemslib signer-verifier: %v", err)
	}
	return sv
}

// interopStatement is a minimal in-toto statement: sign refuses an in-toto payload that is not one.
const interopStatement = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}}],"predicateType":"https://example.com/p","predicate":{}}`

var interopAlgorithms = []signer.Algorithm{signer.ES256, signer.Ed25519, signer.RSAPSSSHA256}

// Envelopes made through the binding verify in go-securesystemslib's dsse package.
func TestInteropOursVerifyInGoSecuresystemslib(t *testing.T) {
	ctx := context.Background()
	for _, alg := range interopAlgorithms {
		t.Run(alg.String(), func(t *testing.T) {
			key := must(signer.GenerateKey(alg))
			defer key.Close()
			pub := must(key.PublicKey())
			defer pub.Close()
			env := must(signer.Sign(ctx, "application/vnd.in-toto+json", []byte(interopStatement), key))

			var parsed dsse.Envelope
			if err := json.Unmarshal(env, &parsed); err != nil {
				t.Fatal(err)
			}
			sv := sslibSignerVerifier(t, must(pub.Export(signer.SPKIPEM)), alg, must(key.KeyID()))
			verifier, err := dsse.NewEnvelopeVerifier(sv)
			if err != nil {
				t.Fatal(err)
			}
			accepted, err := verifier.Verify(ctx, &parsed)
			if err != nil {
				t.Fatalf("go-securesystemslib rejects our %s envelope: %v", alg, err)
			}
			if len(accepted) != 1 || accepted[0].KeyID != must(key.KeyID()) {
				t.Fatalf("accepted %+v", accepted)
			}

			// and a tampered one is refused there too
			parsed.Payload = "e30=" // "{}"
			if _, err := verifier.Verify(ctx, &parsed); err == nil {
				t.Fatal("go-securesystemslib accepted a tampered envelope")
			}
		})
	}
}

// Envelopes signed by go-securesystemslib (with its own key ids) verify through the binding.
func TestInteropGoSecuresystemslibVerifyInOurs(t *testing.T) {
	ctx := context.Background()
	for _, alg := range interopAlgorithms {
		t.Run(alg.String(), func(t *testing.T) {
			key := must(signer.GenerateKey(alg))
			defer key.Close()
			pub := must(key.PublicKey())
			defer pub.Close()
			sv := sslibSignerVerifier(t, must(key.PKCS8PEM(nil)), alg, "")
			envSigner, err := dsse.NewEnvelopeSigner(sv)
			if err != nil {
				t.Fatal(err)
			}
			payload := []byte(`{"predicateType":"stella.ops/sbom@v1"}`)
			theirs, err := envSigner.SignPayload(ctx, "application/json", payload)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(theirs)
			if err != nil {
				t.Fatal(err)
			}
			v, err := signer.Verify(ctx, raw, []*signer.PublicKey{pub}, signer.VerifyOptions{Threshold: 1, PayloadType: "application/json"})
			if err != nil {
				t.Fatalf("the binding rejects go-securesystemslib's %s envelope: %v\n%s", alg, err, raw)
			}
			if string(v.Payload) != string(payload) || v.Keys[0].Algorithm != alg {
				t.Fatalf("%+v", v)
			}

			// a different key must not verify it
			other := must(signer.GenerateKey(alg))
			defer other.Close()
			otherPub := must(other.PublicKey())
			defer otherPub.Close()
			_, err = signer.Verify(ctx, raw, []*signer.PublicKey{otherPub}, signer.VerifyOptions{Threshold: 1})
			wantCode(t, err, signer.CodeVerificationFailed)
		})
	}
}
