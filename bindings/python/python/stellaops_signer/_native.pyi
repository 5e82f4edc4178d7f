"""Type stubs for the extension module stellaops_signer._native."""

import os
from collections.abc import Mapping, Sequence
from typing import Any, Dict, Literal, Optional, Tuple, Union, final

__version__: str

JsonInput = Union[bytes, bytearray, str, Mapping[str, Any], Sequence[Any]]
"""A JSON document: bytes or str as they are, a dict or list encoded with json.dumps."""


class StellaOpsError(Exception):
    """Base of every error the library raises."""

    code: int
    code_name: str

class InvalidInputError(StellaOpsError):
    """Arguments or input documents are wrong (codes 1xx and 2xx)."""

class KeyMaterialError(StellaOpsError):
    """A key could not be read, used or made, or signing failed (codes 3xx)."""

class VerificationError(StellaOpsError):
    """Verification ran and said no (codes 4xx)."""

class PredicateTypeError(StellaOpsError):
    """A predicate type is unknown or not allowed (codes 5xx)."""

class StellaOpsIOError(StellaOpsError):
    """A file could not be read or written (codes 6xx)."""

class PolicyError(StellaOpsError):
    """The signing pipeline refused (700 `denied`) or could not decide (701, 702)."""

class InternalError(StellaOpsError):
    """A bug in the library (codes 9xx)."""

