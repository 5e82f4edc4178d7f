"""Type stubs for the extension module stellaops_signer._native."""

import logging
import os
from collections.abc import Mapping, Sequence
from collections.abc import Callable
from typing import Any, Dict, Literal, Optional, Protocol, Tuple, Union, final

__version__: str

JsonInput = Union[bytes, bytearray, str, Mapping[str, Any], Sequence[Any]]
# A subject: a Subject, or {"name": str, "digest": {alg: hex}}.
SubjectInput = Union["Subject", Mapping[str, Any]]
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
    """Signing with policy: caller token and DPoP/mTLS proof, entitlement, quotas, scanner release,
    tenant key, and an audit record for every request; built from a TOML configuration file.
    Thread-safe: sign from any number of threads; the GIL is released while a request runs. A
    context manager: leaving the `with` block (or `close()`) closes the audit log and the keys;
    requests running then finish, later calls raise `ValueError`."""

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
    """A private signing key: software, or in an HSM, KMS or Vault (`from_uri`). Safe to share
    between threads. A context manager: leaving the `with` block (or `close()`) releases the key
    (HSM session, KMS client) once running calls finish; later use raises `ValueError`."""

    @staticmethod
    def generate(algorithm: str = "es256") -> SigningKey:
        """A fresh key: "es256" (default), "es384", "ed25519", "rsa-pss-sha256", "rsa-pkcs1-sha256"
        (JOSE and securesystemslib names are accepted too)."""
    @staticmethod
    def from_pem(data: Union[bytes, bytearray, str], passphrase: Optional[bytes] = None) -> SigningKey:
        """Load a private key from PEM (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1) or PKCS#8 DER."""
    @staticmethod
    def from_jwk(jwk: str) -> SigningKey:
        """Load a private key from a JWK (RFC 7517) text."""
    @staticmethod
    def from_signer(
        algorithm: str,
        public_key: Union[bytes, bytearray, str],
        signer: Union[Signer, Callable[[bytes], bytes]],
    ) -> SigningKey:
        """A key whose signatures come from `signer`: an object with `sign(message: bytes) ->
        bytes` (or a plain callable), such as an HSM session, a KMS client, or a provider of an
        algorithm this library does not implement (GOST R 34.10-2012 through CryptoPro or
        OpenSSL). `algorithm` is a built-in name ("es256", "ed25519", "rsa-pss-sha256", ...) or
        an external one ("gost3410-2012-256"); `public_key` is the key (PEM, DER, JWK) or, for
        an external algorithm, its SubjectPublicKeyInfo (PEM or DER). `sign` gets the whole
        message (the DSSE PAE) and hashes it as its algorithm does.

        Every signature is checked (not empty, at most 16 KiB, and for built-in algorithms valid
        under `public_key`): a signer that raises or lies makes the signing call raise
        `KeyMaterialError` with code 324 (`caller_signer_failed`), and nothing is signed. `sign`
        may be called from any thread, with the GIL held."""
    @staticmethod
    def from_uri(uri: str, passphrase: Optional[bytes] = None) -> SigningKey:
        """Open a key by URI: "file:PATH" or a bare path, RFC 7512 "pkcs11:..." (module-path and
        pin-value or pin-source in the query), "awskms://[HOST:PORT]/KEY" (AWS
        environment variables), "hashivault://KEY[?version=N]" (VAULT_ADDR,
        VAULT_TOKEN), "fido2:CREDENTIAL?device=..." (a FIDO2 security key; PIN from
        pin-source=FILE or STELLAOPS_FIDO2_PIN). Opening contacts the backend; the GIL
        is released meanwhile."""
    @property
    def backend(self) -> str:
        """The backend: "file" for software keys, else "pkcs11", "awskms", "hashivault", "fido2"."""
    def public_key(self) -> VerifyingKey:
        """The public half."""
    @property
    def key_id(self) -> str:
        """Lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER."""
    @property
    def algorithm(self) -> str:
        """The algorithm's short name."""
    def to_pem(self, passphrase: Optional[bytes] = None) -> bytes:
        """PKCS#8 PEM, encrypted with `passphrase` when given."""
    def to_jwk(self) -> str:
        """The private JWK text."""
    def write_private_key(
        self, path: Union[str, os.PathLike[str]], passphrase: Optional[bytes] = None
    ) -> None:
        """Write the key as PKCS#8 PEM to a new file with mode 0600 (encrypted with
        ``passphrase`` when given), atomically, never over an existing file."""
    def close(self) -> None:
        """Release the key (HSM session, KMS client); later use raises ``ValueError``."""
    def __enter__(self) -> SigningKey: ...
    def __exit__(self, *args: object) -> bool: ...

