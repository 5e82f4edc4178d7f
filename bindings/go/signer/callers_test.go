package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

const gost = "gost3410-2012-256"

// opensslGOST is a crypto.Signer whose GOST R 34.10-2012 key is held by OpenSSL's gost engine
// (libengine-gost-openssl): the way a regional provider plugs in, outside this library.
type opensslGOST struct {
	private string
	public  signer.PKIXPublicKey
}

func (g opensslGOST) Public() crypto.PublicKey { return g.public }

// Sign gets the whole message (crypto.Hash(0): the algorithm hashes with Streebog itself).
func (g opensslGOST) Sign(_ io.Reader, message []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts.HashFunc() != 0 {
		return nil, errors.New("a GOST signer hashes the message itself")
	}
	dir, err := os.MkdirTemp("", "gost-sign")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, sig := filepath.Join(dir, "message"), filepath.Join(dir, "sig")
	if err := os.WriteFile(in, message, 0o600); err != nil {
		return nil, err
	}
	if out, err := exec.Command("openssl", "dgst", "-engine", "gost", "-md_gost12_256", "-sign", g.private, "-out", sig, in).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("openssl: %v: %s", err, out)
	}
	return os.ReadFile(sig)
}

// opensslVerify checks a GOST signature with the openssl command.
func opensslVerify(publicPEM string, message, signature []byte) bool {
	dir, err := os.MkdirTemp("", "gost-verify")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	in, sig := filepath.Join(dir, "message"), filepath.Join(dir, "sig")
	if os.WriteFile(in, message, 0o600) != nil || os.WriteFile(sig, signature, 0o600) != nil {
		return false
	}
	out, err := exec.Command("openssl", "dgst", "-engine", "gost", "-md_gost12_256", "-verify", publicPEM, "-signature", sig, in).CombinedOutput()
	return err == nil && bytes.Contains(out, []byte("Verified OK"))
}

// gostKey makes a GOST key pair with OpenSSL; no engine is a failure, not a skip.
func gostKey(t *testing.T) (private, publicPEM string, spki []byte) {
	t.Helper()
	dir := t.TempDir()
	private, publicPEM = filepath.Join(dir, "private.pem"), filepath.Join(dir, "public.pem")
	for _, args := range [][]string{
		{"genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", private},
		{"pkey", "-engine", "gost", "-in", private, "-pubout", "-out", publicPEM},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v (the gost engine, libengine-gost-openssl, is required): %v: %s", args, err, out)
		}
	}
	block, _ := pem.Decode(must(os.ReadFile(publicPEM)))
	return private, publicPEM, block.Bytes
}

