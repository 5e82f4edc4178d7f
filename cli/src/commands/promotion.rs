//! `stella promotion attest` and `stella promotion verify`.

use std::collections::BTreeMap;

use serde_json::json;
use stellaops_signer::predicates::{
    now_rfc3339, Approval, Environment, EvidenceRef, NamedDigest, PolicyRef, Promotion,
    PAYLOAD_TYPE,
};
use stellaops_signer::{verify_promotion, PromotionRequirements, VerificationPolicy};

use crate::cli::{PromotionAttestArgs, PromotionVerifyArgs};
use crate::io::{parse_digest, parse_subject, read_input, verifying_keys, write_envelope};
use crate::signers::Signers;
use crate::Failure;

pub(crate) fn attest(a: &PromotionAttestArgs) -> Result<(), Failure> {
    let artifact = parse_subject(&a.artifact)?;
    let approvals = a
        .approvals
        .iter()
        .map(|text| {
            let mut parts = text.splitn(3, ',');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(who), Some(time), role) if !who.is_empty() => Ok(Approval {
                    approver: who.to_owned(),
                    role: role.map(str::to_owned),
                    approved_at: time.to_owned(),
                }),
                _ => Err(Failure::Usage(format!(
                    "{text:?}: expected WHO,TIME[,ROLE]"
                ))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let evidence = a
        .evidence
        .iter()
        .map(|text| {
            let (kind, digest) = text
                .split_once('=')
                .ok_or_else(|| Failure::Usage(format!("{text:?}: expected TYPE=ALG:HEX")))?;
            let (alg, hex) = parse_digest(digest)?;
            Ok(EvidenceRef {
                kind: kind.to_owned(),
                digest: BTreeMap::from([(alg, hex)]),
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let promotion = Promotion {
        artifact: NamedDigest {
            name: artifact.name().to_owned(),
            digest: artifact.digest().clone(),
            other: BTreeMap::new(),
        },
        source: Environment {
            environment: a.source.clone(),
            cluster: None,
        },
        target: Environment {
            environment: a.target.clone(),
            cluster: None,
        },
        policy: PolicyRef {
            digest: a.policy_digest.clone(),
            view_set: a.views.clone(),
        },
        approvals,
        evidence,
        promoted_at: a.promoted_at.clone().unwrap_or_else(now_rfc3339),
        other: BTreeMap::new(),
    };
    let s = &a.signing;
    let signers = Signers::open(&s.pipeline, &s.keys, &s.tenant, Some("promotion"))?;
    let statement = promotion
        .statement()
        .map_err(stellaops_signer::Error::from)?;
    // A promotion moves no bytes; its size is the statement's.
    let size = statement
        .to_json()
        .map_err(stellaops_signer::Error::from)?
        .len();
    let outcome = signers.sign(statement, Some(size as u64))?;
    crate::term::note!(
        "stella: promotion of {} from {} to {} attested",
        promotion.artifact.name,
        promotion.source.environment,
        promotion.target.environment
    );
    write_envelope(s.out.as_deref(), outcome.into_json())
}

pub(crate) fn verify(a: &PromotionVerifyArgs) -> Result<(), Failure> {
    let envelope = read_input(&a.envelope)?;
    let keys = verifying_keys(&a.keys)?;
    let policy = VerificationPolicy::new(keys, a.threshold, Some(PAYLOAD_TYPE))
        .map_err(stellaops_signer::Error::from)?;
    let requirements = PromotionRequirements {
        artifact_digest: a
            .artifact_digest
            .as_deref()
            .map(parse_digest)
            .transpose()?
            .into_iter()
            .collect(),
        target_environment: a.target.clone(),
        policy_digest: a.policy_digest.clone(),
    };
    let v = verify_promotion(&envelope, &policy, &requirements)?;
    let p = &v.promotion;
    if a.json {
        let doc = json!({
            "verified": true,
            "keys": v.keys.iter().map(|k| json!({"keyid": k.key_id.as_str(), "algorithm": k.algorithm.name()})).collect::<Vec<_>>(),
            "promotion": p,
        });
        crate::term::json(&doc);
        return Ok(());
    }
    crate::term::say!(
        "verified: promotion of {} from {} to {} at {}",
        p.artifact.name,
        p.source.environment,
        p.target.environment,
        p.promoted_at
    );
    crate::term::say!(
        "  policy {} (views: {})",
        p.policy.digest,
        p.policy.view_set.join(", ")
    );
    for approval in &p.approvals {
        crate::term::say!(
            "  approved by {}{} at {}",
            approval.approver,
            approval
                .role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            approval.approved_at
        );
    }
    for k in &v.keys {
        crate::term::say!("  key {} ({})", k.key_id, k.algorithm);
    }
    Ok(())
}
