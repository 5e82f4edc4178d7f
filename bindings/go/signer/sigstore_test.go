package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	signer "git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

const slsaPredicate = `{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}`

// localSigstore is the instance scripts/services.sh started: Fulcio, Rekor and an OIDC issuer
// that mints tokens, with its trusted root.
type localSigstore struct {
	url, issuer, rootPath string
}

func sigstoreInstance(t *testing.T) localSigstore {
	u := serviceEnv(t, "STELLAOPS_TEST_SIGSTORE")
	dir := serviceEnv(t, "STELLAOPS_TEST_SIGSTORE_DIR")
	return localSigstore{url: u, issuer: u + "/oidc", rootPath: filepath.Join(dir, "trusted_root.json")}
}

func (s localSigstore) token(t *testing.T, email string) string {
	t.Helper()
	resp, err := http.Get(s.issuer + "/token?email=" + url.QueryEscape(email))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("minting a token: %d %v %s", resp.StatusCode, err, body)
	}
	return string(body)
}

// sigstoreGo verifies a bundle with sigstore-go (the verifier under cosign 3's
// verify-blob-attestation) offline against the instance's trusted root, bound to artifact.
func sigstoreGo(t *testing.T, s localSigstore, bundleJSON, artifact []byte, policy verify.PolicyOption, extra root.TrustedMaterial) error {
	t.Helper()
	trusted, err := root.NewTrustedRootFromPath(s.rootPath)
	if err != nil {
		t.Fatal(err)
	}
	var material root.TrustedMaterial = trusted
	options := []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithIntegratedTimestamps(1)}
	if extra != nil {
		material = root.TrustedMaterialCollection{trusted, extra}
	} else {
		options = append(options, verify.WithSignedCertificateTimestamps(1))
	}
	verifier, err := verify.NewVerifier(material, options...)
	if err != nil {
		t.Fatal(err)
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(bundleJSON); err != nil {
		return err
	}
	_, err = verifier.Verify(&b, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(artifact)), policy))
	return err
}

func identity(t *testing.T, s localSigstore, san string) verify.PolicyOption {
	id, err := verify.NewShortCertificateIdentity(s.issuer, "", san, "")
	if err != nil {
		t.Fatal(err)
	}
	return verify.WithCertificateIdentity(id)
}

// keyMaterial trusts one public key (PEM) for any hint, as cosign's --key does.
func keyMaterial(t *testing.T, pem string) root.TrustedMaterial {
	public, err := cryptoutils.UnmarshalPEMToPublicKey([]byte(pem))
	if err != nil {
		t.Fatal(err)
	}
	v, err := signature.LoadVerifier(public, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(v, time.Time{}, time.Time{}), nil
	})
}

func artifactSubject(artifact []byte) signer.Subject {
	sum := sha256.Sum256(artifact)
	return signer.Subject{Name: "app.tar.gz", Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}}
}

