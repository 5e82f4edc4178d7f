"""Issue 22: the document flows from Python: statements built from an SBOM, a report and a
promotion; signed locally and through the pipeline; a promotion verified against what a
deployment requires. JSON goes in as bytes, str or dict alike."""

import json
import pathlib

import pytest

import stellaops_signer as s
from test_pipeline import fixture_module

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "predicates"
PROMOTED = "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99"


def test_promotion_signed_and_verified_with_requirements() -> None:
    promotion = json.loads((FIXTURES / "promotion.json").read_text())
    statement = s.promotion_statement(promotion)
    # The same statement from bytes and from str.
    assert s.promotion_statement((FIXTURES / "promotion.json").read_bytes()) == statement
    assert s.promotion_statement((FIXTURES / "promotion.json").read_text()) == statement
    assert json.loads(statement)["predicateType"] == "stella.ops/promotion@v1"

    key = s.SigningKey.generate("es256")
    att = s.sign_statement([key], statement, enforcement="reject")
    assert att.admission == "allowed"
    assert att.statement == statement
    envelope = att.envelope.to_json()

    v = s.verify_promotion(envelope, [key.public_key()], artifact_digest={"sha256": PROMOTED},
                           target_environment="production")
    assert v.statement == statement
    assert v.artifact_name == "registry.example/stellaops/scanner-web"
    assert v.target_environment == "production" and v.source_environment == "staging"
    assert [k.positions for k in v.keys] == [[0]]
    # The envelope as str works the same.
    assert s.verify_promotion(envelope.decode(), [key.public_key()]).policy_digest.startswith("sha256:")

    with pytest.raises(s.VerificationError) as e:
        s.verify_promotion(envelope, [key.public_key()], target_environment="staging")
    assert e.value.code_name == "predicate_mismatch"
    with pytest.raises(s.VerificationError) as e:
        s.verify_promotion(envelope, [key.public_key()], policy_digest="sha256:00")
    assert e.value.code_name == "predicate_mismatch"
    other = s.SigningKey.generate("ed25519")
    with pytest.raises(s.VerificationError) as e:
        s.verify_promotion(envelope, [other.public_key()])
    assert e.value.code_name == "verification_failed"

    vex = s.attest([key], "vex", b'{"statements":[]}', [s.Subject("a", {"sha256": PROMOTED})])
    with pytest.raises(s.VerificationError) as e:
        s.verify_promotion(vex.envelope.to_json(), [key.public_key()])
    assert e.value.code_name == "predicate_type_mismatch"


def test_statements_from_sbom_and_report() -> None:
    report = s.report_statement((FIXTURES / "report.json").read_bytes())
    assert json.loads(report)["predicateType"] == "stella.ops/report@v1"
    with pytest.raises(s.InvalidInputError) as e:
        s.report_statement({"scanId": 1})
    assert e.value.code_name == "invalid_predicate"

    sbom = json.loads((ROOT / "examples" / "sbom" / "hello-app.cdx.json").read_text())
    artifact = s.Subject("hello-app.tar", {"sha256": PROMOTED})
    statement = s.sbom_statement(sbom, [artifact])
    parsed = json.loads(statement)
    assert parsed["predicateType"] == "https://cyclonedx.org/bom"
    assert parsed["subject"] == [{"name": "hello-app.tar", "digest": {"sha256": PROMOTED}}]
    with pytest.raises(s.InvalidInputError) as e:
        s.sbom_statement(sbom)  # declares no hashed subject and none given
    assert e.value.code_name == "invalid_argument"
    with pytest.raises(s.InvalidInputError):
        s.sbom_statement({"hello": 1}, [artifact])


def test_wrong_arguments_name_the_argument() -> None:
    with pytest.raises(TypeError) as e:
        s.promotion_statement(42)  # type: ignore[arg-type]
    assert str(e.value) == "argument 'promotion': expected JSON as bytes, str, dict or list, not int"
    with pytest.raises(ValueError):
        s.promotion_statement({"x": float("nan")})
    key = s.SigningKey.generate("ed25519")
    with pytest.raises(s.InvalidInputError) as bad:
        s.sign_statement([key], {"_type": "x"})
    assert bad.value.code_name == "invalid_statement"
    with pytest.raises(s.InvalidInputError) as bad:
        s.sign_statement([], s.promotion_statement((FIXTURES / "promotion.json").read_bytes()))
    assert bad.value.code_name == "no_signing_keys"


