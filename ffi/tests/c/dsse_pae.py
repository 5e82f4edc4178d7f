"""Write the DSSE PAE of an envelope and each signature to files, so that a tool outside this
library (openssl) can check the signatures: dsse_pae.py ENVELOPE OUT_DIR -> OUT_DIR/pae.bin,
OUT_DIR/sig-0.bin, ... Written from the DSSE specification, not from our code."""

import base64
import json
import sys
from pathlib import Path

envelope = json.loads(Path(sys.argv[1]).read_bytes())
out = Path(sys.argv[2])
payload_type = envelope["payloadType"].encode()
payload = base64.b64decode(envelope["payload"], validate=True)
pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)
(out / "pae.bin").write_bytes(pae)
for i, signature in enumerate(envelope["signatures"]):
    (out / f"sig-{i}.bin").write_bytes(base64.b64decode(signature["sig"], validate=True))
print(len(envelope["signatures"]))