func loadRoot(t *testing.T, s localSigstore) *signer.TrustedRoot {
	data, err := os.ReadFile(s.rootPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := signer.LoadTrustedRoot(data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	// The same root from its path (as sigstore-go's NewTrustedRootFromPath).
	fromPath, err := signer.LoadTrustedRootFromPath(s.rootPath)
	if err != nil {
		t.Fatal(err)
	}
	fromPath.Close()
	if _, err := signer.LoadTrustedRootFromPath(s.rootPath + ".missing"); err == nil {
		t.Fatal("a missing trusted root loaded")
	}
	return r
}

func writeArtifact(t *testing.T, content string) (string, []byte) {
	path := filepath.Join(t.TempDir(), "app.tar.gz")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, []byte(content)
}

// Keyless through the C ABI: the bundle verifies with the binding and with sigstore-go, for its
// identity and artifact only.
func TestKeylessBundleVerifiesWithSigstoreGo(t *testing.T) {
	ctx := context.Background()
	s := sigstoreInstance(t)
	const email = "go-binding@stellaops.local"
	bs, err := signer.NewKeylessSigner(signer.KeylessOptions{
		FulcioURL: s.url, RekorURL: s.url, OIDCIssuer: s.issuer, TrustedRootPath: s.rootPath, Retries: -1,
	}, s.token(t, email))
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	path, artifact := writeArtifact(t, "the release tarball\n")
	att, err := bs.Attest(ctx, "slsa-provenance", []byte(slsaPredicate), []signer.Subject{artifactSubject(artifact)}, signer.AttestOptions{Enforcement: signer.Reject})
	if err != nil {
		t.Fatal(err)
	}
	if att.Admission != signer.Allowed {
		t.Fatalf("admission %v", att.Admission)
	}

	r := loadRoot(t, s)
	v, err := signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{CertificateIdentity: email, CertificateOIDCIssuer: s.issuer}, path)
	if err != nil {
		t.Fatal(err)
	}
	if v.Identity != email || v.Issuer != s.issuer || !v.CertificateVerified || !v.SCTVerified || !v.TlogVerified || !v.ArtifactChecked || v.PredicateType != "https://slsa.dev/provenance/v1" {
		t.Fatalf("report %+v", v)
	}
	// The verified statement itself, with the predicate the bundle signs.
	var statement struct {
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(v.Statement, &statement); err != nil || statement.PredicateType != v.PredicateType || len(statement.Predicate) == 0 {
		t.Fatalf("statement %s: %v", v.Statement, err)
	}
	if err := sigstoreGo(t, s, att.Bundle, artifact, identity(t, s, email), nil); err != nil {
		t.Fatalf("sigstore-go rejected our keyless bundle: %v", err)
	}

	// Another identity, another artifact: both say no.
	_, err = signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{CertificateIdentityRegexp: "someone-else@.*", CertificateOIDCIssuer: s.issuer}, path)
	var e *signer.Error
	if !errors.As(err, &e) || e.Code != signer.CodeIdentityMismatch || !e.Code.IsVerificationFailure() {
		t.Fatalf("another identity: %v", err)
	}
	// A policy for an issuer-less (service) certificate never matches a sign-in certificate.
	_, err = signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{CertificateIdentity: email, NoCertificateOIDCIssuer: true}, path)
	if !errors.As(err, &e) || e.Code != signer.CodeIdentityMismatch {
		t.Fatalf("no issuer: %v", err)
	}
	if sigstoreGo(t, s, att.Bundle, artifact, identity(t, s, "someone-else@stellaops.local"), nil) == nil {
		t.Fatal("sigstore-go accepted another identity")
	}
	otherPath, other := writeArtifact(t, "not the release tarball\n")
	_, err = signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{CertificateIdentity: email, CertificateOIDCIssuer: s.issuer}, otherPath)
	if !errors.As(err, &e) || e.Code != signer.CodeArtifactMismatch {
		t.Fatalf("another artifact: %v", err)
	}
	if sigstoreGo(t, s, att.Bundle, other, identity(t, s, email), nil) == nil {
		t.Fatal("sigstore-go accepted another artifact")
	}

	// Only in-toto statements go into bundles; a bad token is refused before anything is sent.
	if _, err := bs.Sign(ctx, "text/plain", []byte("hello")); !errors.As(err, &e) || e.Code != signer.CodeInvalidArgument {
		t.Fatalf("text/plain: %v", err)
	}
	if _, err := signer.NewKeylessSigner(signer.KeylessOptions{FulcioURL: s.url, RekorURL: s.url}, "not.a.token"); !errors.As(err, &e) || e.Code != signer.CodeInvalidIdentityToken {
		t.Fatalf("bad token: %v", err)
	}
}

