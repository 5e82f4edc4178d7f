package signer

/*
#include "stellaops_signer.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"time"
	"unsafe"
)

// TrustedRoot is a Sigstore trusted root (trusted_root.json: Fulcio CAs, Rekor and CT log keys,
// timestamp authorities), the file cosign, sigstore-python and sigstore-js read and an Offline
// Kit ships. Safe for concurrent use.
type TrustedRoot struct {
	h *handle
}

// LoadTrustedRoot reads a trusted root (strict JSON; its media type must say trusted root).
func LoadTrustedRoot(data []byte) (*TrustedRoot, error) {
	var out *C.stellaops_trusted_root
	d, dn := bytesArg(data)
	if err := call(func() C.stellaops_status { return C.stellaops_trusted_root_from_json(d, dn, &out) }); err != nil {
		return nil, err
	}
	r := &TrustedRoot{h: &handle{ptr: unsafe.Pointer(out), free: func(p unsafe.Pointer) {
		C.stellaops_trusted_root_free((*C.stellaops_trusted_root)(p))
	}}}
	runtime.AddCleanup(r, func(h *handle) { h.close() }, r.h)
	return r, nil
}

// Close frees the root. Safe to call twice.
func (r *TrustedRoot) Close() error {
	r.h.close()
	return nil
}

// BundlePolicy says who must have signed a bundle: keyless (a certificate identity, exact or an
// anchored regular expression, and the OIDC issuer, compared exactly) or keyful (a public key),
// and which checks a trust domain without them may leave out.
type BundlePolicy struct {
	CertificateIdentity       string `json:"certificate_identity,omitempty"`
	CertificateIdentityRegexp string `json:"certificate_identity_regexp,omitempty"`
	CertificateOIDCIssuer     string `json:"certificate_oidc_issuer,omitempty"`
	// NoCertificateOIDCIssuer requires a certificate naming no OIDC issuer instead: one a CA
	// issued to its operator's own service (GitHub's release attestations).
	NoCertificateOIDCIssuer bool `json:"no_certificate_oidc_issuer,omitempty"`
	// PublicKey is the signer's key, for keyful bundles (as in Python, Node and C).
	PublicKey *PublicKey `json:"-"`
	// InsecureIgnoreTlog accepts a bundle without a checked transparency-log entry (its time
	// must come from a verified RFC 3161 timestamp): GitHub's private trust domain.
	InsecureIgnoreTlog bool `json:"insecure_ignore_tlog,omitempty"`
	// InsecureIgnoreSCT skips the certificate's SCT (a Fulcio without a CT log).
	InsecureIgnoreSCT bool `json:"insecure_ignore_sct,omitempty"`
	// PredicateType, when set, is required of the signed statement (a URI or a catalog short
	// name), as cosign's --type: another type is CodePredicateTypeMismatch.
	PredicateType string `json:"predicate_type,omitempty"`
}

// BundleVerification is what a verified bundle says (the report of `stella verify --bundle
// --json`).
type BundleVerification struct {
	MediaType           string   `json:"mediaType"`
	Identity            string   `json:"identity"`
	Issuer              string   `json:"issuer"`
	IntegratedTime      string   `json:"integratedTime"`
	VerifiedTimes       []string `json:"verifiedTimes"`
	CertificateVerified bool     `json:"certificateVerified"`
	SCTVerified         bool     `json:"sctVerified"`
	TlogVerified        bool     `json:"tlogVerified"`
	// TlogEntry names the checked log entry (its kind and index), when there is one.
	TlogEntry *TlogEntry `json:"tlogEntry"`
	// UnverifiedTimestamps says why each RFC 3161 timestamp that did not count was left out.
	UnverifiedTimestamps []string `json:"unverifiedTimestamps"`
	// Warnings are what verified but deserves a look (a root CA inside the bundle's chain).
	Warnings      []string          `json:"warnings"`
	PayloadType   string            `json:"payloadType"`
	PredicateType string            `json:"predicateType"`
	Subjects      []json.RawMessage `json:"subjects"`
	// Statement is the verified in-toto statement (JSON), for DSSE bundles.
	Statement       json.RawMessage `json:"statement"`
	ArtifactChecked bool            `json:"artifactChecked"`
}

// VerifyBundle verifies a Sigstore bundle (v0.1-v0.3) offline against root for the signer policy
// names, bound to the artifact: a file path, or "sha256:<hex>" its digest ("" checks the
// signature against the digest the bundle names). It makes no network call. A bundle that does
// not verify is an *Error whose Code.IsVerificationFailure() is true (CodeIdentityMismatch,
// CodeArtifactMismatch, CodePredicateTypeMismatch, CodeVerificationFailed).
func VerifyBundle(ctx context.Context, root *TrustedRoot, bundle []byte, policy BundlePolicy, artifact string) (*BundleVerification, error) {
	a, an := textArg(artifact)
	return verifyBundle(ctx, root, bundle, policy, func(r *C.stellaops_trusted_root, b *C.uint8_t, bn C.size_t, p *C.uint8_t, pn C.size_t, out *C.stellaops_buffer) C.stellaops_status {
		return C.stellaops_bundle_verify(r, b, bn, p, pn, a, an, out)
	})
}

// VerifyBundleBytes is VerifyBundle with the artifact's bytes.
func VerifyBundleBytes(ctx context.Context, root *TrustedRoot, bundle []byte, policy BundlePolicy, artifact []byte) (*BundleVerification, error) {
	a, an := bytesArg(artifact)
	return verifyBundle(ctx, root, bundle, policy, func(r *C.stellaops_trusted_root, b *C.uint8_t, bn C.size_t, p *C.uint8_t, pn C.size_t, out *C.stellaops_buffer) C.stellaops_status {
		return C.stellaops_bundle_verify_bytes(r, b, bn, p, pn, a, an, out)
	})
}

// verifyBundle runs one of the C ABI's bundle verifications with the policy as its JSON.
func verifyBundle(ctx context.Context, root *TrustedRoot, bundle []byte, policy BundlePolicy, verify func(r *C.stellaops_trusted_root, b *C.uint8_t, bn C.size_t, p *C.uint8_t, pn C.size_t, out *C.stellaops_buffer) C.stellaops_status) (*BundleVerification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	wire := struct {
		BundlePolicy
		PublicKeyPEM string `json:"public_key,omitempty"`
	}{BundlePolicy: policy}
	if policy.PublicKey != nil {
		pem, err := policy.PublicKey.Export(SPKIPEM)
		if err != nil {
			return nil, err
		}
		wire.PublicKeyPEM = string(pem)
	}
	policyJSON, err := json.Marshal(wire)
	if err != nil {
		return nil, err
	}
	b, bn := bytesArg(bundle)
	p, pn := bytesArg(policyJSON)
	var buf C.stellaops_buffer
	err = root.h.use(func(h unsafe.Pointer) error {
		r := (*C.stellaops_trusted_root)(h)
		return call(func() C.stellaops_status { return verify(r, b, bn, p, pn, &buf) })
	})
	if err != nil {
		return nil, err
	}
	var v BundleVerification
	if err := json.Unmarshal(takeBuffer(&buf), &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// KeylessOptions are the keyless settings (the flags of `stella attest --keyless`).
type KeylessOptions struct {
	FulcioURL string
	RekorURL  string
	// Timeout of each request; 0 means 30 s.
	Timeout time.Duration
	// Retries after a connection failure or a 5xx answer; 0 means the default (2), negative none.
	Retries int
	// OIDCIssuer, when set, refuses a token from any other issuer before Fulcio is asked.
	OIDCIssuer string
	// TrustedRootPath, when set, verifies each bundle offline before it is returned.
	TrustedRootPath string
	// AllowMissingSCT accepts a certificate without an embedded SCT (a Fulcio without a CT log).
	AllowMissingSCT bool
	// TimestampURL, when set, is an RFC 3161 timestamp authority's request URL: each bundle also
	// carries its timestamp of the signature.
	TimestampURL string
	// RekorVersion is the Rekor API: 0 or 1 for v1, 2 for Rekor v2 (which needs TimestampURL).
	RekorVersion int
}

// KeyfulOptions are the settings for bundles signed with one of our keys (the flags of `stella
// attest --sigstore-bundle`).
type KeyfulOptions struct {
	RekorURL        string
	Timeout         time.Duration
	Retries         int
	TrustedRootPath string
	// TimestampURL and RekorVersion as in KeylessOptions (Rekor v2 takes ES256 keys only).
	TimestampURL string
	RekorVersion int
}

// signerConfig is the JSON the C ABI reads.
type signerConfig struct {
	FulcioURL      string  `json:"fulcio_url,omitempty"`
	RekorURL       string  `json:"rekor_url"`
	TimeoutSeconds *uint64 `json:"timeout_seconds,omitempty"`
	Retries        *int    `json:"retries,omitempty"`
	OIDCIssuer     string  `json:"oidc_issuer,omitempty"`
	TrustedRoot    string  `json:"trusted_root,omitempty"`
	RequireSCT     *bool   `json:"require_sct,omitempty"`
	TimestampURL   string  `json:"timestamp_url,omitempty"`
	RekorVersion   int     `json:"rekor_version,omitempty"`
}

func newSignerConfig(rekor string, timeout time.Duration, retries int, trustedRoot string) signerConfig {
	c := signerConfig{RekorURL: rekor, TrustedRoot: trustedRoot}
	if timeout > 0 {
		seconds := uint64((timeout + time.Second - 1) / time.Second)
		c.TimeoutSeconds = &seconds
	}
	if retries != 0 {
		n := max(retries, 0)
		c.Retries = &n
	}
	return c
}

// TlogEntry is a transparency-log entry a bundle verification checked.
type TlogEntry struct {
	// Kind is the entry's kind and version, e.g. "hashedrekord 0.0.2".
	Kind string `json:"kind"`
	// LogIndex is its index in the log.
	LogIndex int64 `json:"logIndex"`
}

// BundleSigner signs into Sigstore bundles v0.3 (canonical JSON): keylessly (an ephemeral key
// Fulcio certifies for an OIDC identity) or with one of our keys, each signature logged in
// Rekor. Safe for concurrent use.
type BundleSigner struct {
	h *handle
}

func newBundleSigner(f func(out **C.stellaops_bundle_signer) C.stellaops_status) (*BundleSigner, error) {
	var out *C.stellaops_bundle_signer
	if err := call(func() C.stellaops_status { return f(&out) }); err != nil {
		return nil, err
	}
	s := &BundleSigner{h: &handle{ptr: unsafe.Pointer(out), free: func(p unsafe.Pointer) {
		C.stellaops_bundle_signer_free((*C.stellaops_bundle_signer)(p))
	}}}
	runtime.AddCleanup(s, func(h *handle) { h.close() }, s.h)
	return s, nil
}

// NewKeylessSigner checks the settings and the OIDC identity token (unexpired, from the required
// issuer); token "" reads it from $STELLAOPS_OIDC_TOKEN, $STELLAOPS_OIDC_TOKEN_FILE or the ambient
// cosign token file. Nothing is sent until the first signature.
func NewKeylessSigner(opts KeylessOptions, token string) (*BundleSigner, error) {
	c := newSignerConfig(opts.RekorURL, opts.Timeout, opts.Retries, opts.TrustedRootPath)
	c.FulcioURL = opts.FulcioURL
	c.OIDCIssuer = opts.OIDCIssuer
	c.TimestampURL, c.RekorVersion = opts.TimestampURL, opts.RekorVersion
	if opts.AllowMissingSCT {
		no := false
		c.RequireSCT = &no
	}
	config, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	cf, cn := bytesArg(config)
	t, tn := textArg(token)
	return newBundleSigner(func(out **C.stellaops_bundle_signer) C.stellaops_status {
		return C.stellaops_bundle_signer_keyless(cf, cn, t, tn, out)
	})
}

// NewKeyfulSigner makes a signer for key (which it keeps alive: key may be closed first). Rekor
// v1 checks DSSE signatures with SHA-256, so only ES256, Ed25519 and RSA PKCS#1 keys are
// accepted (CodeBackendConfiguration otherwise).
func NewKeyfulSigner(opts KeyfulOptions, key *Key) (*BundleSigner, error) {
	c := newSignerConfig(opts.RekorURL, opts.Timeout, opts.Retries, opts.TrustedRootPath)
	c.TimestampURL, c.RekorVersion = opts.TimestampURL, opts.RekorVersion
	config, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	cf, cn := bytesArg(config)
	var signer *BundleSigner
	err = key.h.use(func(h unsafe.Pointer) error {
		k := (*C.stellaops_key)(h)
		signer, err = newBundleSigner(func(out **C.stellaops_bundle_signer) C.stellaops_status {
			return C.stellaops_bundle_signer_keyful(cf, cn, k, out)
		})
		return err
	})
	return signer, err
}

// Sign signs payload (an in-toto statement; payloadType "application/vnd.in-toto+json", the one
// type Sigstore verifiers accept) into a bundle.
func (s *BundleSigner) Sign(ctx context.Context, payloadType string, payload []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, tn := textArg(payloadType)
	p, pn := bytesArg(payload)
	var buf C.stellaops_buffer
	err := s.h.use(func(h unsafe.Pointer) error {
		signer := (*C.stellaops_bundle_signer)(h)
		return call(func() C.stellaops_status { return C.stellaops_bundle_sign(signer, t, tn, p, pn, &buf) })
	})
	if err != nil {
		return nil, err
	}
	return takeBuffer(&buf), nil
}

// SignBlob signs blob itself into a bundle, as cosign sign-blob does: a message signature with
// the blob's SHA-256, logged in Rekor as a hashedrekord (at most 1 GiB: the blob is signed
// whole). Keyful signers need an ECDSA P-256 key (or RSA PKCS#1 v1.5 with Rekor v1).
func (s *BundleSigner) SignBlob(ctx context.Context, blob []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, bn := bytesArg(blob)
	var buf C.stellaops_buffer
	err := s.h.use(func(h unsafe.Pointer) error {
		signer := (*C.stellaops_bundle_signer)(h)
		return call(func() C.stellaops_status { return C.stellaops_bundle_sign_blob(signer, b, bn, &buf) })
	})
	if err != nil {
		return nil, err
	}
	return takeBuffer(&buf), nil
}

// BundleAttestation is an attestation signed into a Sigstore bundle.
type BundleAttestation struct {
	// Bundle is the Sigstore bundle v0.3, canonical JSON.
	Bundle []byte
	// Admission says how the predicate type was admitted.
	Admission Admission
}

// Attest is Attest signed into a bundle: the statement is built and admitted before Fulcio or
// Rekor is asked.
func (s *BundleSigner) Attest(ctx context.Context, predicateType string, predicateJSON []byte, subjects []Subject, opts AttestOptions) (*BundleAttestation, error) {
	out, admission, err := attestWith(ctx, predicateType, predicateJSON, subjects, opts, func(a *attestArgs, out *C.stellaops_buffer, admission *C.stellaops_admission) error {
		return s.h.use(func(h unsafe.Pointer) error {
			signer := (*C.stellaops_bundle_signer)(h)
			return call(func() C.stellaops_status {
				return C.stellaops_bundle_attest(signer, a.predicateType, a.predicateTypeLen, a.predicate,
					a.predicateLen, a.subjects, a.subjectsLen, a.enforcement, out, admission)
			})
		})
	})
	if err != nil {
		return nil, err
	}
	return &BundleAttestation{Bundle: out, Admission: admission}, nil
}

// SignStatement is SignStatement signed into a bundle: an in-toto statement already made
// (parsed strictly, StellaOps predicates checked), admitted before Fulcio or Rekor is asked.
func (s *BundleSigner) SignStatement(ctx context.Context, statement Statement, opts AttestOptions) (*BundleAttestation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	enforcement := enforcementOf(opts)
	st, sn := bytesArg(statement)
	var out C.stellaops_buffer
	var admission C.stellaops_admission
	err := s.h.use(func(h unsafe.Pointer) error {
		signer := (*C.stellaops_bundle_signer)(h)
		return call(func() C.stellaops_status {
			return C.stellaops_bundle_sign_statement(signer, st, sn, C.stellaops_enforcement(enforcement), &out, &admission)
		})
	})
	if err != nil {
		return nil, err
	}
	warnUnlistedStatement(opts, Admission(admission), statement)
	return &BundleAttestation{Bundle: takeBuffer(&out), Admission: Admission(admission)}, nil
}

// Close frees the signer. Safe to call twice and concurrently with signing (running calls finish
// first; later ones get CodeClosed).
func (s *BundleSigner) Close() error {
	s.h.close()
	return nil
}

// maxBundleBytes is the largest bundle LoadBundleFromPath reads (the library's document limit).
const maxBundleBytes = 96 << 20

// LoadBundleFromPath reads a bundle's JSON from a file (at most 96 MiB, refused while reading,
// not after), as sigstore-go's bundle.LoadJSONFromPath; VerifyBundle parses it strictly.
func LoadBundleFromPath(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Code: CodeIO, Message: err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBundleBytes+1))
	if err != nil {
		return nil, &Error{Code: CodeIO, Message: err.Error()}
	}
	if len(data) > maxBundleBytes {
		return nil, &Error{Code: CodeInvalidBundle, Message: path + ": a bundle is at most 96 MiB"}
	}
	return data, nil
}

// LoadTrustedRootFromPath reads a trusted root (trusted_root.json, at most 96 MiB) from a file,
// as sigstore-go's NewTrustedRootFromPath.
func LoadTrustedRootFromPath(path string) (*TrustedRoot, error) {
	var out *C.stellaops_trusted_root
	p, pn := textArg(path)
	if err := call(func() C.stellaops_status { return C.stellaops_trusted_root_from_path(p, pn, &out) }); err != nil {
		return nil, err
	}
	r := &TrustedRoot{h: &handle{ptr: unsafe.Pointer(out), free: func(p unsafe.Pointer) {
		C.stellaops_trusted_root_free((*C.stellaops_trusted_root)(p))
	}}}
	runtime.AddCleanup(r, func(h *handle) { h.close() }, r.h)
	return r, nil
}
