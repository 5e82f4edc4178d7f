//! The caller's access token (OpTok): a JWT from the Authority.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use serde_json::{Map, Value};
use stellaops_crypto::{Algorithm, KeyId, VerifyingKey};

use crate::json;
use crate::jws::{CompactJws, JwsError};
use crate::{Clock, Denial, JwksSource, Reason};

/// What a token must look like. Build with [`OpTokPolicy::new`] and adjust the fields.
#[derive(Clone, Debug)]
pub struct OpTokPolicy {
    /// The pinned Authority: `iss` must equal it exactly.
    pub issuer: String,
    /// The audience the signer answers to: `aud` must contain it (default `signer`).
    pub audience: String,
    /// The scope a caller needs (default `signer.sign`).
    pub scope: String,
    /// Accepted signature algorithms (default ES256, ES384, EdDSA, PS256, RS256).
    pub algorithms: Vec<Algorithm>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat` (default 30 s).
    pub leeway: Duration,
    /// Longest accepted `exp - iat` (default 5 minutes).
    pub max_lifetime: Duration,
    /// Largest token accepted, in bytes (default 16 KiB).
    pub max_token_bytes: usize,
    /// How many verified tokens to remember (default 10,000; 0 disables), so a caller's next
    /// request with the same token skips the signature check. A remembered token is still
    /// checked for expiry and tenant on every use, and dropped when its `kid` leaves the
    /// Authority's key set.
    pub token_cache: usize,
}

impl OpTokPolicy {
    /// The defaults, with `issuer` pinned.
    pub fn new(issuer: impl Into<String>) -> Self {
        OpTokPolicy {
            issuer: issuer.into(),
            audience: String::from("signer"),
            scope: String::from("signer.sign"),
            algorithms: Algorithm::ALL.to_vec(),
            leeway: Duration::from_secs(30),
            max_lifetime: Duration::from_secs(300),
            max_token_bytes: 16 << 10,
            token_cache: 10_000,
        }
    }
}

/// The token's sender constraint (`cnf`, RFC 7800): a DPoP key thumbprint (RFC 9449) and/or a
/// client certificate thumbprint (RFC 8705). Both empty means a bearer token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Confirmation {
    /// `cnf.jkt`: the JWK thumbprint of the key DPoP proofs must be signed with.
    pub jkt: Option<String>,
    /// `cnf.x5t#S256`: the SHA-256 thumbprint of the mTLS client certificate.
    pub x5t_s256: Option<String>,
}

impl Confirmation {
    /// True when the token is bound to nothing.
    pub fn is_bearer(&self) -> bool {
        self.jkt.is_none() && self.x5t_s256.is_none()
    }
}

/// A verified access token's facts.
#[derive(Clone, Debug, PartialEq)]
pub struct OpTok {
    /// `sub`: who the caller is.
    pub subject: String,
    /// `iss`.
    pub issuer: String,
    /// `tid`: the tenant.
    pub tenant: String,
    /// `jti`: the token's id.
    pub token_id: String,
    /// The scopes granted (`scope`, space-separated, or an `scp` array).
    pub scopes: Vec<String>,
    /// `client_id`, when present.
    pub client_id: Option<String>,
    /// `iat`, seconds since the epoch.
    pub issued_at: f64,
    /// `exp`, seconds since the epoch.
    pub expires_at: f64,
    /// `cnf`.
    pub confirmation: Confirmation,
    /// The `kid` that signed it.
    pub key_id: String,
}

/// Verifies access tokens against the Authority's key set under an [`OpTokPolicy`].
#[derive(Debug)]
pub struct OpTokVerifier {
    policy: OpTokPolicy,
    keys: JwksSource,
    clock: Arc<dyn Clock>,
    /// Verified tokens by the SHA-256 of their text, with the key id (SPKI hash) of the key
    /// that verified each: a `kid` re-keyed to other key material no longer vouches for them.
    verified: Mutex<HashMap<[u8; 32], (OpTok, KeyId)>>,
}

fn deny(reason: Reason, detail: impl Into<String>) -> Denial {
    Denial::new(reason, detail)
}

