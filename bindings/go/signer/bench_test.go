package signer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// The ES256 envelope benchmarks compare the same job, a 1 KiB payload into a DSSE envelope as JSON
// bytes, through this binding and through go-securesystemslib (crypto/ecdsa underneath).
// crypto-ecdsa-primitive is the bare signature over the PAE digest, no envelope: Go's floor.

var benchPayload = func() []byte {
	b := make([]byte, 1024)
	for i := range b {
		b[i] = 0x5a
	}
	return b
}()

func BenchmarkSignES256(b *testing.B) {
	ctx := context.Background()
	key := must(signer.GenerateKey(signer.ES256))
	defer key.Close()
	b.Run("binding", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := signer.Sign(ctx, "text/plain", benchPayload, key); err != nil {
				b.Fatal(err)
			}
		}
	})
	sv := sslibSignerVerifier(b, must(key.PKCS8PEM(nil)), signer.ES256, must(key.KeyID()))
	envSigner := must(dsse.NewEnvelopeSigner(sv))
	b.Run("go-securesystemslib", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			env, err := envSigner.SignPayload(ctx, "text/plain", benchPayload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(env); err != nil {
				b.Fatal(err)
			}
		}
	})
	goKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	pae := dsse.PAE("text/plain", benchPayload)
	b.Run("crypto-ecdsa-primitive", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			digest := sha256.Sum256(pae)
			if _, err := ecdsa.SignASN1(rand.Reader, goKey, digest[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerifyES256(b *testing.B) {
	ctx := context.Background()
	key := must(signer.GenerateKey(signer.ES256))
	defer key.Close()
	pub := must(key.PublicKey())
	defer pub.Close()
	env := must(signer.Sign(ctx, "text/plain", benchPayload, key))
	opts := signer.VerifyOptions{Threshold: 1, PayloadType: "text/plain"}
	b.Run("binding", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := signer.Verify(ctx, env, []*signer.PublicKey{pub}, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	sv := sslibSignerVerifier(b, must(pub.Export(signer.SPKIPEM)), signer.ES256, must(key.KeyID()))
	verifier := must(dsse.NewEnvelopeVerifier(sv))
	b.Run("go-securesystemslib", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var parsed dsse.Envelope
			if err := json.Unmarshal(env, &parsed); err != nil {
				b.Fatal(err)
			}
			if _, err := verifier.Verify(ctx, &parsed); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The cost of a call through cgo and the C ABI: a trivial accessor and a 16-byte PAE, against
// the same PAE computed in Go.
func BenchmarkCallOverhead(b *testing.B) {
	key := must(signer.GenerateKey(signer.ES256))
	defer key.Close()
	b.Run("binding-key-algorithm", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := key.Algorithm(); err != nil {
				b.Fatal(err)
			}
		}
	})
	small := []byte("0123456789abcdef")
	b.Run("binding-pae-16B", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := signer.PAE("text/plain", small); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-pae-16B", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = dsse.PAE("text/plain", small)
		}
	})
}