class Signer(Protocol):
    """What `SigningKey.from_signer` takes: anything with this method."""

    def sign(self, message: bytes) -> bytes: ...

@final
class VerifierRegistry:
    """Verifiers for algorithms this library does not implement, by name. A key of an algorithm
    nobody registered is refused (`KeyMaterialError`, code 300 `unknown_algorithm`), so an
    envelope signed with it cannot verify by default. Safe to share between threads."""

    def __init__(self) -> None:
        """A registry that knows only the built-in algorithms."""
    def register(self, algorithm: str, verify: Callable[[bytes, bytes, bytes], bool]) -> None:
        """Verify signatures of the external algorithm `algorithm` (lowercase letters, digits,
        "-", ".", "_"; not a built-in name) with `verify(public_key, message, signature) ->
        bool`: `public_key` is the key's DER SubjectPublicKeyInfo, `message` the signed bytes
        (the DSSE PAE). An exception counts as an invalid signature. It may be called from any
        thread."""
    def verifying_key(self, algorithm: str, public_key: Union[bytes, bytearray, str]) -> VerifyingKey:
        """A key that verifies `algorithm`'s signatures: for a built-in name, `public_key` in any
        encoding `VerifyingKey.from_pem` reads, pinned; for a registered name, its
        SubjectPublicKeyInfo (PEM or DER), checked by the registered function."""
    def algorithms(self) -> list[str]:
        """The registered algorithm names, in name order."""

@final
class VerifyingKey:
    """A public key trusted to verify. Immutable; safe to share between threads."""

    @staticmethod
    def from_pem(data: Union[bytes, bytearray, str]) -> VerifyingKey:
        """Load SPKI PEM or DER, a JWK, or an X.509 certificate's key (PEM or DER); a private key's
        public half is accepted too."""
    @staticmethod
    def from_jwk(jwk: str) -> VerifyingKey:
        """Load a public JWK text."""
    @property
    def key_id(self) -> str:
        """Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER."""
    @property
    def algorithm(self) -> Optional[str]:
        """The one algorithm this key verifies, or None for an RSA key that verifies both paddings."""
    def to_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM."""
    def to_der(self) -> bytes:
        """SubjectPublicKeyInfo DER."""
    def to_jwk(self) -> str:
        """The public JWK text."""
    def __eq__(self, other: object) -> bool: ...

@final
class Signature:
    """One signature of an envelope."""

    @property
    def keyid(self) -> str: ...
    @property
    def sig(self) -> bytes: ...

@final
class VerifiedKey:
    """A trusted key that verified."""

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
    """A DSSE envelope: a payload, its type and signatures over their PAE."""

    @staticmethod
    def sign(payload_type: str, payload: bytes, keys: Sequence[SigningKey]) -> Envelope:
        """Sign `payload` as `payload_type` with every key (one signature each)."""
    @staticmethod
    def from_json(data: JsonInput) -> Envelope:
        """Parse envelope JSON strictly (duplicate keys, bad base64, over 96 MiB are errors), given
        as bytes, str or dict."""
    def to_json(self) -> bytes:
        """Canonical JSON."""
    @property
    def payload(self) -> bytes:
        """The payload bytes."""
    @property
    def payload_type(self) -> str:
        """The payload type."""
    @property
    def signatures(self) -> list[Signature]:
        """The signatures, in envelope order."""
    def pae(self) -> bytes:
        """The PAE bytes the signatures cover."""
    def verify(
        self,
        keys: Sequence[VerifyingKey],
        threshold: int,
        payload_type: Optional[str] = None,
    ) -> list[VerifiedKey]:
        """Verify: at least `threshold` distinct `keys` must each have a valid signature, and the
        payload type must equal `payload_type` when given. An in-toto payload must be a
        well-formed statement. Returns the keys that verified; raises VerificationError."""

@final
class Subject:
    """What a statement is about: a name and digests by algorithm (`{"sha256": "<hex>"}`)."""

    def __init__(self, name: str, digest: Mapping[str, str]) -> None: ...
    @property
    def name(self) -> str:
        """The name."""
    @property
    def digest(self) -> dict[str, str]:
        """The digests."""

@final
class Attestation:
    """A signed in-toto statement."""

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
    predicate: JsonInput,
    subjects: Sequence[SubjectInput],
    enforcement: Enforcement = "warn",
) -> Attestation:
    """Build an in-toto Statement v1 over `subjects` with the predicate JSON `predicate` of type
    `predicate_type` (a URI or catalog short name) and sign it with every key. `enforcement`
    ("warn", "log-only", "reject") decides what happens to a type outside the catalog."""
def attest_files(
    keys: Sequence[SigningKey],
    predicate_type: str,
    predicate: JsonInput,
    paths: Sequence[Union[str, os.PathLike[str]]],
    enforcement: Enforcement = "warn",
    sha512: bool = False,
) -> Attestation:
    """As `attest`, with the files at `paths` as subjects (hashed by streaming, SHA-256 and, with
    `sha512`, SHA-512; named by their file name)."""
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

def set_logger(logger: Optional[logging.Logger], level: Optional[str] = None) -> None:
    """Send the library's log records to ``logger``, replacing an earlier one; ``None`` stops
    them. ``level`` ("debug", "info", "warn", "error"; default: what the logger's effective level
    lets through) decides which records the library makes. Each pipeline request makes one
    "signing decision" record at INFO whose attributes (and ``record.stellaops`` dict) hold
    ``target``, ``trace_id``, ``tenant``, ``subject_digests``, ``issuer_mode``, ``decision``,
    ``reason``, ``key_ids``, ``predicate_type`` and ``latency_ms``. Records are logged on the
    thread that made the library call; an error in a handler is printed and dropped."""

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
) -> Tuple[bytes, bytes]:
    """Sign the export under `root` (every file, or only `files`, relative paths) with every key
    and return `(manifest, envelope)` as bytes: the manifest (RFC 8785 JSON) lists every
    file by path, size and digests; the envelope signs it as a `stella.ops/export@v1`
    statement. Reproducible: `created_at` (RFC 3339) or `SOURCE_DATE_EPOCH` gives the time
    (the clock is never read), and software ECDSA keys sign with RFC 6979 nonces here."""
def verify_export(
    root: Union[str, os.PathLike[str]],
    envelope: bytes,
    keys: Sequence[VerifyingKey],
    *,
    manifest: Optional[bytes] = None,
    threshold: int = 1,
    exclude: Sequence[str] = (),
) -> Dict[str, Any]:
    """Verify the export under `root` against the signed manifest in `envelope`: at least
    `threshold` of the trusted `keys` signed, `manifest` (if given) is the signed one, and
    every file is re-hashed. Returns the report (a dict: `intact`, `export_id`, `files`,
    `keys`, `missing`, `extra`, `changed`). When files differ, raises VerificationError with
    code_name "export_changed" and the same report as its `report` attribute."""
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

def canonicalize(data: bytes, mode: Literal["jcs", "olpc"] = "jcs") -> bytes:
    """Parse `data` strictly and return its canonical form: `mode` "jcs" (RFC 8785, the default) or
    "olpc" (securesystemslib/TUF, integers only)."""
def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE pre-authentication encoding of `payload_type` and `payload`."""
def resolve_predicate_type(name: str) -> str:
    """The URI of a catalog short name or alias ("sbom", "vex", "cyclonedx", ...); URIs pass
    through."""
