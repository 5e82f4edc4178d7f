//! The command-line surface.

mod cosign;

pub(crate) use cosign::{AttestBlobArgs, SignBlobArgs, VerifyBlobArgs, VerifyBlobAttestationArgs};
#[cfg(feature = "sigstore")]
pub(crate) use cosign::{CosignSigning, CosignVerifying};

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign, attest, verify and inspect DSSE envelopes and in-toto statements.
#[derive(Debug, Parser)]
#[command(name = "stella", version, about, long_about = None)]
pub(crate) struct Cli {
    /// How the library's log records are written to stderr: `text` (one escaped line each) or
    /// `json` (one JSON object per line). Which records: STELLAOPS_LOG_LEVEL (off, error, warn,
    /// info, debug, trace; default error); `info` adds one "signing decision" record per
    /// pipeline request.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The format of log records on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// `stella: info: signing decision trace_id=... decision=allowed ...`, escaped.
    Text,
    /// One JSON object per line: level, target, message, fields.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate and show keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign a payload into a DSSE envelope (one signature per --key).
    Sign(SignArgs),
    /// Attest artifacts: an in-toto v1 statement with a predicate, signed into a DSSE envelope.
    Attest(AttestArgs),
    /// Verify an envelope against trusted public keys, a threshold, and optionally artifacts.
    Verify(VerifyArgs),
    /// Show what an envelope holds, without verifying it.
    Inspect(InspectArgs),
    /// Print a JSON file in canonical form (RFC 8785 JCS, or OLPC with --olpc).
    Canon(CanonArgs),
    /// Check audit logs.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run signing requests through the policy pipeline (token, entitlement, quotas, release,
    /// tenant key, audit), as an embedding service would.
    #[command(subcommand)]
    Pipeline(PipelineCommand),
    /// Sign an export (a manifest of every file: path, size, digests) and verify an export
    /// against its signed manifest.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Serve the Signer REST API over HTTPS (the pipeline of --config, with its `[server]`
    /// section); SIGTERM drains in-flight requests and exits 0. See docs/service.md.
    Serve(ServeArgs),
    /// Attest and verify promotions between environments.
    #[command(subcommand)]
    Promotion(PromotionCommand),
    /// Look into attestations: who signed what, with which key or identity, logged where.
    #[command(subcommand)]
    Forensic(ForensicCommand),
    /// Transparency logs: prove that a log only grows (consistency between checkpoints).
    #[command(subcommand)]
    Rekor(RekorCommand),
    /// cosign's `sign-blob`: sign a file into a Sigstore bundle (a message signature, logged in
    /// Rekor). Keyless without --key; Sigstore's public-good instance without service flags.
    SignBlob(Box<SignBlobArgs>),
    /// cosign's `attest-blob`: an in-toto statement about a file (--predicate, --type) signed
    /// into a Sigstore bundle. Keyless without --key; public-good defaults as sign-blob.
    AttestBlob(Box<AttestBlobArgs>),
    /// cosign's `verify-blob`: a Sigstore bundle's signature over a file, offline, against the
    /// --trusted-root (default: the built-in public-good root) and the identity or --key.
    VerifyBlob(Box<VerifyBlobArgs>),
    /// cosign's `verify-blob-attestation`: a Sigstore bundle's statement about a file, offline:
    /// the signature, the identity or --key, the --type, and the file among the subjects.
    VerifyBlobAttestation(Box<VerifyBlobAttestationArgs>),
}

#[derive(Debug, Subcommand)]
pub(crate) enum RekorCommand {
    /// Check that the log's current checkpoint, signed by the log, extends the one kept in
    /// --state (an RFC 6962 consistency proof: nothing logged before was removed or rewritten,
    /// no fork), then keep the current one there. The first run keeps the checkpoint it
    /// verified. Exit 1 when the log is inconsistent or a checkpoint's signature fails.
    Consistency(RekorConsistencyArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("log_keys").required(true).args(["trusted_root", "rekor_key"]))]
