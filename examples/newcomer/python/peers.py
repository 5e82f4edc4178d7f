"""The three newcomer tasks with the peers: securesystemslib (DSSE) and sigstore-python
(bundles), as their documentation shows them. Run by examples/newcomer/run.sh."""

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey
from sigstore.models import Bundle, TrustedRoot
from sigstore.verify import Verifier, policy

identity, issuer = Path("identity").read_text(), Path("issuer").read_text()

# task: attest
signer = CryptoSigner(load_pem_private_key(Path("key.pem").read_bytes(), None))
digest = hashlib.sha256(Path("app.tar.gz").read_bytes()).hexdigest()
statement = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "app.tar.gz", "digest": {"sha256": digest}}],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": json.loads(Path("predicate.json").read_text()),
}
envelope = Envelope(json.dumps(statement).encode(), "application/vnd.in-toto+json", {})
envelope.sign(signer)
Path("attestation-peer.json").write_text(json.dumps(envelope.to_dict()))
# end task

# task: threshold
publics = [load_pem_public_key(Path(f"{name}.pub").read_bytes()) for name in "abc"]
# securesystemslib matches signatures to keys by key id: give each key the envelope's (SHA-256
# of the SubjectPublicKeyInfo) instead of securesystemslib's own.
spki = [p.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) for p in publics]
keys = [SSlibKey.from_crypto(p, keyid=hashlib.sha256(d).hexdigest()) for p, d in zip(publics, spki)]
envelope = Envelope.from_dict(json.loads(Path("multi.json").read_text()))
verified = envelope.verify(keys, 2)
print(f"python/peers: 2-of-3 verified by {len(verified)} keys")
# end task

# task: bundle
verifier = Verifier(trusted_root=TrustedRoot.from_file("trusted_root.json"))
bundle = Bundle.from_json(Path("bundle.json").read_bytes())
_, payload = verifier.verify_dsse(bundle, policy.Identity(identity=identity, issuer=issuer))
digest = hashlib.sha256(Path("app.tar.gz").read_bytes()).hexdigest()
if not any(s["digest"].get("sha256") == digest for s in json.loads(payload)["subject"]):
    raise SystemExit("the bundle does not sign app.tar.gz")
print(f"python/peers: bundle verified, {json.loads(payload)['predicateType']}")
# end task