def predicate_family(uri: str) -> Optional[str]:
    """The family of a catalogued predicate type ("sbom", "vex", "reachability", "provenance",
    "policy", "evidence", "promotion", "replay", "link"), or None."""
def is_vex_related(uri: str) -> bool:
    """True for VEX statements and decisions."""
def is_reachability_related(uri: str) -> bool:
    """True for reachability evidence."""
def is_sbom(uri: str) -> bool:
    """True for SBOMs of any format."""
def is_allowed_predicate_type(uri: str) -> bool:
    """True when `uri` is on the default allow-list (the catalog)."""
def allowed_predicate_types() -> list[str]:
    """Every catalogued predicate type URI."""

@final
class TrustedRoot:
    """A Sigstore trusted root (trusted_root.json)."""

    @staticmethod
    def from_json(data: JsonInput) -> TrustedRoot:
        """Read a trusted root (strict JSON; its media type must say trusted root)."""
    @staticmethod
    def from_path(path: Union[str, os.PathLike[str]]) -> TrustedRoot:
        """Read a trusted root from a file (at most 96 MiB), as sigstore-go's
        ``NewTrustedRootFromPath``."""

@final
class BundleVerification:
    """What a verified bundle says."""

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
    def statement(self) -> Optional[bytes]:
        """The verified in-toto statement (JSON), for DSSE bundles: its subjects and predicate,
        as sigstore-python's ``verify_dsse`` returns the payload."""
    @property
    def artifact_checked(self) -> bool: ...
    @property
    def tlog_entry(self) -> Optional[tuple[str, int]]:
        """The checked log entry as (kind and version, log index), e.g. ("hashedrekord 0.0.2", 7)."""
    @property
    def unverified_timestamps(self) -> list[str]:
        """Why each RFC 3161 timestamp that did not count was left out."""
    @property
    def warnings(self) -> list[str]:
        """What verified but deserves a look (a root CA inside the bundle's chain)."""

