//! Caller policy for stellaops-signer: who may sign, under which entitlement, within which quota,
//! and the audit record every decision leaves.
//!
//! The pieces run in this order inside the facade's `SignerPipeline`:
//!
//! 1. [`Authenticator`]: the caller's access token ([`OpTokVerifier`]: a JWT from the Authority,
//!    checked against its JWKS) and its sender constraint: a DPoP proof ([`DpopVerifier`],
//!    RFC 9449) or the mTLS client certificate ([`mtls`], RFC 8705).
//! 2. [`PoeEvaluator`]: the tenant's Proof-of-Entitlement from an [`EntitlementSource`] (a signed
//!    entitlement document, or the licensing service's introspection endpoint), with a
//!    last-known-good cache for outages and an explicit, expiring bypass.
//! 3. [`QuotaEnforcer`]: plan quotas (rate, concurrency, artifact size) over a [`QuotaStore`].
//! 4. [`ReleaseVerifier`]: the scanner release that produced the artifact is on the allow-list,
//!    signed by a release key (found in an OCI registry, see `oci`), or approved by an override.
//! 5. [`audit`]: one [`AuditRecord`] per request, allowed or denied, appended to a hash-chained
//!    JSONL file that [`audit::verify_chain`] checks.
//!
//! A refusal is a [`Denial`] with a stable [`Reason`] code (`optok.expired`, `dpop.replay`, ...);
//! a failure of the machinery itself (an unreadable JWKS file, an unwritable audit log) is an
//! [`Error`]. Time comes from an injectable [`Clock`].

#![forbid(unsafe_code)]

pub mod audit;
mod authn;
mod clock;
mod config;
mod dpop;
mod entitlement;
mod error;
// The blocking HTTP client (no feature of its own: a feature that is only a part would not build
// alone).
#[cfg(any(feature = "introspection", feature = "oci"))]
mod http;
#[cfg(feature = "introspection")]
mod introspect;
mod json;
mod jwks;
pub mod jws;
pub mod mtls;
#[cfg(feature = "oci")]
pub mod oci;
#[cfg(feature = "oci")]
mod oci_auth;
mod optok;
mod poe;
mod quota;
mod reason;
#[cfg(feature = "redis")]
mod redis_pool;
#[cfg(feature = "redis")]
mod redis_replay;
#[cfg(feature = "redis")]
mod redis_store;
mod release;
mod replay;
pub mod thumbprint;

pub use audit::{AuditRecord, AuditSink, JsonlAuditSink};
pub use authn::{AuthRequest, Authenticator, Binding, Caller};
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{PolicyConfig, PolicyParts, ReleaseParts};
pub use dpop::{DpopNonces, DpopPolicy, DpopProof, DpopVerifier};
pub use entitlement::{
    Entitlement, EntitlementSource, SignedEntitlements, SourceError, ENTITLEMENT_TYP,
};
pub use error::{Error, Result};
#[cfg(feature = "introspection")]
pub use introspect::IntrospectionSource;
pub use jwks::{Jwks, JwksSource};
pub use optok::{Confirmation, OpTok, OpTokPolicy, OpTokVerifier};
pub use poe::{Bypass, PoeEvaluator, PoeOutcome, PoePolicy, PoeState};
pub use quota::{Lease, MemoryQuotaStore, QuotaAdmission, QuotaEnforcer, QuotaLimits, QuotaStore};
pub use reason::{Decision, Denial, Reason};
#[cfg(feature = "redis")]
pub use redis_replay::RedisReplayStore;
#[cfg(feature = "redis")]
pub use redis_store::RedisQuotaStore;
pub use release::{
    is_sha256_digest, ReleaseOverride, ReleaseSignatures, ReleaseTrust, ReleaseVerifier,
};
pub use replay::{MemoryReplayStore, ReplayStore, Seen};
