// sigstore-go v1.2.2 as a verification oracle for cli/tests/peer_parity.rs: one Sigstore bundle,
// verified offline against a trusted root, for a certificate identity and issuer, bound to an
// artifact's SHA-256 digest (or, with "-", to none), with thresholds of one SCT, one observer
// timestamp and one transparency-log entry — the checks `stella verify --bundle` makes.
//
// usage: sigstore-go-oracle ROOT BUNDLE ISSUER IDENTITY (sha256:HEX | -)
// exit: 0 accepted, 1 refused (the reason on stdout), 2 a usage or setup error.
package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

func fail(code int, what string, err error) {
	fmt.Printf("%s: %v\n", what, err)
	os.Exit(code)
}

func main() {
	if len(os.Args) != 6 {
		fmt.Println("usage: sigstore-go-oracle ROOT BUNDLE ISSUER IDENTITY (sha256:HEX | -)")
		os.Exit(2)
	}
	rootPath, bundlePath, issuer, identity, artifact := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	trusted, err := root.NewTrustedRootFromPath(rootPath)
	if err != nil {
		fail(2, "trusted root", err)
	}
	b, err := bundle.LoadJSONFromPath(bundlePath)
	if err != nil {
		fail(1, "refused: loading the bundle", err)
	}
	verifier, err := verify.NewVerifier(trusted,
		verify.WithSignedCertificateTimestamps(1),
		verify.WithObserverTimestamps(1),
		verify.WithTransparencyLog(1))
	if err != nil {
		fail(2, "verifier", err)
	}
	id, err := verify.NewShortCertificateIdentity(issuer, "", identity, "")
	if err != nil {
		fail(2, "identity", err)
	}
	var artifactPolicy verify.ArtifactPolicyOption
	switch {
	case artifact == "-":
		artifactPolicy = verify.WithoutArtifactUnsafe()
	case strings.HasPrefix(artifact, "sha256:"):
		digest, err := hex.DecodeString(strings.TrimPrefix(artifact, "sha256:"))
		if err != nil {
			fail(2, "digest", err)
		}
		artifactPolicy = verify.WithArtifactDigest("sha256", digest)
	default:
		fail(2, "artifact", fmt.Errorf("sha256:HEX or -, not %q", artifact))
	}
	if _, err := verifier.Verify(b, verify.NewPolicy(artifactPolicy, verify.WithCertificateIdentity(id))); err != nil {
		fail(1, "refused", err)
	}
	fmt.Println("accepted")
}
