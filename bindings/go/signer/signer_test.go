package signer_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

const digest = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"

// must unwraps a result; an error panics, which fails the test with a stack trace.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func wantCode(t *testing.T, err error, code signer.Code) {
	t.Helper()
	var e *signer.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *signer.Error with %s, got %v", code, err)
	}
	if e.Code != code {
		t.Fatalf("want %s (%d), got %s (%d): %s", code, code, e.Code, e.Code, e.Message)
	}
	if e.Message == "" && code != signer.CodeClosed {
		t.Fatalf("%s without a message", code)
	}
}

func TestVersions(t *testing.T) {
	if signer.ABIVersion() < signer.HeaderABIVersion {
		t.Fatalf("abi %d < header %d", signer.ABIVersion(), signer.HeaderABIVersion)
	}
	if signer.Version() != "0.1.0" {
		t.Fatalf("version %q", signer.Version())
	}
}

func TestAlgorithms(t *testing.T) {
	for _, alg := range []signer.Algorithm{signer.ES256, signer.ES384, signer.Ed25519, signer.RSAPSSSHA256, signer.RSAPKCS1v15SHA256} {
		back := must(signer.ParseAlgorithm(alg.String()))
		if back != alg {
			t.Fatalf("%s -> %s", alg, back)
		}
	}
	if a := must(signer.ParseAlgorithm("EdDSA")); a != signer.Ed25519 {
		t.Fatal(a)
	}
	_, err := signer.ParseAlgorithm("dsa")
	wantCode(t, err, signer.CodeUnknownAlgorithm)
	_, err = signer.ParseAlgorithm("\xff")
	wantCode(t, err, signer.CodeInvalidUTF8Argument)
	if signer.AlgorithmUnspecified.String() != "unspecified" {
		t.Fatal(signer.AlgorithmUnspecified.String())
	}
}

func TestKeysRoundTrip(t *testing.T) {
	for _, alg := range []signer.Algorithm{signer.ES256, signer.ES384, signer.Ed25519, signer.RSAPKCS1v15SHA256} {
		t.Run(alg.String(), func(t *testing.T) {
			key := must(signer.GenerateKey(alg))
			defer key.Close()
			if got := must(key.Algorithm()); got != alg {
				t.Fatalf("algorithm %s", got)
			}
			id := must(key.KeyID())
			if len(id) != 64 || strings.ToLower(id) != id {
				t.Fatalf("key id %q", id)
			}
			pem := must(key.PKCS8PEM([]byte("pw")))
			if !bytes.Contains(pem, []byte("ENCRYPTED PRIVATE KEY")) {
				t.Fatalf("%s", pem)
			}
			_, err := signer.LoadKey(pem, nil)
			wantCode(t, err, signer.CodePassphraseRequired)
			if !errors.Is(err, signer.ErrPassphraseRequired) {
				t.Fatal("errors.Is")
			}
			_, err = signer.LoadKey(pem, []byte("wrong"))
			wantCode(t, err, signer.CodeWrongPassphrase)
			again := must(signer.LoadKey(pem, []byte("pw")))
			defer again.Close()
			if must(again.KeyID()) != id {
				t.Fatal("reloaded key has another id")
			}
			if got := must(again.Algorithm()); got != alg {
				t.Fatalf("reloaded algorithm %s", got)
			}
			pub := must(key.PublicKey())
			defer pub.Close()
			for _, f := range []signer.KeyFormat{signer.SPKIDER, signer.SPKIPEM, signer.JWK} {
				exported := must(pub.Export(f))
				back := must(signer.LoadPublicKey(exported))
				if must(back.KeyID()) != id {
					t.Fatalf("format %d changes the key id", f)
				}
				back.Close()
			}
			_, err = pub.Export(99)
			wantCode(t, err, signer.CodeInvalidArgument)
		})
	}
}

