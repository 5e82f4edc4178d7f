//! The policy sections of a signer configuration file, read here so the facade only composes:
//! `[authority]` (OpTok issuer and keys), `[dpop]`, `[entitlement]`, `[quotas]`, `[release]`,
//! `[audit]`. Relative paths are resolved against the file's directory; secrets (the licensing
//! client's token) are named by environment variable, never written inline. Every mistake is an
//! [`Error::Config`] naming the setting (a typo in an expiry time included).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use stellaops_crypto::VerifyingKey;
use stellaops_predicates::catalog::Family;

use crate::{
    Authenticator, Bypass, DpopNonces, DpopPolicy, DpopVerifier, EntitlementSource, Error,
    JsonlAuditSink, JwksSource, MemoryQuotaStore, OpTokPolicy, OpTokVerifier, PoeEvaluator,
    PoePolicy, QuotaEnforcer, QuotaLimits, QuotaStore, ReleaseOverride, ReleaseVerifier, Result,
    SignedEntitlements, SystemClock,
};

/// The longest DPoP proof age a configuration may allow.
const MAX_DPOP_AGE_SECONDS: u64 = 3600;

/// The policy sections, as read (see the module documentation). Unknown settings are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    authority: Authority,
    #[serde(default)]
    dpop: Dpop,
    entitlement: Entitlement,
    quotas: Quotas,
    release: Release,
    audit: Audit,
}

/// The policy machinery a configuration describes, built and ready to compose into a pipeline.
#[derive(Debug)]
#[non_exhaustive]
pub struct PolicyParts {
    /// Who may call (`[authority]`, `[dpop]`).
    pub authenticator: Authenticator,
    /// Proof-of-Entitlement (`[entitlement]`).
    pub entitlement: PoeEvaluator,
    /// Plan quotas (`[quotas]`).
    pub quotas: QuotaEnforcer,
    /// The limits when an entitlement names none (`[quotas] default`).
    pub default_limits: QuotaLimits,
    /// The scanner release check; `None` when `[release] check = false`.
    pub release: Option<ReleaseParts>,
    /// Where audit records go (`[audit]`).
    pub audit: JsonlAuditSink,
    /// Anchoring of the log's head and how often (`[audit] anchor_store`), when configured;
    /// the log was checked against the store's head before it was opened.
    pub anchoring: Option<(crate::audit::Anchoring, Duration)>,
    /// The clock every part shares.
    pub clock: Arc<SystemClock>,
}

/// The release check a configuration describes.
#[derive(Debug)]
#[non_exhaustive]
pub struct ReleaseParts {
    /// The verifier (allow-list, signatures from a registry, overrides).
    pub verifier: ReleaseVerifier,
    /// The predicate families under check; `None` for the default (what a scanner produces:
    /// SBOMs, reachability evidence, scan reports).
    pub families: Option<Vec<Family>>,
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
    replay_store: Option<String>,
    // Read only when the Redis store is compiled in.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    redis_url: Option<String>,
    #[serde(default)]
    replay_fail_open: bool,
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
    // Read only when the OCI client is compiled in.
    #[cfg_attr(not(feature = "oci"), allow(dead_code))]
    docker_config: Option<PathBuf>,
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
struct Audit {
    path: PathBuf,
    #[serde(default = "yes")]
    sync: bool,
    instance: Option<String>,
    anchor_store: Option<String>,
    // Read only when the Redis store is compiled in.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    anchor_redis_url: Option<String>,
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    anchor_prefix: Option<String>,
    anchor_interval_seconds: Option<u64>,
}

impl Audit {
    /// The anchoring `[audit]` asks for.
    fn anchoring(&self, log: &Path) -> Result<Option<(crate::audit::Anchoring, Duration)>> {
        let Some(kind) = self.anchor_store.as_deref() else {
            return Ok(None);
        };
        let instance = self
            .instance
            .clone()
            .filter(|i| !i.is_empty() && i.len() <= 128 && !i.contains(char::is_control))
            .ok_or_else(|| {
                bad("audit.instance (1 to 128 characters, unique in the fleet) is required with audit.anchor_store")
            })?;
        let store = self.anchor_store(kind)?;
        let anchoring = crate::audit::Anchoring::new(instance, log, store);
        let every = seconds(self.anchor_interval_seconds, 10).max(Duration::from_secs(1));
        Ok(Some((anchoring, every)))
    }

    #[cfg(feature = "redis")]
    fn anchor_store(&self, kind: &str) -> Result<Box<dyn crate::audit::AnchorStore>> {
        if kind != "redis" {
            return Err(bad(format!("audit.anchor_store {kind:?} is not available")));
        }
        let url = self
            .anchor_redis_url
            .as_deref()
            .ok_or_else(|| bad("audit.anchor_redis_url is required for redis"))?;
        let mut store = crate::audit::RedisAnchorStore::new(url, Duration::from_secs(2))?;
        if let Some(prefix) = &self.anchor_prefix {
            store = store.with_prefix(prefix);
        }
        Ok(Box::new(store))
    }