pub(crate) struct RekorConsistencyArgs {
    /// The log: Rekor v1's URL; for Rekor v2 (tlog-tiles) the URL its checkpoint and tiles are
    /// read from, or a directory mirroring them.
    #[arg(long, value_name = "URL_OR_DIR")]
    pub(crate) log: String,
    /// The log's API: 1 (`/api/v1/log`, `/api/v1/log/proof`) or 2 (tlog-tiles).
    #[arg(long, value_name = "1|2", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub(crate) rekor_version: u8,
    /// Verify checkpoint signatures with the log keys of this trusted root.
    #[arg(long, value_name = "FILE")]
    pub(crate) trusted_root: Option<PathBuf>,
    /// Verify checkpoint signatures with this one pinned key (the log's `rekor.pub`, PEM).
    #[arg(long, value_name = "FILE")]
    pub(crate) rekor_key: Option<PathBuf>,
    /// The kept checkpoint (a signed note): read when it exists, replaced atomically by the
    /// current one after a successful check.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: PathBuf,
    /// Timeout of each request to the log.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) timeout_seconds: u64,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ForensicCommand {
    /// Attestations (DSSE envelopes, Sigstore bundles).
    #[command(subcommand)]
    Attest(ForensicAttestCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ForensicAttestCommand {
    /// Show an envelope or Sigstore bundle (v0.1-v0.3): predicate type, subjects, each
    /// signature's key id and whether it verifies (against --key, else a keyless bundle's own
    /// certificate), certificate identity and issuer, Rekor log index and integrated time. Exit 1
    /// when --key is given and no signature verifies.
    Show(ForensicShowArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ForensicShowArgs {
    /// A trusted public key (repeatable).
    #[arg(long = "key")]
    pub(crate) keys: Vec<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The envelope or bundle, or - for stdin.
    pub(crate) file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// Describe every file under DIR in a canonical manifest and sign it (an in-toto statement
    /// whose subjects are the files). Same files, options and key: byte-identical output.
    Sign(Box<ExportSignArgs>),
    /// Re-hash the export under DIR and compare it with the signed manifest: prints every
    /// missing, extra or changed file; exit 1 when the export differs or the signature fails.
    Verify(ExportVerifyArgs),
    /// Pack an export signed into a Sigstore bundle (`export sign --keyless` or
    /// `--sigstore-bundle`) into an Offline Kit: one tar, files in path order, canonical
    /// headers dated at the manifest's creation time (the same export gives the same bytes).
    /// Verify it with `stella verify --offline --bundle KIT.tar`.
    Pack(ExportPackArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ExportPackArgs {
    /// The signed export directory (with its .stellaops/ evidence).
    pub(crate) dir: PathBuf,
    /// The kit to write.
    pub(crate) out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ExportSignArgs {
    /// Signing key (repeat for multi-signature): a file path or key URI. Without it (and without
    /// --tenant), the default key is used. ECDSA file keys sign with RFC 6979 nonces here.
    #[arg(long = "key", value_name = "KEY_OR_URI", conflicts_with = "tenant")]
    pub(crate) keys: Vec<String>,
    #[command(flatten)]
    pub(crate) tenant: TenantArgs,
    #[command(flatten)]
    pub(crate) pipeline: PipelineArgs,
    /// The export id (default: sha256 of the file list, so equal content gets an equal id).
    #[arg(long)]
    pub(crate) export_id: Option<String>,
    /// The export profile recorded in the manifest.
    #[arg(long)]
    pub(crate) profile: Option<String>,
    /// Creation time (RFC 3339); default $SOURCE_DATE_EPOCH. The clock is never read.
    #[arg(long, value_name = "TIME")]
    pub(crate) created_at: Option<String>,
    /// Also record SHA-512 digests.
    #[arg(long)]
    pub(crate) sha512: bool,
    /// Record symbolic links (path and target) instead of refusing them.
    #[arg(long)]
    pub(crate) record_symlinks: bool,
    /// Write the manifest (canonical JSON) here; left out of the export if inside DIR. With
    /// --keyless or --sigstore-bundle it goes to DIR/.stellaops/manifest.json.
    #[arg(long, value_name = "FILE", required_unless_present = "sigstore")]
    pub(crate) manifest: Option<PathBuf>,
    /// Write the DSSE envelope here; left out of the export if inside DIR. With --keyless or
    /// --sigstore-bundle, also an envelope beside the bundle, outside DIR: the same statement
    /// signed by the keys (--sigstore-bundle's --key; for --keyless the tenant's or default
    /// key, or --pipeline).
    #[arg(long, value_name = "FILE", required_unless_present = "sigstore")]
    pub(crate) envelope: Option<PathBuf>,
    /// Sign into a Sigstore bundle instead of an envelope (--keyless, or --sigstore-bundle with
    /// one --key): the manifest, the bundle and the --trusted-root it was verified with are
    /// written into DIR/.stellaops/ (left out of the manifest), ready for `export pack`.
    #[command(flatten)]
    pub(crate) sigstore: KeylessArgs,
    /// The export directory.
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ExportVerifyArgs {
    /// Trusted public key (repeat for several). Without it, the default key is trusted.
    #[arg(long = "key")]
    pub(crate) keys: Vec<PathBuf>,
    /// How many distinct trusted keys must have signed.
    #[arg(long, default_value_t = 1)]
    pub(crate) threshold: usize,
    /// The manifest file shipped with the export; it must be the one the envelope signs.
    #[arg(long, value_name = "FILE")]
    pub(crate) manifest: Option<PathBuf>,
    /// The DSSE envelope.
    #[arg(long, value_name = "FILE")]
    pub(crate) envelope: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The export directory.
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Verify a hash-chained audit log; name the first edited, deleted, inserted or reordered
    /// line (exit 1) or print how many records it holds and its last hash. With `--instance`
    /// and a witness (`--anchors`, `--witness`), also that no anchored record was cut off the
    /// end or rewritten.
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("witness_source").multiple(true).args(["anchors", "witness"]))]
pub(crate) struct AuditVerifyArgs {
    /// The JSONL audit log.
    pub(crate) file: PathBuf,
    /// The instance that wrote the log (its `[audit] instance`), for checking anchored heads.
    #[arg(long, requires = "witness_source")]
    pub(crate) instance: Option<String>,
    /// The fleet's anchor store (Redis URL) holding each instance's published head.
    #[arg(long, value_name = "REDIS_URL", requires = "instance")]
    pub(crate) anchors: Option<String>,
    /// The anchor store's key prefix (`[audit] anchor_prefix`; default `stellaops:audit:`).
    #[arg(long, value_name = "PREFIX", requires = "anchors")]
    pub(crate) anchor_prefix: Option<String>,
    /// Another instance's audit log, whose anchor records name this log's instance (repeat).
    #[arg(long, value_name = "LOG", requires = "instance")]
    pub(crate) witness: Vec<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The signer configuration (TOML): `[server]` plus the pipeline's sections.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PipelineCommand {
    /// Run one request file through the pipeline the configuration describes; print the outcome
    /// JSON (envelope, key id, bundle digest, ...). A denial exits 1 with its reason code.
    Sign(PipelineSignArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PipelineSignArgs {
    /// The pipeline configuration (TOML; see docs/entitlement.md).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: PathBuf,
    /// The request (JSON: access_token, dpop_proof, uri, tenant, predicate_type, predicate,
    /// subjects, ...), or - for stdin.
    #[arg(long, value_name = "FILE")]
    pub(crate) request: PathBuf,
    /// Write the outcome here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Write only the envelope (not the whole outcome).
    #[arg(long)]
    pub(crate) envelope_only: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Generate a key pair: KEY (PKCS#8 PEM, mode 0600) and KEY.pub (SPKI PEM); or, with
    /// --alg fido2-es256, register a FIDO2 credential and write its file KEY (no secret in it).
    Generate(KeyGenerateArgs),
    /// Show a key's algorithm, key id and public key.
    Show(KeyShowArgs),
}

/// Algorithms as the CLI names them.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum AlgArg {
    Es256,
    Es384,
    Ed25519,
    #[value(name = "rsa-pss-sha256")]
    RsaPssSha256,
    #[value(name = "rsa-pkcs1-sha256")]
    RsaPkcs1Sha256,
    /// A FIDO2 credential (ES256) on a security key; needs --rp-id.
    #[value(name = "fido2-es256")]
    Fido2Es256,
    /// A FIDO2 credential (EdDSA) on a security key that offers it; needs --rp-id.
    #[value(name = "fido2-eddsa")]
    Fido2Eddsa,
}

#[derive(Debug, Args)]
pub(crate) struct KeyGenerateArgs {
    /// Signature algorithm.
    #[arg(long)]
    pub(crate) alg: AlgArg,
    /// Private key path; the public key goes to PATH.pub.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// RSA modulus size (2048-4096).
    #[arg(long, default_value_t = 3072)]
    pub(crate) bits: usize,
    /// Encrypt the private key with the passphrase in $STELLA_PASSPHRASE.
    #[arg(long)]
    pub(crate) encrypt: bool,
    /// Replace existing key files.
    #[arg(long)]
    pub(crate) force: bool,
    /// FIDO2: the relying-party id the credential is bound to (verifiers check it), e.g.
    /// `dsse:release-signing`.
    #[arg(long, value_name = "ID")]
    pub(crate) rp_id: Option<String>,
    /// FIDO2: the authenticator: `hid` (the one security key connected), `hid:PATH`, or
    /// `software:STATE` (the software authenticator, keys in the file STATE; tests only).
    #[arg(long, value_name = "DEVICE", default_value = "hid")]
    pub(crate) device: String,
    /// FIDO2: make a resident (discoverable) credential.
    #[arg(long)]
    pub(crate) resident: bool,
    /// FIDO2: a file holding the authenticator's PIN, if it has one (else $STELLAOPS_FIDO2_PIN,
    /// else a prompt on the terminal).
    #[arg(long, value_name = "FILE")]
    pub(crate) pin_source: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct KeyShowArgs {
    /// A private or public key file (PEM, DER, JWK or a FIDO2 credential file), or a key URI
    /// (`pkcs11:`, `awskms://`, `hashivault://`, `fido2:`).
    #[arg(value_name = "KEY_OR_URI")]
    pub(crate) key: String,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Signing with the tenant's key from the key configuration file.
#[derive(Debug, Args)]
pub(crate) struct TenantArgs {
    /// Sign with this tenant's active key from the key configuration (see --key-config).
    #[arg(long, requires = "key_config")]
    pub(crate) tenant: Option<String>,
    /// The tenant's plan, for keys reserved to plans.
    #[arg(long, requires = "tenant")]
    pub(crate) plan: Option<String>,
    /// The tenant key configuration (TOML: tenants, key URIs, windows, status).
    #[arg(long, value_name = "FILE")]
    pub(crate) key_config: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct SignArgs {
    /// Shortcuts for SBOMs and scan reports.
    #[command(subcommand)]
    pub(crate) document: Option<SignDocument>,
    /// Signing key (repeat for multi-signature): a file path or a key URI (`file:`, `pkcs11:`,
    /// `awskms://`, `hashivault://`, `fido2:CREDENTIAL?device=hid`). Without it (and without
    /// --tenant), the default key is used.
    #[arg(long = "key", value_name = "KEY_OR_URI", conflicts_with = "tenant")]
    pub(crate) keys: Vec<String>,
    #[command(flatten)]
    pub(crate) tenant: TenantArgs,
    /// The envelope's payloadType.
    #[arg(long, required = true)]
    pub(crate) payload_type: Option<String>,
    /// Write the envelope here (atomically) instead of stdout.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// The payload file, or - for stdin.
    #[arg(required = true)]
    pub(crate) payload: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SignDocument {
    /// Sign an SBOM: CycloneDX or SPDX is detected and the matching predicate type used; the
    /// subjects are the --artifact/--subject given, else the ones the SBOM declares.
    Sbom(SignSbomArgs),
    /// Sign a scan report as stella.ops/report@v1 (validated: scanner, artifact, policy digest
    /// and view set, verdict); the subject is the report's artifact.
    Report(SignReportArgs),
}

/// Signing through the policy pipeline on behalf of a caller instead of with local keys.
#[derive(Debug, Args)]
pub(crate) struct PipelineArgs {
    /// Sign through the policy pipeline this configuration describes (TOML, see
    /// docs/entitlement.md): the caller's token, entitlement, quotas, allow-list, release check
    /// and the tenant's key, every decision audited. Needs --caller.
    #[arg(long, value_name = "FILE", requires = "caller", conflicts_with_all = ["keys", "tenant", "key_config"])]
    pub(crate) pipeline: Option<PathBuf>,
    /// The caller, as JSON: access_token, dpop_proof, uri, tenant, and optionally method,
    /// client_certificate_der_b64, scanner_release, trace_id.
    #[arg(long, value_name = "FILE", requires = "pipeline")]
    pub(crate) caller: Option<PathBuf>,
}

/// Where a shortcut's signature goes and which key makes it.
#[derive(Debug, Args)]
pub(crate) struct DocumentSigning {
    /// Signing key (repeatable), a file path or key URI; default: the tenant key (--tenant) or
    /// the default key.
    #[arg(long = "key", value_name = "KEY_OR_URI", conflicts_with = "tenant")]
    pub(crate) keys: Vec<String>,
    #[command(flatten)]
    pub(crate) tenant: TenantArgs,
    #[command(flatten)]
    pub(crate) pipeline: PipelineArgs,
    /// Write the envelope here (atomically) instead of stdout.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct SignSbomArgs {
    #[command(flatten)]
    pub(crate) signing: DocumentSigning,
    /// An artifact the SBOM describes (hashed; repeatable).
    #[arg(long = "artifact", value_name = "FILE")]
    pub(crate) artifacts: Vec<PathBuf>,
    /// A subject by digest, NAME@ALG:HEX (e.g. registry.example/app@sha256:...; repeatable).
    #[arg(long = "subject", value_name = "NAME@ALG:HEX")]
    pub(crate) subjects: Vec<String>,
    /// The SBOM (CycloneDX or SPDX JSON).
    pub(crate) file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct SignReportArgs {
    #[command(flatten)]
    pub(crate) signing: DocumentSigning,
    /// The scan report (JSON, stella.ops/report@v1).
    pub(crate) file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PromotionCommand {
    /// Attest that an artifact was promoted from one environment to another under a policy,
    /// with its approvals and evidence (stella.ops/promotion@v1; the artifact is the subject).
    Attest(Box<PromotionAttestArgs>),
    /// Verify a promotion: signature, predicate type, schema, subject = promoted artifact, and
    /// optionally the artifact digest, target environment and policy digest.
    Verify(PromotionVerifyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PromotionAttestArgs {
    #[command(flatten)]
    pub(crate) signing: DocumentSigning,
    /// The promoted artifact, NAME@ALG:HEX (an image reference and its digest).
    #[arg(long, value_name = "NAME@ALG:HEX")]
    pub(crate) artifact: String,
    /// The source environment.
    #[arg(long = "from", value_name = "ENV")]
    pub(crate) source: String,
    /// The target environment.
    #[arg(long = "to", value_name = "ENV")]
    pub(crate) target: String,
    /// The policy digest (sha256:HEX).
    #[arg(long, value_name = "DIGEST")]
    pub(crate) policy_digest: String,
    /// A view of the policy that was evaluated (repeatable).
    #[arg(long = "view", value_name = "NAME")]
    pub(crate) views: Vec<String>,
    /// An approval, `WHO,TIME[,ROLE]` (TIME in RFC 3339; repeatable).
    #[arg(long = "approval", value_name = "WHO,TIME[,ROLE]")]
    pub(crate) approvals: Vec<String>,
    /// Evidence, TYPE=ALG:HEX (a predicate type and an attestation digest; repeatable).
    #[arg(long = "evidence", value_name = "TYPE=ALG:HEX")]
    pub(crate) evidence: Vec<String>,
    /// When the promotion happened (RFC 3339); default now.
    #[arg(long, value_name = "TIME")]
    pub(crate) promoted_at: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct PromotionVerifyArgs {
    /// Trusted public key (repeatable). Without it, the default key is trusted.
    #[arg(long = "key")]
    pub(crate) keys: Vec<PathBuf>,
    /// How many distinct trusted keys must have signed.
    #[arg(long, default_value_t = 1)]
    pub(crate) threshold: usize,
    /// Require this artifact digest (ALG:HEX).
    #[arg(long, value_name = "ALG:HEX")]
    pub(crate) artifact_digest: Option<String>,
    /// Require this target environment.
    #[arg(long, value_name = "ENV")]
    pub(crate) target: Option<String>,
    /// Require this policy digest.
    #[arg(long, value_name = "DIGEST")]
    pub(crate) policy_digest: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The envelope, or - for stdin.
    pub(crate) envelope: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct AttestArgs {
    /// Signing key (repeat for multi-signature): a file path or a key URI (`file:`, `pkcs11:`,
    /// `awskms://`, `hashivault://`, `fido2:CREDENTIAL?device=hid`). Without it (and without
    /// --tenant), the default key is used.
    #[arg(long = "key", value_name = "KEY_OR_URI", conflicts_with = "tenant")]
    pub(crate) keys: Vec<String>,
    #[command(flatten)]
    pub(crate) tenant: TenantArgs,
    /// Predicate type: a full URI or a catalog short name (sbom, vex, cyclonedx, ...).
    #[arg(long)]
    pub(crate) predicate_type: String,
    /// The predicate JSON file.
    #[arg(long)]
    pub(crate) predicate: PathBuf,
    /// Write the envelope here (atomically) instead of stdout.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Also record SHA-512 digests of the artifacts.
    #[arg(long)]
    pub(crate) sha512: bool,
    /// What to do with a predicate type outside the catalog.
    #[arg(long, value_enum, default_value = "warn")]
    pub(crate) policy_mode: PolicyModeArg,
    #[command(flatten)]
    pub(crate) keyless: KeylessArgs,
    /// The artifacts (statement subjects).
    #[arg(required = true)]
    pub(crate) artifacts: Vec<PathBuf>,
}

/// Sigstore bundles: keyless signing, or one key's signature logged in Rekor; where Fulcio and
/// Rekor are, and how strict to be.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("sigstore").args(["keyless", "sigstore_bundle"]))]
pub(crate) struct KeylessArgs {
    /// Sign keylessly instead of with keys: an ephemeral key, certified by Fulcio for the OIDC
    /// identity token (--identity-token-file, else $STELLAOPS_OIDC_TOKEN,
    /// $STELLAOPS_OIDC_TOKEN_FILE, $SIGSTORE_ID_TOKEN (GitLab CI, Buildkite), GitHub Actions'
    /// token service, or /var/run/sigstore/cosign/oidc-token), logged in Rekor. Writes a
    /// Sigstore bundle v0.3 instead of an envelope.
    #[arg(long, conflicts_with_all = ["keys", "tenant"])]
    pub(crate) keyless: bool,
    /// Write a Sigstore bundle v0.3 instead of an envelope: the signature of the one key
    /// (--key, or the tenant's or default key), logged in Rekor with the public key as verifier;
    /// the bundle names the key by a hint (its key id). Verify with `stella verify --bundle
    /// --key PUB` or `cosign verify-blob-attestation --key PUB`.
    #[arg(long)]
    pub(crate) sigstore_bundle: bool,
    /// Choose Fulcio, Rekor (v1 or v2) and the timestamp authority from a Sigstore signing
    /// config (SigningConfig v0.2, signing_config.json: the highest API version valid now, as
    /// sigstore-go and sigstore-python choose), instead of --fulcio-url, --rekor-url,
    /// --rekor-version and --timestamp-url.
    #[arg(
        long,
        value_name = "FILE",
        requires = "sigstore",
        conflicts_with_all = ["fulcio_url", "rekor_url", "timestamp_url"]
    )]
    pub(crate) signing_config: Option<PathBuf>,
    /// Fulcio's URL.
    #[arg(
        long,
        env = "STELLAOPS_FULCIO_URL",
        value_name = "URL",
        requires = "keyless"
    )]
    pub(crate) fulcio_url: Option<String>,
    /// Rekor's URL.
    #[arg(
        long,
        env = "STELLAOPS_REKOR_URL",
        value_name = "URL",
        requires = "sigstore"
    )]
    pub(crate) rekor_url: Option<String>,
    /// Rekor's API: 1 (a dsse entry with an integrated time) or 2 (rekor-tiles: a hashedrekord
    /// over the envelope's PAE, no integrated time, so --timestamp-url is required).
    #[arg(
        long,
        env = "STELLAOPS_REKOR_VERSION",
        value_name = "1|2",
        default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(1..=2),
        requires = "sigstore"
    )]
    pub(crate) rekor_version: u8,
    /// Refuse a token from any other OIDC issuer (before Fulcio is asked).
    #[arg(
        long,
        env = "STELLAOPS_OIDC_ISSUER",
        value_name = "URL",
        requires = "keyless"
    )]
    pub(crate) oidc_issuer: Option<String>,
    /// A file holding the OIDC identity token.
    #[arg(long, value_name = "FILE", requires = "keyless")]
    pub(crate) identity_token_file: Option<PathBuf>,
    /// Verify the bundle offline against this trusted_root.json before writing it.
    #[arg(long, value_name = "FILE", requires = "sigstore")]
    pub(crate) trusted_root: Option<PathBuf>,
    /// Also timestamp the signature at this RFC 3161 timestamp authority (its full request
    /// URL, e.g. `https://timestamp.sigstore.dev/api/v1/timestamp`): the bundle carries the
    /// answer, a signing time verifiers trust beside the log's.
    #[arg(
        long,
        alias = "timestamp-server-url",
        env = "STELLAOPS_TIMESTAMP_URL",
        value_name = "URL",
        requires = "sigstore"
    )]
    pub(crate) timestamp_url: Option<String>,
    /// Timeout of each request to Fulcio, Rekor or the timestamp authority.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) timeout_seconds: u64,
    /// Further attempts after a connection failure or a 5xx answer.
    #[arg(long, default_value_t = 2)]
    pub(crate) retries: u32,
    /// Accept a certificate without an embedded SCT (a Fulcio without a CT log).
    #[arg(long, requires = "keyless")]
    pub(crate) allow_missing_sct: bool,
}

/// Allow-list enforcement modes.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum PolicyModeArg {
    LogOnly,
    Warn,
    Reject,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Trusted public key (repeat for several). Without it, the default key is trusted.
    #[arg(long = "key")]
    pub(crate) keys: Vec<PathBuf>,
    /// How many distinct trusted keys must have signed.
    #[arg(long, default_value_t = 1)]
    pub(crate) threshold: usize,
    /// Require this payloadType.
    #[arg(long)]
    pub(crate) payload_type: Option<String>,
    /// Require this predicate type of the signed in-toto statement (a URI or a catalog short
    /// name such as sbom, vex, slsa-provenance), as cosign's --type. Envelopes and bundles.
    #[arg(long = "type", value_name = "TYPE")]
    pub(crate) predicate_type: Option<String>,
    /// An artifact that must be a subject of the statement (repeatable). With --bundle also
    /// `sha256:<hex>`, the artifact's digest.
    #[arg(long = "artifact")]
    pub(crate) artifacts: Vec<PathBuf>,
    /// The tenant key configuration: trusted keys it marks revoked are not trusted for
    /// signatures made at or after their revocation (see --signed-at).
    #[arg(long, value_name = "FILE")]
    pub(crate) key_config: Option<PathBuf>,
    /// When the envelope was signed (RFC 3339), e.g. from a transparency log or audit record.
    /// Without it, any revoked key is distrusted.
    #[arg(long, requires = "key_config", value_name = "TIME")]
    pub(crate) signed_at: Option<String>,
    /// FIDO2 credential keys (--key CREDENTIAL.json) accept only user-verified assertions (the
    /// key's PIN or built-in biometrics), not presence alone.
    #[arg(long, conflicts_with = "bundle")]
    pub(crate) fido2_require_uv: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) bundle: BundleArgs,
    /// The envelope file, or - for stdin.
    #[arg(required_unless_present = "bundle", conflicts_with = "bundle")]
    pub(crate) envelope: Option<PathBuf>,
}

/// `stella verify --bundle`: a Sigstore bundle, offline, against a trusted root.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("bundle_trust").multiple(true).args(["trusted_root", "rekor_key"]))]
pub(crate) struct BundleArgs {
    /// Verify this Sigstore bundle (v0.1 to v0.3) instead of an envelope: certificate chain,
    /// SCT, Rekor inclusion proof or signed entry timestamp, signature, identity, and the
    /// --artifact if given. No network access. Keyless bundles need --certificate-identity (or
    /// -regexp) and --certificate-oidc-issuer; keyful ones one --key.
    #[arg(long, value_name = "FILE", requires = "bundle_trust")]
    pub(crate) bundle: Option<PathBuf>,
    /// The Sigstore trusted root (trusted_root.json, as cosign and sigstore-python use it).
    #[arg(long, value_name = "FILE", requires = "bundle")]
    pub(crate) trusted_root: Option<PathBuf>,
    /// Verify log entries with this one pinned key (the log's `rekor.pub`, PEM) instead of the
    /// trusted root's logs; without --trusted-root, enough for a keyful bundle (--key).
    #[arg(long, value_name = "FILE", requires = "bundle")]
    pub(crate) rekor_key: Option<PathBuf>,
    /// The signing certificate's identity (SAN), exactly.
    #[arg(long, value_name = "ID", requires = "oidc_issuer")]
    pub(crate) certificate_identity: Option<String>,
    /// The signing certificate's identity, as a regular expression matching all of it.
    #[arg(
        long,
        value_name = "REGEX",
        conflicts_with = "certificate_identity",
        requires = "oidc_issuer"
    )]
    pub(crate) certificate_identity_regexp: Option<String>,
    /// The OIDC issuer recorded in the signing certificate, exactly.
    #[arg(long, value_name = "URL", requires = "bundle", group = "oidc_issuer")]
    pub(crate) certificate_oidc_issuer: Option<String>,
    /// Require a certificate that names no OIDC issuer: one a certificate authority issued to
    /// its operator's own service, such as GitHub's release attestations
    /// (`https://dotcom.releases.github.com`). Certificates from an OIDC sign-in never match.
    #[arg(long, requires = "bundle", group = "oidc_issuer")]
    pub(crate) no_certificate_oidc_issuer: bool,
    /// Do not require a checked transparency-log entry (for trust domains without a public log,
    /// such as GitHub's private-repository attestations, which carry an RFC 3161 timestamp
    /// instead; the signing time must still come from a verified timestamp). Insecure: nothing
    /// shows the signature was ever made public.
    #[arg(long, requires = "bundle")]
    pub(crate) insecure_ignore_tlog: bool,
    /// Do not check the certificate's SCT (a Fulcio without a CT log, such as GitHub's).
    #[arg(long, requires = "bundle")]
    pub(crate) insecure_ignore_sct: bool,
    /// Verify without --artifact: the signature is checked against the digest the bundle
    /// itself names, so nothing binds it to a file you have (sigstore-go's
    /// WithoutArtifactUnsafe). Without this flag or --artifact, verification refuses to start.
    #[arg(long, requires = "bundle", conflicts_with = "artifacts")]
    pub(crate) insecure_ignore_artifact: bool,
    /// The --bundle is an Offline Kit (`stella export pack`): verify its Sigstore bundle, that
    /// it signs the kit's manifest, that the tar is the canonical packing, and every file in it
    /// against the manifest, naming each missing, extra or changed one. No network.
    #[arg(long, requires = "bundle", conflicts_with_all = ["artifacts", "insecure_ignore_artifact"])]
    pub(crate) offline: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// The envelope file, or - for stdin.
    pub(crate) envelope: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct CanonArgs {
    /// OLPC canonical JSON (securesystemslib/TUF) instead of RFC 8785.
    #[arg(long)]
    pub(crate) olpc: bool,
    /// The JSON file, or - for stdin.
    pub(crate) file: PathBuf,
}
