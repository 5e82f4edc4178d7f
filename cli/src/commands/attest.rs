//! `stella attest`.

use std::time::Duration;

use stellaops_signer::sigstore::{
    BundleSigner, IdentityToken, KeyfulConfig, KeyfulSigner, KeylessConfig, KeylessSigner,
};
use stellaops_signer::{
    attest, attest_bundle, Admission, AttestOptions, EnforcementMode, SigningKey,
};

use crate::cli::{AttestArgs, KeylessArgs, PolicyModeArg};
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
    let artifacts: Vec<&std::path::Path> = a.artifacts.iter().map(|p| p.as_path()).collect();
    if a.keyless.keyless {
        let signer = keyless_signer(&a.keyless)?;
        let json = bundle(&signer, a, &predicate, &artifacts, &options)?;
        crate::term::note!(
            "stella: signed keylessly as {} (issuer {}); logged in Rekor",
            signer.identity(),
            signer.issuer()
        );
        return write(a, json);
    }
    // Keys reserved to a predicate family (sbom, vex, ...) are chosen by the family's name.
    let family = stellaops_signer::catalog::resolve(&a.predicate_type)
        .ok()
        .and_then(|uri| stellaops_signer::catalog::family(&uri))
        .map(|f| f.name());
    let mut keys = signing_keys(&a.keys, &a.tenant, family)?;
    if a.keyless.sigstore_bundle {
        let (Some(key), None) = (keys.pop(), keys.pop()) else {
            return Err(Failure::Usage(
                "a Sigstore bundle holds one signature: give exactly one --key (sign once per \
                 key for more)"
                    .into(),
            ));
        };
        let k = &a.keyless;
        let mut config = KeyfulConfig::new(k.rekor_url.clone().unwrap_or_default());
        config.timeout = Duration::from_secs(k.timeout_seconds);
        config.retries = k.retries;
        config.trusted_root.clone_from(&k.trusted_root);
        let signer = KeyfulSigner::new(&config, key)?;
        let json = bundle(&signer, a, &predicate, &artifacts, &options)?;
        crate::term::note!(
            "stella: signed with key {}; logged in Rekor",
            signer.key().key_id()
        );
        return write(a, json);
    }
    let attestation = attest(
        &super::as_dyn(&keys),
        &a.predicate_type,
        &predicate,
        &artifacts,
        &options,
    )?;
    warn_unlisted(
        attestation.admission,
        attestation.statement.predicate_type(),
    );
    write(a, attestation.envelope.to_json())
}

/// The statement, signed into a Sigstore bundle by `signer`.
fn bundle(
    signer: &dyn BundleSigner,
    a: &AttestArgs,
    predicate: &[u8],
    artifacts: &[&std::path::Path],
    options: &AttestOptions,
) -> Result<Vec<u8>, Failure> {
    let attestation = attest_bundle(signer, &a.predicate_type, predicate, artifacts, options)?;
    warn_unlisted(
        attestation.admission,
        attestation.statement.predicate_type(),
    );
    Ok(attestation.bundle.json)
}

/// The envelope or bundle to --out (atomically), or to stdout with a newline.
fn write(a: &AttestArgs, mut json: Vec<u8>) -> Result<(), Failure> {
    if a.out.is_none() {
        json.push(b'\n');
    }
    write_output(a.out.as_deref(), &json)
}

fn warn_unlisted(admission: Admission, predicate_type: &str) {
    if admission == Admission::Unlisted(EnforcementMode::Warn) {
        crate::term::note!(
            "stella: warning: predicate type {predicate_type} is not in the catalog"
        );
    }
}

/// The keyless signer the flags describe (clap has made sure both URLs are there).
fn keyless_signer(k: &KeylessArgs) -> Result<KeylessSigner, Failure> {
    let token = match &k.identity_token_file {
        Some(path) => IdentityToken::from_file(path)?,
        None => IdentityToken::from_environment()?,
    };
    let mut config = KeylessConfig::new(
        k.fulcio_url.clone().unwrap_or_default(),
        k.rekor_url.clone().unwrap_or_default(),
    );
    config.timeout = Duration::from_secs(k.timeout_seconds);
    config.retries = k.retries;
    config.oidc_issuer.clone_from(&k.oidc_issuer);
    config.trusted_root.clone_from(&k.trusted_root);
    config.require_sct = !k.allow_missing_sct;
    Ok(KeylessSigner::new(&config, token)?)
}