def verify_bundle(
    bundle: Union[JsonInput, os.PathLike[str]],
    root: TrustedRoot,
    *,
    certificate_identity: Optional[str] = None,
    certificate_identity_regexp: Optional[str] = None,
    certificate_oidc_issuer: Optional[str] = None,
    no_certificate_oidc_issuer: bool = False,
    public_key: Optional[VerifyingKey] = None,
    artifact: Optional[Union[bytes, str, os.PathLike[str]]] = None,
    predicate_type: Optional[str] = None,
    insecure_ignore_tlog: bool = False,
    insecure_ignore_sct: bool = False,
) -> BundleVerification:
    """Verify a Sigstore bundle (v0.1-v0.3) offline against `root`, for a keyless signer
    (`certificate_identity` or `certificate_identity_regexp` (anchored), with
    `certificate_oidc_issuer`, or `no_certificate_oidc_issuer=True` for a certificate naming
    none, as GitHub's release attestations) or a keyful one (`public_key`). `bundle` is the JSON
    (bytes, str or dict) or an `os.PathLike` to read it from. `artifact` binds the signature to
    the artifact: its bytes, a path (str or `os.PathLike`), or `"sha256:<hex>"` its digest (None
    checks the signature against the digest the bundle names). `predicate_type` (a URI or
    catalog short name) is required of the signed statement, as cosign's `--type`.
    `insecure_ignore_tlog` and `insecure_ignore_sct` accept a trust domain without a log or CT
    log (GitHub's). No network access. Raises VerificationError when the bundle does not verify
    (code 405 `predicate_type_mismatch` for another predicate type). Releases the GIL."""

@final
class BundleAttestation:
    """An attestation signed into a Sigstore bundle."""

    @property
    def bundle(self) -> bytes: ...
    @property
    def statement(self) -> bytes: ...
    @property
    def admission(self) -> Literal["allowed", "unlisted"]: ...

@final
class BundleSigner:
    """Signs into Sigstore bundles v0.3 (canonical JSON): keylessly (an ephemeral key Fulcio
    certifies for an OIDC identity) or with one of our keys, each signature logged in Rekor.
    Thread-safe; the GIL is released while signing."""

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
        timestamp_url: Optional[str] = None,
        rekor_version: int = 1,
    ) -> BundleSigner:
        """A keyless signer. `token` is the OIDC identity token (None reads $STELLAOPS_OIDC_TOKEN,
        $STELLAOPS_OIDC_TOKEN_FILE or the ambient cosign token file); `oidc_issuer`
        refuses a token from any other issuer; `trusted_root` (a path) verifies each
        bundle before it is returned; `timestamp_url` (an RFC 3161 timestamp authority's request
        URL) timestamps each signature; `rekor_version=2` writes to Rekor v2 (needs
        `timestamp_url`). Nothing is sent until the first signature."""
    @staticmethod
    def keyful(
        key: SigningKey,
        *,
        rekor_url: str,
        trusted_root: Optional[Union[str, os.PathLike[str]]] = None,
        timeout: float = 30.0,
        retries: int = 2,
        timestamp_url: Optional[str] = None,
        rekor_version: int = 1,
    ) -> BundleSigner:
        """A signer for `key`, logged in the Rekor at `rekor_url`. Rekor v1 checks DSSE signatures
        with SHA-256, so only ES256, Ed25519 and RSA PKCS#1 keys are accepted; Rekor v2
        (`rekor_version=2`, which needs `timestamp_url`) ES256 only."""
    def sign(self, payload_type: str, payload: bytes) -> bytes:
        """Sign `payload` (an in-toto statement, `payload_type` "application/vnd.in-toto+json": the
        one type Sigstore verifiers accept) into a bundle."""
    def sign_blob(self, blob: bytes) -> bytes:
        """Sign `blob` itself into a bundle, as `cosign sign-blob` does: a message signature with
        the blob's SHA-256, logged in Rekor as a hashedrekord (at most 1 GiB: it is signed whole).
        Keyful signers need an ECDSA P-256 key (or RSA PKCS#1 v1.5 with Rekor v1)."""
    def attest(
        self,
        predicate_type: str,
        predicate: JsonInput,
        subjects: Sequence[SubjectInput],
        enforcement: Enforcement = "warn",
    ) -> BundleAttestation:
        """As `attest`, signed into a bundle; the statement is built and admitted before Fulcio or
        Rekor is asked."""
    def sign_statement(self, statement: JsonInput, enforcement: Enforcement = "warn") -> BundleAttestation:
        """As `sign_statement`, signed into a bundle: an in-toto statement already made (bytes, str
        or dict; StellaOps predicates checked), admitted before Fulcio or Rekor is asked."""