// pae is the DSSE pre-authentication encoding, written here from the specification.
func pae(payloadType string, payload []byte) []byte {
	return []byte(fmt.Sprintf("DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload))
}

func gostStatement(t *testing.T) signer.Statement {
	t.Helper()
	return must(signer.PredicateStatement("https://stella.ops/test/regional@v1", []byte(`{"region":"ru"}`),
		signer.Subject{Name: "app.tar.gz", Digest: map[string]string{"sha256": digest}}))
}

func TestGOSTThroughACryptoSignerVerifiesWithOpenSSL(t *testing.T) {
	private, publicPEM, spki := gostKey(t)
	key := must(signer.KeyFromSigner(opensslGOST{private: private, public: spki}, gost))
	defer key.Close()
	if alg := must(key.Algorithm()); alg != signer.AlgorithmExternal {
		t.Fatalf("algorithm %v", alg)
	}
	att := must(signer.SignStatement(context.Background(), gostStatement(t), signer.AttestOptions{Enforcement: signer.LogOnly}, key))

	// OpenSSL checks the signature over the PAE, without this library.
	var env struct {
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			KeyID string `json:"keyid"`
			Sig   string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(att.Envelope, &env); err != nil || len(env.Signatures) != 1 {
		t.Fatalf("envelope %s: %v", att.Envelope, err)
	}
	payload := must(base64.StdEncoding.DecodeString(env.Payload))
	sig := must(base64.StdEncoding.DecodeString(env.Signatures[0].Sig))
	if !opensslVerify(publicPEM, pae(env.PayloadType, payload), sig) {
		t.Fatal("openssl does not verify the GOST envelope")
	}
	if env.Signatures[0].KeyID != must(key.KeyID()) {
		t.Fatalf("keyid %s", env.Signatures[0].KeyID)
	}

	// Refused by default; verified once a verifier is registered (OpenSSL again, through Go).
	if _, err := signer.LoadPublicKey(must(os.ReadFile(publicPEM))); err == nil {
		t.Fatal("the library read a GOST key on its own")
	}
	registry := must(signer.NewVerifierRegistry())
	defer registry.Close()
	_, err := registry.VerifyingKey(gost, spki)
	wantCode(t, err, signer.CodeUnknownAlgorithm)
	wantCode(t, registry.Register("es256", func(_, _, _ []byte) bool { return true }), signer.CodeInvalidArgument)
	if err := registry.Register(gost, func(_, message, signature []byte) bool {
		return opensslVerify(publicPEM, message, signature)
	}); err != nil {
		t.Fatal(err)
	}
	if names := must(registry.Algorithms()); len(names) != 1 || names[0] != gost {
		t.Fatalf("algorithms %v", names)
	}
	public := must(registry.VerifyingKey(gost, spki))
	defer public.Close()
	v := must(signer.Verify(context.Background(), att.Envelope, []*signer.PublicKey{public}, signer.VerifyOptions{Threshold: 1}))
	if len(v.Keys) != 1 || v.Keys[0].Algorithm != signer.AlgorithmExternal || !v.SignedBy(0) {
		t.Fatalf("verification %+v", v)
	}
	forged := bytes.Replace(att.Envelope, []byte(env.Payload), []byte(base64.StdEncoding.EncodeToString(append(payload, ' '))), 1)
	_, err = signer.Verify(context.Background(), forged, []*signer.PublicKey{public}, signer.VerifyOptions{Threshold: 1})
	wantCode(t, err, signer.CodeVerificationFailed)
}

// Go's own crypto.Signers, one per built-in algorithm: the envelopes verify under their public
// keys as loaded by the library.
func TestKeyFromSignerWithGoKeys(t *testing.T) {
	ec := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	ec384 := must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader))
	_, ed := must2(ed25519.GenerateKey(rand.Reader))
	rk := must(rsa.GenerateKey(rand.Reader, 2048))
	for _, c := range []struct {
		algorithm string
		signer    crypto.Signer
	}{{"es256", ec}, {"es384", ec384}, {"ed25519", ed}, {"rsa-pss-sha256", rk}, {"rsa-pkcs1-sha256", rk}} {
		t.Run(c.algorithm, func(t *testing.T) {
			key := must(signer.KeyFromSigner(c.signer, c.algorithm))
			env := must(signer.Sign(context.Background(), "text/plain", []byte("hello"), key))
			public := must(key.PublicKey())
			v := must(signer.Verify(context.Background(), env, []*signer.PublicKey{public}, signer.VerifyOptions{Threshold: 1}))
			if want := must(signer.ParseAlgorithm(c.algorithm)); v.Keys[0].Algorithm != want {
				t.Fatalf("verified as %v, want %v", v.Keys[0].Algorithm, want)
			}
		})
	}
}

// lyingSigner returns what it is told to, whatever the message.
type lyingSigner struct {
	public crypto.PublicKey
	sign   func() ([]byte, error)
}

func (l lyingSigner) Public() crypto.PublicKey { return l.public }
func (l lyingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return l.sign()
}

func TestBrokenSignersNeverSign(t *testing.T) {
	ec := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	other := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	for name, sign := range map[string]func() ([]byte, error){
		"error":       func() ([]byte, error) { return nil, errors.New("token removed") },
		"panic":       func() ([]byte, error) { panic("boom") },
		"empty":       func() ([]byte, error) { return []byte{}, nil },
		"too large":   func() ([]byte, error) { return make([]byte, 1<<20), nil },
		"another key": func() ([]byte, error) { return other.Sign(rand.Reader, make([]byte, 32), crypto.SHA256) },
	} {
		t.Run(name, func(t *testing.T) {
			key := must(signer.KeyFromSigner(lyingSigner{public: ec.Public(), sign: sign}, "es256"))
			_, err := signer.Sign(context.Background(), "text/plain", []byte("hello"), key)
			wantCode(t, err, signer.CodeCallerSignerFailed)
			if !errors.Is(err, signer.ErrCallerSignerFailed) {
				t.Fatalf("errors.Is: %v", err)
			}
		})
	}
	_, err := signer.KeyFromSigner(ec, "ed25519")
	wantCode(t, err, signer.CodeAlgorithmMismatch)
	_, err = signer.KeyFromSigner(nil, "es256")
	wantCode(t, err, signer.CodeInvalidArgument)
	_, err = signer.KeyFromSigner(lyingSigner{public: struct{}{}}, gost)
	wantCode(t, err, signer.CodeUnsupportedKey)
}

// Many goroutines sign through one crypto.Signer at once (run with -race).
func TestKeyFromSignerConcurrently(t *testing.T) {
	key := must(signer.KeyFromSigner(must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)), "es256"))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if _, err := signer.Sign(context.Background(), "text/plain", []byte("hello"), key); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