impl OpTokVerifier {
    /// A verifier for `policy` with the Authority's `keys`, reading time from `clock`.
    pub fn new(policy: OpTokPolicy, keys: JwksSource, clock: Arc<dyn Clock>) -> Self {
        OpTokVerifier {
            policy,
            keys,
            clock,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &OpTokPolicy {
        &self.policy
    }

    /// Verify `token` for a request on behalf of `tenant`.
    ///
    /// # Errors
    /// A [`Denial`] whose reason names the first check that failed, in this order: size and
    /// form, `typ`, `alg`, `kid`, signature, `iss`, `aud`, times, lifetime, scope, tenant, `jti`,
    /// `sub`, `cnf`.
    pub fn verify(&self, token: &str, tenant: &str) -> Result<OpTok, Denial> {
        if token.is_empty() {
            return Err(deny(Reason::OptokMissing, "no access token"));
        }
        if self.policy.token_cache > 0 && token.len() <= self.policy.max_token_bytes {
            let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            if let Some(known) = self.remembered(&digest, tenant)? {
                return Ok(known);
            }
            let (tok, key) = self.verify_uncached(token, tenant)?;
            self.remember(digest, &tok, key);
            return Ok(tok);
        }
        self.verify_uncached(token, tenant).map(|(tok, _)| tok)
    }

    /// A remembered token, re-checked for what can change: time, tenant, its key's presence.
    fn remembered(&self, digest: &[u8; 32], tenant: &str) -> Result<Option<OpTok>, Denial> {
        let known = self
            .verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(digest)
            .cloned();
        let Some((tok, verified_with)) = known else {
            return Ok(None);
        };
        let keys = self
            .keys
            .current()
            .map_err(|e| deny(Reason::OptokKeys, e.to_string()))?;
        if keys.get(&tok.key_id).map(VerifyingKey::key_id) != Some(&verified_with) {
            self.verified
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(digest);
            return Ok(None);
        }
        let now = self.clock.now_seconds();
        if now > tok.expires_at + self.policy.leeway.as_secs_f64() {
            return Err(deny(
                Reason::OptokExpired,
                format!("expired {:.0} s ago", now - tok.expires_at),
            ));
        }
        if tok.tenant != tenant {
            return Err(deny(
                Reason::OptokTenant,
                format!("token is for tenant {:?}, not {tenant:?}", tok.tenant),
            ));
        }
        Ok(Some(tok))
    }

    fn remember(&self, digest: [u8; 32], tok: &OpTok, key: KeyId) {
        let mut cache = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= self.policy.token_cache {
            let now = self.clock.now_seconds() - self.policy.leeway.as_secs_f64();
            cache.retain(|_, (t, _)| t.expires_at >= now);
            if cache.len() >= self.policy.token_cache {
                return;
            }
        }
        cache.insert(digest, (tok.clone(), key));
    }

    fn verify_uncached(&self, token: &str, tenant: &str) -> Result<(OpTok, KeyId), Denial> {
        let jws = CompactJws::parse(token, self.policy.max_token_bytes)
            .map_err(|e| deny(Reason::OptokMalformed, e.to_string()))?;
        match jws.header_str("typ") {
            None => {}
            Some(t) if t.eq_ignore_ascii_case("JWT") || t.eq_ignore_ascii_case("at+jwt") => {}
            Some(t) => {
                return Err(deny(
                    Reason::OptokType,
                    format!("typ {t:?} is not an access token"),
                ))
            }
        }
        jws.algorithm(&self.policy.algorithms)
            .map_err(|e| deny(Reason::OptokAlgorithm, e.to_string()))?;
        let kid = jws
            .header_str("kid")
            .ok_or_else(|| deny(Reason::OptokKid, "token names no kid"))?
            .to_owned();
        let keys = self
            .keys
            .current()
            .map_err(|e| deny(Reason::OptokKeys, e.to_string()))?;
        let key = keys.get(&kid).ok_or_else(|| {
            deny(
                Reason::OptokKid,
                format!("kid {kid:?} is not in the Authority's key set"),
            )
        })?;
        jws.verify(key, &self.policy.algorithms)
            .map_err(|e| match e {
                JwsError::Algorithm(m) => deny(Reason::OptokAlgorithm, m),
                JwsError::Malformed(m) => deny(Reason::OptokMalformed, m),
                _ => deny(Reason::OptokSignature, "signature does not verify"),
            })?;
        let claims = jws
            .claims()
            .map_err(|e| deny(Reason::OptokMalformed, e.to_string()))?;
        let verified_with = key.key_id().clone();
        Ok((self.check_claims(&claims, tenant, kid)?, verified_with))
    }

    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        tenant: &str,
        kid: String,
    ) -> Result<OpTok, Denial> {
        let p = &self.policy;
        let issuer = match json::string(claims, "iss") {
            Some(Ok(iss)) if iss == p.issuer => iss.to_owned(),
            Some(Ok(iss)) => {
                return Err(deny(
                    Reason::OptokIssuer,
                    format!("iss {iss:?} is not the pinned Authority"),
                ))
            }
            _ => return Err(deny(Reason::OptokIssuer, "no iss")),
        };
        let audience_ok = match claims.get("aud") {
            Some(Value::String(a)) => *a == p.audience,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(&p.audience)),
            _ => false,
        };
        if !audience_ok {
            return Err(deny(
                Reason::OptokAudience,
                format!("aud does not contain {:?}", p.audience),
            ));
        }
        let now = self.clock.now_seconds();
        let leeway = p.leeway.as_secs_f64();
        let expires_at = match json::numeric_date(claims, "exp") {
            Some(Ok(exp)) => exp,
            Some(Err(())) => return Err(deny(Reason::OptokMalformed, "exp is not a number")),
            None => return Err(deny(Reason::OptokExpired, "no exp")),
        };
        if now > expires_at + leeway {
            return Err(deny(
                Reason::OptokExpired,
                format!("expired {:.0} s ago", now - expires_at),
            ));
        }
        if let Some(nbf) = json::numeric_date(claims, "nbf") {
            let nbf = nbf.map_err(|()| deny(Reason::OptokMalformed, "nbf is not a number"))?;
            if nbf > now + leeway {
                return Err(deny(
                    Reason::OptokNotYetValid,
                    format!("not valid for another {:.0} s", nbf - now),
                ));
            }
        }
        let issued_at = match json::numeric_date(claims, "iat") {
            Some(Ok(iat)) => iat,
            Some(Err(())) => return Err(deny(Reason::OptokMalformed, "iat is not a number")),
            None => return Err(deny(Reason::OptokNotYetValid, "no iat")),
        };
        if issued_at > now + leeway {
            return Err(deny(
                Reason::OptokNotYetValid,
                format!("issued {:.0} s in the future", issued_at - now),
            ));
        }
        if expires_at - issued_at > p.max_lifetime.as_secs_f64() {
            return Err(deny(
                Reason::OptokLifetime,
                format!(
                    "lifetime of {:.0} s exceeds {} s",
                    expires_at - issued_at,
                    p.max_lifetime.as_secs()
                ),
            ));
        }
        let scopes = scopes(claims)?;
        if !scopes.contains(&p.scope) {
            return Err(deny(
                Reason::OptokScope,
                format!("scope does not contain {:?}", p.scope),
            ));
        }
        let token_tenant = match json::string(claims, "tid") {
            Some(Ok(t)) if !t.is_empty() => t,
            _ => return Err(deny(Reason::OptokTenant, "no tid")),
        };
        if token_tenant != tenant {
            return Err(deny(
                Reason::OptokTenant,
                format!("token is for tenant {token_tenant:?}, not {tenant:?}"),
            ));
        }
        let token_id = match json::string(claims, "jti") {
            Some(Ok(j)) if !j.is_empty() => j.to_owned(),
            _ => return Err(deny(Reason::OptokJti, "no jti")),
        };
        let subject = match json::string(claims, "sub") {
            Some(Ok(s)) if !s.is_empty() => s.to_owned(),
            _ => return Err(deny(Reason::OptokSubject, "no sub")),
        };
        let client_id = match json::string(claims, "client_id") {
            Some(Ok(c)) => Some(c.to_owned()),
            Some(Err(())) => return Err(deny(Reason::OptokMalformed, "client_id is not a string")),
            None => None,
        };
        Ok(OpTok {
            subject,
            issuer,
            tenant: token_tenant.to_owned(),
            token_id,
            scopes,
            client_id,
            issued_at,
            expires_at,
            confirmation: confirmation(claims)?,
            key_id: kid,
        })
    }
}

