"""ES256 envelopes signed per second: the stellaops_signer wheel against securesystemslib, same
machine, same run. The same job on both sides: a 1 KiB payload into a DSSE envelope as JSON bytes.
Prints JSON: {"ours": per_second, "securesystemslib": per_second, ...}."""

import json
import time

from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope as SslibEnvelope
from securesystemslib.signer import CryptoSigner, SSlibKey

import stellaops_signer as ss

PAYLOAD = bytes([0x5A]) * 1024
SECONDS = 3.0


def rate(fn) -> float:
    for _ in range(50):
        fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        for _ in range(50):
            fn()
        n += 50
    return n / (time.perf_counter() - start)


key = ss.SigningKey.generate("es256")
private = serialization.load_pem_private_key(key.to_pem(), password=None)
signer = CryptoSigner(private, SSlibKey.from_crypto(private.public_key(), keyid=key.key_id))


def ours() -> bytes:
    return ss.Envelope.sign("text/plain", PAYLOAD, [key]).to_json()


def theirs() -> bytes:
    env = SslibEnvelope(payload=PAYLOAD, payload_type="text/plain", signatures={})
    env.sign(signer)
    return json.dumps(env.to_dict()).encode()


result = {"ours": rate(ours), "securesystemslib": rate(theirs)}
result["ratio"] = result["ours"] / result["securesystemslib"]
print(json.dumps(result))
