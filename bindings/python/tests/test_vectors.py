"""The shared vectors in tests/vectors/, which the Rust, Go (C ABI) and Node suites run too."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

import stellaops_signer as ss

VECTORS = Path(__file__).resolve().parents[3] / "tests" / "vectors"


def load(name: str) -> list[dict[str, Any]]:
    data = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_keys() -> None:
    for k in load("keys.json"):
        private = ss.SigningKey.from_pem(k["private_pem"].encode())
        assert private.key_id == k["key_id"] and private.algorithm == k["algorithm"]
        assert ss.VerifyingKey.from_pem(k["public_pem"].encode()).key_id == k["key_id"]


def test_pae() -> None:
    for c in load("pae.json"):
        got = ss.pae(c["payload_type"], base64.b64decode(c["payload_b64"]))
        assert got == base64.b64decode(c["pae_b64"]), c


@pytest.mark.parametrize("mode", ["jcs", "olpc"])
def test_canonical(mode: str) -> None:
    for c in load("canonical.json"):
        if mode in c:
            assert ss.canonicalize(c["input"].encode(), mode=mode) == c[mode].encode(), c["name"]  # type: ignore[arg-type]
        else:
            with pytest.raises(ss.InvalidInputError) as info:
                ss.canonicalize(c["input"].encode(), mode=mode)  # type: ignore[arg-type]
            assert info.value.code_name == c[f"{mode}_error"], c["name"]


def test_envelopes() -> None:
    publics = {k["name"]: ss.VerifyingKey.from_pem(k["public_pem"].encode()) for k in load("keys.json")}
    cases = load("envelopes.json")
    assert len(cases) >= 13
    for c in cases:
        trusted = [publics[n] for n in c["trusted"]]
        try:
            env = ss.Envelope.from_json(c["envelope"].encode())
            env.verify(trusted, c["threshold"], c["payload_type"])
        except ss.StellaOpsError as e:
            assert c["expect"] == e.code_name, f'{c["name"]}: {e}'
        else:
            assert c["expect"] == "ok", f'{c["name"]}: verified, expected {c["expect"]}'
