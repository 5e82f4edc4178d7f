"""Signed export manifests: the golden export of tests/vectors/export.json, re-hashed by hashlib,
and a changed export reported by name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

import stellaops_signer as ss

VECTORS = Path(__file__).resolve().parents[3] / "tests" / "vectors"
GOLDEN: dict[str, Any] = json.loads((VECTORS / "export.json").read_text(encoding="utf-8"))
KEYS = {k["name"]: k for k in json.loads((VECTORS / "keys.json").read_text(encoding="utf-8"))}
OPTIONS: dict[str, Any] = {
    "export_id": "export-2026-11-23",
    "tenant": "acme",
    "profile": "offline-kit",
    "created_at": "2026-11-23T00:00:00Z",
    "sha512": True,
}


def write_export(root: Path) -> None:
    for f in GOLDEN["files"]:
        path = root / f["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f["content"].encode())


@pytest.mark.parametrize("name", sorted(GOLDEN["envelopes"]))
def test_the_golden_export_signs_to_the_same_bytes(tmp_path: Path, name: str) -> None:
    write_export(tmp_path)
    key = ss.SigningKey.from_pem(KEYS[name]["private_pem"].encode())
    manifest, envelope = ss.sign_export([key], tmp_path, **OPTIONS)
    assert manifest == GOLDEN["manifest"].encode()
    assert envelope == GOLDEN["envelopes"][name].encode()


def test_hashlib_agrees_with_the_manifest(tmp_path: Path) -> None:
    write_export(tmp_path)
    manifest = json.loads(GOLDEN["manifest"])
    for entry in manifest["files"]:
        data = (tmp_path / entry["path"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["digest"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["digest"]["sha512"] == hashlib.sha512(data).hexdigest()
    assert [e["path"] for e in manifest["files"]] == sorted(e["path"] for e in manifest["files"])


def test_verify_reports_intact_then_every_difference(tmp_path: Path) -> None:
    write_export(tmp_path)
    key = ss.SigningKey.generate("ed25519")
    manifest, envelope = ss.sign_export([key], tmp_path, created_at="2026-11-23T00:00:00Z")
    report = ss.verify_export(tmp_path, envelope, [key.public_key()], manifest=manifest)
    assert report["intact"] is True and report["files"] == len(GOLDEN["files"])
    assert report["keys"][0]["keyid"] == key.key_id

    (tmp_path / "README.md").write_text("# changed\n", encoding="utf-8")
    (tmp_path / "vex" / "app.openvex.json").unlink()
    (tmp_path / "extra.bin").write_bytes(b"\0")
    with pytest.raises(ss.VerificationError) as info:
        ss.verify_export(tmp_path, envelope, [key.public_key()])
    assert info.value.code_name == "export_changed"
    report = info.value.report  # type: ignore[attr-defined]
    assert report["missing"] == ["vex/app.openvex.json"]
    assert report["extra"] == ["extra.bin"]
    assert [c["path"] for c in report["changed"]] == ["README.md"]
    # Skipped on request.
    with pytest.raises(ss.VerificationError):
        ss.verify_export(tmp_path, envelope, [key.public_key()], exclude=["extra.bin"])


def test_errors_are_typed(tmp_path: Path) -> None:
    write_export(tmp_path)
    key = ss.SigningKey.generate("es256")
    other = ss.SigningKey.generate("es256")
    _, envelope = ss.sign_export([key], tmp_path, created_at="2026-11-23T00:00:00Z")
    with pytest.raises(ss.VerificationError) as info:
        ss.verify_export(tmp_path, envelope, [other.public_key()])
    assert info.value.code_name == "verification_failed"
    with pytest.raises(ss.InvalidInputError) as bad:
        ss.sign_export([key], tmp_path, files=["../escape"], created_at="2026-11-23T00:00:00Z")
    assert bad.value.code_name == "invalid_export_entry"
    with pytest.raises(ss.InvalidInputError) as bad:
        ss.sign_export([key], tmp_path, created_at="not a time")
    assert bad.value.code_name == "invalid_argument"
    with pytest.raises(ss.InvalidInputError) as bad:
        ss.verify_export(tmp_path, envelope, [key.public_key()], manifest=b'{"exportId":"x"}')
    assert bad.value.code_name == "invalid_manifest"


def test_describe_statement_and_check_without_signing(tmp_path: Path) -> None:
    """Issue 22: the golden manifest without a key, its statement, the tree checked against it."""
    write_export(tmp_path)
    manifest = ss.describe_export(tmp_path, **OPTIONS)
    assert manifest == GOLDEN["manifest"].encode()
    statement = json.loads(ss.export_statement(manifest))
    assert statement["predicateType"] == "stella.ops/export@v1"
    assert sorted(s["name"] for s in statement["subject"]) == sorted(f["path"] for f in GOLDEN["files"])
    assert ss.export_statement(json.loads(manifest)) == ss.export_statement(manifest.decode())
    report = ss.check_export(tmp_path, manifest)
    assert report["intact"] is True
    (tmp_path / "README.md").write_text("# changed\n", encoding="utf-8")
    (tmp_path / "extra.bin").write_bytes(b"\0")
    report = ss.check_export(tmp_path, manifest, exclude=["extra.bin"])
    assert report["intact"] is False and report["extra"] == []
    assert [c["path"] for c in report["changed"]] == ["README.md"]
    with pytest.raises(ss.InvalidInputError) as info:
        ss.export_statement({"files": 1})
    assert info.value.code_name == "invalid_manifest"
