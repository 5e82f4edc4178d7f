//! Promotion attestations: verify one against what a deployment requires. (A promotion's
//! statement is [`Promotion::statement`]; an [`Authority`](crate::Authority) signs it.)

use std::collections::BTreeMap;

use stellaops_dsse::{Envelope, VerificationPolicy, VerifiedKey};
use stellaops_predicates::{Promotion, Statement, PROMOTION_PREDICATE_TYPE};

use crate::verify::verified_statement;
use crate::{Error, Result};

/// What a verifier requires of a promotion beyond a good signature. `None` fields are not
/// checked.
#[derive(Clone, Debug, Default)]
pub struct PromotionRequirements {
    /// The promoted artifact's digest set must hold each of these (algorithm, hex) pairs.
    pub artifact_digest: BTreeMap<String, String>,
    /// The target environment.
    pub target_environment: Option<String>,
    /// The policy digest (`sha256:<hex>`).
    pub policy_digest: Option<String>,
}

/// What [`verify_promotion`] established.
#[derive(Clone, Debug)]
pub struct PromotionVerification {
    /// The envelope (its signatures verified).
    pub envelope: Envelope,
    /// The trusted keys that verified.
    pub keys: Vec<VerifiedKey>,
    /// The verified statement.
    pub statement: Statement,
    /// Its promotion predicate.
    pub promotion: Promotion,
}

/// Verify a promotion envelope: signatures per `policy`, an in-toto statement of type
/// `stella.ops/promotion@v1` whose predicate follows the schema and whose subject is the
/// promoted artifact, then `requirements`.
///
/// # Errors
/// Verification failures: a bad signature, [`Error::PredicateTypeMismatch`],
/// [`Error::PredicateMismatch`] (subject, artifact digest, target environment or policy digest
/// differ); [`stellaops_predicates::Error::InvalidPredicate`] for a signed predicate that breaks
/// the schema; parse errors.
pub fn verify_promotion(
    envelope_json: &[u8],
    policy: &VerificationPolicy,
    requirements: &PromotionRequirements,
) -> Result<PromotionVerification> {
    let (envelope, keys, statement) =
        verified_statement(envelope_json, policy, PROMOTION_PREDICATE_TYPE)?;
    let promotion = Promotion::from_value(statement.predicate())?;
    let artifact = promotion.artifact.subject()?;
    if !statement.subjects().contains(&artifact) {
        return Err(Error::PredicateMismatch(
            "the statement's subject is not the promoted artifact".into(),
        ));
    }
    for (algorithm, hex) in &requirements.artifact_digest {
        if promotion.artifact.digest.get(algorithm) != Some(hex) {
            return Err(Error::PredicateMismatch(format!(
                "the promoted artifact's {algorithm} is not {hex}"
            )));
        }
    }
    if let Some(target) = &requirements.target_environment {
        if &promotion.target.environment != target {
            return Err(Error::PredicateMismatch(format!(
                "promoted to {:?}, required {target:?}",
                promotion.target.environment
            )));
        }
    }
    if let Some(digest) = &requirements.policy_digest {
        if &promotion.policy.digest != digest {
            return Err(Error::PredicateMismatch(format!(
                "allowed by policy {}, required {digest}",
                promotion.policy.digest
            )));
        }
    }
    Ok(PromotionVerification {
        envelope,
        keys,
        statement,
        promotion,
    })
}
