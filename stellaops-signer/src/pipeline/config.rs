//! A [`SignerPipeline`] from a TOML file, so every face (CLI, C ABI, Python, Node) configures the
//! same pipeline the same way. Relative paths are resolved against the file's directory; secrets
//! (the licensing client's token) are named by environment variable, never written inline.
//!
//! ```toml
//! [authority]
//! issuer = "https://authority.stella.test"
//! jwks = "authority-jwks.json"     # re-read when it changes (key rotation by kid)
//!
//! [dpop]                            # optional; defaults as in DpopPolicy
//! max_age_seconds = 60
//! nonce_period_seconds = 300        # present: server nonces required
//! replay_store = "redis"            # proof ids shared by a fleet (redis_url; replay_fail_open)
//!
//! [entitlement]
//! source = "documents"              # or "introspection" (url, bearer_env)
//! documents = "entitlements"        # <tenant>.jws files
//! licensing_jwks = "licensing-jwks.json"
//! cache_ttl_seconds = 3600        # outage cache
//! refresh_seconds = 0               # reuse a fetched entitlement this long (0: ask every time)
//! # [entitlement.bypass] reason = "...", expires_at = "2026-11-24T00:00:00Z"
//!
//! [quotas]
//! store = "memory"                  # or "redis" (redis_url); fail_open = false
//! default = { requests_per_second = 20.0, burst = 40, max_concurrent = 8 }
//!
//! [release]                         # or: [release] check = false
//! allowlist = ["sha256:..."]
//! keys = ["release-key.pub"]
//! registry = "https://registry.stella.test"
//! repository = "stellaops/scanner"
//!
//! [keys]
//! registry = "keys.toml"            # tenant keys; or uri = "pkcs11:..." for one key
//!
//! [audit]
//! path = "audit.jsonl"
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use stellaops_keys::KeyRegistry;
use stellaops_poe::{PolicyConfig, PolicyParts};
use stellaops_predicates::catalog;
use stellaops_predicates::{AllowList, EnforcementMode};

use crate::authority::IssuerMode;
use crate::pipeline::{PipelineKeys, SignerPipeline};
use crate::{Error, Result};

/// The sections that are the facade's: which keys sign, and the allow-list. Everything else is
/// stellaops-poe's [`PolicyConfig`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signing {
    keys: Keys,
    #[serde(default)]
    allow_list: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    registry: Option<PathBuf>,
    uri: Option<String>,
}

fn bad(message: impl Into<String>) -> Error {
    Error::PipelineConfig(message.into())
}

impl SignerPipeline {
    /// Build a pipeline from the TOML file at `path` (see the module documentation): the policy
    /// sections are stellaops-poe's ([`PolicyConfig`]), `[keys]` and `allow_list` the facade's.
    ///
    /// # Errors
    /// [`Error::PipelineConfig`] for an unreadable file or bad `[keys]`/`allow_list`;
    /// [`Error::Policy`] for a bad policy section; [`Error::Io`], [`Error::Keys`] for the files
    /// and keys it names.
    pub fn from_config_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| bad(format!("{}: {e}", path.display())))?;
        Self::from_config_table(table, path)
    }

    /// Build a pipeline from a configuration already parsed (what
    /// [`SignerPipeline::from_config_file`] reads; a service takes its own sections out first),
    /// with `path` the file it came from: relative paths are resolved against its directory,
    /// and errors name it.
    ///
    /// # Errors
    /// As [`SignerPipeline::from_config_file`], except reading the file.
    pub fn from_config_table(mut table: toml::Table, path: &Path) -> Result<Self> {
        let mut mine = toml::Table::new();
        for name in ["keys", "allow_list"] {
            if let Some(value) = table.remove(name) {
                mine.insert(name.to_owned(), value);
            }
        }
        let signing =
            Signing::deserialize(mine).map_err(|e| bad(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let policy = PolicyConfig::from_table(table)?.build(base)?;
        compose(policy, signing, base)
    }
}

fn compose(policy: PolicyParts, signing: Signing, base: &Path) -> Result<SignerPipeline> {
    let at = |p: &Path| base.join(p);
    let mut builder = SignerPipeline::builder()
        .authenticator(policy.authenticator)
        .entitlement(policy.entitlement)
        .quotas(policy.quotas, policy.default_limits)
        .clock(policy.clock)
        .audit(Arc::new(policy.audit));
    if let Some((anchoring, every)) = policy.anchoring {
        builder = builder.anchoring(anchoring, every);
    }
    builder = match policy.release {
        Some(r) => builder.release_check(r.verifier, r.families),
        None => builder.without_release_check(),
    };
    let keys = match (signing.keys.registry, signing.keys.uri) {
        (Some(file), None) => PipelineKeys::Registry(KeyRegistry::load(at(&file))?),
        (None, Some(uri)) => {
            // A bare relative path is relative to the configuration file, like every other path.
            let uri = if uri.contains(':') || Path::new(&uri).is_absolute() {
                uri
            } else {
                at(Path::new(&uri)).display().to_string()
            };
            let opened = crate::open_key(&uri, None)?;
            let mode = IssuerMode::of_scheme(opened.scheme());
            PipelineKeys::Single {
                key: Arc::new(opened),
                issuer_mode: mode,
            }
        }
        _ => return Err(bad("keys: give exactly one of registry or uri")),
    };
    builder = builder.keys(keys);
    if let Some(list) = signing.allow_list {
        let uris = list
            .iter()
            .map(|n| catalog::resolve(n))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        builder = builder.allow_list(AllowList::new(uris, EnforcementMode::Reject));
    }
    builder.build()
}
