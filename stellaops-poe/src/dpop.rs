//! DPoP proofs (RFC 9449 §4.3): the caller proves possession of the key its token is bound to.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use stellaops_crypto::{Algorithm, VerifyingKey};
use url::Url;

use crate::jws::{b64url, CompactJws, JwsError};
use crate::replay::{MemoryReplayStore, ReplayStore, Seen};
use crate::thumbprint::jwk_thumbprint;
use crate::{json, Clock, Denial, Reason};

/// How proofs are checked. [`Default`] gives the values below.
#[derive(Clone, Debug)]
pub struct DpopPolicy {
    /// Accepted algorithms (default ES256, ES384, EdDSA, PS256, RS256).
    pub algorithms: Vec<Algorithm>,
    /// Oldest accepted proof: `now - iat` at most this (default 60 s).
    pub max_age: Duration,
    /// Clock skew tolerated for proofs dated in the future (default 5 s).
    pub future_skew: Duration,
    /// Largest proof accepted, in bytes (default 8 KiB).
    pub max_proof_bytes: usize,
    /// How many live `jti`s the replay cache holds (default 1,000,000). When it is full of
    /// unexpired entries, proofs are refused (`dpop.capacity`) rather than replays let through.
    pub replay_capacity: usize,
}

impl Default for DpopPolicy {
    fn default() -> Self {
        DpopPolicy {
            algorithms: Algorithm::ALL.to_vec(),
            max_age: Duration::from_secs(60),
            future_skew: Duration::from_secs(5),
            max_proof_bytes: 8 << 10,
            replay_capacity: 1_000_000,
        }
    }
}

/// Server-issued DPoP nonces (RFC 9449 §8): a value derived from a random secret and the current
/// period; the current and the previous period's values are accepted, so a nonce lives between
/// one and two periods.
pub struct DpopNonces {
    secret: [u8; 32],
    period: Duration,
}

/// Shows the period, never the secret (anyone holding it could mint valid nonces).
impl std::fmt::Debug for DpopNonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopNonces")
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

impl DpopNonces {
    /// Nonces that rotate every `period` (at least one second), with a fresh random secret.
    ///
    /// # Errors
    /// [`crate::Error::Config`] when the operating system has no randomness to give.
    pub fn new(period: Duration) -> crate::Result<Self> {
        use rand_core::RngCore as _;
        let mut secret = [0u8; 32];
        rand_core::OsRng
            .try_fill_bytes(&mut secret)
            .map_err(|e| crate::Error::config_from("no randomness for dpop nonces", e))?;
        Ok(DpopNonces {
            secret,
            period: period.max(Duration::from_secs(1)),
        })
    }

    fn for_period(&self, index: i64) -> String {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(index.to_be_bytes());
        b64url(&h.finalize()[..18])
    }

    fn index(&self, now_micros: i64) -> i64 {
        let period = i64::try_from(self.period.as_micros()).unwrap_or(i64::MAX);
        now_micros.div_euclid(period)
    }

    /// The nonce to hand out now (in a `DPoP-Nonce` header).
    pub fn current(&self, clock: &dyn Clock) -> String {
        self.for_period(self.index(clock.now_micros()))
    }

    /// Whether `nonce` is the current or the previous period's.
    pub fn is_valid(&self, nonce: &str, clock: &dyn Clock) -> bool {
        let i = self.index(clock.now_micros());
        nonce == self.for_period(i) || nonce == self.for_period(i - 1)
    }
}

/// The facts of a verified proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopProof {
    /// The proof's `jti`.
    pub proof_id: String,
    /// The JWK thumbprint of the key that signed it.
    pub jkt: String,
    /// Set when the replay store failed and the proof was accepted under fail-open: what
    /// failed (for the audit record). `None` when the store remembered the proof.
    pub replay_fail_open: Option<String>,
}

/// Verifies DPoP proofs and remembers their `jti`s.
#[derive(Debug)]
pub struct DpopVerifier {
    policy: DpopPolicy,
    replay: Arc<dyn ReplayStore>,
    replay_fail_open: bool,
    nonces: Option<DpopNonces>,
    clock: Arc<dyn Clock>,
}

fn deny(reason: Reason, detail: impl Into<String>) -> Denial {
    Denial::new(reason, detail)
}

