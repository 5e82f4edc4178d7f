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
use std::time::Duration;

use serde::Deserialize;
use stellaops_keys::{parse_time, KeyRegistry};
use stellaops_poe::{
    Authenticator, Bypass, DpopNonces, DpopPolicy, DpopVerifier, EntitlementSource, JsonlAuditSink,
    JwksSource, MemoryQuotaStore, OpTokPolicy, OpTokVerifier, PoeEvaluator, PoePolicy,
    QuotaEnforcer, QuotaLimits, QuotaStore, ReleaseOverride, ReleaseVerifier, SignedEntitlements,
    SystemClock,
};
use stellaops_predicates::catalog::{self, Family};
use stellaops_predicates::{AllowList, EnforcementMode};

use crate::authority::IssuerMode;
use crate::pipeline::{PipelineKeys, SignerPipeline};
use crate::{Error, Result};

/// The longest DPoP proof age a configuration may allow.
const MAX_DPOP_AGE_SECONDS: u64 = 3600;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    authority: Authority,
    #[serde(default)]
    dpop: Dpop,
    entitlement: Entitlement,
    quotas: Quotas,
    release: Release,
    keys: Keys,
    audit: Audit,
    #[serde(default)]
    allow_list: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Authority {
    issuer: String,
    jwks: PathBuf,
    audience: Option<String>,
    algorithms: Option<Vec<String>>,
    leeway_seconds: Option<u64>,
    max_lifetime_seconds: Option<u64>,
    token_cache: Option<usize>,
    #[serde(default)]
    allow_bearer: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Dpop {
    max_age_seconds: Option<u64>,
    nonce_period_seconds: Option<u64>,
    replay_capacity: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entitlement {
    source: String,
    documents: Option<PathBuf>,
    licensing_jwks: Option<PathBuf>,
    issuer: Option<String>,
    // Read only when the introspection source is compiled in.
    #[cfg_attr(not(feature = "introspection"), allow(dead_code))]
    url: Option<String>,
    // Read only when the introspection source is compiled in.
    #[cfg_attr(not(feature = "introspection"), allow(dead_code))]
    bearer_env: Option<String>,
    // Read only when the introspection source is compiled in.
    #[cfg_attr(not(feature = "introspection"), allow(dead_code))]
    timeout_seconds: Option<u64>,
    cache_ttl_seconds: Option<u64>,
    refresh_seconds: Option<u64>,
    required_feature: Option<String>,
    bypass: Option<BypassConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BypassConfig {
    reason: String,
    expires_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Quotas {
    store: String,
    // Read only when the Redis store is compiled in.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    redis_url: Option<String>,
    #[serde(default)]
    fail_open: bool,
    lease_ttl_seconds: Option<u64>,
    #[serde(default)]
    default: QuotaLimits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Release {
    #[serde(default = "yes")]
    check: bool,
    #[serde(default)]
    allowlist: Vec<String>,
    #[serde(default)]
    keys: Vec<PathBuf>,
    registry: Option<String>,
    repository: Option<String>,
    predicate_type: Option<String>,
    families: Option<Vec<String>>,
    #[serde(default, rename = "override")]
    overrides: Vec<OverrideConfig>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideConfig {
    digest: String,
    reason: String,
    approved_by: String,
    expires_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    registry: Option<PathBuf>,
    uri: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Audit {
    path: PathBuf,
    #[serde(default = "yes")]
    sync: bool,
}

fn bad(message: impl Into<String>) -> Error {
    Error::PipelineConfig(message.into())
}

fn seconds(s: Option<u64>, default: u64) -> Duration {
    Duration::from_secs(s.unwrap_or(default))
}

impl SignerPipeline {
    /// Build a pipeline from the TOML file at `path` (see the module documentation).
    ///
    /// # Errors
    /// [`Error::PipelineConfig`] for an invalid file or a missing part; [`Error::Io`],
    /// [`Error::Policy`] and [`Error::Keys`] for files and keys it names.
    pub fn from_config_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let config: Config =
            toml::from_str(&text).map_err(|e| bad(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        build(config, base)
    }
}

fn build(config: Config, base: &Path) -> Result<SignerPipeline> {
    let at = |p: &Path| base.join(p);
    let clock: Arc<SystemClock> = Arc::new(SystemClock);

    let mut optok = OpTokPolicy::new(config.authority.issuer);
    if let Some(a) = config.authority.audience {
        optok.audience = a;
    }
    if let Some(names) = config.authority.algorithms {
        optok.algorithms = names
            .iter()
            .map(|n| {
                stellaops_poe::jws::jose_algorithm(n)
                    .ok_or_else(|| bad(format!("authority.algorithms: unknown {n:?}")))
            })
            .collect::<Result<_>>()?;
    }
    optok.leeway = seconds(config.authority.leeway_seconds, 30);
    optok.max_lifetime = seconds(config.authority.max_lifetime_seconds, 300);
    if let Some(n) = config.authority.token_cache {
        optok.token_cache = n;
    }
    let jwks = JwksSource::file(at(&config.authority.jwks))?;
    let mut dpop = DpopPolicy::default();
    if let Some(s) = config.dpop.max_age_seconds {
        // A proof is a one-request credential (RFC 9449 §11.1): minutes at most. Longer windows
        // only grow the replay cache.
        if s == 0 || s > MAX_DPOP_AGE_SECONDS {
            return Err(Error::PipelineConfig(format!(
                "dpop.max_age_seconds = {s}: give 1 to {MAX_DPOP_AGE_SECONDS}"
            )));
        }
        dpop.max_age = Duration::from_secs(s);
    }
    if let Some(n) = config.dpop.replay_capacity {
        dpop.replay_capacity = n;
    }
    let nonces = config
        .dpop
        .nonce_period_seconds
        .map(|s| DpopNonces::new(Duration::from_secs(s)))
        .transpose()?;
    let authenticator = Authenticator::new(
        OpTokVerifier::new(optok, jwks, clock.clone()),
        DpopVerifier::new(dpop, nonces, clock.clone()),
    )
    .allow_bearer(config.authority.allow_bearer);

    let e = config.entitlement;
    let source: Box<dyn EntitlementSource> = match e.source.as_str() {
        "documents" => {
            let keys = e
                .licensing_jwks
                .ok_or_else(|| bad("entitlement.licensing_jwks is required for documents"))?;
            let dir = e
                .documents
                .ok_or_else(|| bad("entitlement.documents is required for documents"))?;
            let mut docs = SignedEntitlements::directory(JwksSource::file(at(&keys))?, at(&dir));
            if let Some(iss) = e.issuer {
                docs = docs.with_issuer(iss);
            }
            Box::new(docs)
        }
        #[cfg(feature = "introspection")]
        "introspection" => {
            let url = e
                .url
                .ok_or_else(|| bad("entitlement.url is required for introspection"))?;
            let mut client =
                stellaops_poe::IntrospectionSource::new(&url, seconds(e.timeout_seconds, 5))?;
            if let Some(var) = e.bearer_env {
                let token = std::env::var(&var)
                    .map_err(|_| bad(format!("entitlement.bearer_env: {var} is not set")))?;
                client = client.with_bearer(token);
            }
            Box::new(client)
        }
        other => {
            return Err(bad(format!(
                "entitlement.source {other:?} is not available"
            )))
        }
    };
    let bypass = e
        .bypass
        .map(|b| -> Result<Bypass> {
            Ok(Bypass {
                reason: b.reason,
                expires_at: parse_time(&b.expires_at)?,
            })
        })
        .transpose()?;
    let poe = PoeEvaluator::new(
        source,
        PoePolicy {
            cache_ttl: seconds(e.cache_ttl_seconds, 3600),
            refresh_interval: seconds(e.refresh_seconds, 0),
            required_feature: Some(e.required_feature.unwrap_or_else(|| "signer.sign".into())),
            bypass,
        },
        clock.clone(),
    );

    let q = config.quotas;
    let store: Arc<dyn QuotaStore> = match q.store.as_str() {
        "memory" => Arc::new(MemoryQuotaStore::new()),
        #[cfg(feature = "redis")]
        "redis" => {
            let url = q
                .redis_url
                .ok_or_else(|| bad("quotas.redis_url is required for redis"))?;
            Arc::new(stellaops_poe::RedisQuotaStore::new(
                &url,
                Duration::from_secs(2),
            )?)
        }
        other => return Err(bad(format!("quotas.store {other:?} is not available"))),
    };
    let quotas = QuotaEnforcer::new(store, clock.clone())
        .fail_open(q.fail_open)
        .lease_ttl(seconds(q.lease_ttl_seconds, 300));

    let mut builder = SignerPipeline::builder()
        .authenticator(authenticator)
        .entitlement(poe)
        .quotas(quotas, q.default)
        .clock(clock);

    let r = config.release;
    builder = if r.check {
        let mut verifier = ReleaseVerifier::new(r.allowlist);
        if let Some(registry) = r.registry {
            let repository = r
                .repository
                .ok_or_else(|| bad("release.repository is required with release.registry"))?;
            let keys = r
                .keys
                .iter()
                .map(|p| {
                    let path = at(p);
                    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                    crate::keys::load_verifying_key(&bytes)
                })
                .collect::<Result<Vec<_>>>()?;
            if keys.is_empty() {
                return Err(bad("release.keys is required with release.registry"));
            }
            verifier = oci_signatures(verifier, keys, &registry, &repository)?;
        }
        if let Some(p) = r.predicate_type {
            verifier = verifier.with_predicate_type(p);
        }
        for o in r.overrides {
            verifier = verifier.with_override(ReleaseOverride {
                digest: o.digest,
                reason: o.reason,
                approved_by: o.approved_by,
                expires_at: parse_time(&o.expires_at)?,
            });
        }
        let families = r
            .families
            .map(|names| {
                names
                    .iter()
                    .map(|n| {
                        family_named(n)
                            .ok_or_else(|| bad(format!("release.families: unknown {n:?}")))
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?;
        builder.release_check(verifier, families)
    } else {
        builder.without_release_check()
    };

    let keys = match (config.keys.registry, config.keys.uri) {
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
    let audit = JsonlAuditSink::open(at(&config.audit.path))?.sync(config.audit.sync);
    builder = builder.keys(keys).audit(Arc::new(audit));
    if let Some(list) = config.allow_list {
        let uris = list
            .iter()
            .map(|n| catalog::resolve(n))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        builder = builder.allow_list(AllowList::new(uris, EnforcementMode::Reject));
    }
    builder.build()
}

#[cfg(feature = "oci")]
fn oci_signatures(
    verifier: ReleaseVerifier,
    keys: Vec<stellaops_crypto::VerifyingKey>,
    registry: &str,
    repository: &str,
) -> Result<ReleaseVerifier> {
    let client =
        stellaops_poe::oci::OciRegistry::new(registry, repository, Duration::from_secs(10))?;
    Ok(verifier.with_signatures(keys, Box::new(client)))
}

#[cfg(not(feature = "oci"))]
fn oci_signatures(
    _verifier: ReleaseVerifier,
    _keys: Vec<stellaops_crypto::VerifyingKey>,
    _registry: &str,
    _repository: &str,
) -> Result<ReleaseVerifier> {
    Err(bad("release.registry needs the oci feature"))
}

fn family_named(name: &str) -> Option<Family> {
    [
        Family::Sbom,
        Family::Vex,
        Family::Reachability,
        Family::Provenance,
        Family::Policy,
        Family::Evidence,
        Family::Promotion,
        Family::Replay,
        Family::Link,
    ]
    .into_iter()
    .find(|f| f.name() == name)
}