// Keyful through the C ABI: the signer outlives its Key; the bundle verifies with the binding and
// with sigstore-go for that key only; ES384 is refused (Rekor v1 checks with SHA-256).
func TestKeyfulBundleVerifiesWithSigstoreGo(t *testing.T) {
	ctx := context.Background()
	s := sigstoreInstance(t)
	r := loadRoot(t, s)
	path, artifact := writeArtifact(t, "the release tarball\n")
	for _, alg := range []signer.Algorithm{signer.ES256, signer.Ed25519} {
		key, err := signer.GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		pem := publicPEM(t, key)
		pub, err := key.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		bs, err := signer.NewKeyfulSigner(signer.KeyfulOptions{RekorURL: s.url, TrustedRootPath: s.rootPath}, key)
		if err != nil {
			t.Fatal(err)
		}
		key.Close()
		att, err := bs.Attest(ctx, "slsa-provenance", []byte(slsaPredicate), []signer.Subject{artifactSubject(artifact)}, signer.AttestOptions{})
		bs.Close()
		if err != nil {
			t.Fatalf("%v: %v", alg, err)
		}
		v, err := signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{PublicKey: pub}, path)
		if err != nil || v.Identity != "" || !v.TlogVerified || len(v.VerifiedTimes) == 0 {
			t.Fatalf("%v: %+v %v", alg, v, err)
		}
		// Leaving the log out is the caller's choice, and the report says it was left out.
		v, err = signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{PublicKey: pub, InsecureIgnoreTlog: true}, path)
		if err != nil || v.TlogVerified {
			t.Fatalf("%v: ignoring the log: %+v %v", alg, v, err)
		}
		if err := sigstoreGo(t, s, att.Bundle, artifact, verify.WithKey(), keyMaterial(t, pem)); err != nil {
			t.Fatalf("%v: sigstore-go rejected our keyful bundle: %v", alg, err)
		}
		stranger, err := signer.GenerateKey(signer.ES256)
		if err != nil {
			t.Fatal(err)
		}
		strangerPEM := publicPEM(t, stranger)
		strangerKey, err := stranger.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		var e *signer.Error
		if _, err := signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{PublicKey: strangerKey}, path); !errors.As(err, &e) || !e.Code.IsVerificationFailure() {
			t.Fatalf("%v: another key: %v", alg, err)
		}
		if sigstoreGo(t, s, att.Bundle, artifact, verify.WithKey(), keyMaterial(t, strangerPEM)) == nil {
			t.Fatalf("%v: sigstore-go accepted another key", alg)
		}
		// A keyful bundle where a certificate identity is required does not verify.
		if _, err := signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{CertificateIdentity: "x", CertificateOIDCIssuer: s.issuer}, path); !errors.As(err, &e) || e.Code != signer.CodeVerificationFailed {
			t.Fatalf("%v: keyless policy: %v", alg, err)
		}
	}
	es384, err := signer.GenerateKey(signer.ES384)
	if err != nil {
		t.Fatal(err)
	}
	defer es384.Close()
	var e *signer.Error
	if _, err := signer.NewKeyfulSigner(signer.KeyfulOptions{RekorURL: s.url}, es384); !errors.As(err, &e) || e.Code != signer.CodeBackendConfiguration || !strings.Contains(e.Message, "SHA-256") {
		t.Fatalf("ES384: %v", err)
	}
	if _, err := signer.LoadTrustedRoot([]byte(`{"mediaType":"x"}`)); !errors.As(err, &e) || e.Code != signer.CodeInvalidTrustedRoot {
		t.Fatalf("not a root: %v", err)
	}
}

func publicPEM(t *testing.T, key *signer.Key) string {
	t.Helper()
	public, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := public.Export(signer.SPKIPEM)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem)
}

