//! The cosign commands: `sign-blob`, `attest-blob`, `verify-blob`, `verify-blob-attestation`,
//! with cosign's flags and its defaults (keyless without --key, Sigstore's public-good instance
//! without service flags). They run the same signers and the same verification as `stella
//! attest` and `stella verify --bundle`; docs/cosign.md lists where they differ from cosign.

use std::path::Path;
use std::time::Duration;

use stellaops_signer::canon::Limits;
use stellaops_signer::sigstore::{SigningServices, PUBLIC_GOOD_AS_OF};
use stellaops_signer::{
    artifact_subjects, predicate_statement, AllowList, Authority, BundlePolicy, EnforcementMode,
    IssuerMode,
};

use super::attest::{
    keyful_statement, keyless_statement, note_keyful, note_keyless, BundleSigning, TokenSource,
};
use super::verify::{BundleCheck, Root};
use crate::cli::{
    AttestBlobArgs, CosignSigning, CosignVerifying, SignBlobArgs, VerifyBlobArgs,
    VerifyBlobAttestationArgs,
};
use crate::io::{read_input, signing_keys, write_output};
use crate::Failure;

/// Further attempts after a connection failure or a 5xx answer.
const RETRIES: u32 = 2;

/// `stella sign-blob`: the blob's own signature in a bundle (a message signature).
pub(crate) fn sign_blob(a: &SignBlobArgs) -> Result<(), Failure> {
    let signing = describe(&a.signing)?;
    let blob = read_blob(&a.blob)?;
    let signed = match &a.signing.key {
        Some(name) => {
            let key = one_key(name)?;
            let mode = IssuerMode::of_scheme(key.scheme());
            let signer = signing.keyful_signer(key)?;
            let signed = Authority::bundle(&signer, mode).sign_blob(&blob)?;
            note_keyful(&signer);
            signed
        }
        None => {
            let signer = signing.keyless_signer()?;
            let signed = Authority::bundle(&signer, IssuerMode::Keyless).sign_blob(&blob)?;
            note_keyless(&signer);
            signed
        }
    };
    write_bundle(&a.signing, &signed.json)
}

/// `stella attest-blob`: an in-toto statement about the blob, in a bundle.
pub(crate) fn attest_blob(a: &AttestBlobArgs) -> Result<(), Failure> {
    let signing = describe(&a.signing)?;
    let predicate = read_input(&a.predicate)?;
    let statement = predicate_statement(
        &predicate_type(&a.predicate_type)?,
        &predicate,
        artifact_subjects(&[a.blob.as_path()], false)?,
        &Limits::default(),
    )?;
    let allow_list = AllowList::catalog(EnforcementMode::Warn);
    let outcome = match &a.signing.key {
        Some(name) => keyful_statement(&signing, one_key(name)?, statement, allow_list)?,
        None => keyless_statement(&signing, statement, allow_list)?,
    };
    if let Some(warning) = outcome.warning() {
        crate::term::note!("stella: warning: {warning}");
    }
    write_bundle(&a.signing, outcome.json())
}

/// `stella verify-blob`.
pub(crate) fn verify_blob(a: &VerifyBlobArgs) -> Result<(), Failure> {
    check(&a.verifying, None, Some(&a.blob))
}

/// `stella verify-blob-attestation`.
pub(crate) fn verify_blob_attestation(a: &VerifyBlobAttestationArgs) -> Result<(), Failure> {
    if !a.check_claims && a.blob.is_some() {
        return Err(Failure::Usage(
            "--check-claims=false checks the signature only: give no blob".into(),
        ));
    }
    let predicate_type = a
        .predicate_type
        .as_deref()
        .map(predicate_type)
        .transpose()?;
    check(&a.verifying, predicate_type, a.blob.as_deref())
}

