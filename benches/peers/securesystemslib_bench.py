"""securesystemslib and rfc8785 timings on the same inputs the Rust benches use.

Prints one JSON object: {"<operation>": nanoseconds per operation}.
"""

import json
import sys
import timeit
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def pae(payload_type: str, body: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def per_op(fn, budget: float = 1.0) -> float:
    n, t = 1, 0.0
    while t < budget / 5:
        n *= 2
        t = timeit.timeit(fn, number=n)
    reps = max(1, int(n * budget / max(t, 1e-9)))
    return timeit.timeit(fn, number=reps) / reps * 1e9


def main() -> None:
    body = (b'{"k":"0123456789abcdef"}' * 64)[:1024]
    message = pae(PAYLOAD_TYPE, body)
    out = {}
    keys = {
        "es256": (ec.generate_private_key(ec.SECP256R1()), "ecdsa-sha2-nistp256"),
        "ed25519": (ed25519.Ed25519PrivateKey.generate(), "ed25519"),
        "rsa-pss-sha256": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "rsassa-pss-sha256"),
    }
    for name, (private, scheme) in keys.items():
        public = SSlibKey.from_crypto(private.public_key(), scheme=scheme)
        signer = CryptoSigner(private, public)
        sig = signer.sign(message)
        out[f"sign/{name}"] = per_op(lambda: signer.sign(message))
        out[f"verify/{name}"] = per_op(lambda: public.verify_signature(sig, message))
    statements = Path(sys.argv[1])
    with_floats = json.loads((statements / "statement-floats.json").read_text())
    float_free = json.loads((statements / "statement-float-free.json").read_text())
    out["jcs-statement"] = per_op(lambda: rfc8785.dumps(json.loads(json.dumps(with_floats))))
    out["olpc-statement"] = per_op(lambda: encode_canonical(json.loads(json.dumps(float_free))))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
