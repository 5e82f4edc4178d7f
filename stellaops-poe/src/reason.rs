//! Stable reason codes for refusals, and the decision every request ends in.

use std::fmt;

macro_rules! reasons {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, )*) => {
        /// Why a request was denied. The [`code`](Reason::code) strings are stable: they appear in
        /// audit records, metrics and error messages, and `docs/entitlement.md` lists them all.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Reason {
            $( $(#[$doc])* $variant, )*
        }

        impl Reason {
            /// Every reason, in documentation order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant,)*];

            /// The stable code, e.g. `optok.expired`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Reason::$variant => $code,)*
                }
            }
        }
    };
}

reasons! {
    /// No access token was presented.
    OptokMissing = "optok.missing",
    /// The access token is not a well-formed JWS/JWT (or is larger than the limit).
    OptokMalformed = "optok.malformed",
    /// The token's `typ` says it is something else (e.g. a DPoP proof presented as a token).
    OptokType = "optok.typ",
    /// The token's `alg` is `none`, symmetric, not allowed, or does not fit the key.
    OptokAlgorithm = "optok.algorithm",
    /// The token names no `kid`, or one the Authority's key set does not hold.
    OptokKid = "optok.kid",
    /// The Authority's key set could not be loaded (a rotated file that does not parse): fail
    /// closed rather than fall back to keys the operator meant to replace.
    OptokKeys = "optok.keys",
    /// The token's signature does not verify.
    OptokSignature = "optok.signature",
    /// `iss` is not the pinned Authority.
    OptokIssuer = "optok.issuer",
    /// `aud` does not contain the signer's audience.
    OptokAudience = "optok.audience",
    /// The token is past `exp` (plus leeway), or has no `exp`.
    OptokExpired = "optok.expired",
    /// `nbf` or `iat` lies in the future (beyond leeway), or `iat` is missing.
    OptokNotYetValid = "optok.not_yet_valid",
    /// `exp - iat` exceeds the maximum token lifetime.
    OptokLifetime = "optok.lifetime",
    /// `scope` does not contain `signer.sign`.
    OptokScope = "optok.scope",
    /// `tid` is missing or differs from the tenant asked for.
    OptokTenant = "optok.tenant",
    /// `jti` is missing or empty.
    OptokJti = "optok.jti",
    /// `sub` is missing or empty.
    OptokSubject = "optok.subject",
    /// The token is not sender-constrained (no `cnf`) and bearer tokens are not accepted.
    OptokUnbound = "optok.unbound",
    /// The token is bound to a DPoP key (`cnf.jkt`) but no DPoP proof came with it.
    DpopMissing = "dpop.missing",
    /// The DPoP proof is not a well-formed JWS, or a claim has the wrong type.
    DpopMalformed = "dpop.malformed",
    /// The proof's `typ` is not `dpop+jwt`.
    DpopType = "dpop.typ",
    /// The proof's `alg` is `none`, symmetric, not allowed, or does not fit its `jwk`.
    DpopAlgorithm = "dpop.algorithm",
    /// The proof's header `jwk` is missing, private, or not a supported public key.
    DpopJwk = "dpop.jwk",
    /// The proof's signature does not verify under its `jwk`.
    DpopSignature = "dpop.signature",
    /// The thumbprint of the proof's `jwk` differs from the token's `cnf.jkt`.
    DpopThumbprint = "dpop.jkt",
    /// `htm` differs from the request's method.
    DpopHtm = "dpop.htm",
    /// `htu` differs from the request's URI (query and fragment ignored).
    DpopHtu = "dpop.htu",
    /// `iat` is missing or outside the accepted window.
    DpopIat = "dpop.iat",
    /// `ath` is missing or is not the hash of the access token.
    DpopAth = "dpop.ath",
    /// The proof's `jti` was seen before.
    DpopReplay = "dpop.replay",
    /// The replay cache is full of live entries; refusing is the only safe answer.
    DpopCapacity = "dpop.capacity",
    /// The shared replay store (Redis) cannot be reached and the policy fails closed: a proof
    /// that cannot be remembered could be replayed against another instance.
    DpopStore = "dpop.store",
    /// A server nonce is required and the proof's `nonce` is missing or not current.
    DpopNonce = "dpop.nonce",
    /// The token is bound to a certificate (`cnf.x5t#S256`) but no client certificate came.
    MtlsMissing = "mtls.missing",
    /// The client certificate's SHA-256 thumbprint differs from `cnf.x5t#S256`.
    MtlsThumbprint = "mtls.thumbprint",
    /// No entitlement exists for the tenant.
    PoeMissing = "poe.missing",
    /// The entitlement source is unreachable and nothing usable is cached.
    PoeUnavailable = "poe.unavailable",
    /// The source is unreachable and the cached entitlement is older than the cache TTL.
    PoeStale = "poe.stale",
    /// The entitlement document is malformed.
    PoeMalformed = "poe.malformed",
    /// The entitlement document's signature does not verify under the licensing keys.
    PoeSignature = "poe.signature",
    /// The entitlement has expired.
    PoeExpired = "poe.expired",
    /// The entitlement belongs to another tenant, or the tenant name is not acceptable.
    PoeTenant = "poe.tenant",
    /// The licensing service says the license is not active.
    PoeInactive = "poe.inactive",
    /// The entitlement lacks a required feature.
    PoeFeature = "poe.feature",
    /// The tenant's request rate is above its plan.
    QuotaRate = "quota.rate",
    /// The tenant already has its plan's number of signings in flight.
    QuotaConcurrency = "quota.concurrency",
    /// The artifact is larger than the plan allows.
    QuotaSize = "quota.size",
    /// The quota store is unreachable and the policy fails closed.
    QuotaStore = "quota.store",
    /// The scanner release that produced the artifact is not trusted (or none was named).
    ReleaseUntrusted = "release.untrusted",
    /// The predicate type is not on the signer's allow-list.
    PredicateNotAllowed = "predicate.not_allowed",
}

