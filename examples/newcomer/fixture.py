"""Make the newcomer tasks' inputs in the current directory (run.sh calls it with the wheel's
venv): multi.json, an in-toto envelope signed by a and b as a StellaOps signer makes it (key ids
are the SHA-256 of each key's SubjectPublicKeyInfo), and bundle.json, a keyless Sigstore bundle over
app.tar.gz from the local Sigstore instance (scripts/services.sh), with its identity, issuer and
trusted root."""

import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import stellaops_signer as ss

url = os.environ["STELLAOPS_TEST_SIGSTORE"]
issuer = f"{url}/oidc"
identity = "newcomer@stellaops.local"
predicate = Path("predicate.json").read_bytes()

signers = [ss.SigningKey.from_pem(Path(f"{name}.pem").read_bytes()) for name in "ab"]
envelope = ss.attest_files(signers, "slsa-provenance", predicate, ["app.tar.gz"]).envelope
Path("multi.json").write_bytes(envelope.to_json())

with urllib.request.urlopen(f"{issuer}/token?" + urllib.parse.urlencode({"email": identity})) as answer:
    token = answer.read().decode()
bundle_signer = ss.BundleSigner.keyless(fulcio_url=url, rekor_url=url, token=token, oidc_issuer=issuer)
subject = ss.artifact_subjects(["app.tar.gz"])
Path("bundle.json").write_bytes(bundle_signer.attest("slsa-provenance", predicate, subject).bundle)
shutil.copy(Path(os.environ["STELLAOPS_TEST_SIGSTORE_DIR"]) / "trusted_root.json", "trusted_root.json")
Path("identity").write_text(identity)
Path("issuer").write_text(issuer)
