//! Attestations in Sigstore bundles: the statement [`attest`](crate::attest) would sign, signed
//! instead by a [`BundleSigner`] — keylessly (an ephemeral key Fulcio certifies for an OIDC
//! identity) or with one of our keys — logged in Rekor, and returned as a Sigstore bundle v0.3
//! (see [`crate::sigstore`]).

use std::path::Path;

use stellaops_predicates::{Admission, Statement, Subject, PAYLOAD_TYPE};

use crate::attest::{admitted_statement, file_subjects, given_subjects};
use crate::sigstore::{BundleSigner, SignedBundle};
use crate::{AttestOptions, Result};

/// An attestation in a Sigstore bundle.
#[derive(Clone, Debug)]
pub struct BundleAttestation {
    /// The statement that was signed.
    pub statement: Statement,
    /// The Sigstore bundle carrying it (canonical JSON), with its envelope (and chain, keyless).
    pub bundle: SignedBundle,
    /// What the allow-list said about the predicate type.
    pub admission: Admission,
}

/// As [`attest`](crate::attest), signed by `signer` into a Sigstore bundle. The statement is
/// built and admitted before anything is sent to Fulcio or Rekor.
///
/// # Errors
/// As [`attest`](crate::attest) for the statement; [`crate::Error::Sigstore`] for the token,
/// Fulcio, Rekor, and the verification after signing.
pub fn attest_bundle(
    signer: &dyn BundleSigner,
    predicate_type: &str,
    predicate_json: &[u8],
    artifacts: &[&Path],
    options: &AttestOptions,
) -> Result<BundleAttestation> {
    let admitted = admitted_statement(
        predicate_type,
        predicate_json,
        options,
        file_subjects(artifacts, options),
    )?;
    sign_admitted(signer, admitted)
}

/// As [`attest_bundle`], for callers that already hold the subjects' digests (the C ABI, the
/// Python and Node faces).
///
/// # Errors
/// As [`attest_bundle`]; a statement without subjects is refused.
pub fn attest_bundle_subjects(
    signer: &dyn BundleSigner,
    predicate_type: &str,
    predicate_json: &[u8],
    subjects: Vec<Subject>,
    options: &AttestOptions,
) -> Result<BundleAttestation> {
    let admitted = admitted_statement(
        predicate_type,
        predicate_json,
        options,
        given_subjects(subjects),
    )?;
    sign_admitted(signer, admitted)
}

fn sign_admitted(
    signer: &dyn BundleSigner,
    (statement, admission): (Statement, Admission),
) -> Result<BundleAttestation> {
    let bundle = signer.sign(PAYLOAD_TYPE, &statement.to_json()?)?;
    Ok(BundleAttestation {
        statement,
        bundle,
        admission,
    })
}