func TestKeyErrors(t *testing.T) {
	_, err := signer.GenerateKey(0)
	wantCode(t, err, signer.CodeUnknownAlgorithm)
	_, err = signer.LoadKey([]byte("garbage"), nil)
	wantCode(t, err, signer.CodeMalformedKey)
	if !errors.Is(err, signer.ErrMalformedKey) {
		t.Fatal("errors.Is")
	}
	_, err = signer.LoadKey(nil, nil)
	wantCode(t, err, signer.CodeInvalidArgument)
	_, err = signer.LoadKey([]byte("x"), []byte{})
	wantCode(t, err, signer.CodeInvalidArgument)
	_, err = signer.LoadPublicKey([]byte("not a key"))
	wantCode(t, err, signer.CodeMalformedKey)
	_, err = signer.LoadPublicKey(nil)
	wantCode(t, err, signer.CodeInvalidArgument)

	key := must(signer.GenerateKey(signer.Ed25519))
	pub := must(key.PublicKey())
	key.Close()
	key.Close() // twice is fine
	_, err = key.KeyID()
	wantCode(t, err, signer.CodeClosed)
	if !errors.Is(err, signer.ErrClosed) {
		t.Fatal("errors.Is closed")
	}
	_, err = signer.Sign(context.Background(), "t", nil, key)
	wantCode(t, err, signer.CodeClosed)
	_, err = key.PublicKey()
	wantCode(t, err, signer.CodeClosed)
	_, err = key.PKCS8PEM(nil)
	wantCode(t, err, signer.CodeClosed)
	_, err = key.PKCS8PEM([]byte{})
	wantCode(t, err, signer.CodeInvalidArgument)
	// the public key lives on after its private key is closed
	if _, err := pub.KeyID(); err != nil {
		t.Fatal(err)
	}
	pub.Close()
	_, err = pub.Algorithm()
	wantCode(t, err, signer.CodeClosed)
	_, err = pub.Export(signer.JWK)
	wantCode(t, err, signer.CodeClosed)
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	es := must(signer.GenerateKey(signer.ES256))
	ed := must(signer.GenerateKey(signer.Ed25519))
	other := must(signer.GenerateKey(signer.ES384))
	esPub, edPub, otherPub := must(es.PublicKey()), must(ed.PublicKey()), must(other.PublicKey())

	env := must(signer.Sign(ctx, "text/plain", []byte("hello"), es, ed))
	var parsed struct {
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			KeyID string `json:"keyid"`
			Sig   string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(env, &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.Payload != base64.StdEncoding.EncodeToString([]byte("hello")) || len(parsed.Signatures) != 2 {
		t.Fatalf("%s", env)
	}
	if parsed.Signatures[0].KeyID != must(es.KeyID()) {
		t.Fatal("keyid")
	}

	v := must(signer.Verify(ctx, env, []*signer.PublicKey{otherPub, edPub, esPub}, signer.VerifyOptions{Threshold: 2, PayloadType: "text/plain"}))
	if string(v.Payload) != "hello" || v.PayloadType != "text/plain" || len(v.Keys) != 2 {
		t.Fatalf("%+v", v)
	}
	seen := map[int]signer.VerifiedKey{}
	for _, k := range v.Keys {
		seen[k.KeyIndex] = k
	}
	if seen[1].Algorithm != signer.Ed25519 || seen[1].SignatureIndex != 1 || seen[2].Algorithm != signer.ES256 || seen[2].SignatureIndex != 0 {
		t.Fatalf("%+v", v.Keys)
	}

	_, err := signer.Verify(ctx, env, []*signer.PublicKey{otherPub}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeVerificationFailed)
	if !errors.Is(err, signer.ErrVerificationFailed) {
		t.Fatal("errors.Is")
	}
	var e *signer.Error
	if !errors.As(err, &e) || !e.Code.IsVerificationFailure() {
		t.Fatal("4xx")
	}
	_, err = signer.Verify(ctx, env, []*signer.PublicKey{esPub, edPub, otherPub}, signer.VerifyOptions{Threshold: 3})
	wantCode(t, err, signer.CodeVerificationFailed)
	_, err = signer.Verify(ctx, env, []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1, PayloadType: "application/json"})
	wantCode(t, err, signer.CodePayloadTypeMismatch)
	_, err = signer.Verify(ctx, env, []*signer.PublicKey{esPub}, signer.VerifyOptions{})
	wantCode(t, err, signer.CodeInvalidPolicy)
	_, err = signer.Verify(ctx, env, []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: -1})
	wantCode(t, err, signer.CodeInvalidPolicy)
	_, err = signer.Verify(ctx, env, nil, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeInvalidPolicy)
	_, err = signer.Verify(ctx, env, []*signer.PublicKey{nil}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeNullPointer)
	_, err = signer.Verify(ctx, []byte(`{"payload":"","payload":"","payloadType":"x","signatures":[]}`), []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeDuplicateKey)
	_, err = signer.Verify(ctx, []byte(`{`), []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeMalformedJSON)
	_, err = signer.Verify(ctx, []byte(`{"payload":"%%","payloadType":"x","signatures":[{"sig":"AA=="}]}`), []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeInvalidBase64)
	_, err = signer.Verify(ctx, []byte(strings.Repeat("[", 10000)), []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeTooDeep)
	_, err = signer.Verify(ctx, nil, []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeInvalidArgument)

	_, err = signer.Sign(ctx, "t", []byte("x"))
	wantCode(t, err, signer.CodeNoSigningKeys)
	_, err = signer.Sign(ctx, "\xff", []byte("x"), es)
	wantCode(t, err, signer.CodeInvalidUTF8Argument)
	_, err = signer.Sign(ctx, "t", []byte("x"), nil)
	wantCode(t, err, signer.CodeNullPointer)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := signer.Sign(cancelled, "t", nil, es); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if _, err := signer.Verify(cancelled, env, []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}

	// An empty payload signs and verifies.
	empty := must(signer.Sign(ctx, "t", nil, es))
	v = must(signer.Verify(ctx, empty, []*signer.PublicKey{esPub}, signer.VerifyOptions{Threshold: 1}))
	if len(v.Payload) != 0 {
		t.Fatal("payload")
	}
	for _, c := range []interface{ Close() error }{es, ed, other, esPub, edPub, otherPub} {
		c.Close()
	}
}