impl DpopVerifier {
    /// A verifier for `policy`; with `nonces`, every proof must carry a current server nonce.
    pub fn new(policy: DpopPolicy, nonces: Option<DpopNonces>, clock: Arc<dyn Clock>) -> Self {
        DpopVerifier {
            replay: Arc::new(MemoryReplayStore::new(policy.replay_capacity)),
            replay_fail_open: false,
            policy,
            nonces,
            clock,
        }
    }

    /// Remember proof ids in `store` (shared by a fleet, e.g.
    /// [`RedisReplayStore`](crate::RedisReplayStore)) instead of this process's memory. When the
    /// store fails, proofs are refused (`dpop.store`) unless `fail_open`, which accepts them and
    /// says so in [`DpopProof::replay_fail_open`] for the audit record.
    #[must_use]
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>, fail_open: bool) -> Self {
        self.replay = store;
        self.replay_fail_open = fail_open;
        self
    }

    /// The replay store's name (`memory`, `redis`).
    pub fn replay_store_name(&self) -> &'static str {
        self.replay.name()
    }

    /// The server nonce to send to clients, if nonces are required.
    pub fn current_nonce(&self) -> Option<String> {
        self.nonces.as_ref().map(|n| n.current(self.clock.as_ref()))
    }

    /// Verify `proof` for a request with `method` to `uri`, made with `access_token` bound to
    /// the key thumbprint `expected_jkt`. A proof that passes every check is remembered; the same
    /// `jti` is refused afterwards.
    ///
    /// # Errors
    /// A [`Denial`] naming the first failed check.
    pub fn verify(
        &self,
        proof: &str,
        method: &str,
        uri: &str,
        access_token: &str,
        expected_jkt: &str,
    ) -> Result<DpopProof, Denial> {
        let jws = CompactJws::parse(proof, self.policy.max_proof_bytes)
            .map_err(|e| deny(Reason::DpopMalformed, e.to_string()))?;
        if jws.header_str("typ") != Some("dpop+jwt") {
            return Err(deny(Reason::DpopType, "typ is not dpop+jwt"));
        }
        jws.algorithm(&self.policy.algorithms)
            .map_err(|e| deny(Reason::DpopAlgorithm, e.to_string()))?;
        let Some(Value::Object(jwk)) = jws.header().get("jwk") else {
            return Err(deny(Reason::DpopJwk, "no jwk header"));
        };
        const PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];
        if PRIVATE.iter().any(|m| jwk.contains_key(*m)) {
            return Err(deny(Reason::DpopJwk, "jwk holds private key material"));
        }
        let key = VerifyingKey::from_jwk(&Value::Object(jwk.clone()).to_string())
            .map_err(|e| deny(Reason::DpopJwk, e.to_string()))?;
        jws.verify(&key, &self.policy.algorithms)
            .map_err(|e| match e {
                JwsError::Algorithm(m) => deny(Reason::DpopAlgorithm, m),
                JwsError::Malformed(m) => deny(Reason::DpopMalformed, m),
                _ => deny(Reason::DpopSignature, "signature does not verify"),
            })?;
        let jkt = jwk_thumbprint(jwk).map_err(|e| deny(Reason::DpopJwk, e))?;
        if jkt != expected_jkt {
            return Err(deny(
                Reason::DpopThumbprint,
                "proof key is not the key the token is bound to",
            ));
        }
        let claims = jws
            .claims()
            .map_err(|e| deny(Reason::DpopMalformed, e.to_string()))?;
        let proof_id = match json::string(&claims, "jti") {
            Some(Ok(j)) if !j.is_empty() && j.len() <= 256 => j.to_owned(),
            _ => {
                return Err(deny(
                    Reason::DpopMalformed,
                    "jti missing, empty or too long",
                ))
            }
        };
        match json::string(&claims, "htm") {
            Some(Ok(htm)) if htm == method => {}
            Some(Ok(htm)) => {
                return Err(deny(
                    Reason::DpopHtm,
                    format!("htm {htm:?} is not the request's {method:?}"),
                ))
            }
            _ => return Err(deny(Reason::DpopHtm, "no htm")),
        }
        match json::string(&claims, "htu") {
            Some(Ok(htu)) if same_target(htu, uri) => {}
            Some(Ok(htu)) => {
                return Err(deny(
                    Reason::DpopHtu,
                    format!("htu {htu:?} is not the request's {uri:?}"),
                ))
            }
            _ => return Err(deny(Reason::DpopHtu, "no htu")),
        }
        let now = self.clock.now_seconds();
        let iat = match json::numeric_date(&claims, "iat") {
            Some(Ok(iat)) => iat,
            _ => return Err(deny(Reason::DpopIat, "no numeric iat")),
        };
        if now - iat > self.policy.max_age.as_secs_f64() {
            return Err(deny(
                Reason::DpopIat,
                format!("proof is {:.0} s old", now - iat),
            ));
        }
        if iat - now > self.policy.future_skew.as_secs_f64() {
            return Err(deny(
                Reason::DpopIat,
                format!("proof is dated {:.0} s in the future", iat - now),
            ));
        }
        let ath = b64url(&Sha256::digest(access_token.as_bytes()));
        match json::string(&claims, "ath") {
            Some(Ok(a)) if a == ath => {}
            Some(Ok(_)) => return Err(deny(Reason::DpopAth, "ath is not the access token's hash")),
            _ => return Err(deny(Reason::DpopAth, "no ath")),
        }
        if let Some(nonces) = &self.nonces {
            match json::string(&claims, "nonce") {
                Some(Ok(n)) if nonces.is_valid(n, self.clock.as_ref()) => {}
                Some(Ok(_)) => return Err(deny(Reason::DpopNonce, "nonce is not current")),
                _ => return Err(deny(Reason::DpopNonce, "a server nonce is required")),
            }
        }
        // Remember the proof until it would be too old anyway; scoped by key, so one client
        // cannot burn another's ids.
        let now_us = self.clock.now_micros();
        // A float-to-integer cast saturates; the addition must too, or a huge `max_age` (a
        // configuration's choice) wraps the expiry into the past and replays pass.
        let expires =
            (((iat + self.policy.max_age.as_secs_f64()) * 1e6).ceil() as i64).saturating_add(1);
        match self
            .replay
            .remember(&format!("{jkt}:{proof_id}"), now_us, expires)
        {
            Ok(Seen::New) => Ok(DpopProof {
                proof_id,
                jkt,
                replay_fail_open: None,
            }),
            Ok(Seen::Replay) => Err(deny(Reason::DpopReplay, "jti was seen before")),
            Ok(Seen::Full) => Err(deny(Reason::DpopCapacity, "replay cache is full")),
            Err(e) if self.replay_fail_open => Ok(DpopProof {
                proof_id,
                jkt,
                replay_fail_open: Some(format!("{} replay store: {e}", self.replay.name())),
            }),
            Err(e) => Err(deny(
                Reason::DpopStore,
                format!("the {} replay store failed: {e}", self.replay.name()),
            )),
        }
    }
}

/// RFC 9449 §4.3 step 9: `htu` matches the request URI without query and fragment, after
/// the normalization the WHATWG URL parser applies (case of scheme and host, default ports, dot
/// segments). Percent-encoded unreserved characters are compared as written.
fn same_target(htu: &str, request: &str) -> bool {
    let (Ok(a), Ok(b)) = (Url::parse(htu), Url::parse(request)) else {
        return false;
    };
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
        && a.username() == b.username()
        && a.password() == b.password()
}

#[cfg(test)]
mod tests {
    use super::same_target;

    #[test]
    fn htu_normalization() {
        assert!(same_target(
            "https://signer.example/api/sign",
            "HTTPS://Signer.Example:443/api/sign?x=1#f"
        ));
        assert!(same_target(
            "https://signer.example/api/./sign",
            "https://signer.example/api/sign"
        ));
        assert!(!same_target(
            "https://signer.example/api/sign",
            "http://signer.example/api/sign"
        ));
        assert!(!same_target(
            "https://signer.example/api/sign",
            "https://signer.example:8443/api/sign"
        ));
        assert!(!same_target(
            "https://signer.example/api/sign",
            "https://signer.example/api/verify"
        ));
        assert!(!same_target("not a url", "https://signer.example/"));
    }
}
