//! `stella attest`.

use stellaops_signer::{attest, Admission, AttestOptions, EnforcementMode};

use crate::cli::{AttestArgs, PolicyModeArg};
use crate::io::{read_input, signing_keys, write_output};
use crate::Failure;

pub(crate) fn run(a: &AttestArgs) -> Result<(), Failure> {
    let mode = match a.policy_mode {
        PolicyModeArg::LogOnly => EnforcementMode::LogOnly,
        PolicyModeArg::Warn => EnforcementMode::Warn,
        PolicyModeArg::Reject => EnforcementMode::Reject,
    };
    let options = AttestOptions {
        sha512: a.sha512,
        ..AttestOptions::with_enforcement(mode)
    };
    let predicate = read_input(&a.predicate)?;
    // Keys reserved to a predicate family (sbom, vex, ...) are chosen by the family's name.
    let family = stellaops_signer::catalog::resolve(&a.predicate_type)
        .ok()
        .and_then(|uri| stellaops_signer::catalog::family(&uri))
        .map(|f| f.name());
    let keys = signing_keys(&a.keys, &a.tenant, family)?;
    let artifacts: Vec<&std::path::Path> = a.artifacts.iter().map(|p| p.as_path()).collect();
    let attestation = attest(
        &super::as_dyn(&keys),
        &a.predicate_type,
        &predicate,
        &artifacts,
        &options,
    )?;
    if attestation.admission == Admission::Unlisted(EnforcementMode::Warn) {
        eprintln!(
            "stella: warning: predicate type {} is not in the catalog",
            attestation.statement.predicate_type()
        );
    }
    let mut json = attestation.envelope.to_json();
    if a.out.is_none() {
        json.push(b'\n');
    }
    write_output(a.out.as_deref(), &json)
}
