//! The commands a cosign user types, under cosign's names and flags: `sign-blob`, `attest-blob`,
//! `verify-blob`, `verify-blob-attestation`. Without --key they sign keylessly, and without
//! service flags they use Sigstore's public-good instance (a built-in, dated signing config and
//! trusted root), as cosign does. Where we differ on purpose is docs/cosign.md.

use std::path::PathBuf;

use clap::{ArgAction, Args};

/// Signing into a bundle as cosign does: a key, or keylessly with the ambient identity token.
#[derive(Debug, Args)]
pub(crate) struct CosignSigning {
    /// Sign with this key (a file path or key URI: `pkcs11:`, `awskms://`, `hashivault://`);
    /// without it, sign keylessly (Fulcio certificate for the identity token).
    #[arg(long, value_name = "KEY_OR_URI")]
    pub(crate) key: Option<String>,
    /// Write the Sigstore bundle (v0.3) here.
    #[arg(long, value_name = "FILE")]
    pub(crate) bundle: PathBuf,
    /// The OIDC identity token, or a file holding it; else $SIGSTORE_ID_TOKEN, GitHub Actions'
    /// token service, $STELLAOPS_OIDC_TOKEN(_FILE) or /var/run/sigstore/cosign/oidc-token.
    #[arg(long, value_name = "TOKEN_OR_FILE", conflicts_with = "key")]
    pub(crate) identity_token: Option<String>,
    /// Fulcio's URL (default: the public-good instance's, `https://fulcio.sigstore.dev`).
    #[arg(long, value_name = "URL", conflicts_with_all = ["key", "signing_config"])]
    pub(crate) fulcio_url: Option<String>,
    /// Rekor's URL (default: the public-good instance's, `https://rekor.sigstore.dev`).
    #[arg(long, value_name = "URL", conflicts_with = "signing_config")]
    pub(crate) rekor_url: Option<String>,
    /// Timestamp the signature at this RFC 3161 timestamp authority (its request URL). The
    /// public-good default timestamps at `https://timestamp.sigstore.dev/api/v1/timestamp`;
    /// with --fulcio-url or --rekor-url, only when this is given.
    #[arg(long, value_name = "URL", conflicts_with = "signing_config")]
    pub(crate) timestamp_server_url: Option<String>,
    /// Choose Fulcio, Rekor (v1 or v2) and the timestamp authority from this signing config
    /// (SigningConfig v0.2) instead of the public-good one built in.
    #[arg(long, value_name = "FILE")]
    pub(crate) signing_config: Option<PathBuf>,
    /// Verify the bundle against this trusted root before writing it (default: the built-in
    /// public-good root when signing there; no check for other services without it).
    #[arg(long, value_name = "FILE")]
    pub(crate) trusted_root: Option<PathBuf>,
    /// Accepted for cosign's scripts: there is no prompt to answer.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Accepted for cosign's scripts: the bundle is always the new (v0.3) format; `false` is
    /// refused.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", default_value_t = true, action = ArgAction::Set)]
    pub(crate) new_bundle_format: bool,
    /// Timeout of each request to Fulcio, Rekor or the timestamp authority.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) timeout_seconds: u64,
}

/// `stella sign-blob`.
#[derive(Debug, Args)]
pub(crate) struct SignBlobArgs {
    #[command(flatten)]
    pub(crate) signing: CosignSigning,
    /// The blob to sign (at most 1 GiB: it is signed whole).
    pub(crate) blob: PathBuf,
}

/// `stella attest-blob`.
#[derive(Debug, Args)]
pub(crate) struct AttestBlobArgs {
    #[command(flatten)]
    pub(crate) signing: CosignSigning,
    /// The predicate (JSON file).
    #[arg(long, value_name = "FILE")]
    pub(crate) predicate: PathBuf,
    /// The predicate type: a URI or a short name (slsaprovenance, slsaprovenance1, spdxjson,
    /// cyclonedx, vuln, openvex, custom; or a catalog name: sbom, vex, ...).
    #[arg(long = "type", value_name = "TYPE", default_value = "custom")]
    pub(crate) predicate_type: String,
    /// The blob the statement is about (its subject, by SHA-256).
    pub(crate) blob: PathBuf,
}

/// What a bundle must show, as cosign's verify commands take it.
#[derive(Debug, Args)]
pub(crate) struct CosignVerifying {
    /// The Sigstore bundle (v0.1 to v0.3).
    #[arg(long, value_name = "FILE")]
    pub(crate) bundle: PathBuf,
    /// A keyful bundle's public key (PEM).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// The signing certificate's identity (SAN), exactly.
    #[arg(long, value_name = "ID", conflicts_with = "key")]
    pub(crate) certificate_identity: Option<String>,
    /// The identity as a regular expression, which must match all of it (anchored, unlike
    /// cosign's).
    #[arg(long, value_name = "REGEX", conflicts_with_all = ["key", "certificate_identity"])]
    pub(crate) certificate_identity_regexp: Option<String>,
    /// The OIDC issuer recorded in the certificate, exactly.
    #[arg(long, value_name = "URL", conflicts_with = "key")]
    pub(crate) certificate_oidc_issuer: Option<String>,
    /// The OIDC issuer as a regular expression, which must match all of it (anchored).
    #[arg(long, value_name = "REGEX", conflicts_with_all = ["key", "certificate_oidc_issuer"])]
    pub(crate) certificate_oidc_issuer_regexp: Option<String>,
    /// The trusted root (default: the built-in public-good snapshot; see docs/cosign.md).
    #[arg(long, value_name = "FILE")]
    pub(crate) trusted_root: Option<PathBuf>,
    /// Verify log entries with this one pinned key (the log's `rekor.pub`, PEM) instead of the
    /// trusted root's logs (cosign's `SIGSTORE_REKOR_PUBLIC_KEY`).
    #[arg(long, value_name = "FILE")]
    pub(crate) rekor_key: Option<PathBuf>,
    /// Do not require a checked transparency-log entry (a verified RFC 3161 timestamp must
    /// still give the signing time). Insecure.
    #[arg(long)]
    pub(crate) insecure_ignore_tlog: bool,
    /// Do not check the certificate's SCT.
    #[arg(long)]
    pub(crate) insecure_ignore_sct: bool,
    /// Accepted for cosign's scripts: verified RFC 3161 timestamps always count as signing
    /// times (sigstore-go's rule).
    #[arg(long)]
    pub(crate) use_signed_timestamps: bool,
    /// Print JSON, on failure too: what was checked and why it failed.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `stella verify-blob`.
#[derive(Debug, Args)]
pub(crate) struct VerifyBlobArgs {
    #[command(flatten)]
    pub(crate) verifying: CosignVerifying,
    /// The blob, or `sha256:HEX` for its digest.
    pub(crate) blob: PathBuf,
}

/// `stella verify-blob-attestation`.
#[derive(Debug, Args)]
pub(crate) struct VerifyBlobAttestationArgs {
    #[command(flatten)]
    pub(crate) verifying: CosignVerifying,
    /// Require this predicate type (a URI or short name, as attest-blob takes it).
    #[arg(long = "type", value_name = "TYPE")]
    pub(crate) predicate_type: Option<String>,
    /// Check that the blob is a subject of the statement; `--check-claims=false` checks the
    /// signature only (then no BLOB).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", default_value_t = true, action = ArgAction::Set)]
    pub(crate) check_claims: bool,
    /// The blob, or `sha256:HEX` for its digest.
    #[arg(required_if_eq("check_claims", "true"))]
    pub(crate) blob: Option<PathBuf>,
}
