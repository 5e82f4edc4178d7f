"""sigstore-python signing the bench's statement keylessly against the same local instance, in
process (no interpreter start-up counted): the peer for benches/benches/keyless.rs.

    python sigstore_python_keyless.py URL TRUST_CONFIG SECONDS

prints one JSON line with the mean per signature, two ways: a new signer per signature (a fresh
ephemeral key and Fulcio certificate each time, what stellaops-signer does), and one signer
whose key and certificate every signature reuses (sigstore-python's default, cache=True).
Its other mode, cache=False, cannot be measured: in 4.5.1 it certifies one fresh key and signs
with another (the `_private_key` property generates a new key on each access), so Rekor refuses
every entry it makes.
"""

import json
import sys
import time
import urllib.request

from sigstore.dsse import Statement
from sigstore.models import ClientTrustConfig
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

STATEMENT = (
    b'{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app.tar.gz","digest":'
    b'{"sha256":"5a2b1c0f6d2e8b7a9c3d4e5f60718293a4b5c6d7e8f90112233445566778899a"}}],'
    b'"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":'
    b'{"buildType":"https://stellaops.local/build/v1","externalParameters":{"ref":"v1.2.3"}},'
    b'"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}}'
)


def main() -> None:
    url, trust_config, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with urllib.request.urlopen(f"{url}/oidc/token?email=bench@stellaops.local&ttl=3600") as r:
        token = IdentityToken(r.read().decode())
    with open(trust_config) as f:
        config = ClientTrustConfig.from_json(f.read())
    context = SigningContext.from_trust_config(config)
    statement = Statement(STATEMENT)
    result = {}

    def fresh() -> None:
        with context.signer(token, cache=True) as signer:
            signer.sign_dsse(statement)

    with context.signer(token, cache=True) as reused:
        for name, once in (("fresh_key", fresh), ("reused_key", lambda: reused.sign_dsse(statement))):
            once()  # warm-up
            n, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                once()
                n += 1
            elapsed = time.perf_counter() - started
            result[f"{name}_mean_ns"] = elapsed / n * 1e9
            result[f"{name}_iterations"] = n
    print(json.dumps(result))

if __name__ == "__main__":
    main()
