"""Signers and verifiers written in Python, proven with GOST R 34.10-2012 held by OpenSSL's gost
engine (libengine-gost-openssl): an algorithm this library does not implement."""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

import stellaops_signer as ss

GOST = "gost3410-2012-256"
DIGEST = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
STATEMENT = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "app.tar.gz", "digest": {"sha256": DIGEST}}],
    "predicateType": "https://stella.ops/test/regional@v1",
    "predicate": {"region": "ru"},
}


def openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], capture_output=True, check=False)


class OpenSSLGost:
    """A signer whose GOST key stays with OpenSSL: `sign` hashes with Streebog-256 and signs."""

    def __init__(self, private: Path) -> None:
        self.private = private
        self.calls = 0

    def sign(self, message: bytes) -> bytes:
        self.calls += 1
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "m").write_bytes(message)
            done = openssl("dgst", "-engine", "gost", "-md_gost12_256", "-sign", str(self.private),
                           "-out", f"{d}/sig", f"{d}/m")
            if done.returncode != 0:
                raise RuntimeError(done.stderr.decode(errors="replace"))
            return (Path(d) / "sig").read_bytes()


def openssl_verify(public_pem: Path, message: bytes, signature: bytes) -> bool:
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "m").write_bytes(message)
        (Path(d) / "s").write_bytes(signature)
        done = openssl("dgst", "-engine", "gost", "-md_gost12_256", "-verify", str(public_pem),
                       "-signature", f"{d}/s", f"{d}/m")
        return done.returncode == 0 and b"Verified OK" in done.stdout


@pytest.fixture(scope="module")
def gost_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("gost")
    private, public = d / "private.pem", d / "public.pem"
    for args in (
        ("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A",
         "-out", str(private)),
        ("pkey", "-engine", "gost", "-in", str(private), "-pubout", "-out", str(public)),
    ):
        done = openssl(*args)
        assert done.returncode == 0, f"the gost engine (libengine-gost-openssl) is required: {done.stderr!r}"
    return private, public


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE PAE, from the specification."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def test_gost_signed_from_python_verifies_with_openssl(gost_key: tuple[Path, Path]) -> None:
    private, public = gost_key
    signer = OpenSSLGost(private)
    key = ss.SigningKey.from_signer(GOST, public.read_text(), signer)
    assert key.algorithm == GOST and key.backend == "caller"
    att = ss.sign_statement([key], STATEMENT, enforcement="log-only")
    assert signer.calls == 1

    # OpenSSL checks the signature over the PAE, without this library.
    doc = json.loads(att.envelope.to_json())
    payload = base64.b64decode(doc["payload"])
    (signature,) = doc["signatures"]
    assert signature["keyid"] == key.key_id
    assert openssl_verify(public, pae(doc["payloadType"], payload), base64.b64decode(signature["sig"]))

    # Refused by default, verified once a verifier is registered (OpenSSL, through Python).
    with pytest.raises(ss.KeyMaterialError) as e:
        ss.VerifyingKey.from_pem(public.read_bytes())
    assert e.value.code_name == "unsupported_key"
    registry = ss.VerifierRegistry()
    with pytest.raises(ss.KeyMaterialError) as e:
        registry.verifying_key(GOST, public.read_bytes())
    assert e.value.code_name == "unknown_algorithm"
    with pytest.raises(ss.InvalidInputError):
        registry.register("es256", lambda p, m, s: True)
    registry.register(GOST, lambda _public, message, sig: openssl_verify(public, message, sig))
    assert registry.algorithms() == [GOST]
    trusted = registry.verifying_key(GOST, public.read_bytes())
    (verified,) = att.envelope.verify([trusted], threshold=1)
    assert verified.algorithm == GOST and verified.key_id == key.key_id

    forged = dict(doc, payload=base64.b64encode(payload + b" ").decode())
    with pytest.raises(ss.VerificationError):
        ss.Envelope.from_json(json.dumps(forged).encode()).verify([trusted], threshold=1)


def test_a_raising_verifier_is_an_invalid_signature(gost_key: tuple[Path, Path]) -> None:
    private, public = gost_key
    registry = ss.VerifierRegistry()

    def broken(public_key: bytes, message: bytes, signature: bytes) -> bool:
        raise RuntimeError("verifier down")

    registry.register(GOST, broken)
    key = ss.SigningKey.from_signer(GOST, public.read_bytes(), OpenSSLGost(private))
    env = ss.Envelope.sign("text/plain", b"hello", [key])
    with pytest.raises(ss.VerificationError):
        env.verify([registry.verifying_key(GOST, public.read_bytes())], threshold=1)


def test_pyca_keys_sign_as_callables() -> None:
    """pyca/cryptography keys, for each built-in algorithm family, as plain callables."""
    p256 = ec.generate_private_key(ec.SECP256R1())
    ed = ed25519.Ed25519PrivateKey.generate()
    cases: list[tuple[str, bytes, Callable[[bytes], bytes]]] = [
        ("es256", p256.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
         lambda m: p256.sign(m, ec.ECDSA(hashes.SHA256()))),
        ("ed25519", ed.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
         ed.sign),
    ]
    for algorithm, public, sign in cases:
        key = ss.SigningKey.from_signer(algorithm, public, sign)
        env = ss.Envelope.sign("text/plain", b"hello", [key])
        (verified,) = env.verify([ss.VerifyingKey.from_pem(public)], threshold=1)
        assert verified.algorithm == algorithm


def test_broken_signers_never_sign() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def raises(message: bytes) -> bytes:
        raise RuntimeError("token removed " + "x" * 10_000)

    cases: dict[str, Callable[[bytes], bytes]] = {
        "raises": raises,
        "not bytes": cast(Callable[[bytes], bytes], lambda m: "a string"),
        "empty": lambda m: b"",
        "too large": lambda m: b"\0" * (1 << 20),
        "another key": lambda m: other.sign(m, ec.ECDSA(hashes.SHA256())),
    }
    for name, sign in cases.items():
        key = ss.SigningKey.from_signer("es256", public, sign)
        with pytest.raises(ss.KeyMaterialError) as e:
            ss.Envelope.sign("text/plain", b"hello", [key])
        assert e.value.code == 324 and e.value.code_name == "caller_signer_failed", name
        assert len(str(e.value)) < 1024, name  # the caller's message is bounded
    with pytest.raises(ss.KeyMaterialError) as e:
        ss.SigningKey.from_signer("ed25519", public, raises)
    assert e.value.code_name == "algorithm_mismatch"
    with pytest.raises(TypeError, match="argument 'signer'"):
        ss.SigningKey.from_signer("es256", public, 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'public_key'"):
        ss.SigningKey.from_signer("es256", 42, raises)  # type: ignore[arg-type]


def test_signers_are_called_from_many_threads() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    key = ss.SigningKey.from_signer("es256", public, lambda m: private.sign(m, ec.ECDSA(hashes.SHA256())))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                ss.Envelope.sign("text/plain", b"hello", [key])
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
