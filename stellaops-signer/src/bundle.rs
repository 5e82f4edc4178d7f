//! Attestations in Sigstore bundles: the statement [`attest`](crate::attest) would sign, signed
//! instead by a [`BundleSigner`] — keylessly (an ephemeral key Fulcio certifies for an OIDC
//! identity) or with one of our keys — logged in Rekor, and returned as a Sigstore bundle v0.3
//! (see [`crate::sigstore`]).

use std::path::Path;

use stellaops_predicates::{Admission, Statement, PAYLOAD_TYPE};

use crate::attest::{admitted_statement, file_subjects};
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
    let (statement, admission) = admitted_statement(
        predicate_type,
        predicate_json,
        options,
        file_subjects(artifacts, options),
    )?;
    let bundle = signer.sign(PAYLOAD_TYPE, &statement.to_json()?)?;
    Ok(BundleAttestation {
        statement,
        bundle,
        admission,
    })
}
