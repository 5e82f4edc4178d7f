//! Signing into Sigstore bundles: `stella attest --keyless` / `--sigstore-bundle` and the cosign
//! commands (`sign-blob`, `attest-blob`). Both describe the services and the token the same way
//! ([`BundleSigning`]); the signers come from there.

use std::path::PathBuf;
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

/// Where the identity token comes from.
#[derive(Debug)]
pub(crate) enum TokenSource {
    /// A file holding it.
    File(PathBuf),
    /// The token itself.
    Text(String),
    /// The ambient places ([`IdentityToken::from_environment`]).
    Ambient,
}

/// How to sign into a bundle: the services, their timeouts, the token and the checks.
#[derive(Debug)]
pub(crate) struct BundleSigning {
    pub(crate) services: SigningServices,
    pub(crate) timeout: Duration,
    pub(crate) retries: u32,
    pub(crate) trusted_root: Option<PathBuf>,
    pub(crate) token: TokenSource,
    pub(crate) oidc_issuer: Option<String>,
    pub(crate) require_sct: bool,
}

impl BundleSigning {
    /// What `stella attest`'s flags describe (`keyless`: a Fulcio is needed too).
    pub(crate) fn from_args(k: &KeylessArgs, keyless: bool) -> Result<Self, Failure> {
        Ok(BundleSigning {
            services: services(k, keyless)?,
            timeout: Duration::from_secs(k.timeout_seconds),
            retries: k.retries,
            trusted_root: k.trusted_root.clone(),
            token: k
                .identity_token_file
                .clone()
                .map_or(TokenSource::Ambient, TokenSource::File),
            oidc_issuer: k.oidc_issuer.clone(),
            require_sct: !k.allow_missing_sct,
        })
    }

    /// The keyless signer this describes.
    pub(crate) fn keyless_signer(&self) -> Result<KeylessSigner, Failure> {
        let token = match &self.token {
            TokenSource::File(path) => IdentityToken::from_file(path)?,
            TokenSource::Text(text) => IdentityToken::parse(text.trim())?,
            TokenSource::Ambient => IdentityToken::from_environment()?,
        };
        let Some(fulcio_url) = self.services.fulcio_url.clone() else {
            return Err(Failure::Usage(
                "keyless signing needs a Fulcio: the signing config names none valid now".into(),
            ));
        };
        let mut config = KeylessConfig::new(fulcio_url, self.services.rekor_url.clone());
        config.timeout = self.timeout;
        config.retries = self.retries;
        config.oidc_issuer.clone_from(&self.oidc_issuer);
        config.trusted_root.clone_from(&self.trusted_root);
        config.require_sct = self.require_sct;
        config
            .timestamp_url
            .clone_from(&self.services.timestamp_url);
        config.rekor_version = self.services.rekor_version;
        Ok(KeylessSigner::new(&config, token)?)
    }

    /// The keyful signer this describes, for `key`.
    pub(crate) fn keyful_signer(&self, key: OpenedKey) -> Result<KeyfulSigner<OpenedKey>, Failure> {
        let mut config = KeyfulConfig::new(self.services.rekor_url.clone());
        config.timeout = self.timeout;
        config.retries = self.retries;
        config.trusted_root.clone_from(&self.trusted_root);
        config
            .timestamp_url
            .clone_from(&self.services.timestamp_url);
        config.rekor_version = self.services.rekor_version;
        Ok(KeyfulSigner::new(&config, key)?)
    }
}

/// Signs keylessly (Fulcio certificate for the identity token, logged in Rekor).
pub(crate) fn keyless(
    k: &KeylessArgs,
    statement: Statement,
    allow_list: AllowList,
) -> Result<Outcome, Failure> {
    keyless_statement(&BundleSigning::from_args(k, true)?, statement, allow_list)
}

/// [`keyless`] for any description of the signing.
pub(crate) fn keyless_statement(
    signing: &BundleSigning,
    statement: Statement,
    allow_list: AllowList,
) -> Result<Outcome, Failure> {
    let signer = signing.keyless_signer()?;
    let outcome = Authority::bundle(&signer, IssuerMode::Keyless)
        .allow_list(allow_list)
        .sign_statement(statement, None)?;
    note_keyless(&signer);
    Ok(outcome)
}

/// Signs with one key into a bundle whose signature is logged in Rekor.
pub(crate) fn keyful(
    k: &KeylessArgs,
    key: OpenedKey,
    statement: Statement,
    allow_list: AllowList,
) -> Result<Outcome, Failure> {
    keyful_statement(
        &BundleSigning::from_args(k, false)?,
        key,
        statement,
        allow_list,
    )
}

/// [`keyful`] for any description of the signing.
pub(crate) fn keyful_statement(
    signing: &BundleSigning,
    key: OpenedKey,
    statement: Statement,
    allow_list: AllowList,
) -> Result<Outcome, Failure> {
    let mode = IssuerMode::of_scheme(key.scheme());
    let signer = signing.keyful_signer(key)?;
    let outcome = Authority::bundle(&signer, mode)
        .allow_list(allow_list)
        .sign_statement(statement, None)?;
    note_keyful(&signer);
    Ok(outcome)
}

pub(crate) fn note_keyless(signer: &KeylessSigner) {
    crate::term::note!(
        "stella: signed keylessly as {} (issuer {}); logged in Rekor",
        signer.identity(),
        signer.issuer()
    );
}

pub(crate) fn note_keyful(signer: &KeyfulSigner<OpenedKey>) {
    crate::term::note!(
        "stella: signed with key {}; logged in Rekor",
        signer.key().key_id()
    );
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