    #[cfg(not(feature = "redis"))]
    fn anchor_store(&self, kind: &str) -> Result<Box<dyn crate::audit::AnchorStore>> {
        Err(bad(format!("audit.anchor_store {kind:?} is not available")))
    }
}

fn bad(message: impl Into<String>) -> Error {
    Error::config(message)
}

fn seconds(s: Option<u64>, default: u64) -> Duration {
    Duration::from_secs(s.unwrap_or(default))
}

/// An RFC 3339 time of the setting `what`.
fn time(text: &str, what: &str) -> Result<SystemTime> {
    stellaops_crypto::rfc3339::parse(text).map_err(|e| Error::config_from(what, e))
}

/// A release signing key: a public key (SPKI PEM/DER, JWK, certificate), or a private key file
/// whose public half is used.
fn verifying_key(bytes: &[u8], path: &Path) -> Result<VerifyingKey> {
    VerifyingKey::from_bytes(bytes)
        .or_else(|public_err| {
            stellaops_crypto::SoftwareKey::from_bytes(bytes, None)
                .map(|k| stellaops_crypto::SigningKey::public_key(&k).clone())
                .map_err(|_| public_err)
        })
        .map_err(|e| Error::config_from(format!("release.keys: {}", path.display()), e))
}

impl PolicyConfig {
    /// Read the policy sections from `table` (the rest of the file is the caller's).
    ///
    /// # Errors
    /// [`Error::Config`] for a missing section, an unknown setting or a value of the wrong type.
    pub fn from_table(table: toml::Table) -> Result<Self> {
        PolicyConfig::deserialize(table).map_err(|e| Error::config_from("policy sections", e))
    }

