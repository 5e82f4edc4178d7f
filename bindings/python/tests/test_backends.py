"""Keys by URI in SoftHSM2 (PKCS#11), the KMS server and OpenBao (transit), started by
scripts/services.sh; securesystemslib verifies every envelope. Without the servers these tests
fail and say how to start them."""

from __future__ import annotations

import json
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.signer import SSlibKey

import stellaops_signer as ss

SCHEMES = {
    "es256": "ecdsa-sha2-nistp256",
    "es384": "ecdsa-sha2-nistp384",
    "ed25519": "ed25519",
    "rsa-pss-sha256": "rsassa-pss-sha256",
}


def service_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run `scripts/services.sh start DIR` and source DIR/services.env "
            "(scripts/test.sh does)"
        )
    return value


def uris() -> list[tuple[str, str]]:
    pin = os.environ.get("STELLAOPS_TEST_PKCS11_PIN_FILE", "MISSING")
    kms = os.environ.get("STELLAOPS_TEST_KMS_ENDPOINT", "MISSING")
    return [
        (f"pkcs11:token=stellaops;object=p384?pin-source={pin}", "es384"),
        (f"pkcs11:token=stellaops;object=ed25519?pin-source={pin}", "ed25519"),
        (f"awskms://{kms}/alias/stellaops-rsa", "rsa-pss-sha256"),
        ("hashivault://p256", "es256"),
    ]


@pytest.mark.parametrize(("uri", "alg"), uris())
def test_backend_keys_sign_envelopes_securesystemslib_accepts(uri: str, alg: str) -> None:
    service_env("STELLAOPS_TEST_PKCS11_PIN_FILE")
    service_env("STELLAOPS_TEST_KMS_ENDPOINT")
    service_env("VAULT_ADDR")
    key = ss.SigningKey.from_uri(uri)
    assert key.algorithm == alg
    assert key.backend == uri.split(":", 1)[0]
    env = ss.Envelope.sign("application/json", b'{"a":1}', [key])
    assert env.verify([key.public_key()], 1, "application/json")[0].algorithm == alg

    public = serialization.load_der_public_key(key.public_key().to_der())
    assert isinstance(public, (ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey, rsa.RSAPublicKey))
    sslib_key = SSlibKey.from_crypto(public, keyid=key.key_id, scheme=SCHEMES[alg])
    accepted = SslibEnvelope.from_dict(json.loads(env.to_json())).verify([sslib_key], 1)
    assert list(accepted) == [key.key_id]

    with pytest.raises(ss.KeyMaterialError) as raised:
        key.to_pem()
    assert raised.value.code_name == "key_not_exportable"


@pytest.mark.parametrize(
    ("uri", "code_name"),
    [
        ("pkcs11:token=only", "invalid_key_uri"),
        ("gcpkms://projects/p/keys/k", "backend_unavailable"),
        ("pkcs11:token=stellaops;object=p256?pin-value=1", "wrong_pin"),
        ("hashivault://no-such-key", "key_not_found"),
    ],
)
def test_uri_errors_are_typed(uri: str, code_name: str) -> None:
    service_env("VAULT_ADDR")
    with pytest.raises(ss.KeyMaterialError) as raised:
        ss.SigningKey.from_uri(uri)
    assert raised.value.code_name == code_name
