"""Sigstore bundles from Python, against the local Sigstore instance scripts/services.sh starts:
keyless and keyful bundles made by the wheel, verified by the wheel and (keyless) by
sigstore-python's own CLI from the oracles' venv."""

import hashlib
import json
import os
import pathlib
import subprocess
import urllib.parse
import urllib.request

import pytest

import stellaops_signer as s

ROOT = pathlib.Path(__file__).resolve().parents[3]
PREDICATE = (
    b'{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{}},'
    b'"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}'
)
EMAIL = "python-binding@stellaops.local"


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run scripts/services.sh start DIR and source DIR/services.env")
    return value


class Instance:
    def __init__(self) -> None:
        self.url = env("STELLAOPS_TEST_SIGSTORE")
        self.dir = pathlib.Path(env("STELLAOPS_TEST_SIGSTORE_DIR"))
        self.issuer = f"{self.url}/oidc"
        self.root_path = self.dir / "trusted_root.json"
        self.root = s.TrustedRoot.from_json(self.root_path.read_bytes())

    def token(self, email: str) -> str:
        query = urllib.parse.urlencode({"email": email})
        with urllib.request.urlopen(f"{self.issuer}/token?{query}") as answer:
            token: str = answer.read().decode()
            return token


@pytest.fixture(scope="module")
def instance() -> Instance:
    return Instance()


