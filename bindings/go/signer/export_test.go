package signer_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

type goldenExport struct {
	Files []struct {
		Path    string `json:"path"`
		Content string `json:"content"`
	} `json:"files"`
	Manifest  string            `json:"manifest"`
	Envelopes map[string]string `json:"envelopes"`
}

func writeGoldenExport(t *testing.T, g *goldenExport) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range g.Files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.Content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// The golden export of tests/vectors/export.json signs to the same bytes through the C ABI, and
// crypto/sha256 agrees with every digest in the manifest.
func TestExportGoldenBytes(t *testing.T) {
	var g goldenExport
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "tests", "vectors", "export.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	var keys []struct {
		Name       string `json:"name"`
		PrivatePEM string `json:"private_pem"`
	}
	loadVectors(t, "keys.json", &keys)
	root := writeGoldenExport(t, &g)
	opts := signer.ExportOptions{ExportID: "export-2026-11-23", Tenant: "acme", Profile: "offline-kit", CreatedAt: "2026-11-23T00:00:00Z", SHA512: true}
	for _, k := range keys {
		want, ok := g.Envelopes[k.Name]
		if !ok {
			continue
		}
		key, err := signer.LoadKey([]byte(k.PrivatePEM), nil)
		if err != nil {
			t.Fatal(err)
		}
		manifest, envelope, err := signer.SignExport(context.Background(), root, opts, key)
		if err != nil {
			t.Fatal(err)
		}
		if string(manifest) != g.Manifest || string(envelope) != want {
			t.Fatalf("%s: bytes differ from the golden export", k.Name)
		}
	}
	var m struct {
		Files []struct {
			Path   string            `json:"path"`
			Size   int               `json:"size"`
			Digest map[string]string `json:"digest"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(g.Manifest), &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if f.Size != len(data) || f.Digest["sha256"] != hex.EncodeToString(sum[:]) {
			t.Fatalf("%s: manifest disagrees with crypto/sha256", f.Path)
		}
	}
}

func TestExportVerifyNamesEveryDifference(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for name, content := range map[string]string{"a.txt": "alpha", "sub/b.txt": "beta"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key, err := signer.GenerateKey(signer.ES256)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	manifest, envelope, err := signer.SignExport(ctx, root, signer.ExportOptions{CreatedAt: "2026-11-23T00:00:00Z"}, key)
	if err != nil {
		t.Fatal(err)
	}
	report, err := signer.VerifyExport(ctx, root, envelope, signer.ExportVerifyOptions{Threshold: 1, Manifest: manifest}, pub)
	if err != nil || !report.Intact || report.Files != 2 {
		t.Fatalf("intact export: %v %+v", err, report)
	}
	// Issue 22: the same manifest without signing, its statement, and the tree checked.
	described := must(signer.DescribeExport(root, signer.ExportOptions{CreatedAt: "2026-11-23T00:00:00Z"}))
	if string(described) != string(manifest) {
		t.Fatalf("DescribeExport differs from SignExport's manifest")
	}
	statement := must(signer.ExportStatement(described))
	if !strings.Contains(string(statement), `"name":"sub/b.txt"`) {
		t.Fatalf("statement: %s", statement)
	}
	if check := must(signer.CheckExport(root, described)); !check.Intact || check.Files != 2 {
		t.Fatalf("check: %+v", check)
	}
	_, err = signer.ExportStatement([]byte(`{"files":1}`))
	wantCode(t, err, signer.CodeInvalidManifest)
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("ALPHA"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "sub", "b.txt")); err != nil {
		t.Fatal(err)
	}
	report, err = signer.VerifyExport(ctx, root, envelope, signer.ExportVerifyOptions{Threshold: 1}, pub)
	if !errors.Is(err, signer.ErrExportChanged) || report == nil {
		t.Fatalf("changed export: %v %+v", err, report)
	}
	if len(report.Changed) != 1 || report.Changed[0].Path != "a.txt" || len(report.Missing) != 1 || report.Missing[0] != "sub/b.txt" {
		t.Fatalf("report: %+v", report)
	}
	check := must(signer.CheckExport(root, described, "unrelated.txt"))
	if check.Intact || len(check.Changed) != 1 || check.Changed[0].Path != "a.txt" || check.Missing[0] != "sub/b.txt" {
		t.Fatalf("check after the change: %+v", check)
	}
	other, _ := signer.GenerateKey(signer.Ed25519)
	otherPub, _ := other.PublicKey()
	report, err = signer.VerifyExport(ctx, root, envelope, signer.ExportVerifyOptions{Threshold: 1}, otherPub)
	if !errors.Is(err, signer.ErrVerificationFailed) || report != nil {
		t.Fatalf("wrong key: %v %+v", err, report)
	}
	if _, _, err := signer.SignExport(ctx, root, signer.ExportOptions{Files: []string{"../x"}, CreatedAt: "2026-11-23T00:00:00Z"}, key); !errors.Is(err, &signer.Error{Code: signer.CodeInvalidExportEntry}) {
		t.Fatalf("bad path: %v", err)
	}
}