    /// Build the parts, with relative paths resolved against `base` (the file's directory).
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid value; [`Error::Io`] and [`Error::Jwks`] for the files
    /// it names; the store and registry clients' errors.
    pub fn build(self, base: &Path) -> Result<PolicyParts> {
        let at = |p: &Path| base.join(p);
        let clock: Arc<SystemClock> = Arc::new(SystemClock);

        let mut optok = OpTokPolicy::new(self.authority.issuer);
        if let Some(a) = self.authority.audience {
            optok.audience = a;
        }
        if let Some(names) = self.authority.algorithms {
            optok.algorithms = names
                .iter()
                .map(|n| {
                    crate::jws::jose_algorithm(n)
                        .ok_or_else(|| bad(format!("authority.algorithms: unknown {n:?}")))
                })
                .collect::<Result<_>>()?;
        }
        optok.leeway = seconds(self.authority.leeway_seconds, 30);
        optok.max_lifetime = seconds(self.authority.max_lifetime_seconds, 300);
        if let Some(n) = self.authority.token_cache {
            optok.token_cache = n;
        }
        let jwks = JwksSource::file(at(&self.authority.jwks))?;
        let mut dpop = DpopPolicy::default();
        if let Some(s) = self.dpop.max_age_seconds {
            // A proof is a one-request credential (RFC 9449 §11.1): minutes at most. Longer windows
            // only grow the replay cache.
            if s == 0 || s > MAX_DPOP_AGE_SECONDS {
                return Err(bad(format!(
                    "dpop.max_age_seconds = {s}: give 1 to {MAX_DPOP_AGE_SECONDS}"
                )));
            }
            dpop.max_age = Duration::from_secs(s);
        }
        if let Some(n) = self.dpop.replay_capacity {
            dpop.replay_capacity = n;
        }
        let nonces = self
            .dpop
            .nonce_period_seconds
            .map(|s| DpopNonces::new(Duration::from_secs(s)))
            .transpose()?;
        #[cfg_attr(not(feature = "redis"), allow(unused_mut))]
        let mut dpop_verifier = DpopVerifier::new(dpop, nonces, clock.clone());
        match self.dpop.replay_store.as_deref() {
            None | Some("memory") => {
                if self.dpop.replay_fail_open {
                    return Err(bad(
                        "dpop.replay_fail_open applies to a shared replay store",
                    ));
                }
            }
            #[cfg(feature = "redis")]
            Some("redis") => {
                let url = self.dpop.redis_url.as_deref().ok_or_else(|| {
                    bad("dpop.redis_url is required for replay_store = \"redis\"")
                })?;
                let store = crate::RedisReplayStore::new(url, Duration::from_secs(2))?;
                dpop_verifier =
                    dpop_verifier.with_replay_store(Arc::new(store), self.dpop.replay_fail_open);
            }
            Some(other) => {
                return Err(bad(format!("dpop.replay_store {other:?} is not available")))
            }
        }
        let authenticator = Authenticator::new(
            OpTokVerifier::new(optok, jwks, clock.clone()),
            dpop_verifier,
        )
        .allow_bearer(self.authority.allow_bearer);

        let e = self.entitlement;
        let source: Box<dyn EntitlementSource> = match e.source.as_str() {
            "documents" => {
                let keys = e
                    .licensing_jwks
                    .ok_or_else(|| bad("entitlement.licensing_jwks is required for documents"))?;
                let dir = e
                    .documents
                    .ok_or_else(|| bad("entitlement.documents is required for documents"))?;
                let mut docs =
                    SignedEntitlements::directory(JwksSource::file(at(&keys))?, at(&dir));
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
                    crate::IntrospectionSource::new(&url, seconds(e.timeout_seconds, 5))?;
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
                    expires_at: time(&b.expires_at, "entitlement.bypass.expires_at")?,
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

        let q = self.quotas;
        let store: Arc<dyn QuotaStore> = match q.store.as_str() {
            "memory" => Arc::new(MemoryQuotaStore::new()),
            #[cfg(feature = "redis")]
            "redis" => {
                let url = q
                    .redis_url
                    .ok_or_else(|| bad("quotas.redis_url is required for redis"))?;
                Arc::new(crate::RedisQuotaStore::new(&url, Duration::from_secs(2))?)
            }
            other => return Err(bad(format!("quotas.store {other:?} is not available"))),
        };
        let quotas = QuotaEnforcer::new(store, clock.clone())
            .fail_open(q.fail_open)
            .lease_ttl(seconds(q.lease_ttl_seconds, 300));

        let r = self.release;
        let release = if r.check {
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
                        verifying_key(&bytes, &path)
                    })
                    .collect::<Result<Vec<_>>>()?;
                if keys.is_empty() {
                    return Err(bad("release.keys is required with release.registry"));
                }
                let docker_config = r.docker_config.as_deref().map(&at);
                verifier = oci_signatures(
                    verifier,
                    keys,
                    &registry,
                    &repository,
                    docker_config.as_deref(),
                )?;
            }
            if let Some(p) = r.predicate_type {
                verifier = verifier.with_predicate_type(p);
            }
            for o in r.overrides {
                verifier = verifier.with_override(ReleaseOverride {
                    digest: o.digest,
                    reason: o.reason,
                    approved_by: o.approved_by,
                    expires_at: time(&o.expires_at, "release.override.expires_at")?,
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
            Some(ReleaseParts { verifier, families })
        } else {
            None
        };

        let log = at(&self.audit.path);
        let anchoring = self.audit.anchoring(&log)?;
        // With anchoring, the one verifying pass over the log also checks it against the heads
        // the store holds, before anything appends to it.
        let audit = match &anchoring {
            Some((a, _)) => JsonlAuditSink::open_anchored(log, a.instance(), &a.heads()?)?,
            None => JsonlAuditSink::open(log)?,
        }
        .sync(self.audit.sync);
        Ok(PolicyParts {
            authenticator,
            entitlement: poe,
            quotas,
            default_limits: q.default,
            release,
            audit,
            anchoring,
            clock,
        })
    }
}

/// The registry client, with the credentials a docker `config.json` holds for its host:
/// `docker_config` when given, else `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`
/// when they exist (as docker and crane look). Without credentials, tokens are fetched
/// anonymously.
#[cfg(feature = "oci")]
fn oci_signatures(
    verifier: ReleaseVerifier,
    keys: Vec<stellaops_crypto::VerifyingKey>,
    registry: &str,
    repository: &str,
    docker_config: Option<&Path>,
) -> Result<ReleaseVerifier> {
    let mut client = crate::oci::OciRegistry::new(registry, repository, Duration::from_secs(10))?;
    let default = || {
        std::env::var_os("DOCKER_CONFIG")
            .map(|d| PathBuf::from(d).join("config.json"))
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
            })
            .filter(|p| p.exists())
    };
    let config = docker_config.map(Path::to_path_buf).or_else(default);
    if let Some(path) = config {
        if let Some(c) = crate::oci::RegistryCredentials::from_docker_config(&path, client.host())?
        {
            client = client.with_credentials(c);
        }
    }
    Ok(verifier.with_signatures(keys, Box::new(client)))
}

#[cfg(not(feature = "oci"))]
fn oci_signatures(
    _verifier: ReleaseVerifier,
    _keys: Vec<stellaops_crypto::VerifyingKey>,
    _registry: &str,
    _repository: &str,
    _docker_config: Option<&Path>,
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
