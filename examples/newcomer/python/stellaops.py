"""The three newcomer tasks with stellaops_signer (run by examples/newcomer/run.sh in its fixture
directory; the lines between the task markers are what run.sh counts)."""

from pathlib import Path

import stellaops_signer as ss

identity, issuer = Path("identity").read_text(), Path("issuer").read_text()

# task: attest
key = ss.SigningKey.from_pem(Path("key.pem").read_bytes())
att = ss.attest_files([key], "slsa-provenance", Path("predicate.json").read_bytes(), ["app.tar.gz"])
Path("attestation.json").write_bytes(att.envelope.to_json())
# end task

# task: threshold
keys = [ss.VerifyingKey.from_pem(Path(f"{name}.pub").read_bytes()) for name in "abc"]
verified = ss.Envelope.from_json(Path("multi.json").read_bytes()).verify(keys, threshold=2)
print(f"python/stellaops: 2-of-3 verified by {len(verified)} keys")
# end task

# task: bundle
root = ss.TrustedRoot.from_path("trusted_root.json")
v = ss.verify_bundle(Path("bundle.json"), root, certificate_identity=identity,
                     certificate_oidc_issuer=issuer, artifact="app.tar.gz")
print(f"python/stellaops: bundle verified, {v.predicate_type}")
# end task
