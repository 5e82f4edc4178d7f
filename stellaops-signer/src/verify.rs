//! Verifying envelopes, statements and artifacts together.

use std::path::{Path, PathBuf};

use stellaops_dsse::{canon::Limits, Envelope, EnvelopeLimits, VerificationPolicy, VerifiedKey};
use stellaops_predicates::{digest_file, Statement, PAYLOAD_TYPE};

use crate::{Error, Result};

/// An artifact found among the statement's subjects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactMatch {
    /// The artifact checked.
    pub path: PathBuf,
    /// The subject it matched.
    pub subject: String,
}

/// What verification established.
#[derive(Clone, Debug)]
pub struct Verification {
    /// The envelope (its signatures verified per the policy).
    pub envelope: Envelope,
    /// The distinct trusted keys that verified.
    pub keys: Vec<VerifiedKey>,
    /// The statement, when the payload is an in-toto statement (v1 or v0.1).
    pub statement: Option<Statement>,
    /// Each artifact given and the subject it matched.
    pub artifacts: Vec<ArtifactMatch>,
}

impl Verification {
    /// Require the verified statement's predicate type (a URI, or a catalog short name resolved
    /// to its URI), as cosign's `--type`.
    ///
    /// # Errors
    /// [`Error::PredicateTypeMismatch`] for another type or no statement at all;
    /// [`Error::Predicates`] for an unknown short name.
    pub fn require_predicate_type(&self, name_or_uri: &str) -> Result<()> {
        let expected = stellaops_predicates::catalog::resolve(name_or_uri)?;
        let found = self
            .statement
            .as_ref()
            .map_or("(no in-toto statement)", |s| s.predicate_type());
        if found == expected {
            Ok(())
        } else {
            Err(Error::PredicateTypeMismatch {
                expected,
                found: stellaops_poe::audit::bound_text(found, 256).0.to_owned(),
            })
        }
    }
}

/// The in-toto statement (v1 or v0.1) an envelope carries, parsed strictly within `limits`;
/// `None` when the payload type is not in-toto. Does not verify anything.
///
/// # Errors
/// A malformed statement behind an in-toto payload type.
pub fn statement_of(envelope: &Envelope, limits: &EnvelopeLimits) -> Result<Option<Statement>> {
    if envelope.payload_type() != PAYLOAD_TYPE {
        return Ok(None);
    }
    Ok(Some(Statement::from_json(
        envelope.payload(),
        &document_limits(limits),
    )?))
}

/// The JSON limits for documents inside an envelope (statements, manifests): its payload limits.
pub(crate) fn document_limits(limits: &EnvelopeLimits) -> Limits {
    Limits {
        max_bytes: limits.max_payload_bytes,
        max_depth: limits.max_depth,
    }
}

/// Parse `envelope_json`, verify it against `policy`, and return the trusted keys that verified
/// and the in-toto statement it carries, which must be of `predicate_type`.
///
/// # Errors
/// Parse and verification errors; [`Error::NotAStatement`]; [`Error::PredicateTypeMismatch`].
pub(crate) fn verified_statement(
    envelope_json: &[u8],
    policy: &VerificationPolicy,
    predicate_type: &str,
) -> Result<(Envelope, Vec<VerifiedKey>, Statement)> {
    let limits = EnvelopeLimits::default();
    let envelope = Envelope::from_json(envelope_json, &limits)?;
    let keys = envelope.verify(policy)?.keys().to_vec();
    let statement = statement_of(&envelope, &limits)?
        .ok_or_else(|| Error::NotAStatement(envelope.payload_type().to_owned()))?;
    if statement.predicate_type() != predicate_type {
        return Err(Error::PredicateTypeMismatch {
            expected: predicate_type.to_owned(),
            found: statement.predicate_type().to_owned(),
        });
    }
    Ok((envelope, keys, statement))
}

/// Parse `envelope_json`, then [`verify_envelope`].
///
/// # Errors
/// Parse errors, and everything [`verify_envelope`] reports.
pub fn verify(
    envelope_json: &[u8],
    policy: &VerificationPolicy,
    artifacts: &[&Path],
    limits: &EnvelopeLimits,
) -> Result<Verification> {
    let envelope = Envelope::from_json(envelope_json, limits)?;
    verify_envelope(envelope, policy, artifacts, limits)
}

/// Verify a parsed envelope against `policy`, read the in-toto statement it carries (if any,
/// strictly: a malformed statement behind an in-toto payload type is an error), and check every
/// artifact's digests against the statement's subjects, for whichever of sha256/sha384/sha512 the
/// subjects list.
///
/// # Errors
/// Verification failures ([`Error::is_verification_failure`]); a malformed statement behind an
/// in-toto payload type; [`Error::NotAStatement`] when artifacts are given for another payload
/// type; [`Error::ArtifactNotInSubjects`]; [`Error::NoComparableDigest`].
pub fn verify_envelope(
    envelope: Envelope,
    policy: &VerificationPolicy,
    artifacts: &[&Path],
    limits: &EnvelopeLimits,
) -> Result<Verification> {
    let keys = envelope.verify(policy)?.keys().to_vec();
    let statement = statement_of(&envelope, limits)?;
    let mut matches = Vec::with_capacity(artifacts.len());
    if !artifacts.is_empty() {
        let statement = statement
            .as_ref()
            .ok_or_else(|| Error::NotAStatement(envelope.payload_type().to_owned()))?;
        let algorithms = statement.subject_algorithms();
        if algorithms.is_empty() {
            return Err(Error::NoComparableDigest);
        }
        for path in artifacts {
            let computed = digest_file(path, &algorithms)?;
            let subject = statement.matching_subject(&computed).ok_or_else(|| {
                Error::ArtifactNotInSubjects {
                    path: path.display().to_string(),
                }
            })?;
            matches.push(ArtifactMatch {
                path: path.to_path_buf(),
                subject: subject.name().to_owned(),
            });
        }
    }
    Ok(Verification {
        envelope,
        keys,
        statement,
        artifacts: matches,
    })
}
