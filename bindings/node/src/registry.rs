//! `KeyRegistry`: the tenant key registry.

use std::sync::Arc;
use std::time::SystemTime;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::faces::{entry_json, parse_time, registry_entries_json};
use stellaops_signer::{KeyRegistry as CoreRegistry, OpenedKey, Selector};

use crate::errors::{js, Failure};
use crate::input::parse_json;
use crate::keys::SigningKey;

/// Which of a tenant's keys: the caller's plan and the predicate family (`sbom`, `vex`, ...);
/// left out, any.
#[napi(object)]
pub struct KeySelector {
    /// The caller's plan.
    pub plan: Option<String>,
    /// The predicate family.
    pub family: Option<String>,
}

/// The tenant key registry: a TOML file naming each tenant's keys (URI, status, validity window,
/// plans, predicate families, revocations).
#[napi]
pub struct KeyRegistry {
    registry: CoreRegistry,
}

#[napi]
impl KeyRegistry {
    /// Read the registry file at `path`.
    #[napi(factory)]
    pub fn open(env: Env, path: String) -> Result<KeyRegistry> {
        let registry =
            CoreRegistry::load(&path).map_err(|e| Failure::from(stellaops_signer::Error::from(e)));
        js(&env, registry.map(|registry| KeyRegistry { registry }))
    }

    /// Every entry of the current configuration: `tenant`, `uri` (PINs hidden), `key_id`,
    /// `status`, `not_before`, `not_after`, `revoked_at`, `reason`, `plans`, `families`,
    /// `signatures`.
    #[napi(ts_return_type = "Array<Record<string, any>>")]
    pub fn entries<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        parse_json(env, registry_entries_json(&self.registry))
    }

    /// The entry that should sign for `tenant` now (the best fit for the selector).
    #[napi(ts_return_type = "Record<string, any>")]
    pub fn select<'env>(
        &self,
        env: &'env Env,
        tenant: String,
        selector: Option<KeySelector>,
    ) -> Result<Unknown<'env>> {
        let (plan, family) = selector.map_or((None, None), |s| (s.plan, s.family));
        let entry = self
            .registry
            .select(
                &tenant,
                Selector {
                    plan: plan.as_deref(),
                    family: family.as_deref(),
                },
                SystemTime::now(),
            )
            .map_err(|e| Failure::from(stellaops_signer::Error::from(e)));
        let entry = js(env, entry)?;
        parse_json(env, entry_json(&entry))
    }

    /// The key that should sign for `tenant` now, checked against its pinned key id and every
    /// revocation; it refuses to sign once a reload revokes it, and cannot be exported.
    #[napi]
    pub fn signing_key(
        &self,
        env: Env,
        tenant: String,
        selector: Option<KeySelector>,
    ) -> Result<SigningKey> {
        let (plan, family) = selector.map_or((None, None), |s| (s.plan, s.family));
        let key = self
            .registry
            .signing_key(
                &tenant,
                Selector {
                    plan: plan.as_deref(),
                    family: family.as_deref(),
                },
                SystemTime::now(),
            )
            .map_err(|e| Failure::from(stellaops_signer::Error::from(e)))
            .map(|k| SigningKey {
                key: Arc::new(OpenedKey::from(k)),
            });
        js(&env, key)
    }

    /// Throw `STELLAOPS_KEY_REVOKED` when the key `keyId` was revoked at or before `signedAt`
    /// (RFC 3339), or at all when `signedAt` is left out.
    #[napi]
    pub fn check_not_revoked(
        &self,
        env: Env,
        key_id: String,
        signed_at: Option<String>,
    ) -> Result<()> {
        let run = || {
            let signed_at = signed_at
                .as_deref()
                .map(parse_time)
                .transpose()
                .map_err(|e| Failure::invalid(format!("signed_at: {e}")))?;
            self.registry
                .check_not_revoked(&key_id, signed_at)
                .map_err(|e| Failure::from(stellaops_signer::Error::from(e)))
        };
        js(&env, run())
    }

    /// Read the file again; a file that does not parse or validate leaves the previous
    /// configuration in force and throws its error.
    #[napi]
    pub fn reload(&self, env: Env) -> Result<()> {
        js(
            &env,
            self.registry
                .reload()
                .map_err(|e| Failure::from(stellaops_signer::Error::from(e))),
        )
    }
}
