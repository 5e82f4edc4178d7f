//! Proof-of-Entitlement: what a tenant's license allows, and where that comes from.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use stellaops_crypto::Algorithm;

use crate::jws::{CompactJws, JwsError};
use crate::{Denial, JwksSource, QuotaLimits, Reason};

/// The `typ` of a signed entitlement document, so that no other JWT signed by the licensing
/// keys (or an access token, should the keys be shared) can pass for one.
pub const ENTITLEMENT_TYP: &str = "entitlement+jwt";

/// Largest entitlement document or introspection answer accepted.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 64 << 10;

/// A tenant's entitlement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entitlement {
    /// The tenant it belongs to.
    pub tenant: String,
    /// The plan name (quotas are per tenant and plan).
    pub plan: String,
    /// Licensed features, e.g. `signer.sign`, `signer.keyless`.
    pub features: Vec<String>,
    /// The plan's quotas; `None` means no limits beyond the signer's own.
    pub quotas: Option<QuotaLimits>,
    /// The license's id, for audit.
    pub license_id: String,
    /// When it ends, in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// The claims an entitlement document or an introspection answer carries.
#[derive(Deserialize)]
struct Claims {
    tid: String,
    plan: String,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default)]
    quotas: Option<QuotaLimits>,
    license_id: String,
    exp: f64,
}

/// Read an entitlement from document claims or an introspection answer. `Ok(None)` when the
/// claims say `"active": false`.
pub(crate) fn from_claims(claims: Map<String, Value>) -> Result<Option<Entitlement>, Denial> {
    // RFC 7662 §2.2: an inactive answer may hold nothing but `"active": false`.
    if claims.get("active") == Some(&Value::Bool(false)) {
        return Ok(None);
    }
    let c: Claims = serde_json::from_value(Value::Object(claims))
        .map_err(|e| Denial::new(Reason::PoeMalformed, e.to_string()))?;
    if !c.exp.is_finite() {
        return Err(Denial::new(Reason::PoeMalformed, "exp is not a number"));
    }
    Ok(Some(Entitlement {
        tenant: c.tid,
        plan: c.plan,
        features: c.features,
        quotas: c.quotas,
        license_id: c.license_id,
        expires_at: c.exp.floor() as i64,
    }))
}

/// Why a source produced no entitlement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    /// The source could not be asked (network, server error): the last known good entitlement
    /// may stand in, within its TTL.
    Unavailable(String),
    /// The source answered, and the answer is no (missing, inactive, forged): the cache must not
    /// override it.
    Denied(Denial),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Unavailable(m) => write!(f, "entitlement source unavailable: {m}"),
            SourceError::Denied(d) => d.fmt(f),
        }
    }
}

/// Where entitlements come from.
pub trait EntitlementSource: fmt::Debug + Send + Sync {
    /// A short name for audit and metrics (`signed-document`, `introspection`).
    fn name(&self) -> &'static str;

    /// The current entitlement of `tenant`. Expiry and tenant are checked by the caller
    /// ([`PoeEvaluator`](crate::PoeEvaluator)), so every source is held to the same rules.
    ///
    /// # Errors
    /// [`SourceError`].
    fn fetch(&self, tenant: &str) -> Result<Entitlement, SourceError>;

