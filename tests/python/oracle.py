"""Other people's implementations, driven by the Rust interop tests.

Commands (all output on stdout):
  jcs            stdin: one JSON document per line; stdout: one line each, {"ok": hex} from the
                 PyPI package rfc8785, or {"err": exception class name}
  olpc           the same with securesystemslib.formats.encode_canonical
  verify DIR     verify DIR/envelope.json with securesystemslib.dsse against the keys listed in
                 DIR/keys.json ([{"pem", "scheme", "keyid"}]) and DIR/threshold; prints the
                 accepted keyids as JSON, exit 1 when verification fails
  statement F    parse the payload of the DSSE envelope in F with the in-toto attestation
                 framework's Statement proto (unknown fields refused) and validate() it; prints
                 the predicateType, exit 1 when invalid
  jwk F          F holds {"jwk": ..., "pem": ...}: rebuild the public key from the JWK members
                 with pyca/cryptography and compare its SPKI with the PEM; exit 1 when they differ
  sign DIR       generate keys with pyca/cryptography, sign DIR/payload as DIR/payload_type with
                 securesystemslib (one signature per scheme in DIR/schemes), write
                 DIR/envelope.json and DIR/keys.json ([{"pem", "scheme", "keyid"}])
  openapi DOC    check the OpenAPI document DOC with openapi-spec-validator, then validate each
                 stdin line {"schema": NAME, "instance": ...} against DOC's
                 components.schemas.NAME with openapi-schema-validator (OpenAPI 3.1); prints
                 what failed, exit 1 when anything did
"""

import json
import sys
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey


def canon(encode) -> None:
    for line in sys.stdin:
        try:
            doc = json.loads(line)
            out = encode(doc)
            if isinstance(out, str):
                out = out.encode("utf-8")
            print(json.dumps({"ok": out.hex()}))
        except Exception as e:  # noqa: BLE001 - the class name is the answer
            print(json.dumps({"err": type(e).__name__}))


def verify(d: Path) -> int:
    envelope = Envelope.from_dict(json.loads((d / "envelope.json").read_text()))
    keys = []
    for k in json.loads((d / "keys.json").read_text()):
        public = serialization.load_pem_public_key(k["pem"].encode())
        # Our key ids (SHA-256 of the SPKI) differ from securesystemslib's; a key id is a label,
        # so the key is registered under ours.
        keys.append(SSlibKey.from_crypto(public, keyid=k["keyid"], scheme=k["scheme"]))
    threshold = int((d / "threshold").read_text())
    try:
        accepted = envelope.verify(keys, threshold)
    except VerificationError as e:
        print(json.dumps({"error": str(e)}))
        return 1
    print(json.dumps(sorted(accepted)))
    return 0


def statement(path: Path) -> int:
    import base64

    from google.protobuf import json_format
    from in_toto_attestation.v1 import statement_pb2
    from in_toto_attestation.v1.statement import Statement

    envelope = json.loads(path.read_text())
    payload = base64.b64decode(envelope["payload"])
    try:
        pb = json_format.Parse(payload, statement_pb2.Statement(), ignore_unknown_fields=False)
        Statement.copy_from_pb(pb).validate()
    except Exception as e:  # noqa: BLE001 - any refusal is the answer
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return 1
    print(json.dumps({"predicateType": pb.predicate_type}))
    return 0


def b64url_int(s: str) -> int:
    import base64

    return int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "big")


def jwk(path: Path) -> int:
    import base64

    doc = json.loads(path.read_text())
    k = doc["jwk"]
    if k["kty"] == "EC":
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}[k["crv"]]
        public = ec.EllipticCurvePublicNumbers(b64url_int(k["x"]), b64url_int(k["y"]), curve).public_key()
    elif k["kty"] == "OKP":
        public = ed25519.Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(k["x"] + "=" * (-len(k["x"]) % 4)))
    else:
        public = rsa.RSAPublicNumbers(b64url_int(k["e"]), b64url_int(k["n"])).public_key()
    ours = serialization.load_pem_public_key(doc["pem"].encode())
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    same = public.public_bytes(*spki) == ours.public_bytes(*spki)
    print(json.dumps({"same": same}))
    return 0 if same else 1


def generate(scheme: str):
    if scheme == "ecdsa-sha2-nistp256":
        return ec.generate_private_key(ec.SECP256R1())
    if scheme == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if scheme == "rsassa-pss-sha256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(scheme)


def sign(d: Path) -> int:
    envelope = Envelope((d / "payload").read_bytes(), (d / "payload_type").read_text(), {})
    keys = []
    for scheme in (d / "schemes").read_text().split():
        private = generate(scheme)
        public_key = SSlibKey.from_crypto(private.public_key(), scheme=scheme)
        envelope.sign(CryptoSigner(private, public_key))
        pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        keys.append({"pem": pem.decode(), "scheme": scheme, "keyid": public_key.keyid})
    (d / "envelope.json").write_text(json.dumps(envelope.to_dict()))
    (d / "keys.json").write_text(json.dumps(keys))
    return 0


def openapi(doc_path: Path) -> int:
    from openapi_schema_validator import OAS31Validator
    from openapi_spec_validator import validate

    doc = json.loads(doc_path.read_text())
    validate(doc)
    failed = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        schema = dict(doc["components"]["schemas"][case["schema"]])
        schema["components"] = doc["components"]
        errors = list(OAS31Validator(schema).iter_errors(case["instance"]))
        for e in errors:
            print(f"{case['schema']}: {e.message}")
        failed += bool(errors)
    print(json.dumps({"document": "valid", "instances_failed": failed}))
    return 1 if failed else 0


def main() -> int:
    cmd = sys.argv[1]
    if cmd == "jcs":
        canon(rfc8785.dumps)
    elif cmd == "olpc":
        canon(encode_canonical)
    elif cmd == "verify":
        return verify(Path(sys.argv[2]))
    elif cmd == "statement":
        return statement(Path(sys.argv[2]))
    elif cmd == "jwk":
        return jwk(Path(sys.argv[2]))
    elif cmd == "sign":
        return sign(Path(sys.argv[2]))
    elif cmd == "openapi":
        return openapi(Path(sys.argv[2]))
    else:
        raise SystemExit(f"unknown command {cmd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
