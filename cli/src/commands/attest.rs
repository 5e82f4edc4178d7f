//! `stella attest`.

use stellaops_signer::canon::Limits;
use stellaops_signer::{
    artifact_subjects, predicate_statement, AllowList, Authority, EnforcementMode, OpenedKey,
    Outcome,
};

use super::sigstore;
use crate::cli::{AttestArgs, PolicyModeArg};
use crate::io::{read_input, signing_keys, write_output};
use crate::Failure;

pub(crate) fn run(a: &AttestArgs) -> Result<(), Failure> {
    let mode = match a.policy_mode {
        PolicyModeArg::LogOnly => EnforcementMode::LogOnly,
        PolicyModeArg::Warn => EnforcementMode::Warn,
        PolicyModeArg::Reject => EnforcementMode::Reject,
    };
    let allow_list = AllowList::catalog(mode);
    let predicate = read_input(&a.predicate)?;
    let artifacts: Vec<&std::path::Path> = a.artifacts.iter().map(|p| p.as_path()).collect();
    // The statement is built (and its predicate type resolved) before any key is opened or
    // anything is sent to Fulcio or Rekor.
    let statement = predicate_statement(
        &a.predicate_type,
        &predicate,
        artifact_subjects(&artifacts, a.sha512)?,
        &Limits::default(),
    )?;
    if a.keyless.keyless {
        let outcome = sigstore::keyless(&a.keyless, statement, allow_list)?;
        warn_unlisted(&outcome);
        return write(a, outcome.into_json());
    }
    // Keys reserved to a predicate family (sbom, vex, ...) are chosen by the family's name.
    let family = stellaops_signer::catalog::family(statement.predicate_type()).map(|f| f.name());
    let keys = signing_keys(&a.keys, &a.tenant, family)?;
    if a.keyless.sigstore_bundle {
        let key = sigstore::one_key(keys)?;
        let outcome = sigstore::keyful(&a.keyless, key, statement, allow_list)?;
        warn_unlisted(&outcome);
        return write(a, outcome.into_json());
    }
    let keys: Vec<&OpenedKey> = keys.iter().collect();
    let outcome = Authority::opened_keys(&keys)
        .allow_list(allow_list)
        .sign_statement(statement, None)?;
    warn_unlisted(&outcome);
    write(a, outcome.into_json())
}

/// The envelope or bundle to --out (atomically), or to stdout with a newline.
fn write(a: &AttestArgs, mut json: Vec<u8>) -> Result<(), Failure> {
    if a.out.is_none() {
        json.push(b'\n');
    }
    write_output(a.out.as_deref(), &json)
}

fn warn_unlisted(outcome: &Outcome) {
    if let Some(warning) = outcome.warning() {
        crate::term::note!("stella: warning: {warning}");
    }
}
