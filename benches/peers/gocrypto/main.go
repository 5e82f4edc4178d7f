// Go's standard library on the same operation as the criterion benches: sign and verify a 1 KiB
// message (SHA-256, or SHA-384 for P-384), printing JSON {"sign/es256": ns, ...} for
// benches/peers/report.py.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	msg := make([]byte, 1024)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	out := map[string]float64{}
	bench := func(name string, f func()) {
		r := testing.Benchmark(func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				f()
			}
		})
		out[name] = float64(r.NsPerOp())
	}
	for _, c := range []struct {
		name  string
		curve elliptic.Curve
		hash  func([]byte) []byte
	}{
		{"es256", elliptic.P256(), func(m []byte) []byte { h := sha256.Sum256(m); return h[:] }},
		{"es384", elliptic.P384(), func(m []byte) []byte { h := sha512.Sum384(m); return h[:] }},
	} {
		key, err := ecdsa.GenerateKey(c.curve, rand.Reader)
		must(err)
		sig, err := ecdsa.SignASN1(rand.Reader, key, c.hash(msg))
		must(err)
		bench("sign/"+c.name, func() { _, _ = ecdsa.SignASN1(rand.Reader, key, c.hash(msg)) })
		bench("verify/"+c.name, func() { ecdsa.VerifyASN1(&key.PublicKey, c.hash(msg), sig) })
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(err)
	esig := ed25519.Sign(priv, msg)
	bench("sign/ed25519", func() { ed25519.Sign(priv, msg) })
	bench("verify/ed25519", func() { ed25519.Verify(pub, msg, esig) })
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	digest := sha256.Sum256(msg)
	pss := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
	psig, err := rsa.SignPSS(rand.Reader, rk, crypto.SHA256, digest[:], pss)
	must(err)
	ksig, err := rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, digest[:])
	must(err)
	bench("sign/rsa-pss-sha256", func() { h := sha256.Sum256(msg); _, _ = rsa.SignPSS(rand.Reader, rk, crypto.SHA256, h[:], pss) })
	bench("verify/rsa-pss-sha256", func() { h := sha256.Sum256(msg); _ = rsa.VerifyPSS(&rk.PublicKey, crypto.SHA256, h[:], psig, pss) })
	bench("sign/rsa-pkcs1-sha256", func() { h := sha256.Sum256(msg); _, _ = rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, h[:]) })
	bench("verify/rsa-pkcs1-sha256", func() { h := sha256.Sum256(msg); _ = rsa.VerifyPKCS1v15(&rk.PublicKey, crypto.SHA256, h[:], ksig) })
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
