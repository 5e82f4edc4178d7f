//! Keyless attestations: the statement [`attest`](crate::attest) would sign, signed instead by
//! an ephemeral key Fulcio certifies for an OIDC identity, logged in Rekor, and returned as a
//! Sigstore bundle v0.3 (see [`crate::sigstore`]).

use std::path::Path;

use stellaops_predicates::{Admission, Statement, PAYLOAD_TYPE};

use crate::attest::{admitted_statement, file_subjects};
use crate::sigstore::{KeylessBundle, KeylessSigner};
use crate::{AttestOptions, Result};

/// A keylessly signed attestation.
#[derive(Clone, Debug)]
pub struct KeylessAttestation {
    /// The statement that was signed.
    pub statement: Statement,
    /// The Sigstore bundle carrying it (canonical JSON), with its envelope and chain.
    pub bundle: KeylessBundle,
    /// What the allow-list said about the predicate type.
    pub admission: Admission,
}

/// As [`attest`](crate::attest), signed keylessly by `signer` into a Sigstore bundle. The
/// statement is built and admitted before anything is sent to Fulcio or Rekor.
///
/// # Errors
/// As [`attest`](crate::attest) for the statement; [`crate::Error::Sigstore`] for the token,
/// Fulcio, Rekor, and the verification after signing.
pub fn attest_keyless(
    signer: &KeylessSigner,
    predicate_type: &str,
    predicate_json: &[u8],
    artifacts: &[&Path],
    options: &AttestOptions,
) -> Result<KeylessAttestation> {
    let (statement, admission) = admitted_statement(
        predicate_type,
        predicate_json,
        options,
        file_subjects(artifacts, options),
    )?;
    let bundle = signer.sign(PAYLOAD_TYPE, &statement.to_json()?)?;
    Ok(KeylessAttestation {
        statement,
        bundle,
        admission,
    })
}
