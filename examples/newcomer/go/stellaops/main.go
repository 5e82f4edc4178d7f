// The three newcomer tasks with the Go binding (run by examples/newcomer/run.sh in its fixture
// directory; the lines between the task markers are what run.sh counts).
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

func main() {
	ctx := context.Background()
	identity, _ := os.ReadFile("identity")
	issuer, _ := os.ReadFile("issuer")

	// task: attest
	pem, _ := os.ReadFile("key.pem")
	key, err := signer.LoadKey(pem, nil)
	if err != nil {
		log.Fatal(err)
	}
	subjects, err := signer.ArtifactSubjects(false, "app.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	predicate, _ := os.ReadFile("predicate.json")
	att, err := signer.Attest(ctx, "slsa-provenance", predicate, subjects, signer.AttestOptions{}, key)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("attestation-go.json", att.Envelope, 0o644); err != nil {
		log.Fatal(err)
	}
	// end task

	// task: threshold
	var keys []*signer.PublicKey
	for _, name := range []string{"a", "b", "c"} {
		data, _ := os.ReadFile(name + ".pub")
		k, err := signer.LoadPublicKey(data)
		if err != nil {
			log.Fatal(err)
		}
		keys = append(keys, k)
	}
	envelope, _ := os.ReadFile("multi.json")
	v, err := signer.Verify(ctx, envelope, keys, signer.VerifyOptions{Threshold: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go/stellaops: 2-of-3 verified by %d keys\n", len(v.Keys))
	// end task

	// task: bundle
	root, err := signer.LoadTrustedRootFromPath("trusted_root.json")
	if err != nil {
		log.Fatal(err)
	}
	bundle, _ := os.ReadFile("bundle.json")
	policy := signer.BundlePolicy{CertificateIdentity: string(identity), CertificateOIDCIssuer: string(issuer)}
	b, err := signer.VerifyBundle(ctx, root, bundle, policy, "app.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go/stellaops: bundle verified, %s\n", b.PredicateType)
	// end task
}