// Artifacts as a path, bytes or a sha256 digest; a required predicate type (cosign --type); a
// statement already made, signed into a bundle.
func TestBundleArtifactsPredicateTypesAndStatements(t *testing.T) {
	ctx := context.Background()
	s := sigstoreInstance(t)
	r := loadRoot(t, s)
	path, artifact := writeArtifact(t, "the release tarball\n")
	key, err := signer.GenerateKey(signer.ES256)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	bs, err := signer.NewKeyfulSigner(signer.KeyfulOptions{RekorURL: s.url}, key)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	att, err := bs.Attest(ctx, "slsa-provenance", []byte(slsaPredicate), []signer.Subject{artifactSubject(artifact)}, signer.AttestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	policy := signer.BundlePolicy{PublicKey: pub}
	sum := sha256.Sum256(artifact)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	for _, given := range []string{path, digest} {
		if v, err := signer.VerifyBundle(ctx, r, att.Bundle, policy, given); err != nil || !v.ArtifactChecked {
			t.Fatalf("%s: %+v %v", given, v, err)
		}
	}
	bundlePath := filepath.Join(t.TempDir(), "app.sigstore.json")
	if err := os.WriteFile(bundlePath, att.Bundle, 0o600); err != nil {
		t.Fatal(err)
	}
	fromPath, err := signer.LoadBundleFromPath(bundlePath)
	if err != nil || !bytes.Equal(fromPath, att.Bundle) {
		t.Fatalf("LoadBundleFromPath: %v", err)
	}
	_, err = signer.LoadBundleFromPath(bundlePath + ".missing")
	wantCode(t, err, signer.CodeIO)
	if v, err := signer.VerifyBundleBytes(ctx, r, fromPath, policy, artifact); err != nil || !v.ArtifactChecked {
		t.Fatalf("bytes: %+v %v", v, err)
	}
	_, err = signer.VerifyBundleBytes(ctx, r, att.Bundle, policy, []byte("other bytes"))
	wantCode(t, err, signer.CodeArtifactMismatch)
	_, err = signer.VerifyBundle(ctx, r, att.Bundle, policy, "sha256:"+strings.Repeat("0", 64))
	wantCode(t, err, signer.CodeArtifactMismatch)
	_, err = signer.VerifyBundle(ctx, r, att.Bundle, policy, "sha256:not-hex")
	wantCode(t, err, signer.CodeInvalidArgument)

	typed := policy
	typed.PredicateType = "slsa-provenance"
	if _, err := signer.VerifyBundle(ctx, r, att.Bundle, typed, ""); err != nil {
		t.Fatal(err)
	}
	typed.PredicateType = "sbom"
	_, err = signer.VerifyBundle(ctx, r, att.Bundle, typed, "")
	wantCode(t, err, signer.CodePredicateTypeMismatch)
	var e *signer.Error
	if !errors.As(err, &e) || !e.Code.IsVerificationFailure() {
		t.Fatalf("a wrong type is a verification failure: %v", err)
	}

	statement, err := signer.PredicateStatement("slsa-provenance", []byte(slsaPredicate), artifactSubject(artifact))
	if err != nil {
		t.Fatal(err)
	}
	made, err := bs.SignStatement(ctx, statement, signer.AttestOptions{Enforcement: signer.Reject})
	if err != nil || made.Admission != signer.Allowed {
		t.Fatalf("%+v %v", made, err)
	}
	if _, err := signer.VerifyBundle(ctx, r, made.Bundle, policy, path); err != nil {
		t.Fatal(err)
	}
	_, err = bs.SignStatement(ctx, signer.Statement(`{}`), signer.AttestOptions{})
	wantCode(t, err, signer.CodeInvalidStatement)
}

// SignBlob through the C ABI: a message signature over the blob (cosign sign-blob's kind), which
// the binding and sigstore-go verify for that blob and key only; an Ed25519 key is refused before
// anything is sent (the log checks a blob's signature over its SHA-256).
func TestSignBlobVerifiesWithSigstoreGo(t *testing.T) {
	ctx := context.Background()
	s := sigstoreInstance(t)
	r := loadRoot(t, s)
	path, blob := writeArtifact(t, "the release tarball\n")
	otherPath, other := writeArtifact(t, "another tarball\n")
	key, err := signer.GenerateKey(signer.ES256)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	pem := publicPEM(t, key)
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	bs, err := signer.NewKeyfulSigner(signer.KeyfulOptions{RekorURL: s.url, TrustedRootPath: s.rootPath}, key)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	bundle, err := bs.SignBlob(ctx, blob)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(bundle), `"messageSignature"`) {
		t.Fatalf("not a message signature: %s", bundle)
	}
	v, err := signer.VerifyBundle(ctx, r, bundle, signer.BundlePolicy{PublicKey: pub}, path)
	if err != nil || !v.TlogVerified || v.PayloadType != "" {
		t.Fatalf("%+v %v", v, err)
	}
	var e *signer.Error
	if _, err := signer.VerifyBundle(ctx, r, bundle, signer.BundlePolicy{PublicKey: pub}, otherPath); !errors.As(err, &e) || !e.Code.IsVerificationFailure() {
		t.Fatalf("another blob: %v", err)
	}
	if err := sigstoreGo(t, s, bundle, blob, verify.WithKey(), keyMaterial(t, pem)); err != nil {
		t.Fatalf("sigstore-go rejected our blob signature: %v", err)
	}
	if sigstoreGo(t, s, bundle, other, verify.WithKey(), keyMaterial(t, pem)) == nil {
		t.Fatal("sigstore-go accepted another blob")
	}

	ed, err := signer.GenerateKey(signer.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	defer ed.Close()
	edSigner, err := signer.NewKeyfulSigner(signer.KeyfulOptions{RekorURL: s.url}, ed)
	if err != nil {
		t.Fatal(err)
	}
	defer edSigner.Close()
	if _, err := edSigner.SignBlob(ctx, blob); !errors.As(err, &e) || e.Code != signer.CodeBackendConfiguration || !strings.Contains(e.Message, "ECDSA P-256") {
		t.Fatalf("Ed25519: %v", err)
	}
}

// Rekor v2 and an RFC 3161 timestamp through the C ABI, on the real servers (rekor-tiles, the
// timestamp authority): the report names the hashedrekord 0.0.2 entry and a verified signing
// time from the timestamp; sigstore-go agrees with the key.
func TestKeyfulOnRekorV2WithATimestampOnTheRealServers(t *testing.T) {
	ctx := context.Background()
	env := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			t.Fatalf("%s is not set: start the servers with scripts/services.sh", name)
		}
		return v
	}
	rootPath := filepath.Join(env("STELLAOPS_TEST_SIGSTORE_REAL_DIR"), "trusted_root.json")
	rootJSON, err := os.ReadFile(rootPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := signer.LoadTrustedRoot(rootJSON)
	if err != nil {
		t.Fatal(err)
	}
	path, artifact := writeArtifact(t, "the release tarball\n")
	key, err := signer.GenerateKey(signer.ES256)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	opts := signer.KeyfulOptions{RekorURL: env("STELLAOPS_TEST_REKOR_V2"), RekorVersion: 2, TrustedRootPath: rootPath}
	var e *signer.Error
	if _, err := signer.NewKeyfulSigner(opts, key); !errors.As(err, &e) || e.Code != signer.CodeBackendConfiguration {
		t.Fatalf("Rekor v2 without a timestamp authority: %v", err)
	}
	opts.TimestampURL = env("STELLAOPS_TEST_TSA") + "/api/v1/timestamp"
	bs, err := signer.NewKeyfulSigner(opts, key)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	att, err := bs.Attest(ctx, "slsa-provenance", []byte(slsaPredicate), []signer.Subject{artifactSubject(artifact)}, signer.AttestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := signer.VerifyBundle(ctx, r, att.Bundle, signer.BundlePolicy{PublicKey: pub}, path)
	if err != nil {
		t.Fatal(err)
	}
	if v.TlogEntry == nil || v.TlogEntry.Kind != "hashedrekord 0.0.2" || !v.TlogVerified || len(v.VerifiedTimes) != 1 || v.IntegratedTime != "" {
		t.Fatalf("%+v (entry %+v)", v, v.TlogEntry)
	}
	if len(v.UnverifiedTimestamps) != 0 || len(v.Warnings) != 0 {
		t.Fatalf("%+v", v)
	}
	trusted, err := root.NewTrustedRootFromPath(rootPath)
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{}
	if err := b.UnmarshalJSON(att.Bundle); err != nil {
		t.Fatal(err)
	}
	verifier, err := verify.NewVerifier(root.TrustedMaterialCollection{trusted, keyMaterial(t, publicPEM(t, key))},
		verify.WithTransparencyLog(1), verify.WithSignedTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.Verify(b, verify.NewPolicy(verify.WithArtifact(bytes.NewReader(artifact)), verify.WithKey())); err != nil {
		t.Fatalf("sigstore-go rejected our Rekor v2 bundle: %v", err)
	}
}