    /// Whether the source can be asked now (a service's readiness report), without asking
    /// about any tenant: `Err` says why not. Sources without a way to tell say yes.
    ///
    /// # Errors
    /// A description of what is unreachable.
    fn probe(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Signed entitlement documents: compact JWS with `typ` `entitlement+jwt`, signed by the
/// licensing service, one per tenant, kept in a directory (`<tenant>.jws`) or in memory.
#[derive(Debug)]
pub struct SignedEntitlements {
    keys: JwksSource,
    issuer: Option<String>,
    algorithms: Vec<Algorithm>,
    store: Store,
}

#[derive(Debug)]
enum Store {
    Directory(PathBuf),
    Memory(Mutex<HashMap<String, String>>),
}

impl SignedEntitlements {
    /// Documents read from `dir/<tenant>.jws`, verified with the licensing `keys`.
    pub fn directory(keys: JwksSource, dir: impl Into<PathBuf>) -> Self {
        SignedEntitlements {
            keys,
            issuer: None,
            algorithms: Algorithm::ALL.to_vec(),
            store: Store::Directory(dir.into()),
        }
    }

    /// Documents held in memory (pushed by the licensing service, or for tests).
    pub fn in_memory(keys: JwksSource) -> Self {
        SignedEntitlements {
            keys,
            issuer: None,
            algorithms: Algorithm::ALL.to_vec(),
            store: Store::Memory(Mutex::new(HashMap::new())),
        }
    }

    /// Require `iss` to equal `issuer`.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Store `document` for `tenant` (in-memory stores only; a directory store ignores it).
    pub fn insert(&self, tenant: &str, document: &str) {
        if let Store::Memory(map) = &self.store {
            map.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(tenant.to_owned(), document.trim().to_owned());
        }
    }

    /// Verify one document: form, `typ`, `alg`, `kid`, signature, `iss`, claims.
    ///
    /// # Errors
    /// A [`Denial`] with a `poe.*` reason.
    pub fn verify_document(&self, document: &str) -> Result<Entitlement, Denial> {
        let jws = CompactJws::parse(document.trim(), MAX_DOCUMENT_BYTES)
            .map_err(|e| Denial::new(Reason::PoeMalformed, e.to_string()))?;
        if jws.header_str("typ") != Some(ENTITLEMENT_TYP) {
            return Err(Denial::new(
                Reason::PoeMalformed,
                format!("typ is not {ENTITLEMENT_TYP}"),
            ));
        }
        let kid = jws
            .header_str("kid")
            .ok_or_else(|| Denial::new(Reason::PoeSignature, "document names no kid"))?;
        let keys = self
            .keys
            .current()
            .map_err(|e| Denial::new(Reason::PoeSignature, format!("licensing keys: {e}")))?;
        let key = keys.get(kid).ok_or_else(|| {
            Denial::new(
                Reason::PoeSignature,
                format!("kid {kid:?} is not a licensing key"),
            )
        })?;
        jws.verify(key, &self.algorithms).map_err(|e| match e {
            JwsError::Signature => Denial::new(Reason::PoeSignature, "signature does not verify"),
            other => Denial::new(Reason::PoeSignature, other.to_string()),
        })?;
        let claims = jws
            .claims()
            .map_err(|e| Denial::new(Reason::PoeMalformed, e.to_string()))?;
        if let Some(issuer) = &self.issuer {
            if claims.get("iss").and_then(Value::as_str) != Some(issuer.as_str()) {
                return Err(Denial::new(
                    Reason::PoeSignature,
                    "document is not from the licensing issuer",
                ));
            }
        }
        from_claims(claims)?.ok_or_else(|| {
            Denial::new(
                Reason::PoeInactive,
                "document says the license is not active",
            )
        })
    }
}

/// A tenant name that can safely name a file: ASCII letters, digits, `.`, `_`, `-`, not
/// starting with a dot, at most 128 bytes.
pub(crate) fn is_safe_tenant(tenant: &str) -> bool {
    !tenant.is_empty()
        && tenant.len() <= 128
        && !tenant.starts_with('.')
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl EntitlementSource for SignedEntitlements {
    fn probe(&self) -> Result<(), String> {
        match &self.store {
            Store::Directory(dir) => std::fs::read_dir(dir)
                .map(drop)
                .map_err(|e| format!("entitlement directory {}: {e}", dir.display())),
            Store::Memory(_) => Ok(()),
        }
    }

    fn name(&self) -> &'static str {
        "signed-document"
    }

    fn fetch(&self, tenant: &str) -> Result<Entitlement, SourceError> {
        let document = match &self.store {
            Store::Memory(map) => map
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(tenant)
                .cloned()
                .ok_or_else(|| {
                    SourceError::Denied(Denial::new(Reason::PoeMissing, "no entitlement document"))
                })?,
            Store::Directory(dir) => {
                if !is_safe_tenant(tenant) {
                    return Err(SourceError::Denied(Denial::new(
                        Reason::PoeTenant,
                        "tenant name cannot name a document",
                    )));
                }
                let path = dir.join(format!("{tenant}.jws"));
                match std::fs::read(&path) {
                    Ok(bytes) if bytes.len() > MAX_DOCUMENT_BYTES => {
                        return Err(SourceError::Denied(Denial::new(
                            Reason::PoeMalformed,
                            "document too large",
                        )))
                    }
                    Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                        SourceError::Denied(Denial::new(
                            Reason::PoeMalformed,
                            "document is not utf-8",
                        ))
                    })?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(SourceError::Denied(Denial::new(
                            Reason::PoeMissing,
                            "no entitlement document",
                        )))
                    }
                    Err(e) => {
                        return Err(SourceError::Unavailable(format!("{}: {e}", path.display())))
                    }
                }
            }
        };
        self.verify_document(&document).map_err(SourceError::Denied)
    }
}

/// A shared source (e.g. one the licensing service pushes documents into) is a source too.
impl<T: EntitlementSource + ?Sized> EntitlementSource for std::sync::Arc<T> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn fetch(&self, tenant: &str) -> Result<Entitlement, SourceError> {
        (**self).fetch(tenant)
    }
}
