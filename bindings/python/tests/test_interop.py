"""Interop both ways with securesystemslib's DSSE envelopes, for ES256, Ed25519 and RSA-PSS."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.exceptions import VerificationError as SslibVerificationError
from securesystemslib.signer import CryptoSigner, SSlibKey

import stellaops_signer as ss

SCHEMES = {
    "es256": "ecdsa-sha2-nistp256",
    "ed25519": "ed25519",
    "rsa-pss-sha256": "rsassa-pss-sha256",
}


def sslib_public(key: ss.SigningKey, keyid: str) -> SSlibKey:
    public = serialization.load_der_public_key(key.public_key().to_der())
    assert isinstance(public, (ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey, rsa.RSAPublicKey))
    return SSlibKey.from_crypto(public, keyid=keyid, scheme=SCHEMES[key.algorithm])


# A minimal in-toto statement: sign refuses an in-toto payload that is not one.
STATEMENT = (
    b'{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ba7816bf8f01cf'
    b'ea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}}],"predicateType":"https://example.com/p","predicate":{}}'
)


@pytest.mark.parametrize("alg", sorted(SCHEMES))
def test_ours_verify_in_securesystemslib(alg: str) -> None:
    key = ss.SigningKey.generate(alg)
    env = ss.Envelope.sign("application/vnd.in-toto+json", STATEMENT, [key])
    theirs = SslibEnvelope.from_dict(json.loads(env.to_json()))
    accepted = theirs.verify([sslib_public(key, key.key_id)], 1)
    assert list(accepted) == [key.key_id]

    tampered = json.loads(env.to_json())
    tampered["payload"] = "e30="
    with pytest.raises(SslibVerificationError):
        SslibEnvelope.from_dict(tampered).verify([sslib_public(key, key.key_id)], 1)


@pytest.mark.parametrize("alg", sorted(SCHEMES))
def test_securesystemslib_verify_in_ours(alg: str) -> None:
    key = ss.SigningKey.generate(alg)
    private = serialization.load_pem_private_key(key.to_pem(), password=None)
    assert isinstance(private, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey))
    theirs = SslibEnvelope(payload=b'{"predicateType":"x"}', payload_type="application/json", signatures={})
    # securesystemslib's own key id (a hash of its key JSON), not ours: keyid is only a hint to us.
    theirs.sign(CryptoSigner(private, SSlibKey.from_crypto(private.public_key(), scheme=SCHEMES[alg])))
    ours = ss.Envelope.from_json(json.dumps(theirs.to_dict()).encode())
    verified = ours.verify([key.public_key()], 1, "application/json")
    assert verified[0].algorithm == alg and ours.payload == b'{"predicateType":"x"}'

    other = ss.SigningKey.generate(alg).public_key()
    with pytest.raises(ss.VerificationError):
        ours.verify([other], 1)
