"""Every API of the Python face, and every error class with its stable code."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import stellaops_signer as ss

DIGEST = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
ALGORITHMS = ["es256", "es384", "ed25519", "rsa-pss-sha256", "rsa-pkcs1-sha256"]


@pytest.fixture(scope="module")
def keys() -> dict[str, ss.SigningKey]:
    return {alg: ss.SigningKey.generate(alg) for alg in ALGORITHMS}


def test_version() -> None:
    assert ss.__version__ == "0.1.0"


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_key_round_trips(keys: dict[str, ss.SigningKey], alg: str) -> None:
    key = keys[alg]
    assert key.algorithm == alg
    assert len(key.key_id) == 64 and key.key_id == key.key_id.lower()
    assert alg in repr(key) and "PRIVATE" not in repr(key)
    pem = key.to_pem()
    assert isinstance(pem, bytes) and b"-----BEGIN PRIVATE KEY-----" in pem
    assert ss.SigningKey.from_pem(pem).key_id == key.key_id
    encrypted = key.to_pem(passphrase=b"pw")
    assert b"ENCRYPTED PRIVATE KEY" in encrypted
    assert ss.SigningKey.from_pem(encrypted, passphrase=b"pw").key_id == key.key_id
    assert ss.SigningKey.from_jwk(key.to_jwk()).key_id == key.key_id
    public = key.public_key()
    assert public.key_id == key.key_id
    assert ss.VerifyingKey.from_pem(public.to_pem()) == public
    assert ss.VerifyingKey.from_pem(public.to_der()).key_id == key.key_id
    assert ss.VerifyingKey.from_jwk(public.to_jwk()) == public
    assert public.algorithm == alg


def test_unpinned_rsa_public_key_has_no_single_algorithm(keys: dict[str, ss.SigningKey]) -> None:
    from cryptography.hazmat.primitives import serialization

    der = keys["rsa-pss-sha256"].public_key().to_der()
    plain = serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert ss.VerifyingKey.from_pem(plain).algorithm is None


def test_key_errors(keys: dict[str, ss.SigningKey]) -> None:
    with pytest.raises(ss.KeyMaterialError) as info:
        ss.SigningKey.generate("dsa")
    assert info.value.code == 300 and info.value.code_name == "unknown_algorithm"
    with pytest.raises(ss.KeyMaterialError) as info:
        ss.SigningKey.from_pem(b"garbage")
    assert info.value.code_name == "malformed_key"
    encrypted = keys["es256"].to_pem(passphrase=b"pw")
    with pytest.raises(ss.KeyMaterialError) as info:
        ss.SigningKey.from_pem(encrypted)
    assert info.value.code_name == "passphrase_required"
    with pytest.raises(ss.KeyMaterialError) as info:
        ss.SigningKey.from_pem(encrypted, passphrase=b"wrong")
    assert info.value.code_name == "wrong_passphrase"
    with pytest.raises(ss.KeyMaterialError):
        ss.SigningKey.from_jwk('{"kty":"EC"}')
    with pytest.raises(ss.KeyMaterialError):
        ss.VerifyingKey.from_pem(b"not a key")
    with pytest.raises(ss.KeyMaterialError):
        ss.SigningKey.from_pem("PEM text is read like bytes; this is none")
    with pytest.raises(TypeError, match="argument 'data'"):
        ss.SigningKey.from_pem(42)  # type: ignore[arg-type]
    assert isinstance(info.value, ss.StellaOpsError)


def test_envelope_sign_verify(keys: dict[str, ss.SigningKey]) -> None:
    es, ed, rsa = keys["es256"], keys["ed25519"], keys["rsa-pss-sha256"]
    env = ss.Envelope.sign("text/plain", b"hello", [es, ed])
    assert env.payload == b"hello" and env.payload_type == "text/plain"
    assert [s.keyid for s in env.signatures] == [es.key_id, ed.key_id]
    assert all(isinstance(s.sig, bytes) for s in env.signatures)
    assert env.pae() == ss.pae("text/plain", b"hello") == b"DSSEv1 10 text/plain 5 hello"
    parsed = json.loads(env.to_json())
    assert set(parsed) == {"payload", "payloadType", "signatures"}
    again = ss.Envelope.from_json(env.to_json())
    assert again.to_json() == env.to_json()
    verified = again.verify([rsa.public_key(), ed.public_key(), es.public_key()], 2, "text/plain")
    assert sorted((v.key_index, v.signature_index, v.algorithm) for v in verified) == [
        (1, 1, "ed25519"),
        (2, 0, "es256"),
    ]
    assert verified[0].key_id in (es.key_id, ed.key_id)
    assert "Envelope(" in repr(env)


def test_verified_keys_index_the_callers_list() -> None:
    # Issue 20, defect 2: [A as PEM, A as JWK, B], signed by B only, is position 2.
    a, b = ss.SigningKey.generate("es256"), ss.SigningKey.generate("es256")
    trusted = [a.public_key(), ss.VerifyingKey.from_jwk(a.public_key().to_jwk()), b.public_key()]
    by_b = ss.Envelope.sign("text/plain", b"x", [b])
    [v] = by_b.verify(trusted, 1)
    assert (v.key_index, v.positions) == (2, [2])
    [v] = ss.Envelope.sign("text/plain", b"x", [a]).verify(trusted, 1)
    assert (v.key_index, v.positions) == (0, [0, 1])


def test_sign_refuses_an_in_toto_payload_that_is_not_a_statement() -> None:
    # Issue 20, defect 10: what verify refuses, sign refuses first.
    key = ss.SigningKey.generate("es256")
    with pytest.raises(ss.StellaOpsError) as info:
        ss.Envelope.sign("application/vnd.in-toto+json", b'{"bomFormat":"CycloneDX"}', [key])
    assert info.value.code_name == "invalid_statement"


def test_verification_errors(keys: dict[str, ss.SigningKey]) -> None:
    env = ss.Envelope.sign("text/plain", b"hello", [keys["es256"]])
    other = keys["es384"].public_key()
    with pytest.raises(ss.VerificationError) as info:
        env.verify([other], 1)
    assert info.value.code == 400 and info.value.code_name == "verification_failed"
    with pytest.raises(ss.VerificationError) as info:
        env.verify([keys["es256"].public_key()], 1, "application/json")
    assert info.value.code_name == "payload_type_mismatch"
    with pytest.raises(ss.InvalidInputError) as inval:
        env.verify([keys["es256"].public_key()], 0)
    assert inval.value.code_name == "invalid_policy"
    with pytest.raises(ss.InvalidInputError):
        env.verify([], 1)
    with pytest.raises(OverflowError):
        env.verify([keys["es256"].public_key()], -1)
    with pytest.raises(ss.InvalidInputError) as inval:
        ss.Envelope.sign("t", b"x", [])
    assert inval.value.code_name == "no_signing_keys"
    for text, code in [
        (b'{"payload":"","payload":"","payloadType":"x","signatures":[]}', "duplicate_key"),
        (b"{", "malformed_json"),
        (b'{"payload":"%%","payloadType":"x","signatures":[{"sig":"AA=="}]}', "invalid_base64"),
        (b'{"payloadType":"x","signatures":[]}', "invalid_envelope"),
        (b"[" * 5000, "too_deep"),
    ]:
        with pytest.raises(ss.InvalidInputError) as inval:
            ss.Envelope.from_json(text)
        assert inval.value.code_name == code, text[:40]


def test_attest(keys: dict[str, ss.SigningKey], tmp_path: Path) -> None:
    key = keys["ed25519"]
    subject = ss.Subject("pkg:oci/app", {"sha256": DIGEST})
    assert subject.name == "pkg:oci/app" and subject.digest == {"sha256": DIGEST}
    att = ss.attest([key], "vex", b'{"statements":[]}', [subject], enforcement="reject")
    assert att.admission == "allowed"
    statement = json.loads(att.statement)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "stella.ops/vex@v1"
    assert statement["subject"] == [{"name": "pkg:oci/app", "digest": {"sha256": DIGEST}}]
    att.envelope.verify([key.public_key()], 1, "application/vnd.in-toto+json")

    artifact = tmp_path / "app.bin"
    artifact.write_bytes(b"hello")
    # Outside the catalog under "warn" (the default): signed, and a UserWarning at this line.
    with pytest.warns(UserWarning, match=r'predicate type "https://example.com/custom@v1" is not in the StellaOps catalog'):
        att = ss.attest_files([key], "https://example.com/custom@v1", b"{}", [artifact], sha512=True)
    assert att.admission == "unlisted"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "log-only" admits without a warning
        assert ss.attest([key], "https://example.com/custom@v1", b"{}", [subject], enforcement="log-only").admission == "unlisted"
    digest = json.loads(att.statement)["subject"][0]["digest"]
    assert digest["sha256"] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert len(digest["sha512"]) == 128

    with pytest.raises(ss.PredicateTypeError) as ptype:
        ss.attest([key], "https://example.com/custom@v1", b"{}", [subject], enforcement="reject")
    assert ptype.value.code_name == "predicate_not_allowed"
    with pytest.raises(ss.PredicateTypeError) as ptype:
        ss.attest([key], "nope", b"{}", [subject])
    assert ptype.value.code_name == "unknown_predicate_type"
    with pytest.raises(ss.InvalidInputError) as inval:
        ss.attest([key], "sbom", b"{}", [])
    assert inval.value.code_name == "invalid_statement"
    with pytest.raises(ss.InvalidInputError) as inval:
        ss.Subject("a", {"sha256": "XYZ"})
    assert inval.value.code_name == "invalid_digest"
    with pytest.raises(ss.InvalidInputError) as inval:
        ss.attest([key], "sbom", b"{}", [subject], enforcement="sometimes")  # type: ignore[arg-type]
    assert inval.value.code_name == "invalid_argument"
    with pytest.raises(ss.StellaOpsIOError) as io:
        ss.attest_files([key], "sbom", b"{}", [tmp_path / "missing"])
    assert io.value.code_name == "io"


def test_canonicalize_and_catalog() -> None:
    assert ss.canonicalize(b'{"b": 1.50, "a": [1e2]}') == b'{"a":[100],"b":1.5}'
    assert ss.canonicalize(b'{"b": 1, "a": "x"}', mode="olpc") == b'{"a":"x","b":1}'
    with pytest.raises(ss.InvalidInputError) as info:
        ss.canonicalize(b'{"cvss": 9.8}', mode="olpc")
    assert info.value.code_name == "float_in_olpc"
    with pytest.raises(ss.InvalidInputError) as info:
        ss.canonicalize(b"{}", mode="xml")  # type: ignore[arg-type]
    assert info.value.code_name == "invalid_argument"
    assert ss.resolve_predicate_type("sbom") == "stella.ops/sbom@v1"
    assert ss.predicate_family("stella.ops/graph@v1") == "reachability"
    assert ss.predicate_family("https://example.com/x") is None
    assert ss.is_vex_related("stella.ops/vexDecision@v1")
    assert ss.is_reachability_related("stella.ops/graph@v1")
    assert ss.is_sbom(ss.resolve_predicate_type("cyclonedx"))
    assert ss.is_allowed_predicate_type("stella.ops/promotion@v1")
    assert not ss.is_allowed_predicate_type("https://example.com/x")
    assert "stella.ops/evidence@v1" in ss.allowed_predicate_types()
    with pytest.raises(ss.PredicateTypeError):
        ss.resolve_predicate_type("nope")


def test_a_signing_key_is_a_context_manager() -> None:
    with ss.SigningKey.generate("ed25519") as key:
        env = ss.Envelope.sign("text/plain", b"hi", [key])
        public = key.public_key()
    assert env.verify([public], 1)
    with pytest.raises(ValueError, match="closed"):
        ss.Envelope.sign("text/plain", b"hi", [key])
    with pytest.raises(ValueError, match="closed"):
        key.key_id
    assert repr(key) == "SigningKey(closed)"
    key.close()  # twice is fine


def test_a_private_key_file_is_written_0600_and_never_over_another(tmp_path: Path) -> None:
    key = ss.SigningKey.generate("es256")
    path = tmp_path / "signer.pem"
    key.write_private_key(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert ss.SigningKey.from_pem(path.read_bytes()).key_id == key.key_id
    with pytest.raises(ss.StellaOpsIOError):
        key.write_private_key(path)
    key.write_private_key(str(tmp_path / "enc.pem"), b"correct horse")
    assert ss.SigningKey.from_pem((tmp_path / "enc.pem").read_bytes(), b"correct horse").key_id == key.key_id
