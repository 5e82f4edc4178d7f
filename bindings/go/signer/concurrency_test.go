package signer_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// Eight goroutines share two keys and sign and verify 1,000 times each; every envelope must
// verify with the expected payload, and every error must carry its own message (the library's
// last error is per thread; the binding reads it on the calling thread).
func TestConcurrentSignAndVerify(t *testing.T) {
	ctx := context.Background()
	es := must(signer.GenerateKey(signer.ES256))
	defer es.Close()
	ed := must(signer.GenerateKey(signer.Ed25519))
	defer ed.Close()
	esPub := must(es.PublicKey())
	defer esPub.Close()
	edPub := must(ed.PublicKey())
	defer edPub.Close()
	trusted := []*signer.PublicKey{esPub, edPub}

	const goroutines, rounds = 8, 1000
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				payload := []byte(fmt.Sprintf("goroutine %d round %d", g, i))
				key := es
				if i%2 == 1 {
					key = ed
				}
				env, err := signer.Sign(ctx, "text/plain", payload, key)
				if err != nil {
					errs <- err
					return
				}
				v, err := signer.Verify(ctx, env, trusted, signer.VerifyOptions{Threshold: 1, PayloadType: "text/plain"})
				if err != nil {
					errs <- err
					return
				}
				if string(v.Payload) != string(payload) || len(v.Keys) != 1 || v.Keys[0].KeyIndex != i%2 {
					errs <- fmt.Errorf("goroutine %d round %d: wrong verification %+v", g, i, v)
					return
				}
				if i%100 == 0 {
					_, err := signer.Canonicalize([]byte(fmt.Sprintf(`{"g":%d,"g":%d}`, g, i)), signer.JCS)
					want := `duplicate object key "g"`
					if err == nil || !strings.Contains(err.Error(), want) {
						errs <- fmt.Errorf("goroutine %d: error message %v", g, err)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Close racing with use: calls either finish or report ErrClosed, never crash.
func TestCloseWhileInUse(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 20; round++ {
		key := must(signer.GenerateKey(signer.Ed25519))
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					if _, err := signer.Sign(ctx, "t", []byte("x"), key); err != nil {
						if !isClosed(err) {
							t.Error(err)
						}
						return
					}
				}
			}()
		}
		key.Close()
		wg.Wait()
	}
}

// The same key twice in one call while another goroutine closes it: no deadlock (a handle is
// read-locked once per call), and a key listed twice is still one key: a threshold of 2 over it
// is refused as a policy error.
func TestSameKeyTwiceWhileClosing(t *testing.T) {
	ctx := context.Background()
	key := must(signer.GenerateKey(signer.Ed25519))
	pub := must(key.PublicKey())
	env := must(signer.Sign(ctx, "t", []byte("x"), key, key))
	_, err := signer.Verify(ctx, env, []*signer.PublicKey{pub, pub}, signer.VerifyOptions{Threshold: 2})
	wantCode(t, err, signer.CodeInvalidPolicy)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			if _, err := signer.Verify(ctx, env, []*signer.PublicKey{pub, pub}, signer.VerifyOptions{Threshold: 1}); err != nil {
				if !isClosed(err) {
					t.Error(err)
				}
				return
			}
		}
	}()
	pub.Close()
	<-done
	key.Close()
}

func isClosed(err error) bool {
	e, ok := err.(*signer.Error)
	return ok && e.Code == signer.CodeClosed
}
