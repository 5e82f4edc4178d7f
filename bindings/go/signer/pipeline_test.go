package signer_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	signer "git.stella-ops.org/stellaops/signer/bindings/go/signer"
)

// pipelineFixture writes a configuration and requests whose tokens, DPoP proofs and entitlement
// pyca/cryptography minted (scripts/pipeline_fixture.py).
func pipelineFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join("..", "..", "..", "scripts", "pipeline_fixture.py")
	python := os.Getenv("STELLAOPS_PYTHON") // services.env: a Python with pyca/cryptography
	if python == "" {
		python = "python3"
	}
	if out, err := exec.Command(python, script, dir).CombinedOutput(); err != nil {
		t.Fatalf("pipeline fixture: %v: %s", err, out)
	}
	return dir
}

func TestPipelineSignsDeniesAndAudits(t *testing.T) {
	dir := pipelineFixture(t)
	p, err := signer.OpenPipeline(filepath.Join(dir, "pipeline.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	request, err := os.ReadFile(filepath.Join(dir, "request-ok.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.SignJSON(request)
	if err != nil {
		t.Fatal(err)
	}
	var outcome struct {
		Envelope json.RawMessage `json:"envelope"`
		PoeState string          `json:"poe_state"`
		Binding  string          `json:"binding"`
		Caller   string          `json:"caller"`
	}
	if err := json.Unmarshal(out, &outcome); err != nil {
		t.Fatal(err)
	}
	if outcome.PoeState != "fresh" || outcome.Binding != "dpop" || outcome.Caller != "svc:go-attestor" {
		t.Fatalf("outcome: %+v", outcome)
	}
	// The envelope verifies with the signer's key from the configuration directory.
	pem, err := os.ReadFile(filepath.Join(dir, "signer.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := signer.LoadKey(pem, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	v, err := signer.Verify(context.Background(), outcome.Envelope, []*signer.PublicKey{pub},
		signer.VerifyOptions{Threshold: 1, PayloadType: "application/vnd.in-toto+json"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(v.Payload), "stella.ops/vex@v1") {
		t.Fatalf("payload: %s", v.Payload)
	}

	// The same proof again is a replay; another tenant has no entitlement.
	_, err = p.SignJSON(request)
	if !errors.Is(err, signer.ErrDenied) || !strings.Contains(err.Error(), "denied (dpop.replay)") {
		t.Fatalf("replay: %v", err)
	}
	denied, _ := os.ReadFile(filepath.Join(dir, "request-denied.json"))
	_, err = p.SignJSON(denied)
	if !errors.Is(err, signer.ErrDenied) || !strings.Contains(err.Error(), "denied (poe.missing)") {
		t.Fatalf("other tenant: %v", err)
	}
	log, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "\n"); n != 3 {
		t.Fatalf("%d audit records, want 3", n)
	}
	// What the pipeline counted, as Prometheus text for the service's own /metrics.
	metrics, err := signer.MetricsSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# TYPE stellaops_signer_sign_seconds summary",
		`stellaops_signer_denials_total{reason="dpop.replay"}`,
		`stellaops_signer_poe_failures_total{reason="poe.missing"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Fatalf("metrics lack %q:\n%s", want, metrics)
		}
	}
}

func TestPipelineReplayRaceLetsOneThrough(t *testing.T) {
	dir := pipelineFixture(t)
	p, err := signer.OpenPipeline(filepath.Join(dir, "pipeline.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	request, _ := os.ReadFile(filepath.Join(dir, "request-ok.json"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	signed := 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.SignJSON(request)
			if err == nil {
				mu.Lock()
				signed++
				mu.Unlock()
			} else if !errors.Is(err, signer.ErrDenied) {
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	if signed != 1 {
		t.Fatalf("%d of 16 racing replays signed, want exactly 1", signed)
	}
}

func TestPipelineErrors(t *testing.T) {
	if _, err := signer.OpenPipeline("/nonexistent/pipeline.toml"); err == nil {
		t.Fatal("opened a missing configuration")
	}
	dir := pipelineFixture(t)
	p, err := signer.OpenPipeline(filepath.Join(dir, "pipeline.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.SignJSON([]byte(`{"tenant": "acme"}`)); err == nil {
		t.Fatal("signed a malformed request")
	}
	p.Close()
	if _, err := p.SignJSON([]byte(`{}`)); !errors.Is(err, signer.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// Each pipeline decision is one slog record, with the fields the Signer design names.
func TestPipelineDecisionsReachSlog(t *testing.T) {
	dir := pipelineFixture(t)
	p, err := signer.OpenPipeline(filepath.Join(dir, "pipeline.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var lines strings.Builder
	var mu sync.Mutex
	handler := slog.NewJSONHandler(writerFunc(func(b []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return lines.Write(b)
	}), &slog.HandlerOptions{Level: slog.LevelInfo})
	if err := signer.SetLogger(slog.New(handler)); err != nil {
		t.Fatal(err)
	}
	request, _ := os.ReadFile(filepath.Join(dir, "request-ok.json"))
	if _, err := p.SignJSON(request); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SignJSON(request); !errors.Is(err, signer.ErrDenied) {
		t.Fatalf("replay: %v", err)
	}
	if err := signer.SetLogger(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SignJSON(request); err == nil { // not logged any more
		t.Fatal("a replay signed")
	}
	mu.Lock()
	defer mu.Unlock()
	var decisions []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(lines.String()), "\n") {
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if record["target"] == "stellaops_signer::decision" {
			decisions = append(decisions, record)
		}
	}
	if len(decisions) != 2 {
		t.Fatalf("%d decision records, want 2:\n%s", len(decisions), lines.String())
	}
	allowed, denied := decisions[0], decisions[1]
	if allowed["msg"] != "signing decision" || allowed["level"] != "INFO" || allowed["decision"] != "allowed" ||
		allowed["issuer_mode"] != "software" || allowed["tenant"] == "" || allowed["trace_id"] == "" ||
		allowed["key_ids"] == "" || allowed["latency_ms"] == nil {
		t.Fatalf("allowed: %v", allowed)
	}
	if denied["decision"] != "denied" || denied["reason"] != "dpop.replay" {
		t.Fatalf("denied: %v", denied)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