impl Reason {
    /// Look a reason up by its code.
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.code() == code)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refusal: the stable reason plus a human-readable detail (never secret material).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("denied ({reason}): {detail}")]
pub struct Denial {
    /// The stable reason.
    pub reason: Reason,
    /// What exactly was wrong, for logs and operators.
    pub detail: String,
}

impl Denial {
    /// A denial for `reason` with `detail`.
    ///
    /// Details often quote what the caller sent (a tenant, a claim): they are cut to
    /// [`MAX_DETAIL_BYTES`](crate::audit::MAX_DETAIL_BYTES), so a denial never carries an
    /// unbounded input into a message, a log line or an audit record.
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        let mut detail = detail.into();
        let (kept, cut) = crate::audit::bound_text(&detail, crate::audit::MAX_DETAIL_BYTES - 3);
        if cut {
            let kept = kept.len();
            detail.truncate(kept);
            detail.push_str("...");
        }
        Denial { reason, detail }
    }
}

/// The outcome of policy evaluation for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Every check passed.
    Allowed,
    /// A check refused the request.
    Denied(Denial),
}

impl Decision {
    /// True for [`Decision::Allowed`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }

    /// `allowed`, or the denial's reason code.
    pub fn code(&self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Denied(d) => d.reason.code(),
        }
    }
}

impl<T> From<&Result<T, Denial>> for Decision {
    fn from(result: &Result<T, Denial>) -> Self {
        match result {
            Ok(_) => Decision::Allowed,
            Err(d) => Decision::Denied(d.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            assert!(seen.insert(r.code()), "duplicate code {}", r.code());
            assert_eq!(Reason::from_code(r.code()), Some(*r));
            let (family, name) = r.code().split_once('.').unwrap_or(("", ""));
            assert!(!family.is_empty() && !name.is_empty(), "{}", r.code());
        }
        assert_eq!(Reason::from_code("optok.nope"), None);
    }

    #[test]
    fn every_code_is_in_the_documented_table() {
        let doc = include_str!("../../docs/entitlement.md");
        for r in Reason::ALL {
            assert!(
                doc.contains(&format!("`{}`", r.code())),
                "docs/entitlement.md lacks {}",
                r.code()
            );
        }
    }
}
