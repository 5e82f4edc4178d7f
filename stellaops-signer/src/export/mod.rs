//! Signed export manifests: describe an export, sign its manifest as an in-toto statement, and
//! verify an export on disk against a signed manifest.
//!
//! The statement's subjects are the export's files, its predicate (`stella.ops/export@v1`) the
//! manifest. Signing is deterministic with Ed25519, RSA-PKCS1 and RFC 6979 ECDSA (open software
//! ECDSA keys with [`stellaops_crypto::SoftwareKey::deterministic`]): the same export, options
//! and key give byte-identical manifest and envelope. RSA-PSS signatures, and ECDSA in HSMs and
//! KMSs, are randomized; the manifest stays identical, the signature does not.

use std::path::Path;

mod disk;
mod json;
mod kit;
mod parallel;
mod tar;

pub use disk::{check_export, describe_dir, describe_files, ExportOptions, SymlinkPolicy};
pub use json::{
    check_export_json, describe_export_json, export_report_json, export_statement_json,
    path_list_json, sign_export_files, sign_export_json,
};
pub use kit::{pack_kit, KIT_BUNDLE, KIT_MANIFEST, KIT_TRUSTED_ROOT};
#[cfg(feature = "sigstore")]
pub use kit::{verify_kit, KitVerification};

use stellaops_dsse::{EnvelopeLimits, VerificationPolicy, VerifiedKey};
use stellaops_predicates::{ExportDiff, ExportManifest, Statement, EXPORT_PREDICATE_TYPE};

use crate::authority::{Authority, Outcome};
use crate::verify::{document_limits, verified_statement};
use crate::{Error, Result};

/// A signed export: the manifest and what signs it, with the bytes to write.
#[derive(Clone, Debug)]
pub struct SignedExport {
    /// The manifest.
    pub manifest: ExportManifest,
    /// The manifest as RFC 8785 canonical JSON.
    pub manifest_json: Vec<u8>,
    /// The signed JSON to write beside it: the envelope (or the Sigstore bundle) carrying the
    /// statement.
    pub envelope_json: Vec<u8>,
    /// How it was signed: keys, algorithms, issuer mode, the pipeline's facts.
    pub outcome: Outcome,
}

/// Sign `manifest` ([`export_statement`], [`export_bytes`] as the artifact size) with
/// `authority`.
///
/// # Errors
/// As [`export_statement`] and [`Authority::sign_statement`].
pub fn sign_export(authority: &Authority<'_>, manifest: ExportManifest) -> Result<SignedExport> {
    let statement = export_statement(&manifest)?;
    let outcome = authority.sign_statement(statement, Some(export_bytes(&manifest)))?;
    Ok(SignedExport {
        manifest_json: manifest.to_json()?,
        envelope_json: outcome.json().to_vec(),
        manifest,
        outcome,
    })
}

/// What [`verify_export`] established.
#[derive(Clone, Debug)]
pub struct ExportVerification {
    /// The distinct trusted keys that verified the envelope.
    pub keys: Vec<VerifiedKey>,
    /// The signed manifest.
    pub manifest: ExportManifest,
    /// How the export on disk differs from it; empty when it matches.
    pub diff: ExportDiff,
}

impl ExportVerification {
    /// True when the signature verified and the export matches the manifest exactly.
    pub fn is_intact(&self) -> bool {
        self.diff.is_empty()
    }

    /// `Ok` when the export is intact, else [`Error::ExportChanged`] with the counts.
    ///
    /// # Errors
    /// [`Error::ExportChanged`].
    pub fn require_intact(&self) -> Result<()> {
        if self.is_intact() {
            return Ok(());
        }
        Err(Error::ExportChanged {
            missing: self.diff.missing.len(),
            extra: self.diff.extra.len(),
            changed: self.diff.changed.len(),
        })
    }
}

/// The statement for a manifest, unsigned: an in-toto v1 statement whose subjects are the files
/// and whose predicate is the manifest ([`sign_export`] signs it).
///
/// # Errors
/// [`stellaops_predicates::Error::InvalidDigest`] for a malformed manifest.
pub fn export_statement(manifest: &ExportManifest) -> Result<Statement> {
    Ok(Statement::new(
        manifest.subjects()?,
        EXPORT_PREDICATE_TYPE,
        manifest.to_value(),
    )?)
}

/// The export's size: the sum of its files' sizes, for a plan's artifact size limit.
pub fn export_bytes(manifest: &ExportManifest) -> u64 {
    manifest
        .files()
        .iter()
        .fold(0u64, |total, f| total.saturating_add(f.size))
}

/// Verify the envelope against `policy` (keys and threshold), read the signed manifest, check
/// that `manifest_json` (when given: the manifest file shipped with the export) is the signed one,
/// and compare the export under `root` with it. Differences are reported in the result, not as
/// errors; paths in `exclude` (the manifest and envelope kept inside the export) are skipped.
///
/// # Errors
/// Verification failures ([`Error::is_verification_failure`]): a bad signature, a statement of
/// another predicate type
/// ([`Error::PredicateTypeMismatch`]), a manifest that is not the signed one or
/// subjects that disagree with it ([`Error::ManifestMismatch`]). Input errors: malformed JSON,
/// an unreadable export.
pub fn verify_export(
    root: &Path,
    envelope_json: &[u8],
    manifest_json: Option<&[u8]>,
    policy: &VerificationPolicy,
    exclude: &[String],
) -> Result<ExportVerification> {
    let (_, keys, statement) = verified_statement(envelope_json, policy, EXPORT_PREDICATE_TYPE)?;
    let manifest = ExportManifest::from_value(statement.predicate().clone())?;
    if let Some(given) = manifest_json {
        let given = ExportManifest::from_json(given, &document_limits(&EnvelopeLimits::default()))?;
        if given != manifest {
            return Err(Error::ManifestMismatch(
                "the manifest file is not the manifest the envelope signs".into(),
            ));
        }
    }
    if statement.subjects() != manifest.subjects()?.as_slice() {
        return Err(Error::ManifestMismatch(
            "the statement's subjects are not the manifest's files".into(),
        ));
    }
    let diff = check_export(&manifest, root, exclude)?;
    Ok(ExportVerification {
        keys,
        manifest,
        diff,
    })
}