func TestAttest(t *testing.T) {
	ctx := context.Background()
	key := must(signer.GenerateKey(signer.Ed25519))
	defer key.Close()
	pub := must(key.PublicKey())
	defer pub.Close()
	subjects := []signer.Subject{{Name: "pkg:oci/app", Digest: map[string]string{"sha256": digest}}}
	a := must(signer.Attest(ctx, "vex", []byte(`{"statements":[]}`), subjects, signer.AttestOptions{Enforcement: signer.Reject}, key))
	if a.Admission != signer.Allowed {
		t.Fatal(a.Admission)
	}
	v := must(signer.Verify(ctx, a.Envelope, []*signer.PublicKey{pub}, signer.VerifyOptions{Threshold: 1, PayloadType: "application/vnd.in-toto+json"}))
	var statement struct {
		Type          string `json:"_type"`
		PredicateType string `json:"predicateType"`
		Subject       []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
	}
	if err := json.Unmarshal(v.Payload, &statement); err != nil {
		t.Fatal(err)
	}
	if statement.Type != "https://in-toto.io/Statement/v1" || statement.PredicateType != "stella.ops/vex@v1" ||
		statement.Subject[0].Name != "pkg:oci/app" || statement.Subject[0].Digest["sha256"] != digest {
		t.Fatalf("%s", v.Payload)
	}

	a = must(signer.Attest(ctx, "https://example.com/p@v1", []byte(`{}`), subjects, signer.AttestOptions{}, key))
	if a.Admission != signer.Unlisted {
		t.Fatal(a.Admission)
	}
	_, err := signer.Attest(ctx, "https://example.com/p@v1", []byte(`{}`), subjects, signer.AttestOptions{Enforcement: signer.Reject}, key)
	wantCode(t, err, signer.CodePredicateNotAllowed)
	_, err = signer.Attest(ctx, "nope", []byte(`{}`), subjects, signer.AttestOptions{}, key)
	wantCode(t, err, signer.CodeUnknownPredicateType)
	_, err = signer.Attest(ctx, "sbom", []byte(`{}`), nil, signer.AttestOptions{}, key)
	wantCode(t, err, signer.CodeInvalidStatement)
	_, err = signer.Attest(ctx, "sbom", []byte(`{}`), []signer.Subject{{Name: "a"}}, signer.AttestOptions{}, key)
	wantCode(t, err, signer.CodeInvalidStatement)
	_, err = signer.Attest(ctx, "sbom", []byte(`{}`), []signer.Subject{{Name: "a", Digest: map[string]string{"sha256": "XYZ"}}}, signer.AttestOptions{}, key)
	wantCode(t, err, signer.CodeInvalidDigest)
	_, err = signer.Attest(ctx, "sbom", []byte(`{"a":1,"a":2}`), subjects, signer.AttestOptions{}, key)
	wantCode(t, err, signer.CodeDuplicateKey)
	_, err = signer.Attest(ctx, "sbom", nil, subjects, signer.AttestOptions{}, key)
	wantCode(t, err, signer.CodeInvalidArgument)
	_, err = signer.Attest(ctx, "sbom", []byte(`{}`), subjects, signer.AttestOptions{})
	wantCode(t, err, signer.CodeNoSigningKeys)
	_, err = signer.Attest(ctx, "sbom", []byte(`{}`), subjects, signer.AttestOptions{Enforcement: 9}, key)
	wantCode(t, err, signer.CodeInvalidArgument)
}

