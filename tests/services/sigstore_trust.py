"""The trusted root and signing config of the real Sigstore servers scripts/services.sh starts.

    python sigstore_trust.py DIR --standin ROOT --issuer URL --fulcio URL --ct URL --tsa URL
                             --rekor-v1 URL --rekor-v2 URL --rekor-v2-origin NAME

reads from DIR the keys and certificates services.sh made (fulcio-ca.pem, ct.pub, rekor.pub,
rekor-v1.pub, tsa-chain.pem) and writes there:

    trusted_root.json   Fulcio's CA, TesseraCT's key, the timestamp authority's chain, and the
                        transparency logs: Rekor v2 (rekor-tiles), Rekor v1 (rekor-server on
                        Trillian) and the stand-in's Rekor v1, copied from its own trusted root
                        (ROOT), for the tests that inject faults there
    signing_config.json Sigstore SigningConfig v0.2 naming those URLs (Rekor v2 with API
                        version 2 ahead of v1, as the public-good config lists them)
    trust_config.json   sigstore-python's --trust-config: both of the above

Log ids follow what each log puts in its entries: an RFC 6962 log (TesseraCT, Rekor v1) is named
by the SHA-256 of its DER public key; Rekor v2 by the signed-note key hash of its origin and
Ed25519 key (C2SP signed-note: SHA-256 over the origin, a newline, the algorithm byte 0x01 and
the raw key), which rekor-tiles writes as each entry's logId.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization

START = "2020-01-01T00:00:00Z"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def read(dir_: str, name: str) -> bytes:
    with open(os.path.join(dir_, name), "rb") as f:
        return f.read()


def public_der(pem: bytes) -> bytes:
    key = serialization.load_pem_public_key(pem)
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def chain(pem: bytes) -> list[dict]:
    return [{"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))}
            for c in x509.load_pem_x509_certificates(pem)]


def service(url: str, version: int = 1) -> dict:
    return {"url": url, "majorApiVersion": version, "validFor": {"start": START},
            "operator": "stellaops.test"}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    for flag in ("standin", "issuer", "fulcio", "ct", "tsa", "rekor-v1", "rekor-v2", "rekor-v2-origin"):
        p.add_argument(f"--{flag}", required=True)
    a = p.parse_args()

    ct = public_der(read(a.dir, "ct.pub"))
    rekor_v1 = public_der(read(a.dir, "rekor-v1.pub"))
    rekor = serialization.load_pem_public_key(read(a.dir, "rekor.pub"))
    rekor_der = rekor.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    rekor_raw = rekor.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    rekor_v2_id = hashlib.sha256(a.rekor_v2_origin.encode() + b"\n" + b"\x01" + rekor_raw).digest()
    with open(a.standin) as f:
        standin = json.load(f)

    root = {
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [
            {
                "baseUrl": a.rekor_v2,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": b64(rekor_der), "keyDetails": "PKIX_ED25519",
                              "validFor": {"start": START}},
                "logId": {"keyId": b64(rekor_v2_id)},
            },
            {
                "baseUrl": a.rekor_v1,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {"rawBytes": b64(rekor_v1), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                              "validFor": {"start": START}},
                "logId": {"keyId": b64(hashlib.sha256(rekor_v1).digest())},
            },
            *standin["tlogs"],
        ],
        "certificateAuthorities": [{
            "subject": {"organization": "StellaOps test", "commonName": "Fulcio test root"},
            "uri": a.fulcio,
            "certChain": {"certificates": chain(read(a.dir, "fulcio-ca.pem"))},
            "validFor": {"start": START},
        }],
        "ctlogs": [{
            "baseUrl": a.ct,
            "hashAlgorithm": "SHA2_256",
            "publicKey": {"rawBytes": b64(ct), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                          "validFor": {"start": START}},
            "logId": {"keyId": b64(hashlib.sha256(ct).digest())},
        }],
        "timestampAuthorities": [{
            "subject": {"organization": "local", "commonName": "Test TSA Root"},
            "uri": a.tsa,
            "certChain": {"certificates": chain(read(a.dir, "tsa-chain.pem"))},
            "validFor": {"start": START},
        }],
    }
    signing = {
        "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
        "caUrls": [service(a.fulcio)],
        "oidcUrls": [service(a.issuer)],
        "rekorTlogUrls": [service(a.rekor_v2, 2), service(a.rekor_v1)],
        "tsaUrls": [service(a.tsa + "/api/v1/timestamp")],
        "rekorTlogConfig": {"selector": "ANY"},
        "tsaConfig": {"selector": "ANY"},
    }
    outputs = {
        "trusted_root.json": root,
        "signing_config.json": signing,
        "trust_config.json": {"mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
                              "trustedRoot": root, "signingConfig": signing},
    }
    for name, doc in outputs.items():
        with open(os.path.join(a.dir, name), "w") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
