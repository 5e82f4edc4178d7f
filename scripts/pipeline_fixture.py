#!/usr/bin/env python3
"""Write a signing-pipeline configuration and requests for the C, Python and Node tests, with
every token, proof and entitlement document minted by pyca/cryptography (not by this library),
so those tests also prove that the library accepts JOSE objects made elsewhere.

    pipeline_fixture.py DIR   # writes DIR/pipeline.toml, DIR/request-ok.json, DIR/request-denied.json,
                              # DIR/caller-promotion.json (an acme caller, no statement: the faces
                              # add one built from DIR/promotion.json; DIR/report.json too)
"""
import base64
import hashlib
import json
import os
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ISSUER = "https://authority.stella.test"
URI = "https://signer.stella.test/api/v1/sign"
# Scanner releases the fixture's [release] section trusts: by allow-list, by override.
RELEASE_ALLOWED = "sha256:" + "1" * 64
RELEASE_OVERRIDDEN = "sha256:" + "2" * 64


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ec_jwk(key: ec.EllipticCurvePrivateKey) -> dict:
    n = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url(n.x.to_bytes(32, "big")), "y": b64url(n.y.to_bytes(32, "big"))}


def ed_jwk(key: ed25519.Ed25519PrivateKey) -> dict:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def jws(key, header: dict, claims: dict) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        header = {**header, "alg": "ES256"}
    else:
        header = {**header, "alg": "EdDSA"}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = key.sign(signing_input.encode())
    return signing_input + "." + b64url(sig)


def thumbprint(jwk: dict) -> str:
    members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    return b64url(hashlib.sha256(json.dumps(members, sort_keys=True, separators=(",", ":")).encode()).digest())


def write_fixture(out: str) -> None:
    """Write the configuration and both requests into `out` (created if needed)."""
    os.makedirs(os.path.join(out, "entitlements"), exist_ok=True)
    now = int(time.time())
    authority = ec.generate_private_key(ec.SECP256R1())
    licensing = ed25519.Ed25519PrivateKey.generate()
    client = ec.generate_private_key(ec.SECP256R1())
    signer = ed25519.Ed25519PrivateKey.generate()

    def write(name: str, text: str) -> None:
        with open(os.path.join(out, name), "w") as f:
            f.write(text)

    write("authority-jwks.json", json.dumps({"keys": [{**ec_jwk(authority), "kid": "a1", "use": "sig"}]}))
    write("licensing-jwks.json", json.dumps({"keys": [{**ed_jwk(licensing), "kid": "lic"}]}))
    write(
        "entitlements/acme.jws",
        jws(licensing, {"typ": "entitlement+jwt", "kid": "lic"},
            {"tid": "acme", "plan": "team", "features": ["signer.sign"], "license_id": "lic-c", "exp": now + 86400}),
    )
    write(
        "signer.pem",
        signer.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode(),
    )
    write(
        "pipeline.toml",
        "\n".join([
            "[authority]", f'issuer = "{ISSUER}"', 'jwks = "authority-jwks.json"', "",
            # The C tests reach the pipeline minutes after this runs when under valgrind; the
            # freshness window itself is tested in Rust (stellaops-poe), not through the faces.
            "[dpop]", "max_age_seconds = 300", "",
            "[entitlement]", 'source = "documents"', 'documents = "entitlements"',
            'licensing_jwks = "licensing-jwks.json"', "",
            "[quotas]", 'store = "memory"', "",
            # The release check for SBOMs only (the requests here are VEX and promotions): one
            # allow-listed release and one override, for the faces' check_release tests.
            "[release]", f'allowlist = ["{RELEASE_ALLOWED}"]', 'families = ["sbom"]', "",
            "[[release.override]]", f'digest = "{RELEASE_OVERRIDDEN}"', 'reason = "hotfix 2.4.2"',
            'approved_by = "alice@example.com"',
            'expires_at = "' + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 86400)) + '"', "",
            "[keys]", 'uri = "signer.pem"', "",
            "[audit]", 'path = "audit.jsonl"', "sync = false", "",
        ]),
    )
    here = os.path.dirname(os.path.abspath(__file__))
    for document in ("promotion.json", "report.json"):
        with open(os.path.join(here, "..", "tests", "fixtures", "predicates", document)) as f:
            write(document, f.read())
    jkt = thumbprint(ec_jwk(client))
    statement = {
        "predicate_type": "vex", "predicate": {"statements": []},
        "subjects": [{"name": "app.tar", "digest": {"sha256": hashlib.sha256(b"app").hexdigest()}}],
    }
    for name, tenant, members in [("request-ok.json", "acme", statement),
                                  ("request-denied.json", "globex", statement),
                                  ("caller-promotion.json", "acme", {})]:
        stem = name.split(".")[0]
        token = jws(authority, {"typ": "at+jwt", "kid": "a1"},
                    {"iss": ISSUER, "aud": "signer", "sub": "svc:go-attestor", "tid": tenant,
                     "scope": "signer.sign", "jti": f"tok-{stem}", "iat": now, "exp": now + 290,
                     "cnf": {"jkt": jkt}})
        proof = jws(client, {"typ": "dpop+jwt", "jwk": ec_jwk(client)},
                    {"jti": f"proof-{stem}-{now}", "htm": "POST", "htu": URI, "iat": now,
                     "ath": b64url(hashlib.sha256(token.encode()).digest())})
        write(name, json.dumps({
            "access_token": token, "dpop_proof": proof, "uri": URI, "tenant": tenant,
            **members, "trace_id": f"c-{stem}",
        }))


if __name__ == "__main__":
    write_fixture(sys.argv[1])
