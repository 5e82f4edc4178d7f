"""A local Sigstore instance on loopback for the keyless tests: an OIDC issuer, Fulcio, a
certificate-transparency log and Rekor v1, in one process.

    python sigstore_local.py PORT DIR

writes DIR/trusted_root.json (the Sigstore trusted-root format, as an Offline Kit ships it) and
DIR/trust_config.json (sigstore-python's --trust-config: that root plus a signing config naming
these URLs), then serves on 127.0.0.1:PORT:

    /oidc    issuer: /.well-known/openid-configuration, /jwks, and GET /token?email=..&sub=..
             (&ttl=SECONDS&aud=..), which mints an ES256 identity token, as a CI system would
    Fulcio   POST /api/v2/signingCert (publicKeyRequest with proof of possession, or a CSR; token
             in the body or as a bearer), GET /api/v2/trustBundle, GET /api/v2/configuration
    Rekor    POST /api/v1/log/entries (dsse 0.0.1 and hashedrekord 0.0.1), GET /api/v1/log,
             GET /api/v1/log/proof?firstSize=M&lastSize=N,
             GET /api/v1/log/publicKey, GET /api/v1/log/entries?logIndex=N
Fulcio and Rekor share the root URL (clients join their API paths to the host, dropping any
path of the configured URL).

Why a stand-in beside the Go servers (scripts/services.sh runs the real Fulcio, Rekor v1 on
Trillian and MariaDB, Rekor v2 and the timestamp authority too): it can be made to misbehave —
wrong proofs, bad SCTs, refusals — and it is the OIDC issuer the real Fulcio trusts. This
process follows their wire formats and checks: the token's signature, issuer, audience, expiry and
email_verified; the proof of possession; Fulcio's certificate profile (empty subject, critical
email SAN, codeSigning, the OIDC-issuer extensions 57264.1.1 and .1.8, an SCT embedded from a
precertificate whose TBS is the final one's, RFC 6962); Rekor's canonical entry bodies (verifiers
re-encoded as canonical PEM, as Rekor does: sigstore-python compares them byte for byte), RFC
6962 Merkle inclusion proofs, signed checkpoints (signed-note format) and signed entry timestamps
over the RFC 8785 form of {body, integratedTime, logID, logIndex}. What it produces is judged by
other people's verifiers (sigstore-python, sigstore-rs), not by us.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import secrets
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils as asym_utils
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

OID_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
OID_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
OID_SCT_LIST = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
START = "2020-01-01T00:00:00Z"
TREE_ID = 1


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def spki(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def canonical(value) -> bytes:
    # RFC 8785 for what these bodies hold (ASCII strings, integers, objects): sorted keys, no
    # whitespace.
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def der_utf8(text: str) -> bytes:
    raw = text.encode()
    return b"\x0c" + der_length(len(raw)) + raw


def der_octets(raw: bytes) -> bytes:
    return b"\x04" + der_length(len(raw)) + raw


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# --- RFC 6962 Merkle tree --------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(tree_root(leaves[:k]), tree_root(leaves[k:]))


def inclusion_path(index: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = split_point(len(leaves))
    if index < k:
        return inclusion_path(index, leaves[:k]) + [tree_root(leaves[k:])]
    return inclusion_path(index - k, leaves[k:]) + [tree_root(leaves[:k])]


def consistency_path(m: int, leaves: list[bytes], complete: bool = True) -> list[bytes]:
    """RFC 9162 SUBPROOF(m, leaves, complete)."""
    n = len(leaves)
    if m == n:
        return [] if complete else [tree_root(leaves)]
    k = split_point(n)
    if m <= k:
        return consistency_path(m, leaves[:k], complete) + [tree_root(leaves[k:])]
    return consistency_path(m - k, leaves[k:], False) + [tree_root(leaves[:k])]


# --- the instance ----------------------------------------------------------------------------


class Instance:
    def __init__(self, base: str):
        self.base = base
        self.issuer = f"{base}/oidc"
        now = datetime.datetime.now(datetime.timezone.utc)
        self.oidc_key = ec.generate_private_key(ec.SECP256R1())
        self.oidc_kid = hashlib.sha256(spki(self.oidc_key)).hexdigest()[:16]
        self.root_key = ec.generate_private_key(ec.SECP384R1())
        self.intermediate_key = ec.generate_private_key(ec.SECP384R1())
        self.ct_key = ec.generate_private_key(ec.SECP256R1())
        self.rekor_key = ec.generate_private_key(ec.SECP256R1())
        self.ct_log_id = hashlib.sha256(spki(self.ct_key)).digest()
        self.rekor_log_id = hashlib.sha256(spki(self.rekor_key)).digest()
        root_name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "stellaops.local"),
                x509.NameAttribute(NameOID.COMMON_NAME, "stellaops-local-fulcio-root"),
            ]
        )
        intermediate_name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "stellaops.local"),
                x509.NameAttribute(NameOID.COMMON_NAME, "stellaops-local-fulcio-intermediate"),
            ]
        )
        not_before = now - datetime.timedelta(days=1)
        not_after = now + datetime.timedelta(days=3650)
        self.root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(self.root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(ca_key_usage(), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.root_key.public_key()), False
            )
            .sign(self.root_key, hashes.SHA384())
        )
        self.intermediate = (
            x509.CertificateBuilder()
            .subject_name(intermediate_name)
            .issuer_name(root_name)
            .public_key(self.intermediate_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(ca_key_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.intermediate_key.public_key()),
                False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()),
                False,
            )
            .sign(self.root_key, hashes.SHA384())
        )
        self.lock = threading.Lock()
        self.leaves: list[bytes] = []
        self.entries: list[dict] = []

    # --- OIDC --------------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
        }

    def jwks(self) -> dict:
        numbers = self.oidc_key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "alg": "ES256",
                    "use": "sig",
                    "kid": self.oidc_kid,
                    "x": b64url(numbers.x.to_bytes(32, "big")),
                    "y": b64url(numbers.y.to_bytes(32, "big")),
                }
            ]
        }

    def mint(self, query: dict[str, str]) -> str:
        now = int(time.time())
        email = query.get("email", "signer@stellaops.local")
        claims = {
            "iss": query.get("iss", self.issuer),
            "sub": query.get("sub", email),
            "aud": query.get("aud", "sigstore"),
            "iat": now,
            "nbf": now,
            "exp": now + int(query.get("ttl", "600")),
            "email": email,
            "email_verified": query.get("email_verified", "true") == "true",
        }
        header = {"alg": "ES256", "typ": "JWT", "kid": self.oidc_kid}
        signing_input = f"{b64url(canonical(header))}.{b64url(canonical(claims))}"
        der = self.oidc_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = asym_utils.decode_dss_signature(der)
        return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def verify_token(self, token: str) -> dict:
        # What Fulcio checks of an identity token, for an issuer of type "email".
        try:
            header_b64, claims_b64, sig_b64 = token.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            raw = b64url_decode(sig_b64)
        except ValueError as exc:
            raise HttpError(401, f"malformed identity token: {exc}") from exc
        if header.get("alg") != "ES256" or header.get("kid") != self.oidc_kid or len(raw) != 64:
            raise HttpError(401, "identity token: unknown key or algorithm")
        der = asym_utils.encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
        try:
            self.oidc_key.public_key().verify(
                der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature as exc:
            raise HttpError(401, "identity token: bad signature") from exc
        if claims.get("iss") != self.issuer:
            raise HttpError(401, f"identity token: issuer {claims.get('iss')!r} is not trusted")
        audience = claims.get("aud")
        if "sigstore" not in (audience if isinstance(audience, list) else [audience]):
            raise HttpError(401, "identity token: audience is not sigstore")
        if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
            raise HttpError(401, "identity token: expired")
        if not claims.get("email") or claims.get("email_verified") is not True:
            raise HttpError(401, "identity token: email not verified")
        return claims

    # --- Fulcio ------------------------------------------------------------------------------

    def signing_cert(self, body: dict, bearer: str | None) -> dict:
        token = (body.get("credentials") or {}).get("oidcIdentityToken") or bearer
        if not token:
            raise HttpError(401, "no identity token")
        claims = self.verify_token(token)
        email = claims["email"]
        if "publicKeyRequest" in body:
            request = body["publicKeyRequest"]
            try:
                public_key = serialization.load_pem_public_key(
                    request["publicKey"]["content"].encode()
                )
                proof = base64.b64decode(request["proofOfPossession"], validate=True)
            except (KeyError, ValueError) as exc:
                raise HttpError(400, f"bad publicKeyRequest: {exc}") from exc
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise HttpError(400, "only ECDSA keys are accepted here")
            try:
                # The challenge for an email identity is the email address.
                public_key.verify(proof, email.encode(), ec.ECDSA(hashes.SHA256()))
            except InvalidSignature as exc:
                raise HttpError(400, "proof of possession does not verify") from exc
        elif "certificateSigningRequest" in body:
            try:
                csr = x509.load_pem_x509_csr(
                    base64.b64decode(body["certificateSigningRequest"], validate=True)
                )
            except ValueError as exc:
                raise HttpError(400, f"bad certificateSigningRequest: {exc}") from exc
            if not csr.is_signature_valid:
                raise HttpError(400, "the CSR's signature does not verify")
            public_key = csr.public_key()
        else:
            raise HttpError(400, "neither publicKeyRequest nor certificateSigningRequest")
        leaf = self.issue(public_key, email, claims["iss"])
        chain = [leaf, self.intermediate, self.root]
        pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in chain]
        return {"signedCertificateEmbeddedSct": {"chain": {"certificates": pems}}}

    def issue(self, public_key, email: str, issuer: str) -> x509.Certificate:
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        serial = x509.random_serial_number()

        def builder() -> x509.CertificateBuilder:
            return (
                x509.CertificateBuilder()
                .subject_name(x509.Name([]))
                .issuer_name(self.intermediate.subject)
                .public_key(public_key)
                .serial_number(serial)
                .not_valid_before(now)
                .not_valid_after(now + datetime.timedelta(minutes=10))
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(
                        self.intermediate_key.public_key()
                    ),
                    False,
                )
                .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), True)
                .add_extension(x509.UnrecognizedExtension(OID_ISSUER_V1, issuer.encode()), False)
                .add_extension(x509.UnrecognizedExtension(OID_ISSUER_V2, der_utf8(issuer)), False)
            )

        # The precertificate's TBS is the final certificate's without the SCT list (RFC 6962
        # 3.2); the CT log signs it, and the SCT goes into the final certificate.
        precert = builder().sign(self.intermediate_key, hashes.SHA256())
        tbs = precert.tbs_certificate_bytes
        timestamp = int(time.time() * 1000)
        issuer_key_hash = hashlib.sha256(spki(self.intermediate_key)).digest()
        signed = (
            struct.pack(">BBQH", 0, 0, timestamp, 1)
            + issuer_key_hash
            + len(tbs).to_bytes(3, "big")
            + tbs
            + struct.pack(">H", 0)
        )
        signature = self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        sct = (
            struct.pack(">B", 0)
            + self.ct_log_id
            + struct.pack(">QH", timestamp, 0)
            + struct.pack(">BBH", 4, 3, len(signature))
            + signature
        )
        sct_list = struct.pack(">H", len(sct) + 2) + struct.pack(">H", len(sct)) + sct
        leaf = (
            builder()
            .add_extension(x509.UnrecognizedExtension(OID_SCT_LIST, der_octets(sct_list)), False)
            .sign(self.intermediate_key, hashes.SHA256())
        )
        if leaf.tbs_precertificate_bytes != tbs:
            raise HttpError(500, "precertificate and certificate differ")
        return leaf

    def trust_bundle(self) -> dict:
        chain = (self.intermediate, self.root)
        pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in chain]
        return {"chains": [{"certificates": pems}]}

    def configuration(self) -> dict:
        issuer = {"issuerUrl": self.issuer, "audience": "sigstore", "challengeClaim": "email"}
        return {"issuers": [issuer]}

    # --- Rekor v1 ----------------------------------------------------------------------------

    def add_entry(self, proposed: dict) -> tuple[str, dict]:
        kind, version = proposed.get("kind"), proposed.get("apiVersion")
        spec = proposed.get("spec") or {}
        if (kind, version) == ("dsse", "0.0.1"):
            body = dsse_body(spec)
        elif (kind, version) == ("hashedrekord", "0.0.1"):
            body = hashedrekord_body(spec)
        else:
            raise HttpError(400, f"unsupported entry kind {kind} {version}")
        body_bytes = canonical(body)
        with self.lock:
            leaf = leaf_hash(body_bytes)
            if leaf in self.leaves:
                raise HttpError(409, "an equivalent entry already exists in the transparency log")
            index = len(self.leaves)
            self.leaves.append(leaf)
            size = len(self.leaves)
            root = tree_root(self.leaves)
            proof = inclusion_path(index, self.leaves)
            integrated = int(time.time())
            log_id = self.rekor_log_id.hex()
            encoded = b64(body_bytes)
            set_payload = canonical(
                {"body": encoded, "integratedTime": integrated, "logID": log_id, "logIndex": index}
            )
            entry = {
                "body": encoded,
                "integratedTime": integrated,
                "logID": log_id,
                "logIndex": index,
                "verification": {
                    "inclusionProof": {
                        "checkpoint": self.checkpoint(size, root),
                        "hashes": [h.hex() for h in proof],
                        "logIndex": index,
                        "rootHash": root.hex(),
                        "treeSize": size,
                    },
                    "signedEntryTimestamp": b64(
                        self.rekor_key.sign(set_payload, ec.ECDSA(hashes.SHA256()))
                    ),
                },
            }
            self.entries.append(entry)
        return leaf.hex(), entry

    def checkpoint(self, size: int, root: bytes) -> str:
        # As Rekor: the origin and the signer's name are the log's host (sigstore-js looks the
        # signer up by it: the name must be part of the log's URL in the trusted root).
        name = urllib.parse.urlsplit(self.base).netloc
        note = f"{name} - {TREE_ID}\n{size}\n{b64(root)}\n"
        signature = self.rekor_key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
        return f"{note}\n\u2014 {name} {b64(self.rekor_log_id[:4] + signature)}\n"

    def log_info(self) -> dict:
        with self.lock:
            size = len(self.leaves)
            root = tree_root(self.leaves) if size else hashlib.sha256(b"").digest()
        return {
            "rootHash": root.hex(),
            "treeSize": size,
            "signedTreeHead": self.checkpoint(size, root),
            "treeID": str(TREE_ID),
        }

    # --- trust material ----------------------------------------------------------------------

    def trusted_root(self) -> dict:
        def log(url: str, key, log_id: bytes) -> dict:
            return {
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": b64(spki(key)),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": START},
                },
                "logId": {"keyId": b64(log_id)},
            }

        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(self.base, self.rekor_key, self.rekor_log_id)],
            "certificateAuthorities": [
                {
                    "subject": {
                        "organization": "stellaops.local",
                        "commonName": "stellaops-local-fulcio-root",
                    },
                    "uri": self.base,
                    "certChain": {
                        "certificates": [
                            {"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))}
                            for c in (self.intermediate, self.root)
                        ]
                    },
                    "validFor": {"start": START},
                }
            ],
            "ctlogs": [log(f"{self.base}/ct", self.ct_key, self.ct_log_id)],
            "timestampAuthorities": [],
        }

    def trust_config(self) -> dict:
        def service(url: str) -> dict:
            return {
                "url": url,
                "majorApiVersion": 1,
                "validFor": {"start": START},
                "operator": "stellaops.local",
            }

        return {
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": self.trusted_root(),
            "signingConfig": {
                "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
                "caUrls": [service(self.base)],
                "oidcUrls": [service(self.issuer)],
                "rekorTlogUrls": [service(self.base)],
                "tsaUrls": [],
                "rekorTlogConfig": {"selector": "ANY"},
                "tsaConfig": {"selector": "ANY"},
            },
        }


def ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def verifier(verifier_b64: str):
    """A submitted verifier (base64 of a PEM certificate or public key): its key, and its
    canonical value as Rekor records it (re-encoded PEM, whatever line wrapping came in)."""
    pem = base64.b64decode(verifier_b64, validate=True)
    if b"CERTIFICATE" in pem:
        cert = x509.load_pem_x509_certificate(pem)
        return cert.public_key(), b64(cert.public_bytes(serialization.Encoding.PEM))
    key = serialization.load_pem_public_key(pem)
    canonical_pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, b64(canonical_pem)


def verify_with_sha256(key, sig: bytes, message: bytes) -> None:
    """Check a signature as Rekor v1 does for DSSE (sigstore's LoadVerifier with SHA-256 for
    every key): ECDSA over SHA-256 whatever the curve, RSA PKCS#1 v1.5 with SHA-256, Ed25519."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(sig, message, ec.ECDSA(hashes.SHA256()))
    elif isinstance(key, rsa.RSAPublicKey):
        key.verify(sig, message, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(sig, message)
    else:
        raise TypeError("unsupported key type")


def dsse_body(spec: dict) -> dict:
    # Rekor's dsse 0.0.1 type: verify every envelope signature with one of the verifiers, then
    # record hashes of the envelope and payload and the signature/verifier pairs.
    try:
        content = spec["proposedContent"]
        raw_envelope = content["envelope"]
        envelope = json.loads(raw_envelope)
        payload = base64.b64decode(envelope["payload"], validate=True)
        payload_type = envelope["payloadType"]
        verifiers = content["verifiers"]
    except (KeyError, TypeError, ValueError) as exc:
        raise HttpError(400, f"bad dsse proposedContent: {exc}") from exc
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(), len(payload), payload)
    signatures = []
    for signature in envelope.get("signatures") or []:
        sig = base64.b64decode(signature["sig"], validate=True)
        for candidate in verifiers:
            try:
                key, canonical_verifier = verifier(candidate)
                verify_with_sha256(key, sig, pae)
            except (InvalidSignature, ValueError, TypeError):
                continue
            signatures.append({"signature": signature["sig"], "verifier": canonical_verifier})
            break
        else:
            raise HttpError(400, "a DSSE signature does not verify with any verifier")
    if not signatures:
        raise HttpError(400, "the envelope has no signatures")
    return {
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {
                "algorithm": "sha256",
                "value": hashlib.sha256(raw_envelope.encode()).hexdigest(),
            },
            "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()},
            "signatures": sorted(signatures, key=lambda s: s["signature"]),
        },
    }


