// Command registry-token is the token service of the OCI distribution token protocol, for
// Debian's docker-registry run with `auth: token` in the tests: the registry sends clients here
// (`WWW-Authenticate: Bearer realm=…`), this hands out ES256 JWTs the registry verifies against
// the certificate it was given (`rootcertbundle`), and the registry enforces the `access` they
// grant.
//
// Why our own: the usual token servers (cesanta/docker_auth, Harbor's core) are not served by
// the Go module proxy here. The registry, which is the part under test, is the real one; the
// token service follows the distribution token specification and decides nothing but who gets
// which actions:
//
//   - a user given with -user NAME:PASSWORD gets every action asked for, on every repository;
//   - anyone (no credentials) gets `pull` on repositories under `public/`, nothing else;
//   - wrong credentials are answered 401.
//
// Usage: registry-token -addr 127.0.0.1:PORT -cert-out CERT.pem -issuer ISSUER -service SERVICE
// -user alice:secret
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"log"
	"math/big"
	"net/http"
	"os"
	"strings"
	"time"
)

type users map[string]string

func (u users) String() string { return "" }

func (u users) Set(v string) error {
	name, password, ok := strings.Cut(v, ":")
	if !ok || name == "" {
		return flagError(v)
	}
	u[name] = password
	return nil
}

type flagError string

func (e flagError) Error() string { return "not NAME:PASSWORD: " + string(e) }

type access struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

type server struct {
	key     *ecdsa.PrivateKey
	certDER []byte
	issuer  string
	service string
	users   users
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	certOut := flag.String("cert-out", "", "where to write the signing certificate (the registry's rootcertbundle)")
	issuer := flag.String("issuer", "stellaops-test-token", "the tokens' iss")
	service := flag.String("service", "stellaops-registry", "the registry's service name (aud)")
	us := users{}
	flag.Var(us, "user", "NAME:PASSWORD of a user who may push and pull (repeatable)")
	flag.Parse()
	if *certOut == "" {
		log.Fatal("-cert-out is required")
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: *issuer},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(*certOut, out, 0o644); err != nil {
		log.Fatal(err)
	}

	s := &server{key: key, certDER: der, issuer: *issuer, service: *service, users: us}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", s.token)
	log.Printf("registry-token on %s, issuer %q, service %q", *addr, *issuer, *service)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

func (s *server) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("service") != s.service {
		http.Error(w, `{"errors":[{"code":"DENIED","message":"unknown service"}]}`, http.StatusBadRequest)
		return
	}
	subject := ""
	if name, password, ok := r.BasicAuth(); ok {
		want, known := s.users[name]
		if !known || subtle.ConstantTimeCompare([]byte(want), []byte(password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry-token"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"wrong credentials"}]}`, http.StatusUnauthorized)
			return
		}
		subject = name
	}
	var granted []access
	for _, scope := range q["scope"] {
		// repository:NAME:ACTIONS (NAME may hold a port-less host path; ACTIONS comma-separated).
		parts := strings.Split(scope, ":")
		if len(parts) < 3 || parts[0] != "repository" {
			continue
		}
		name := strings.Join(parts[1:len(parts)-1], ":")
		var actions []string
		for _, a := range strings.Split(parts[len(parts)-1], ",") {
			if subject != "" || (a == "pull" && strings.HasPrefix(name, "public/")) {
				actions = append(actions, a)
			}
		}
		if len(actions) > 0 {
			granted = append(granted, access{Type: "repository", Name: name, Actions: actions})
		}
	}
	if granted == nil {
		granted = []access{}
	}
	token, err := s.sign(subject, granted)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token":        token,
		"access_token": token,
		"expires_in":   300,
		"issued_at":    time.Now().UTC().Format(time.RFC3339),
	})
}

func (s *server) sign(subject string, granted []access) (string, error) {
	now := time.Now()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	header, err := json.Marshal(map[string]any{
		"typ": "JWT",
		"alg": "ES256",
		"x5c": []string{base64.StdEncoding.EncodeToString(s.certDER)},
	})
	if err != nil {
		return "", err
	}
	claims, err := json.Marshal(map[string]any{
		"iss":    s.issuer,
		"sub":    subject,
		"aud":    s.service,
		"exp":    now.Add(5 * time.Minute).Unix(),
		"nbf":    now.Add(-time.Minute).Unix(),
		"iat":    now.Unix(),
		"jti":    hex.EncodeToString(jti),
		"access": granted,
	})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	r, sig, err := ecdsa.Sign(rand.Reader, s.key, digest[:])
	if err != nil {
		return "", err
	}
	// JWS ES256: R and S as 32-byte big-endian integers, concatenated.
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return input + "." + enc.EncodeToString(raw), nil
}