@final
class Pipeline:
    def __init__(self, config_path: str | os.PathLike[str]) -> None: ...
    def sign_json(self, request: JsonInput) -> bytes:
        """Run one request (the caller's members and a statement) and return the outcome JSON;
        a refusal raises :class:`PolicyError` (``denied``) with the reason code."""
    def check_release(self, digest: str) -> Dict[str, Any]:
        """The scanner-release verdict for ``digest`` without signing: ``trusted``, and
        ``trust`` or ``reason`` and ``detail``."""
    def close(self) -> None:
        """Release the audit log and keys; later calls raise ``ValueError``."""
    def __enter__(self) -> Pipeline: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class SigningKey:
    @staticmethod
    def generate(algorithm: str = "es256") -> SigningKey: ...
    @staticmethod
    def from_pem(data: bytes, passphrase: Optional[bytes] = None) -> SigningKey: ...
    @staticmethod
    def from_jwk(jwk: str) -> SigningKey: ...
    @staticmethod
    def from_uri(uri: str, passphrase: Optional[bytes] = None) -> SigningKey: ...
    @property
    def backend(self) -> str: ...
    def public_key(self) -> VerifyingKey: ...
    @property
    def key_id(self) -> str: ...
    @property
    def algorithm(self) -> str: ...
    def to_pem(self, passphrase: Optional[bytes] = None) -> bytes: ...
    def to_jwk(self) -> str: ...
    def close(self) -> None:
        """Release the key (HSM session, KMS client); later use raises ``ValueError``."""
    def __enter__(self) -> SigningKey: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class VerifyingKey:
    @staticmethod
    def from_pem(data: bytes) -> VerifyingKey: ...
    @staticmethod
    def from_jwk(jwk: str) -> VerifyingKey: ...
    @property
    def key_id(self) -> str: ...
    @property
    def algorithm(self) -> Optional[str]: ...
    def to_pem(self) -> bytes: ...
    def to_der(self) -> bytes: ...
    def to_jwk(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

@final
class Signature:
    @property
    def keyid(self) -> str: ...
    @property
    def sig(self) -> bytes: ...

@final
class VerifiedKey:
    @property
    def key_index(self) -> int: ...
    @property
    def positions(self) -> list[int]: ...
    @property
    def signature_index(self) -> int: ...
    @property
    def key_id(self) -> str: ...
    @property
    def algorithm(self) -> str: ...

@final
class Envelope:
    @staticmethod
    def sign(payload_type: str, payload: bytes, keys: Sequence[SigningKey]) -> Envelope: ...
    @staticmethod
    def from_json(data: bytes) -> Envelope: ...
    def to_json(self) -> bytes: ...
    @property
    def payload(self) -> bytes: ...
    @property
    def payload_type(self) -> str: ...
    @property
    def signatures(self) -> list[Signature]: ...
    def pae(self) -> bytes: ...
    def verify(
        self,
        keys: Sequence[VerifyingKey],
        threshold: int,
        payload_type: Optional[str] = None,
    ) -> list[VerifiedKey]: ...

@final
class Subject:
    def __init__(self, name: str, digest: Mapping[str, str]) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def digest(self) -> dict[str, str]: ...

@final
class Attestation:
    @property
    def envelope(self) -> Envelope: ...
    @property
    def statement(self) -> bytes: ...
    @property
    def admission(self) -> Literal["allowed", "unlisted"]: ...

Enforcement = Literal["warn", "log-only", "log", "reject"]

def attest(
    keys: Sequence[SigningKey],
    predicate_type: str,
    predicate: bytes,
    subjects: Sequence[Subject],
    enforcement: Enforcement = "warn",
) -> Attestation: ...
def attest_files(
    keys: Sequence[SigningKey],
    predicate_type: str,
    predicate: bytes,
    paths: Sequence[Union[str, os.PathLike[str]]],
    enforcement: Enforcement = "warn",
    sha512: bool = False,
) -> Attestation: ...
@final
class KeyRegistry:
    """The tenant key registry: a TOML file naming each tenant's keys (URI, status, validity
    window, plans, predicate families, revocations). A context manager."""

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None: ...
    def entries(self) -> list[Dict[str, Any]]:
        """Every entry: ``tenant``, ``uri`` (PINs hidden), ``key_id``, ``status``,
        ``not_before``, ``not_after``, ``revoked_at``, ``reason``, ``plans``, ``families``,
        ``signatures``."""
    def select(
        self, tenant: str, *, plan: Optional[str] = None, family: Optional[str] = None
    ) -> Dict[str, Any]:
        """The entry that should sign for ``tenant`` now (the best fit)."""
    def signing_key(
        self, tenant: str, *, plan: Optional[str] = None, family: Optional[str] = None
    ) -> SigningKey:
        """The key that should sign for ``tenant`` now; it refuses to sign once a reload
        revokes it, and cannot be exported."""
    def check_not_revoked(self, key_id: str, signed_at: Optional[str] = None) -> None:
        """Raise :class:`KeyMaterialError` (``key_revoked``) when the key was revoked at or
        before ``signed_at`` (RFC 3339), or at all when it is None."""
    def reload(self) -> None:
        """Read the file again; a bad file keeps the previous configuration and raises."""
    def __enter__(self) -> KeyRegistry: ...
    def __exit__(self, *args: object) -> bool: ...

def metrics_snapshot() -> str:
    """What the library counted since the first pipeline was opened, as Prometheus text
    (``stellaops_signer_sign_seconds``, ``stellaops_signer_denials_total{reason=...}``, ...)."""

def artifact_subjects(
    paths: Sequence[Union[str, os.PathLike[str]]], sha512: bool = False
) -> list[Subject]:
    """A subject per file, named by its file name: SHA-256 and, with ``sha512``, SHA-512 too,
    read by streaming."""

@final
class AuditChain:
    """What :func:`verify_audit_chain` established."""

    @property
    def records(self) -> int: ...
    @property
    def last_hash(self) -> str:
        """The last line's hash: anchor it elsewhere so that a truncation shows."""

def verify_audit_chain(path: Union[str, os.PathLike[str]]) -> AuditChain:
    """Verify the hash chain of the pipeline's audit log. A broken chain raises
    :class:`VerificationError` (``audit_chain_broken``) naming the first bad line."""

def predicate_statement(
    predicate_type: str, predicate: JsonInput, subjects: Sequence[Subject]
) -> bytes:
    """The statement (RFC 8785 JSON) of type ``predicate_type`` (a URI or catalog short name)
    whose predicate is ``predicate`` about ``subjects``: what :func:`attest` signs."""

def inspect_attestation(data: JsonInput, keys: Sequence[VerifyingKey] = ()) -> Dict[str, Any]:
    """What an envelope or a Sigstore bundle claims (``stella forensic attest show --json``):
    ``container``, ``payload_type``, ``predicate_type``, ``subjects``, ``signatures``,
    ``certificate``, ``tlog_entries``, ``verified``, ``checked``, ``not_checked``. Only a key in
    ``keys`` makes a signature verified; use :func:`verify_bundle` for a verdict on a bundle."""

def sbom_statement(sbom: JsonInput, subjects: Sequence[Subject] = ()) -> bytes:
    """The statement (RFC 8785 JSON) for a CycloneDX or SPDX SBOM, about ``subjects`` or, with
    none, about the subjects the SBOM declares. Sign it with :func:`sign_statement`, a
    :class:`BundleSigner`, or put it in a pipeline request's ``"statement"``."""

def report_statement(report: JsonInput) -> bytes:
    """The statement for a scan report (``stella.ops/report@v1``) about its ``artifact``."""

def promotion_statement(promotion: JsonInput) -> bytes:
    """The statement for a promotion (``stella.ops/promotion@v1``) about the promoted artifact."""

def sign_statement(
    keys: Sequence[SigningKey],
    statement: JsonInput,
    enforcement: Enforcement = "warn",
) -> Attestation:
    """Sign an in-toto statement with every key (StellaOps predicates checked against their
    schema; ``enforcement`` decides what happens to a type outside the catalog)."""

@final
class PromotionVerification:
    """What :func:`verify_promotion` established."""

    @property
    def keys(self) -> list[VerifiedKey]: ...
    @property
    def statement(self) -> bytes: ...
    @property
    def artifact_name(self) -> str: ...
    @property
    def artifact_digest(self) -> Dict[str, str]: ...
    @property
    def source_environment(self) -> str: ...
    @property
    def target_environment(self) -> str: ...
    @property
    def policy_digest(self) -> str: ...

def verify_promotion(
    envelope: JsonInput,
    keys: Sequence[VerifyingKey],
    threshold: int = 1,
    *,
    artifact_digest: Mapping[str, str] = ...,
    target_environment: Optional[str] = None,
    policy_digest: Optional[str] = None,
) -> PromotionVerification:
    """Verify a promotion envelope: ``threshold`` of ``keys`` signed a ``stella.ops/promotion@v1``
    statement about the promoted artifact, which meets every requirement given. Raises
    :class:`VerificationError` (``PREDICATE_MISMATCH``, ``PREDICATE_TYPE_MISMATCH``, ...)."""

def sign_export(
    keys: Sequence[SigningKey],
    root: Union[str, os.PathLike[str]],
    *,
    files: Optional[Sequence[str]] = None,
    export_id: Optional[str] = None,
    tenant: Optional[str] = None,
    profile: Optional[str] = None,
    created_at: Optional[str] = None,
    sha512: bool = False,
    record_symlinks: bool = False,
    exclude: Sequence[str] = (),
) -> Tuple[bytes, bytes]: ...
def verify_export(
    root: Union[str, os.PathLike[str]],
    envelope: bytes,
    keys: Sequence[VerifyingKey],
    *,
    manifest: Optional[bytes] = None,
    threshold: int = 1,
    exclude: Sequence[str] = (),
) -> Dict[str, Any]: ...
def describe_export(
    root: Union[str, os.PathLike[str]],
    *,
    files: Optional[Sequence[str]] = None,
    export_id: Optional[str] = None,
    tenant: Optional[str] = None,
    profile: Optional[str] = None,
    created_at: Optional[str] = None,
    sha512: bool = False,
    record_symlinks: bool = False,
    exclude: Sequence[str] = (),
) -> bytes:
    """The manifest :func:`sign_export` would sign with the same arguments, unsigned."""

def export_statement(manifest: JsonInput) -> bytes:
    """The statement for an export manifest: its files as subjects, the manifest as the
    ``stella.ops/export@v1`` predicate."""

def check_export(
    root: Union[str, os.PathLike[str]], manifest: JsonInput, *, exclude: Sequence[str] = ()
) -> Dict[str, Any]:
    """Compare the export under ``root`` with ``manifest`` (no signature checked): ``intact``,
    ``export_id``, ``files``, ``missing``, ``extra``, ``changed``."""

def canonicalize(data: bytes, mode: Literal["jcs", "olpc"] = "jcs") -> bytes: ...
def pae(payload_type: str, payload: bytes) -> bytes: ...
def resolve_predicate_type(name: str) -> str: ...
def predicate_family(uri: str) -> Optional[str]: ...
def is_vex_related(uri: str) -> bool: ...
def is_reachability_related(uri: str) -> bool: ...
def is_sbom(uri: str) -> bool: ...
def is_allowed_predicate_type(uri: str) -> bool: ...
def allowed_predicate_types() -> list[str]: ...

@final
class TrustedRoot:
    """A Sigstore trusted root (trusted_root.json)."""

    @staticmethod
    def from_json(data: bytes) -> TrustedRoot: ...

@final
class BundleVerification:
    @property
    def media_type(self) -> str: ...
    @property
    def identity(self) -> Optional[str]: ...
    @property
    def issuer(self) -> Optional[str]: ...
    @property
    def integrated_time(self) -> Optional[str]: ...
    @property
    def verified_times(self) -> list[str]: ...
    @property
    def certificate_verified(self) -> bool: ...
    @property
    def sct_verified(self) -> bool: ...
    @property
    def tlog_verified(self) -> bool: ...
    @property
    def payload_type(self) -> Optional[str]: ...
    @property
    def predicate_type(self) -> Optional[str]: ...
    @property
    def artifact_checked(self) -> bool: ...

def verify_bundle(
    bundle: bytes,
    root: TrustedRoot,
    *,
    certificate_identity: Optional[str] = None,
    certificate_identity_regexp: Optional[str] = None,
    certificate_oidc_issuer: Optional[str] = None,
    no_certificate_oidc_issuer: bool = False,
    public_key: Optional[VerifyingKey] = None,
    artifact: Optional[Union[str, os.PathLike[str]]] = None,
    insecure_ignore_tlog: bool = False,
    insecure_ignore_sct: bool = False,
) -> BundleVerification: ...

@final
class BundleAttestation:
    @property
    def bundle(self) -> bytes: ...
    @property
    def statement(self) -> bytes: ...
    @property
    def admission(self) -> Literal["allowed", "unlisted"]: ...

@final
class BundleSigner:
    @staticmethod
    def keyless(
        *,
        fulcio_url: str,
        rekor_url: str,
        token: Optional[str] = None,
        oidc_issuer: Optional[str] = None,
        trusted_root: Optional[Union[str, os.PathLike[str]]] = None,
        timeout: float = 30.0,
        retries: int = 2,
        require_sct: bool = True,
    ) -> BundleSigner: ...
    @staticmethod
    def keyful(
        key: SigningKey,
        *,
        rekor_url: str,
        trusted_root: Optional[Union[str, os.PathLike[str]]] = None,
        timeout: float = 30.0,
        retries: int = 2,
    ) -> BundleSigner: ...
    def sign(self, payload_type: str, payload: bytes) -> bytes: ...
    def attest(
        self,
        predicate_type: str,
        predicate: bytes,
        subjects: Sequence[Subject],
        enforcement: Enforcement = "warn",
    ) -> BundleAttestation: ...
