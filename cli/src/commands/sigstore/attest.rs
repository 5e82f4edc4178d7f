//! `stella attest --keyless` and `--sigstore-bundle`: the statement signed into a Sigstore bundle.

use std::time::Duration;

use stellaops_signer::sigstore::{
    IdentityToken, KeyfulConfig, KeyfulSigner, KeylessConfig, KeylessSigner, RekorVersion,
    SigningServices,
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
    let services = services(k, false)?;
    let mut config = KeyfulConfig::new(services.rekor_url);
    config.timeout = Duration::from_secs(k.timeout_seconds);
    config.retries = k.retries;
    config.trusted_root.clone_from(&k.trusted_root);
    config.timestamp_url = services.timestamp_url;
    config.rekor_version = services.rekor_version;
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

/// The keyless signer the flags describe.
fn keyless_signer(k: &KeylessArgs) -> Result<KeylessSigner, Failure> {
    let services = services(k, true)?;
    let token = match &k.identity_token_file {
        Some(path) => IdentityToken::from_file(path)?,
        None => IdentityToken::from_environment()?,
    };
    let mut config =
        KeylessConfig::new(services.fulcio_url.unwrap_or_default(), services.rekor_url);
    config.timeout = Duration::from_secs(k.timeout_seconds);
    config.retries = k.retries;
    config.oidc_issuer.clone_from(&k.oidc_issuer);
    config.trusted_root.clone_from(&k.trusted_root);
    config.require_sct = !k.allow_missing_sct;
    config.timestamp_url = services.timestamp_url;
    config.rekor_version = services.rekor_version;
    Ok(KeylessSigner::new(&config, token)?)
}

/// The services to sign with: from `--signing-config`, else from the URL flags (clap keeps the
/// two apart). `keyless` needs a Fulcio too.
fn services(k: &KeylessArgs, keyless: bool) -> Result<SigningServices, Failure> {
    if let Some(path) = &k.signing_config {
        let services = SigningServices::from_file(path)?;
        if keyless && services.fulcio_url.is_none() {
            return Err(Failure::Usage(format!(
                "{}: the signing config names no Fulcio valid now",
                path.display()
            )));
        }
        return Ok(services);
    }
    let (Some(rekor_url), true) = (&k.rekor_url, !keyless || k.fulcio_url.is_some()) else {
        return Err(Failure::Usage(if keyless {
            "keyless signing needs --signing-config, or --fulcio-url and --rekor-url".into()
        } else {
            "a Sigstore bundle needs --signing-config or --rekor-url".into()
        }));
    };
    Ok(SigningServices {
        fulcio_url: k.fulcio_url.clone(),
        rekor_url: rekor_url.clone(),
        rekor_version: if k.rekor_version == 2 {
            RekorVersion::V2
        } else {
            RekorVersion::V1
        },
        timestamp_url: k.timestamp_url.clone(),
        oidc_url: None,
    })
}
