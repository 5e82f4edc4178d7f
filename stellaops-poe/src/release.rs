//! Scanner release verification: before a scan report or SBOM is signed, the scanner release
//! that produced it must be trusted, by an allow-list of digests, by a DSSE signature over the
//! release found in an OCI registry, or by an explicit, audited override.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::SystemTime;

use stellaops_crypto::VerifyingKey;
use stellaops_dsse::canon::Limits;
use stellaops_dsse::{Envelope, EnvelopeLimits, VerificationPolicy};
use stellaops_predicates::{Statement, PAYLOAD_TYPE};

use crate::{Clock, Denial, Reason};

/// An operator's approval of one release digest without the usual evidence, until it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseOverride {
    /// The release digest (`sha256:<hex>`).
    pub digest: String,
    /// Why (a ticket, an incident): recorded with every request that uses it.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// When it stops applying.
    pub expires_at: SystemTime,
}

/// Why a release was trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseTrust {
    /// The digest is on the allow-list.
    Allowlisted,
    /// A DSSE envelope in the registry, signed by a trusted release key, names the digest.
    Signed {
        /// The key id that verified.
        key_id: String,
        /// The digest of the referrer manifest that carried the signature.
        referrer: String,
    },
    /// A manual override applied.
    Override {
        /// The override's reason.
        reason: String,
        /// Who approved it.
        approved_by: String,
    },
}

impl ReleaseTrust {
    /// `allowlist`, `signature` or `override`, for audit records.
    pub fn name(&self) -> &'static str {
        match self {
            ReleaseTrust::Allowlisted => "allowlist",
            ReleaseTrust::Signed { .. } => "signature",
            ReleaseTrust::Override { .. } => "override",
        }
    }
}

/// Where release signatures are looked up: an OCI registry and the scanner's repository.
pub trait ReleaseSignatures: std::fmt::Debug + Send + Sync {
    /// Every DSSE envelope attached to `digest` (as referrers), with the referrer's digest.
    ///
    /// # Errors
    /// A description when the registry cannot be asked.
    fn envelopes(&self, digest: &str) -> Result<Vec<(String, Vec<u8>)>, String>;
}

/// Decides whether a scanner release is trusted.
#[derive(Debug)]
pub struct ReleaseVerifier {
    allowlist: HashSet<String>,
    keys: Vec<VerifyingKey>,
    signatures: Option<Box<dyn ReleaseSignatures>>,
    predicate_type: Option<String>,
    overrides: Vec<ReleaseOverride>,
    /// Digests already proven by signature (with key id and referrer): release digests are
    /// immutable, so a proof holds and the registry is asked once per release, not per request.
    proven: Mutex<HashMap<String, (String, String)>>,
}

/// True for `sha256:` followed by 64 lowercase hex digits.
pub fn is_sha256_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

impl ReleaseVerifier {
    /// A verifier that trusts the `allowlist` of digests (`sha256:<hex>`) and nothing else yet.
    pub fn new(allowlist: impl IntoIterator<Item = String>) -> Self {
        ReleaseVerifier {
            allowlist: allowlist.into_iter().collect(),
            keys: Vec::new(),
            signatures: None,
            predicate_type: None,
            overrides: Vec::new(),
            proven: Mutex::new(HashMap::new()),
        }
    }

    /// Also trust releases with a DSSE signature by one of `keys`, looked up in `signatures`.
    pub fn with_signatures(
        mut self,
        keys: Vec<VerifyingKey>,
        signatures: Box<dyn ReleaseSignatures>,
    ) -> Self {
        self.keys = keys;
        self.signatures = Some(signatures);
        self
    }

    /// Whether a check may look up signatures (in a registry), beyond the allow-list and the
    /// overrides it holds.
    pub fn looks_up_signatures(&self) -> bool {
        self.signatures.is_some()
    }