def hashedrekord_body(spec: dict) -> dict:
    try:
        digest = bytes.fromhex(spec["data"]["hash"]["value"])
        algorithm = spec["data"]["hash"]["algorithm"]
        signature_b64 = spec["signature"]["content"]
        key_b64 = spec["signature"]["publicKey"]["content"]
        signature = base64.b64decode(signature_b64, validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise HttpError(400, f"bad hashedrekord: {exc}") from exc
    if algorithm != "sha256" or len(digest) != 32:
        raise HttpError(400, "hashedrekord: only sha256 digests")
    try:
        key, key_b64 = verifier(key_b64)
        key.verify(signature, digest, ec.ECDSA(asym_utils.Prehashed(hashes.SHA256())))
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise HttpError(400, "hashedrekord: the signature does not verify") from exc
    return {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
            "signature": {"content": signature_b64, "publicKey": {"content": key_b64}},
        },
    }


def handler_for(instance: Instance):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm and the client's delayed
        # ACK every answer would wait ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):  # one line per request, to the log file
            sys.stderr.write("%s %s\n" % (self.command, fmt % args))

        def reply(self, status: int, value, content_type="application/json", headers=None):
            raw = value if isinstance(value, bytes) else json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            for name, header in (headers or {}).items():
                self.send_header(name, header)
            self.end_headers()
            self.wfile.write(raw)

        def handle_any(self, route):
            try:
                route()
            except HttpError as exc:
                self.reply(exc.status, {"code": exc.status, "message": str(exc)})
            except Exception as exc:  # a bug here is a 500, and the log says which
                self.reply(500, {"code": 500, "message": repr(exc)})
                raise

        def do_GET(self):
            self.handle_any(self.get)

        def do_POST(self):
            self.handle_any(self.post)

        def get(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            path = url.path
            if path == "/oidc/.well-known/openid-configuration":
                self.reply(200, instance.discovery())
            elif path == "/oidc/jwks":
                self.reply(200, instance.jwks())
            elif path == "/oidc/token":
                self.reply(200, instance.mint(query).encode(), "application/jwt")
            elif path == "/api/v2/trustBundle":
                self.reply(200, instance.trust_bundle())
            elif path == "/api/v2/configuration":
                self.reply(200, instance.configuration())
            elif path == "/api/v1/log":
                self.reply(200, instance.log_info())
            elif path == "/api/v1/log/proof":
                # Rekor v1's consistency proof between two tree sizes.
                try:
                    first, last = int(query["firstSize"]), int(query["lastSize"])
                except (KeyError, ValueError) as exc:
                    raise HttpError(400, "firstSize and lastSize are required") from exc
                with instance.lock:
                    leaves = instance.leaves[:last]
                if not 1 <= first <= last or last > len(leaves):
                    raise HttpError(400, "need 1 <= firstSize <= lastSize <= the tree size")
                hashes = consistency_path(first, leaves) if first < last else []
                self.reply(200, {"rootHash": tree_root(leaves).hex(), "hashes": [h.hex() for h in hashes]})
            elif path == "/api/v1/log/publicKey":
                pem = instance.rekor_key.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                self.reply(200, pem, "application/x-pem-file")
            elif path == "/api/v1/log/entries" and "logIndex" in query:
                index = int(query["logIndex"])
                with instance.lock:
                    if not 0 <= index < len(instance.entries):
                        raise HttpError(404, "no such entry")
                    entry = instance.entries[index]
                    uuid = instance.leaves[index].hex()
                self.reply(200, {uuid: entry})
            else:
                raise HttpError(404, f"no route {path}")

        def post(self):
            length = int(self.headers.get("Content-Length", "0"))
            if length > 4 << 20:
                raise HttpError(413, "request too large")
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError as exc:
                raise HttpError(400, f"body is not JSON: {exc}") from exc
            path = urllib.parse.urlsplit(self.path).path
            if path == "/api/v2/signingCert":
                auth = self.headers.get("Authorization", "")
                bearer = auth[7:] if auth.startswith("Bearer ") else None
                # 200, as Fulcio's gateway answers (sigstore-go, under cosign, takes nothing
                # else); Rekor answers a new entry with 201.
                self.reply(200, instance.signing_cert(body, bearer))
            elif path == "/api/v1/log/entries":
                uuid, entry = instance.add_entry(body)
                # Rekor names the new entry in ETag and Location; sigstore-go (under cosign)
                # picks the entry out of the answer by its ETag.
                headers = {"ETag": uuid, "Location": f"/api/v1/log/entries/{uuid}"}
                self.reply(201, {uuid: entry}, headers=headers)
            else:
                raise HttpError(404, f"no route {path}")

    return Handler


def main() -> None:
    port, out = int(sys.argv[1]), sys.argv[2]
    base = f"http://127.0.0.1:{port}"
    instance = Instance(base)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "trusted_root.json"), "w") as f:
        json.dump(instance.trusted_root(), f, indent=2)
    with open(os.path.join(out, "trust_config.json"), "w") as f:
        json.dump(instance.trust_config(), f, indent=2)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(instance))
    print(f"sigstore stand-in on {base}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