fn check(
    v: &CosignVerifying,
    predicate_type: Option<String>,
    artifact: Option<&Path>,
) -> Result<(), Failure> {
    let issuer = match (
        &v.certificate_oidc_issuer,
        &v.certificate_oidc_issuer_regexp,
    ) {
        (Some(exact), None) => Some(stellaops_signer::Issuer::Required(exact.clone())),
        (None, Some(pattern)) => Some(stellaops_signer::Issuer::Pattern(pattern.clone())),
        _ => None,
    };
    let key = v.key.as_deref().map(read_input).transpose()?;
    let signer = stellaops_signer::bundle_policy(
        v.certificate_identity.clone(),
        v.certificate_identity_regexp.clone(),
        issuer,
        key.as_deref(),
    )?;
    let mut policy = BundlePolicy::new(signer);
    policy.predicate_type = predicate_type;
    policy.options.insecure_ignore_tlog = v.insecure_ignore_tlog;
    policy.options.insecure_ignore_sct = v.insecure_ignore_sct;
    BundleCheck {
        bundle: &v.bundle,
        root: v
            .trusted_root
            .as_deref()
            .map_or(Root::PublicGood, Root::File),
        rekor_key: v.rekor_key.as_deref(),
        policy,
        artifact,
        ignore_artifact: artifact.is_none(),
        offline: false,
        json: v.json,
    }
    .run()
}

/// cosign's predicate type names (`custom`, `vuln`, `link` are cosign's own URIs), else the
/// catalog's names, else the URI as given.
fn predicate_type(name: &str) -> Result<String, Failure> {
    let cosign = match name {
        "custom" => "https://cosign.sigstore.dev/attestation/v1",
        "vuln" => "https://cosign.sigstore.dev/attestation/vuln/v1",
        "link" => "https://in-toto.io/Link/v1",
        other => {
            return stellaops_signer::catalog::resolve(other)
                .map_err(|e| stellaops_signer::Error::from(e).into())
        }
    };
    Ok(cosign.to_owned())
}

/// Services, timeouts, token and checks as cosign's flags give them: a signing config; else
/// the URL flags, each unset one the public-good instance's (and no timestamp authority unless
/// named, as cosign v2); else the built-in public-good signing config.
fn describe(s: &CosignSigning) -> Result<BundleSigning, Failure> {
    if !s.new_bundle_format {
        return Err(Failure::Usage(
            "--new-bundle-format=false: only the Sigstore bundle (v0.3) is written".into(),
        ));
    }
    let services = if let Some(path) = &s.signing_config {
        SigningServices::from_file(path)?
    } else {
        let public_good = SigningServices::public_good()?;
        if s.fulcio_url.is_none() && s.rekor_url.is_none() && s.timestamp_server_url.is_none() {
            crate::term::note!(
                "stella: signing with Sigstore's public-good instance (built-in signing config \
                 of {PUBLIC_GOOD_AS_OF}): {}, {}",
                public_good.fulcio_url.as_deref().unwrap_or("no Fulcio"),
                public_good.rekor_url
            );
            public_good
        } else {
            SigningServices {
                fulcio_url: s.fulcio_url.clone().or(public_good.fulcio_url),
                rekor_url: s.rekor_url.clone().unwrap_or(public_good.rekor_url),
                rekor_version: stellaops_signer::sigstore::RekorVersion::V1,
                timestamp_url: s.timestamp_server_url.clone(),
                oidc_url: None,
            }
        }
    };
    let token = match &s.identity_token {
        // cosign takes the token or a file holding it: a file that exists is read.
        Some(text) if Path::new(text).is_file() => TokenSource::File(text.into()),
        Some(text) => TokenSource::Text(text.clone()),
        None => TokenSource::Ambient,
    };
    Ok(BundleSigning {
        services,
        timeout: Duration::from_secs(s.timeout_seconds),
        retries: RETRIES,
        trusted_root: s.trusted_root.clone(),
        token,
        oidc_issuer: None,
        require_sct: true,
    })
}

fn one_key(name: &str) -> Result<stellaops_signer::OpenedKey, Failure> {
    let keys = signing_keys(
        std::slice::from_ref(&name.to_owned()),
        &crate::cli::TenantArgs {
            tenant: None,
            plan: None,
            key_config: None,
        },
        None,
    )?;
    super::one_key(keys)
}

/// The blob, read whole (it is signed whole): at most the signers' limit, refused before
/// reading.
fn read_blob(path: &Path) -> Result<Vec<u8>, Failure> {
    let limit = usize::try_from(stellaops_signer::sigstore::MAX_BLOB_BYTES).unwrap_or(usize::MAX);
    Ok(stellaops_signer::files::read_limited(path, limit)?)
}

fn write_bundle(s: &CosignSigning, json: &[u8]) -> Result<(), Failure> {
    write_output(Some(&s.bundle), json)?;
    crate::term::note!("stella: wrote the bundle to {}", s.bundle.display());
    Ok(())
}