    /// Require the signed statement's predicate type to be `predicate_type`.
    pub fn with_predicate_type(mut self, predicate_type: impl Into<String>) -> Self {
        self.predicate_type = Some(predicate_type.into());
        self
    }

    /// Add a manual override.
    pub fn with_override(mut self, o: ReleaseOverride) -> Self {
        self.overrides.push(o);
        self
    }

    /// Is the release `digest` trusted now? Allow-list first, then signatures, then overrides.
    ///
    /// # Errors
    /// `release.untrusted`, with what was tried in the detail.
    pub fn check(&self, digest: &str, clock: &dyn Clock) -> Result<ReleaseTrust, Denial> {
        if !is_sha256_digest(digest) {
            return Err(Denial::new(
                Reason::ReleaseUntrusted,
                format!("{digest:?} is not a sha256:<hex> digest"),
            ));
        }
        if self.allowlist.contains(digest) {
            return Ok(ReleaseTrust::Allowlisted);
        }
        let mut tried = vec![String::from("not on the allow-list")];
        if let Some(source) = &self.signatures {
            match self.signed(digest, source.as_ref()) {
                Ok(trust) => return Ok(trust),
                Err(why) => tried.push(why),
            }
        }
        let now = clock.now();
        if let Some(o) = self
            .overrides
            .iter()
            .find(|o| o.digest == digest && now < o.expires_at)
        {
            return Ok(ReleaseTrust::Override {
                reason: o.reason.clone(),
                approved_by: o.approved_by.clone(),
            });
        }
        Err(Denial::new(Reason::ReleaseUntrusted, tried.join("; ")))
    }

    fn signed(&self, digest: &str, source: &dyn ReleaseSignatures) -> Result<ReleaseTrust, String> {
        if self.keys.is_empty() {
            return Err(String::from("no release keys configured"));
        }
        if let Some((key_id, referrer)) = self
            .proven
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(digest)
            .cloned()
        {
            return Ok(ReleaseTrust::Signed { key_id, referrer });
        }
        let policy = VerificationPolicy::new(self.keys.iter().cloned(), 1, Some(PAYLOAD_TYPE))
            .map_err(|e| e.to_string())?;
        let envelopes = source.envelopes(digest)?;
        if envelopes.is_empty() {
            return Err(String::from("no signature referrers in the registry"));
        }
        let mut problems = Vec::new();
        for (referrer, bytes) in envelopes {
            match self.check_envelope(digest, &bytes, &policy) {
                Ok(key_id) => {
                    self.proven
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(digest.to_owned(), (key_id.clone(), referrer.clone()));
                    return Ok(ReleaseTrust::Signed { key_id, referrer });
                }
                Err(why) => problems.push(format!("{referrer}: {why}")),
            }
        }
        Err(format!(
            "no valid release signature ({})",
            problems.join(", ")
        ))
    }

    fn check_envelope(
        &self,
        digest: &str,
        bytes: &[u8],
        policy: &VerificationPolicy,
    ) -> Result<String, String> {
        let envelope =
            Envelope::from_json(bytes, &EnvelopeLimits::default()).map_err(|e| e.to_string())?;
        let verified = envelope.verify(policy).map_err(|e| e.to_string())?;
        let key_id = verified
            .keys()
            .first()
            .map(|k| k.key_id.to_string())
            .unwrap_or_default();
        let statement = Statement::from_json(verified.payload(), &Limits::default())
            .map_err(|e| e.to_string())?;
        if let Some(want) = &self.predicate_type {
            if statement.predicate_type() != want {
                return Err(format!(
                    "predicate type {} is not {want}",
                    statement.predicate_type()
                ));
            }
        }
        let hex = &digest["sha256:".len()..];
        if !statement
            .subjects()
            .iter()
            .any(|s| s.digest().get("sha256").is_some_and(|h| h == hex))
        {
            return Err(String::from("signed statement does not name this release"));
        }
        Ok(key_id)
    }
}
