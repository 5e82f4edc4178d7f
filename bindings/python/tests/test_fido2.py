"""FIDO2 keys reach the Python face through the key URI and the key loader alone: sign with a
`fido2:` URI (the software authenticator of tests/vectors/fido2/ standing in for a security key),
verify with the credential file as the trusted key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import stellaops_signer as ss

FIDO2 = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "fido2"
TYPE = "application/vnd.stellaops.test+json"


def fido2_key(tmp_path: Path, extra: str = "") -> ss.SigningKey:
    state = tmp_path / "authenticator.json"
    shutil.copy(FIDO2 / "authenticator.json", state)
    return ss.SigningKey.from_uri(f"fido2:{FIDO2 / 'credential.json'}?device=software:{state}{extra}")


def test_a_fido2_uri_signs_and_the_credential_file_verifies(tmp_path: Path) -> None:
    key = fido2_key(tmp_path)
    assert key.backend == "fido2"
    assert key.algorithm == "es256"
    credential = (FIDO2 / "credential.json").read_bytes()
    trusted = ss.VerifyingKey.from_pem(credential)
    assert trusted.key_id == key.key_id

    software = ss.SigningKey.generate("ed25519")
    env = ss.Envelope.sign(TYPE, b'{"release":"1.0"}', [key, software])
    parsed = ss.Envelope.from_json(env.to_json())
    verified = parsed.verify([trusted, software.public_key()], 2, TYPE)
    assert sorted(v.key_id for v in verified) == sorted([key.key_id, software.key_id])

    # The same public key without the FIDO2 binding, or bound to another relying party, does
    # not accept the FIDO2 signature.
    bare = ss.VerifyingKey.from_pem(json.loads(credential)["public_key"].encode())
    other = json.loads(credential)
    other["rp_id"] = "dsse:other"
    other_rp = ss.VerifyingKey.from_pem(json.dumps(other).encode())
    for wrong in (bare, other_rp):
        with pytest.raises(ss.VerificationError):
            parsed.verify([wrong], 1, TYPE)


def test_fido2_uris_take_no_pin_value(tmp_path: Path) -> None:
    with pytest.raises(ss.StellaOpsError, match="pin-source"):
        fido2_key(tmp_path, "&pin-value=1234")
