// The three newcomer tasks with the peers: go-securesystemslib (DSSE) and sigstore-go (bundles),
// as their documentation shows them. Run by examples/newcomer/run.sh.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log"
	"os"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

func main() {
	ctx := context.Background()
	identity, _ := os.ReadFile("identity")
	issuer, _ := os.ReadFile("issuer")

	// task: attest
	private, _ := os.ReadFile("key.pem")
	key, err := signerverifier.LoadKey(private)
	if err != nil {
		log.Fatal(err)
	}
	sv, err := signerverifier.NewECDSASignerVerifierFromSSLibKey(key)
	if err != nil {
		log.Fatal(err)
	}
	artifact, _ := os.ReadFile("app.tar.gz")
	sum := sha256.Sum256(artifact)
	var predicate map[string]any
	raw, _ := os.ReadFile("predicate.json")
	if err := json.Unmarshal(raw, &predicate); err != nil {
		log.Fatal(err)
	}
	statement, _ := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": "app.tar.gz", "digest": map[string]string{"sha256": hex.EncodeToString(sum[:])}}},
		"predicateType": "https://slsa.dev/provenance/v1",
		"predicate":     predicate,
	})
	es, err := dsse.NewEnvelopeSigner(sv)
	if err != nil {
		log.Fatal(err)
	}
	env, err := es.SignPayload(ctx, "application/vnd.in-toto+json", statement)
	if err != nil {
		log.Fatal(err)
	}
	out, _ := json.Marshal(env)
	if err := os.WriteFile("attestation-go-peer.json", out, 0o644); err != nil {
		log.Fatal(err)
	}
	// end task

	// task: threshold
	var verifiers []dsse.Verifier
	for _, name := range []string{"a", "b", "c"} {
		data, _ := os.ReadFile(name + ".pub")
		k, err := signerverifier.LoadKey(data)
		if err != nil {
			log.Fatal(err)
		}
		// go-securesystemslib skips signatures whose key id is not its own: use the envelope's
		// (SHA-256 of the SubjectPublicKeyInfo).
		block, _ := pem.Decode(data)
		spki := sha256.Sum256(block.Bytes)
		k.KeyID = hex.EncodeToString(spki[:])
		v, err := signerverifier.NewECDSASignerVerifierFromSSLibKey(k)
		if err != nil {
			log.Fatal(err)
		}
		verifiers = append(verifiers, v)
	}
	ev, err := dsse.NewMultiEnvelopeVerifier(2, verifiers...)
	if err != nil {
		log.Fatal(err)
	}
	var multi dsse.Envelope
	data, _ := os.ReadFile("multi.json")
	if err := json.Unmarshal(data, &multi); err != nil {
		log.Fatal(err)
	}
	accepted, err := ev.Verify(ctx, &multi)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go/peers: 2-of-3 verified by %d keys\n", len(accepted))
	// end task

	// task: bundle
	trusted, err := root.NewTrustedRootFromPath("trusted_root.json")
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := verify.NewVerifier(trusted, verify.WithSignedCertificateTimestamps(1),
		verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
	if err != nil {
		log.Fatal(err)
	}
	b, err := bundle.LoadJSONFromPath("bundle.json")
	if err != nil {
		log.Fatal(err)
	}
	id, err := verify.NewShortCertificateIdentity(string(issuer), "", string(identity), "")
	if err != nil {
		log.Fatal(err)
	}
	file, err := os.Open("app.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	res, err := verifier.Verify(b, verify.NewPolicy(verify.WithArtifact(file), verify.WithCertificateIdentity(id)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("go/peers: bundle verified, %s\n", res.Statement.PredicateType)
	// end task
}
