"""The signing pipeline from Python: tokens, proofs and entitlements minted by pyca/cryptography
(scripts/pipeline_fixture.py), a configuration file, one audit record per request."""

import importlib.util
import json
import logging
import pathlib
import sys
import threading
from types import ModuleType

import pytest
from prometheus_client.parser import text_string_to_metric_families

import stellaops_signer as s

ROOT = pathlib.Path(__file__).resolve().parents[3]


def fixture_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pipeline_fixture", ROOT / "scripts" / "pipeline_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pipeline_fixture"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def configured(tmp_path: pathlib.Path) -> pathlib.Path:
    fixture_module().write_fixture(str(tmp_path))
    return tmp_path


def test_sign_through_the_pipeline(configured: pathlib.Path) -> None:
    pipeline = s.Pipeline(configured / "pipeline.toml")
    outcome = json.loads(pipeline.sign_json((configured / "request-ok.json").read_bytes()))
    assert outcome["poe_state"] == "fresh"
    assert outcome["binding"] == "dpop"
    assert outcome["caller"] == "svc:go-attestor"
    assert outcome["trace_id"] == "c-request-ok"
    envelope = s.Envelope.from_json(json.dumps(outcome["envelope"]).encode())
    signer = s.SigningKey.from_pem((configured / "signer.pem").read_bytes())
    verified = envelope.verify([signer.public_key()], 1)
    assert len(verified) == 1
    assert json.loads(envelope.payload)["predicateType"] == "stella.ops/vex@v1"
    lines = (configured / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["record"]["decision"] == "allowed"


def test_denials_carry_the_reason(configured: pathlib.Path) -> None:
    pipeline = s.Pipeline(configured / "pipeline.toml")
    with pytest.raises(s.PolicyError) as denied:
        pipeline.sign_json((configured / "request-denied.json").read_bytes())
    assert denied.value.code == 700
    assert denied.value.code_name == "denied"
    assert "denied (poe.missing)" in str(denied.value)
    request = (configured / "request-ok.json").read_bytes()
    pipeline.sign_json(request)
    with pytest.raises(s.PolicyError, match=r"denied \(dpop\.replay\)"):
        pipeline.sign_json(request)
    # What the pipeline counted, by reason, as Prometheus text.
    metrics = s.metrics_snapshot()
    assert "# TYPE stellaops_signer_sign_seconds summary" in metrics
    assert 'stellaops_signer_denials_total{reason="dpop.replay"}' in metrics
    assert 'stellaops_signer_poe_failures_total{reason="poe.missing"}' in metrics
    # The Prometheus project's own parser reads the whole text: types, names, labels, values.
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    assert families["stellaops_signer_sign_seconds"].type == "summary"
    counts = [x for x in families["stellaops_signer_sign_seconds"].samples if x.name.endswith("_count")]
    assert counts and counts[0].value >= 1
    denials = families["stellaops_signer_denials"]
    assert denials.type == "counter"
    assert any(x.labels == {"reason": "dpop.replay"} and x.value >= 1 for x in denials.samples)


def test_only_one_of_racing_replays_gets_through(configured: pathlib.Path) -> None:
    pipeline = s.Pipeline(configured / "pipeline.toml")
    request = (configured / "request-ok.json").read_bytes()
    results: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            pipeline.sign_json(request)
            outcome = "signed"
        except s.PolicyError as e:
            outcome = e.code_name
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["denied"] * 15 + ["signed"]


def test_bad_configuration_and_requests(configured: pathlib.Path, tmp_path: pathlib.Path) -> None:
    with pytest.raises(s.StellaOpsIOError):
        s.Pipeline(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[authority]\nissuer = 1\n")
    with pytest.raises(s.PolicyError) as e:
        s.Pipeline(bad)
    assert e.value.code_name == "policy_failed"
    pipeline = s.Pipeline(configured / "pipeline.toml")
    with pytest.raises(s.InvalidInputError):
        pipeline.sign_json(b'{"tenant": "a", "tenant": "b"}')
    with pytest.raises(s.InvalidInputError):
        pipeline.sign_json(b'{"tenant": "acme"}')


def test_the_pipeline_is_a_context_manager(configured: pathlib.Path) -> None:
    with s.Pipeline(configured / "pipeline.toml") as pipeline:
        pipeline.sign_json((configured / "request-ok.json").read_bytes())
    with pytest.raises(ValueError, match="closed"):
        pipeline.sign_json((configured / "request-ok.json").read_bytes())
    pipeline.close()  # twice is fine
    # The audit log was closed with its one record intact.
    assert len((configured / "audit.jsonl").read_text().splitlines()) == 1


class Collect(logging.Handler):
    """Keeps every record it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_each_decision_is_a_logging_record(configured: pathlib.Path) -> None:
    logger = logging.getLogger("stellaops_signer.test")
    logger.setLevel(logging.INFO)
    handler = Collect()
    logger.addHandler(handler)
    s.set_logger(logger)
    try:
        pipeline = s.Pipeline(configured / "pipeline.toml")
        request = (configured / "request-ok.json").read_bytes()
        pipeline.sign_json(request)
        with pytest.raises(s.PolicyError):
            pipeline.sign_json(request)
    finally:
        s.set_logger(None)
    with pytest.raises(s.PolicyError):
        pipeline.sign_json(request)  # no record once stopped
    decisions = [r for r in handler.records if getattr(r, "target", "") == "stellaops_signer::decision"]
    assert len(decisions) == 2, [r.getMessage() for r in handler.records]
    allowed, denied = decisions
    assert allowed.getMessage() == "signing decision" and allowed.levelno == logging.INFO
    fields = allowed.__dict__["stellaops"]
    assert fields["decision"] == "allowed" and fields["issuer_mode"] == "software"
    assert fields["tenant"] and fields["trace_id"] and fields["key_ids"]
    assert isinstance(fields["latency_ms"], float) and fields["latency_ms"] > 0
    assert getattr(allowed, "trace_id") == fields["trace_id"]
    assert denied.__dict__["stellaops"]["reason"] == "dpop.replay"
    with pytest.raises(s.InvalidInputError):
        s.set_logger(logger, level="loud")