@pytest.fixture()
def artifact(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "app.tar.gz"
    path.write_bytes(b"the release tarball\n")
    return path


def subject(path: pathlib.Path) -> s.Subject:
    return s.Subject(path.name, {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()})


def sigstore_python(instance: Instance, bundle: pathlib.Path, artifact: pathlib.Path, identity: str) -> int:
    cli = ROOT / ".venv" / "bin" / "sigstore"
    assert cli.exists(), f"sigstore-python is missing at {cli}: run scripts/setup-python.sh"
    done = subprocess.run(
        [str(cli), "--trust-config", str(instance.dir / "trust_config.json"), "verify", "identity", "--offline",
         "--bundle", str(bundle), "--cert-identity", identity, "--cert-oidc-issuer", instance.issuer, str(artifact)],
        capture_output=True,
        check=False,
    )
    return done.returncode


def test_keyless_bundle_verifies_here_and_in_sigstore_python(
    instance: Instance, artifact: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    signer = s.BundleSigner.keyless(
        fulcio_url=instance.url,
        rekor_url=instance.url,
        token=instance.token(EMAIL),
        oidc_issuer=instance.issuer,
        trusted_root=instance.root_path,
        retries=0,
    )
    att = signer.attest("slsa-provenance", PREDICATE, [subject(artifact)], enforcement="reject")
    assert att.admission == "allowed"
    assert b'"predicateType":"https://slsa.dev/provenance/v1"' in att.statement

    v = s.verify_bundle(
        att.bundle, instance.root, certificate_identity=EMAIL, certificate_oidc_issuer=instance.issuer, artifact=artifact
    )
    assert (v.identity, v.issuer, v.predicate_type) == (EMAIL, instance.issuer, "https://slsa.dev/provenance/v1")
    # The verified statement itself, as sigstore-python's verify_dsse returns the payload.
    assert v.statement is not None and json.loads(v.statement) == json.loads(att.statement)
    assert v.certificate_verified and v.sct_verified and v.tlog_verified and v.artifact_checked
    assert v.media_type == "application/vnd.dev.sigstore.bundle.v0.3+json"

    bundle_path = tmp_path / "app.sigstore.json"
    bundle_path.write_bytes(att.bundle)
    assert sigstore_python(instance, bundle_path, artifact, EMAIL) == 0
    assert sigstore_python(instance, bundle_path, artifact, "someone-else@stellaops.local") != 0

    with pytest.raises(s.VerificationError) as refused:
        s.verify_bundle(
            att.bundle,
            instance.root,
            certificate_identity_regexp="someone-else@.*",
            certificate_oidc_issuer=instance.issuer,
            artifact=artifact,
        )
    assert refused.value.code_name == "identity_mismatch"
    with pytest.raises(s.VerificationError) as refused:
        s.verify_bundle(att.bundle, instance.root, certificate_identity=EMAIL, no_certificate_oidc_issuer=True)
    assert refused.value.code_name == "identity_mismatch"
    other = tmp_path / "other.tar.gz"
    other.write_bytes(b"not the release tarball\n")
    with pytest.raises(s.VerificationError) as refused:
        s.verify_bundle(
            att.bundle, instance.root, certificate_identity=EMAIL, certificate_oidc_issuer=instance.issuer, artifact=other
        )
    assert refused.value.code_name == "artifact_mismatch"
    assert sigstore_python(instance, bundle_path, other, EMAIL) != 0

    # Only in-toto statements go into bundles; unusable tokens and policies are input errors.
    with pytest.raises(s.InvalidInputError):
        signer.sign("text/plain", b"hello")
    with pytest.raises(s.InvalidInputError) as bad:
        s.BundleSigner.keyless(fulcio_url=instance.url, rekor_url=instance.url, token="not.a.token")
    assert bad.value.code_name == "invalid_identity_token"
    with pytest.raises(s.InvalidInputError):
        s.verify_bundle(att.bundle, instance.root, certificate_identity=EMAIL)


def test_sign_blob_makes_a_message_signature_sigstore_python_accepts(
    instance: Instance, artifact: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """cosign sign-blob's kind of bundle: the blob's own signature, logged as a hashedrekord."""
    signer = s.BundleSigner.keyless(
        fulcio_url=instance.url, rekor_url=instance.url, token=instance.token(EMAIL), trusted_root=instance.root_path
    )
    bundle = signer.sign_blob(artifact.read_bytes())
    doc = json.loads(bundle)
    assert doc["messageSignature"]["messageDigest"]["digest"]
    assert doc["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"] == "hashedrekord"
    v = s.verify_bundle(
        bundle, instance.root, certificate_identity=EMAIL, certificate_oidc_issuer=instance.issuer, artifact=artifact
    )
    assert v.identity == EMAIL and v.tlog_verified and v.statement is None
    bundle_path = tmp_path / "blob.sigstore.json"
    bundle_path.write_bytes(bundle)
    assert sigstore_python(instance, bundle_path, artifact, EMAIL) == 0
    other = tmp_path / "other.tar.gz"
    other.write_bytes(b"not the release tarball\n")
    assert sigstore_python(instance, bundle_path, other, EMAIL) != 0
    with pytest.raises(s.VerificationError) as refused:
        s.verify_bundle(
            bundle, instance.root, certificate_identity=EMAIL, certificate_oidc_issuer=instance.issuer, artifact=other
        )
    assert refused.value.code_name == "artifact_mismatch"
    # A key the log cannot check over the blob's digest is refused before anything is sent.
    ed = s.BundleSigner.keyful(s.SigningKey.generate("ed25519"), rekor_url=instance.url)
    with pytest.raises(s.KeyMaterialError) as refused_key:
        ed.sign_blob(b"blob")
    assert refused_key.value.code_name == "backend_configuration"


@pytest.mark.parametrize("alg", ["es256", "ed25519", "rsa-pkcs1-sha256"])
def test_keyful_bundle_verifies_for_its_key_only(instance: Instance, artifact: pathlib.Path, alg: str) -> None:
    key = s.SigningKey.generate(alg)
    signer = s.BundleSigner.keyful(key, rekor_url=instance.url, trusted_root=instance.root_path)
    att = signer.attest("slsa-provenance", PREDICATE, [subject(artifact)])
    v = s.verify_bundle(att.bundle, instance.root, public_key=key.public_key(), artifact=artifact)
    assert v.identity is None and v.tlog_verified and not v.certificate_verified and v.verified_times
    ignored = s.verify_bundle(
        att.bundle, instance.root, public_key=key.public_key(), artifact=artifact, insecure_ignore_tlog=True
    )
    assert not ignored.tlog_verified
    with pytest.raises(s.VerificationError):
        s.verify_bundle(att.bundle, instance.root, public_key=s.SigningKey.generate("es256").public_key(), artifact=artifact)
    with pytest.raises(s.VerificationError):
        s.verify_bundle(
            att.bundle, instance.root, certificate_identity=EMAIL, certificate_oidc_issuer=instance.issuer, artifact=artifact
        )


def test_keys_rekor_cannot_log_are_refused(instance: Instance) -> None:
    for alg in ["es384", "rsa-pss-sha256"]:
        with pytest.raises(s.KeyMaterialError) as refused:
            s.BundleSigner.keyful(s.SigningKey.generate(alg), rekor_url=instance.url)
        assert refused.value.code_name == "backend_configuration"
        assert "SHA-256" in str(refused.value)
    with pytest.raises(s.InvalidInputError) as bad:
        s.TrustedRoot.from_json(b'{"mediaType":"x"}')
    assert bad.value.code_name == "invalid_trusted_root"


def test_a_trusted_root_from_its_path(instance: Instance, tmp_path: pathlib.Path) -> None:
    root = s.TrustedRoot.from_path(instance.root_path)
    assert isinstance(root, s.TrustedRoot)
    with pytest.raises(s.StellaOpsIOError):
        s.TrustedRoot.from_path(tmp_path / "missing.json")


def test_inputs_as_python_users_pass_them(instance: Instance, artifact: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """Bundles as bytes, str, dict or a path; artifacts as a path, bytes or a sha256 digest; the
    predicate and subjects as dicts; a required predicate type (cosign --type); a statement
    already made, signed into a bundle."""
    key = s.SigningKey.generate("es256")
    signer = s.BundleSigner.keyful(key, rekor_url=instance.url)
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    att = signer.attest(
        "slsa-provenance",
        json.loads(PREDICATE),
        [{"name": artifact.name, "digest": {"sha256": digest}}],
    )
    bundle_path = tmp_path / "bundle.json"
    bundle_path.write_bytes(att.bundle)
    public = key.public_key()
    for bundle in (att.bundle, att.bundle.decode(), json.loads(att.bundle), bundle_path):
        for given in (artifact, str(artifact), artifact.read_bytes(), f"sha256:{digest}"):
            v = s.verify_bundle(bundle, instance.root, public_key=public, artifact=given)
            assert v.artifact_checked, (type(bundle), given)
    for wrong in (b"other bytes", "sha256:" + "0" * 64):
        with pytest.raises(s.VerificationError) as refused:
            s.verify_bundle(att.bundle, instance.root, public_key=public, artifact=wrong)
        assert refused.value.code_name == "artifact_mismatch"
    with pytest.raises(s.InvalidInputError):
        s.verify_bundle(att.bundle, instance.root, public_key=public, artifact="sha256:not-hex")
    with pytest.raises(TypeError, match="argument 'artifact'"):
        s.verify_bundle(att.bundle, instance.root, public_key=public, artifact=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 'bundle'"):
        s.verify_bundle(42, instance.root, public_key=public)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # a dict json.dumps refuses stays a ValueError
        s.verify_bundle({"x": float("nan")}, instance.root, public_key=public)

    # cosign --type: a short name or a URI; another type is a verification failure.
    s.verify_bundle(att.bundle, instance.root, public_key=public, predicate_type="slsa-provenance")
    s.verify_bundle(att.bundle, instance.root, public_key=public, predicate_type="https://slsa.dev/provenance/v1")
    with pytest.raises(s.VerificationError) as refused:
        s.verify_bundle(att.bundle, instance.root, public_key=public, predicate_type="sbom")
    assert refused.value.code_name == "predicate_type_mismatch"
    with pytest.raises(s.PredicateTypeError):
        s.verify_bundle(att.bundle, instance.root, public_key=public, predicate_type="no-such-type")

    # A statement already made, into a bundle; envelopes and roots from str and dict too.
    made = signer.sign_statement(json.loads(att.statement), enforcement="reject")
    assert made.admission == "allowed" and json.loads(made.statement) == json.loads(att.statement)
    s.verify_bundle(made.bundle, instance.root, public_key=public, artifact=artifact)
    assert isinstance(s.TrustedRoot.from_json(json.loads(instance.root_path.read_text())), s.TrustedRoot)
    env = s.Envelope.sign("text/plain", b"hi", [key])
    assert s.Envelope.from_json(env.to_json().decode()).payload == b"hi"
    assert s.Envelope.from_json(json.loads(env.to_json())).payload == b"hi"
    assert s.VerifyingKey.from_pem(public.to_pem().decode()) == public
    assert s.SigningKey.from_pem(key.to_pem().decode()).key_id == key.key_id
    with pytest.raises(TypeError, match="argument 'subjects'"):
        s.attest([key], "vex", {}, [{"name": "x"}])


def test_keyful_on_rekor_v2_with_a_timestamp_on_the_real_servers(artifact: pathlib.Path) -> None:
    """rekor-tiles and the timestamp authority: the report names the hashedrekord 0.0.2 entry and
    the timestamp's signing time; Rekor v2 without a timestamp authority is refused up front."""
    real = pathlib.Path(env("STELLAOPS_TEST_SIGSTORE_REAL_DIR"))
    root_path = real / "trusted_root.json"
    root = s.TrustedRoot.from_path(root_path)
    key = s.SigningKey.generate("es256")
    rekor = env("STELLAOPS_TEST_REKOR_V2")
    with pytest.raises(s.KeyMaterialError) as refused:
        s.BundleSigner.keyful(key, rekor_url=rekor, rekor_version=2)
    assert refused.value.code_name == "backend_configuration"
    with pytest.raises(s.InvalidInputError):
        s.BundleSigner.keyful(key, rekor_url=rekor, rekor_version=3)
    signer = s.BundleSigner.keyful(
        key,
        rekor_url=rekor,
        rekor_version=2,
        timestamp_url=env("STELLAOPS_TEST_TSA") + "/api/v1/timestamp",
        trusted_root=root_path,
    )
    att = signer.attest("slsa-provenance", PREDICATE, [subject(artifact)])
    v = s.verify_bundle(att.bundle, root, public_key=key.public_key(), artifact=artifact)
    assert v.tlog_entry is not None and v.tlog_entry[0] == "hashedrekord 0.0.2"
    assert v.tlog_verified and v.integrated_time is None and len(v.verified_times) == 1
    assert v.unverified_timestamps == [] and v.warnings == []
