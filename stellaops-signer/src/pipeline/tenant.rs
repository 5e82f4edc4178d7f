//! The pipeline's last stage: the tenant's signers sign the admitted statement. One key, every
//! key of a multi-signature tenant, or keyless (a Fulcio certificate for the workload identity
//! the tenant's token names, logged in Rekor, returned as a Sigstore bundle) — each through the
//! facade's [`Authority`], so the pipeline signs exactly as local keys and bundle signers do.

use std::time::SystemTime;

use stellaops_crypto::SigningKey;
use stellaops_keys::{KeyRegistry, KeyUri, Selector};
use stellaops_predicates::{Admission, Statement, PAYLOAD_TYPE};

use stellaops_poe::{Denial, Reason};

use super::{PipelineKeys, KEYLESS_FEATURE};
use crate::authority::{Authority, IssuerMode, Outcome};
use crate::{Error, Result};

/// Sign `statement` (already admitted) with the keys `keys` names for `tenant`; a keyless key
/// only when `keyless_licensed` (the entitlement has [`KEYLESS_FEATURE`]).
pub(super) fn sign(
    keys: &PipelineKeys,
    tenant: &str,
    selector: Selector<'_>,
    now: SystemTime,
    keyless_licensed: bool,
    statement: Statement,
    admission: Admission,
) -> Result<Outcome> {
    let payload = statement.to_json()?;
    match keys {
        PipelineKeys::Single { key, issuer_mode } => Authority::keys_with_modes(vec![(
            key.as_ref(),
            *issuer_mode,
        )])
        .sign_admitted(Some(statement), PAYLOAD_TYPE, payload, admission),
        PipelineKeys::Registry(registry) => {
            let entries = current_entries(registry, tenant, selector, now)?;
            if let Some(KeyUri::Keyless(uri)) = entries
                .iter()
                .map(|e| &e.uri)
                .find(|u| matches!(u, KeyUri::Keyless(_)))
            {
                if entries.len() > 1 {
                    return Err(Error::PipelineConfig(format!(
                        "tenant {tenant:?}: a keyless key signs alone (a Sigstore bundle holds one \
                         signature); it cannot be one of several keys that sign together"
                    )));
                }
                if !keyless_licensed {
                    return Err(Error::Denied(Denial::new(
                        Reason::PoeFeature,
                        format!(
                            "the tenant's key is keyless and its entitlement does not include \
                             {KEYLESS_FEATURE}"
                        ),
                    )));
                }
                return keyless(uri, statement, payload, admission);
            }
            let opened = entries
                .into_iter()
                .map(|e| registry.open_entry(e))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Authority::keys_with_modes(
                opened
                    .iter()
                    .map(|k| {
                        let mode = IssuerMode::of_scheme(k.entry().uri.scheme());
                        (k as &dyn SigningKey, mode)
                    })
                    .collect(),
            )
            .sign_admitted(Some(statement), PAYLOAD_TYPE, payload, admission)
        }
    }
}

/// The entries that sign for `tenant` now, from a registry that is current: a file edit that
/// does not parse keeps the old entries, but a revocation in that edit must not be silently
/// ignored, so nothing is signed until the file is fixed.
fn current_entries(
    registry: &KeyRegistry,
    tenant: &str,
    selector: Selector<'_>,
    now: SystemTime,
) -> Result<Vec<stellaops_keys::KeyEntry>> {
    // The error, if any, is kept for last_reload_error.
    let _ = registry.reload_if_changed();
    if let Some(problem) = registry.last_reload_error() {
        return Err(Error::PipelineConfig(format!(
            "the key configuration did not reload: {problem}"
        )));
    }
    Ok(registry.select_all(tenant, selector, now)?)
}

/// Keyless: the token is read for each request (platforms rotate them), Fulcio certifies a key
/// made for this one signature, Rekor logs it, and the bundle is verified against the trusted
/// root when the URI names one.
#[cfg(feature = "sigstore")]
fn keyless(
    uri: &stellaops_keys::KeylessUri,
    statement: Statement,
    payload: Vec<u8>,
    admission: Admission,
) -> Result<Outcome> {
    use stellaops_sigstore::{IdentityToken, KeylessConfig, KeylessSigner};
    let token = match &uri.token {
        stellaops_keys::TokenSource::File(path) => IdentityToken::from_file(path)?,
        stellaops_keys::TokenSource::Env(name) => {
            let text = std::env::var(name).map_err(|_| {
                Error::PipelineConfig(format!(
                    "the keyless key's token variable {name} is not set"
                ))
            })?;
            IdentityToken::parse(text.trim())?
        }
    };
    let mut config = KeylessConfig::new(uri.fulcio.clone(), uri.rekor.clone());
    config.oidc_issuer.clone_from(&uri.oidc_issuer);
    config.trusted_root.clone_from(&uri.trusted_root);
    let signer = KeylessSigner::new(&config, token)?;
    Authority::bundle(&signer, IssuerMode::Keyless).sign_admitted(
        Some(statement),
        PAYLOAD_TYPE,
        payload,
        admission,
    )
}

#[cfg(not(feature = "sigstore"))]
fn keyless(
    _uri: &stellaops_keys::KeylessUri,
    _statement: Statement,
    _payload: Vec<u8>,
    _admission: Admission,
) -> Result<Outcome> {
    Err(stellaops_keys::Error::BackendNotAvailable("keyless").into())
}
