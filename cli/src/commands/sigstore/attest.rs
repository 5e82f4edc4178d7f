//! `stella attest --keyless` and `--sigstore-bundle`: the statement signed into a Sigstore bundle.

use std::time::Duration;

use stellaops_signer::sigstore::{
    IdentityToken, KeyfulConfig, KeyfulSigner, KeylessConfig, KeylessSigner, RekorVersion,
};
use stellaops_signer::{
    AllowList, Authority, IssuerMode, OpenedKey, Outcome, SigningKey, Statement,
};

use crate::cli::KeylessArgs;
use crate::Failure;

/// Signs keylessly (Fulcio certificate for the identity token, logged in Rekor).
pub(crate) fn keyless(
    k: &KeylessArgs,
    statement: Statement,
    allow_list: AllowList,
) -> Result<Outcome, Failure> {
    let signer = keyless_signer(k)?;
    let outcome = Authority::bundle(&signer, IssuerMode::Keyless)
        .allow_list(allow_list)
        .sign_statement(statement, None)?;
    crate::term::note!(
        "stella: signed keylessly as {} (issuer {}); logged in Rekor",
        signer.identity(),
        signer.issuer()
    );
    Ok(outcome)
}

/// Signs with one key into a bundle whose signature is logged in Rekor.
pub(crate) fn keyful(
    k: &KeylessArgs,
    key: OpenedKey,
    statement: Statement,
    allow_list: AllowList,
) -> Result<Outcome, Failure> {
    let mut config = KeyfulConfig::new(k.rekor_url.clone().unwrap_or_default());
    config.timeout = Duration::from_secs(k.timeout_seconds);
    config.retries = k.retries;
    config.trusted_root.clone_from(&k.trusted_root);
    config.timestamp_url.clone_from(&k.timestamp_url);
    config.rekor_version = rekor_version(k);
    let mode = IssuerMode::of_scheme(key.scheme());
    let signer = KeyfulSigner::new(&config, key)?;
    let outcome = Authority::bundle(&signer, mode)
        .allow_list(allow_list)
        .sign_statement(statement, None)?;
    crate::term::note!(
        "stella: signed with key {}; logged in Rekor",
        signer.key().key_id()
    );
    Ok(outcome)
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
    config.timestamp_url.clone_from(&k.timestamp_url);
    config.rekor_version = rekor_version(k);
    Ok(KeylessSigner::new(&config, token)?)
}

/// The Rekor API the flags name (clap allows 1 and 2 only).
fn rekor_version(k: &KeylessArgs) -> RekorVersion {
    if k.rekor_version == 2 {
        RekorVersion::V2
    } else {
        RekorVersion::V1
    }
}
