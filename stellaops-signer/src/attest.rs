//! Signing payloads and attesting artifacts.

use std::path::Path;

use stellaops_crypto::SigningKey;
use stellaops_dsse::canon::Limits;
use stellaops_dsse::Envelope;
use stellaops_predicates::{
    catalog, Admission, AllowList, EnforcementMode, Statement, StatementBuilder, Subject,
    PAYLOAD_TYPE,
};

use crate::Result;

/// How [`attest`] builds the statement.
#[derive(Clone, Debug)]
pub struct AttestOptions {
    /// Which predicate types are admitted (default: the catalog, warning on anything else).
    pub allow_list: AllowList,
    /// Also give subjects SHA-512 digests.
    pub sha512: bool,
    /// Limits for parsing the predicate JSON.
    pub limits: Limits,
}

impl Default for AttestOptions {
    fn default() -> Self {
        AttestOptions {
            allow_list: AllowList::catalog(EnforcementMode::Warn),
            sha512: false,
            limits: Limits::default(),
        }
    }
}

impl AttestOptions {
    /// The defaults, with the catalog as allow-list under `mode`.
    pub fn with_enforcement(mode: EnforcementMode) -> Self {
        AttestOptions {
            allow_list: AllowList::catalog(mode),
            ..AttestOptions::default()
        }
    }
}

/// A signed attestation.
#[derive(Clone, Debug)]
pub struct Attestation {
    /// The statement that was signed.
    pub statement: Statement,
    /// The envelope carrying it.
    pub envelope: Envelope,
    /// What the allow-list said about the predicate type.
    pub admission: Admission,
}

/// Sign `payload` as `payload_type` with every key (multi-signature).
///
/// A payload of the in-toto type (`application/vnd.in-toto+json`) must be a statement that
/// [`verify`](crate::verify) reads (v1 or v0.1, within the default payload limits): what
/// verification would refuse is refused here, before anything is signed.
///
/// # Errors
/// As [`Envelope::sign`]; a statement error for an in-toto payload that is not one.
pub fn sign(payload_type: &str, payload: Vec<u8>, keys: &[&dyn SigningKey]) -> Result<Envelope> {
    if payload_type == PAYLOAD_TYPE {
        let limits = crate::verify::document_limits(&stellaops_dsse::EnvelopeLimits::default());
        Statement::from_json(&payload, &limits)?;
    }
    Ok(Envelope::sign(payload_type, payload, keys)?)
}

/// Build an in-toto v1 statement over `artifacts` (hashed by streaming) with the predicate
/// `predicate_json` (parsed strictly) of `predicate_type` (a URI or catalog short name), and sign
/// it with every key.
///
/// # Errors
/// Unknown short names, a predicate type the allow-list rejects, unreadable artifacts, malformed
/// predicate JSON, signing failures.
pub fn attest(
    keys: &[&dyn SigningKey],
    predicate_type: &str,
    predicate_json: &[u8],
    artifacts: &[&Path],
    options: &AttestOptions,
) -> Result<Attestation> {
    attest_with(
        keys,
        predicate_type,
        predicate_json,
        options,
        file_subjects(artifacts, options),
    )
}

/// As [`attest`], for subjects whose digests the caller already has (an image digest from a
/// registry, files hashed elsewhere). [`AttestOptions::sha512`] does not apply.
///
/// # Errors
/// As [`attest`]; [`stellaops_predicates::Error::NoSubjects`] for an empty list.
pub fn attest_subjects(
    keys: &[&dyn SigningKey],
    predicate_type: &str,
    predicate_json: &[u8],
    subjects: Vec<Subject>,
    options: &AttestOptions,
) -> Result<Attestation> {
    attest_with(
        keys,
        predicate_type,
        predicate_json,
        options,
        given_subjects(subjects),
    )
}

/// No keys is the caller's mistake whatever the predicate says: report it before looking at the
/// predicate.
pub(crate) fn require_keys(keys: &[&dyn SigningKey]) -> Result<()> {
    if keys.is_empty() {
        return Err(stellaops_dsse::Error::NoSigningKeys.into());
    }
    Ok(())
}

fn attest_with(
    keys: &[&dyn SigningKey],
    predicate_type: &str,
    predicate_json: &[u8],
    options: &AttestOptions,
    add_subjects: impl FnOnce(StatementBuilder) -> stellaops_predicates::Result<StatementBuilder>,
) -> Result<Attestation> {
    require_keys(keys)?;
    let (statement, admission) =
        admitted_statement(predicate_type, predicate_json, options, add_subjects)?;
    let envelope = Envelope::sign(PAYLOAD_TYPE, statement.to_json()?, keys)?;
    Ok(Attestation {
        statement,
        envelope,
        admission,
    })
}

/// The statement [`attest`] signs, built and admitted but not signed: the predicate type
/// resolved and admitted by the allow-list, the predicate parsed strictly, the subjects added.
pub(crate) fn admitted_statement(
    predicate_type: &str,
    predicate_json: &[u8],
    options: &AttestOptions,
    add_subjects: impl FnOnce(StatementBuilder) -> stellaops_predicates::Result<StatementBuilder>,
) -> Result<(Statement, Admission)> {
    let uri = catalog::resolve(predicate_type)?;
    let admission = options.allow_list.admit(&uri)?;
    let builder = StatementBuilder::new(uri).predicate_json(predicate_json, &options.limits)?;
    Ok((add_subjects(builder)?.build()?, admission))
}

/// Add the subjects as they are.
pub(crate) fn given_subjects(
    subjects: Vec<Subject>,
) -> impl FnOnce(StatementBuilder) -> stellaops_predicates::Result<StatementBuilder> {
    move |builder| {
        Ok(subjects
            .into_iter()
            .fold(builder, StatementBuilder::subject))
    }
}

/// Add a subject per artifact (hashed by streaming), with SHA-512 too when `options` say so.
pub(crate) fn file_subjects<'a>(
    artifacts: &'a [&'a Path],
    options: &'a AttestOptions,
) -> impl FnOnce(StatementBuilder) -> stellaops_predicates::Result<StatementBuilder> + 'a {
    move |mut builder| {
        if options.sha512 {
            builder = builder.with_sha512();
        }
        for artifact in artifacts {
            builder = builder.subject_from_file(artifact, None)?;
        }
        Ok(builder)
    }
}

/// Sign a statement a flow has built (an SBOM's, a report's, a promotion's) with every key,
/// after the allow-list admits its predicate type.
pub(crate) fn attest_statement(
    keys: &[&dyn SigningKey],
    statement: Statement,
    allow_list: &AllowList,
) -> Result<Attestation> {
    require_keys(keys)?;
    let admission = allow_list.admit(statement.predicate_type())?;
    let envelope = Envelope::sign(PAYLOAD_TYPE, statement.to_json()?, keys)?;
    Ok(Attestation {
        statement,
        envelope,
        admission,
    })
}
