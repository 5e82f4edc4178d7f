"""Run in a fresh venv holding only the released wheel (tests/dist/run.sh), with no Rust toolchain
on PATH: sign and verify with a fresh key, then verify the release's provenance with the release
key. Usage: smoke.py VERSION RELEASE_PUB PROVENANCE_ENVELOPE"""

import json
import sys

import stellaops_signer as so

version, pub_path, provenance_path = sys.argv[1:]
assert so.__version__ == version, (so.__version__, version)
assert "site-packages" in so.__file__, so.__file__

key = so.SigningKey.generate("es256")
envelope = so.Envelope.sign("application/json", b'{"hello":"release"}', [key])
assert len(envelope.verify([key.public_key()], 1)) == 1

release_key = so.VerifyingKey.from_pem(open(pub_path, "rb").read())
provenance = so.Envelope.from_json(open(provenance_path, "rb").read())
provenance.verify([release_key], 1, payload_type="application/vnd.in-toto+json")
try:
    provenance.verify([key.public_key()], 1)
except so.VerificationError:
    pass
else:
    raise AssertionError("a key that did not sign the provenance verified it")
statement = json.loads(provenance.payload)
assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
print(f"python: stellaops_signer {so.__version__} from the wheel: signed and verified; "
      f"release provenance verified ({len(statement['subject'])} subjects)")