def test_a_promotion_through_the_pipeline(tmp_path: pathlib.Path) -> None:
    fixture_module().write_fixture(str(tmp_path))
    statement = s.promotion_statement((tmp_path / "promotion.json").read_bytes())
    caller = json.loads((tmp_path / "caller-promotion.json").read_text())
    pipeline = s.Pipeline(tmp_path / "pipeline.toml")
    outcome = json.loads(pipeline.sign_json({**caller, "statement": json.loads(statement)}))
    assert outcome["trace_id"] == "c-caller-promotion"
    assert outcome["admission"] == "allowed"
    assert s.Envelope.from_json(json.dumps(outcome["envelope"]).encode()).payload == statement

    assert pipeline.check_release("sha256:" + "1" * 64)["trust"] == "allowlist"
    assert pipeline.check_release("sha256:" + "2" * 64)["approved_by"] == "alice@example.com"
    untrusted = pipeline.check_release("sha256:" + "3" * 64)
    assert untrusted["trusted"] is False and untrusted["reason"] == "release.untrusted"

    chain = s.verify_audit_chain(tmp_path / "audit.jsonl")
    assert chain.records == 1 and chain.last_hash
    edited = tmp_path / "edited.jsonl"
    edited.write_text((tmp_path / "audit.jsonl").read_text().replace('"decision":"allowed"', '"decision":"denied"', 1))
    with pytest.raises(s.VerificationError) as e:
        s.verify_audit_chain(str(edited))
    assert e.value.code_name == "audit_chain_broken" and "line 1" in str(e.value)
    with pytest.raises(s.StellaOpsIOError):
        s.verify_audit_chain(tmp_path / "missing.jsonl")

    subjects = s.artifact_subjects([tmp_path / "promotion.json"], sha512=True)
    assert [x.name for x in subjects] == ["promotion.json"]
    assert sorted(subjects[0].digest) == ["sha256", "sha512"]
    att = s.attest([s.SigningKey.generate("ed25519")], "vex", b'{"statements":[]}', subjects)
    assert json.loads(att.statement)["subject"][0]["name"] == "promotion.json"


def test_predicate_statement_and_inspect() -> None:
    subject = s.Subject("pkg:oci/app", {"sha256": PROMOTED})
    statement = s.predicate_statement("vex", {"statements": []}, [subject])
    with pytest.raises(s.InvalidInputError) as e:
        s.predicate_statement("vex", {}, [])
    assert e.value.code_name == "invalid_statement"
    key = s.SigningKey.generate("ed25519")
    att = s.sign_statement([key], statement)
    facts = s.inspect_attestation(att.envelope.to_json(), [key.public_key()])
    assert facts["verified"] is True and facts["container"] == "dsse"
    assert facts["subjects"] == [{"name": "pkg:oci/app", "digest": {"sha256": PROMOTED}}]
    assert facts["signatures"][0]["verified_by"] is not None
    unverified = s.inspect_attestation(att.envelope.to_json().decode())
    assert unverified["verified"] is False and unverified["not_checked"]


def test_slsa_provenance_goes_through_the_typed_model() -> None:
    """A SLSA v1 predicate is checked before anything is built: a buildType that is not a URI is
    refused, naming the field; a good one builds."""
    subject = s.Subject("app.tar", {"sha256": PROMOTED})
    def predicate(build_type: str) -> dict[str, object]:
        return {"buildDefinition": {"buildType": build_type, "externalParameters": {}},
                "runDetails": {"builder": {"id": "https://stellaops.local/builder"}}}

    with pytest.raises(s.InvalidInputError) as e:
        s.predicate_statement("slsa-provenance", predicate("theBuildType"), [subject])
    assert e.value.code_name == "invalid_predicate"
    assert "/buildDefinition/buildType" in str(e.value)
    good = predicate("https://stellaops.local/build/v1")
    statement = json.loads(s.predicate_statement("slsa-provenance", good, [subject]))
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