func TestCanonicalPAEAndCatalog(t *testing.T) {
	out := must(signer.Canonicalize([]byte(`{"b": 1.50, "a": [1e2]}`), signer.JCS))
	if string(out) != `{"a":[100],"b":1.5}` {
		t.Fatalf("%s", out)
	}
	out = must(signer.Canonicalize([]byte(`{"b": 1, "a": "x"}`), signer.OLPC))
	if string(out) != `{"a":"x","b":1}` {
		t.Fatalf("%s", out)
	}
	_, err := signer.Canonicalize([]byte(`{"cvss": 9.8}`), signer.OLPC)
	wantCode(t, err, signer.CodeFloatInOLPC)
	_, err = signer.Canonicalize([]byte(`{}`), 7)
	wantCode(t, err, signer.CodeInvalidArgument)
	_, err = signer.Canonicalize([]byte(`["\ud800"]`), signer.JCS)
	wantCode(t, err, signer.CodeInvalidUnicode)
	_, err = signer.Canonicalize([]byte(`[1e999]`), signer.JCS)
	wantCode(t, err, signer.CodeNumberOutOfRange)

	pae := must(signer.PAE("http://example.com/HelloWorld", []byte("hello world")))
	if string(pae) != "DSSEv1 29 http://example.com/HelloWorld 11 hello world" {
		t.Fatalf("%q", pae)
	}
	_, err = signer.PAE("\xff", nil)
	wantCode(t, err, signer.CodeInvalidUTF8Argument)

	uri := must(signer.ResolvePredicateType("sbom"))
	if uri != "stella.ops/sbom@v1" {
		t.Fatal(uri)
	}
	info := must(signer.ClassifyPredicateType(uri))
	if info != (signer.PredicateInfo{Family: signer.FamilySBOM, SBOM: true, Allowed: true}) {
		t.Fatalf("%+v", info)
	}
	info = must(signer.ClassifyPredicateType("stella.ops/graph@v1"))
	if info != (signer.PredicateInfo{Family: signer.FamilyReachability, ReachabilityRelated: true, Allowed: true}) {
		t.Fatalf("%+v", info)
	}
	info = must(signer.ClassifyPredicateType("https://example.com/x"))
	if info != (signer.PredicateInfo{}) {
		t.Fatalf("%+v", info)
	}
	_, err = signer.ResolvePredicateType("nope")
	wantCode(t, err, signer.CodeUnknownPredicateType)
	if !errors.Is(err, signer.ErrUnknownPredicateType) {
		t.Fatal("errors.Is")
	}
}

func TestCodeNames(t *testing.T) {
	if signer.CodeVerificationFailed.String() != "verification_failed" || signer.Code(424242).String() != "unknown" {
		t.Fatal(signer.CodeVerificationFailed.String())
	}
	err := error(&signer.Error{Code: signer.CodeMalformedKey, Message: "x"})
	if err.Error() != "stellaops signer: malformed_key: x" {
		t.Fatal(err.Error())
	}
}

// Issue 20, defect 2: the verified signer is named by its position in the keys the caller
// passed, duplicates included: keys [A as PEM, A as JWK, B], signed by B only, is position 2.
func TestVerifyReportsPositionsInTheCallersList(t *testing.T) {
	ctx := context.Background()
	a := must(signer.GenerateKey(signer.ES256))
	b := must(signer.GenerateKey(signer.ES256))
	aPub := must(a.PublicKey())
	aJWK := must(signer.LoadPublicKey(must(aPub.Export(signer.JWK))))
	bPub := must(b.PublicKey())
	keys := []*signer.PublicKey{aPub, aJWK, bPub}

	byB := must(signer.Sign(ctx, "text/plain", []byte("x"), b))
	v := must(signer.Verify(ctx, byB, keys, signer.VerifyOptions{Threshold: 1}))
	if len(v.Keys) != 1 || v.Keys[0].KeyIndex != 2 || !v.SignedBy(2) || v.SignedBy(0) || v.SignedBy(1) {
		t.Fatalf("signed by B: %+v", v)
	}
	byA := must(signer.Sign(ctx, "text/plain", []byte("x"), a))
	v = must(signer.Verify(ctx, byA, keys, signer.VerifyOptions{Threshold: 1}))
	if v.Keys[0].KeyIndex != 0 || len(v.Positions) != 2 || !v.SignedBy(0) || !v.SignedBy(1) || v.SignedBy(2) {
		t.Fatalf("signed by A: %+v", v)
	}
}

// Issue 20, defect 10: what Verify refuses, Sign refuses first: an in-toto payload type over a
// payload that is not a statement.
func TestSignRefusesAnInTotoPayloadThatIsNotAStatement(t *testing.T) {
	key := must(signer.GenerateKey(signer.ES256))
	_, err := signer.Sign(context.Background(), "application/vnd.in-toto+json", []byte(`{"bomFormat":"CycloneDX"}`), key)
	wantCode(t, err, signer.CodeInvalidStatement)
}
