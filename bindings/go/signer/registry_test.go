package signer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	signer "git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

const oldKey = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// Issue 22: the tenant key registry from Go: the key that signs for a tenant, revocations by
// time, and a reload that revokes a key already handed out.
func TestKeyRegistry(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := must(signer.GenerateKey(signer.ES256))
	keyPath := filepath.Join(dir, "signer.pem")
	if err := key.WritePrivateKey(keyPath, nil); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(keyPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", info, err)
	}
	wantCode(t, key.WritePrivateKey(keyPath, nil), signer.CodeIO) // never over an existing file
	encPath := filepath.Join(dir, "signer-enc.pem")
	if err := key.WritePrivateKey(encPath, []byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	back := must(signer.LoadKey(must(os.ReadFile(encPath)), []byte("correct horse")))
	if must(back.KeyID()) != must(key.KeyID()) {
		t.Fatal("the encrypted key read back is another key")
	}
	registryPath := filepath.Join(dir, "keys.toml")
	write := func(text string) {
		if err := os.WriteFile(registryPath, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(fmt.Sprintf(`[[tenant]]
id = "acme"

[[tenant.key]]
uri = %q
status = "active"
families = ["vex"]

[[tenant.key]]
uri = "/nonexistent/old.pem"
key_id = %q
status = "revoked"
revoked_at = "2026-06-01T00:00:00Z"
reason = "key compromise"
`, keyPath, oldKey))
	r := must(signer.OpenKeyRegistry(registryPath))
	defer r.Close()

	entries := must(r.Entries())
	if len(entries) != 2 || entries[1].Status != "revoked" || *entries[1].RevokedAt != "2026-06-01T00:00:00Z" {
		t.Fatalf("entries: %+v", entries)
	}
	entry := must(r.Select("acme", signer.KeySelector{Family: "vex"}))
	if entry.Status != "active" || entry.Families[0] != "vex" {
		t.Fatalf("select: %+v", entry)
	}
	_, err := r.Select("acme", signer.KeySelector{Family: "sbom"})
	wantCode(t, err, signer.CodeNoActiveKey)

	tenantKey := must(r.SigningKey("acme", signer.KeySelector{Family: "vex"}))
	defer tenantKey.Close()
	if must(tenantKey.KeyID()) != must(key.KeyID()) {
		t.Fatal("the registry opened another key")
	}
	pub := must(key.PublicKey())
	defer pub.Close()
	env := must(signer.Sign(ctx, "text/plain", []byte("hello"), tenantKey))
	must(signer.Verify(ctx, env, []*signer.PublicKey{pub}, signer.VerifyOptions{Threshold: 1}))
	_, err = tenantKey.PKCS8PEM(nil)
	wantCode(t, err, signer.CodeKeyNotExportable)
	wantCode(t, tenantKey.WritePrivateKey(filepath.Join(dir, "tenant.pem"), nil), signer.CodeKeyNotExportable)

	before := time.Date(2026, 5, 31, 23, 59, 59, 0, time.UTC)
	if err := r.CheckNotRevoked(oldKey, before); err != nil {
		t.Fatalf("before the revocation: %v", err)
	}
	err = r.CheckNotRevoked(oldKey, before.Add(time.Second))
	wantCode(t, err, signer.CodeKeyRevoked)
	if !strings.Contains(err.Error(), "key compromise") {
		t.Fatalf("error: %v", err)
	}
	wantCode(t, r.CheckNotRevoked(oldKey, time.Time{}), signer.CodeKeyRevoked)

	// A bad file keeps the old configuration; a reload that revokes the key stops it signing.
	write("not toml [")
	if r.Reload() == nil {
		t.Fatal("a broken file reloaded")
	}
	must(r.Select("acme", signer.KeySelector{Family: "vex"}))
	write(fmt.Sprintf("[[tenant]]\nid = \"acme\"\n\n[[tenant.key]]\nuri = %q\nkey_id = %q\nstatus = \"revoked\"\nrevoked_at = \"2026-06-01T00:00:00Z\"\n", keyPath, must(key.KeyID())))
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	_, err = signer.Sign(ctx, "text/plain", []byte("hello"), tenantKey)
	wantCode(t, err, signer.CodeKeyRevoked)
}