/// `scope` (RFC 8693 §4.2, space-separated) or `scp` (an array, as some Authorities write it).
fn scopes(claims: &Map<String, Value>) -> Result<Vec<String>, Denial> {
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(s)), _) => Ok(s
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()),
        (Some(_), _) => Err(deny(Reason::OptokMalformed, "scope is not a string")),
        (None, Some(Value::Array(list))) => list
            .iter()
            .map(|s| {
                s.as_str()
                    .map(String::from)
                    .ok_or_else(|| deny(Reason::OptokMalformed, "scp holds a non-string"))
            })
            .collect(),
        (None, Some(_)) => Err(deny(Reason::OptokMalformed, "scp is not an array")),
        (None, None) => Ok(Vec::new()),
    }
}

fn confirmation(claims: &Map<String, Value>) -> Result<Confirmation, Denial> {
    let Some(cnf) = claims.get("cnf") else {
        return Ok(Confirmation::default());
    };
    let Value::Object(cnf) = cnf else {
        return Err(deny(Reason::OptokMalformed, "cnf is not an object"));
    };
    let member = |name: &str| match cnf.get(name) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(deny(
            Reason::OptokMalformed,
            format!("cnf.{name} is not a string"),
        )),
    };
    let confirmation = Confirmation {
        jkt: member("jkt")?,
        x5t_s256: member("x5t#S256")?,
    };
    if confirmation.is_bearer() {
        // A cnf we do not understand (e.g. a raw `jwk`) must not silently become a bearer token.
        return Err(deny(
            Reason::OptokMalformed,
            "cnf holds neither jkt nor x5t#S256",
        ));
    }
    Ok(confirmation)
}
