//! `stella verify`.

use stellaops_signer::{verify, EnvelopeLimits, KeyRegistry, VerificationPolicy};

use crate::cli::VerifyArgs;
use crate::io::{read_input, verifying_keys};
use crate::Failure;

/// The FIDO2 credential keys among `keys`, now requiring the UV flag; other keys unchanged.
fn require_user_verification(
    keys: Vec<stellaops_signer::VerifyingKey>,
) -> Result<Vec<stellaops_signer::VerifyingKey>, Failure> {
    if !keys.iter().any(|k| k.fido2_policy().is_some()) {
        return Err(Failure::Usage(
            "--fido2-require-uv: no FIDO2 credential file among the --key files".into(),
        ));
    }
    keys.into_iter()
        .map(|k| match k.fido2_policy().cloned() {
            Some(mut policy) => {
                policy.require_uv = true;
                Ok(k.with_fido2(policy)
                    .map_err(stellaops_signer::Error::from)?)
            }
            None => Ok(k),
        })
        .collect()
}

pub(crate) fn run(a: &VerifyArgs) -> Result<(), Failure> {
    let Some(envelope) = &a.envelope else {
        return super::sigstore::verify(a);
    };
    let envelope = read_input(envelope)?;
    let mut keys = verifying_keys(&a.keys)?;
    if a.fido2_require_uv {
        keys = require_user_verification(keys)?;
    }
    if let Some(config) = &a.key_config {
        let registry = KeyRegistry::load(config).map_err(stellaops_signer::Error::from)?;
        let signed_at = a
            .signed_at
            .as_deref()
            .map(stellaops_signer::key_backends::parse_time)
            .transpose()
            .map_err(stellaops_signer::Error::from)?;
        let (kept, revoked) = registry.filter_trusted(keys, signed_at);
        for r in &revoked {
            crate::term::note!("stella: not trusting {r}");
        }
        if kept.len() < a.threshold {
            return Err(Failure::Verification(format!(
                "{} trusted key(s) left after revocations, threshold is {}",
                kept.len(),
                a.threshold
            )));
        }
        keys = kept;
    }
    let policy = VerificationPolicy::new(keys, a.threshold, a.payload_type.as_deref())
        .map_err(stellaops_signer::Error::from)?;
    let artifacts: Vec<&std::path::Path> = a.artifacts.iter().map(|p| p.as_path()).collect();
    let v = verify(&envelope, &policy, &artifacts, &EnvelopeLimits::default())?;
    if let Some(required) = &a.predicate_type {
        v.require_predicate_type(required)?;
    }
    // A FIDO2 credential's signatures are FIDO2 assertions, not plain signatures: name the scheme.
    let scheme = |k: &stellaops_signer::VerifiedKey| {
        let trusted = &policy.keys()[k.policy_index];
        if trusted.fido2_policy().is_some() {
            trusted.scheme_name()
        } else {
            k.algorithm.name()
        }
    };
    if a.json {
        let doc = serde_json::json!({
            "verified": true,
            "payloadType": v.envelope.payload_type(),
            "threshold": policy.threshold(),
            "keys": v.keys.iter().map(|k| serde_json::json!({"keyid": k.key_id.as_str(), "algorithm": scheme(k), "signature": k.signature_index})).collect::<Vec<_>>(),
            "statement": v.statement.as_ref().map(|s| serde_json::json!({"type": s.version().uri(), "predicateType": s.predicate_type()})),
            "artifacts": v.artifacts.iter().map(|m| serde_json::json!({"path": m.path.display().to_string(), "subject": m.subject})).collect::<Vec<_>>(),
        });
        crate::term::json(&doc);
        return Ok(());
    }
    crate::term::say!(
        "verified: {} of {} required trusted key(s) signed; payloadType {}",
        v.keys.len(),
        policy.threshold(),
        v.envelope.payload_type()
    );
    for k in &v.keys {
        crate::term::say!(
            "  key {} ({}) signature #{}",
            k.key_id,
            scheme(k),
            k.signature_index
        );
    }
    if let Some(s) = &v.statement {
        crate::term::say!(
            "statement: {} predicateType {}",
            s.version().uri(),
            s.predicate_type()
        );
    }
    for m in &v.artifacts {
        crate::term::say!("artifact: {} is subject {:?}", m.path.display(), m.subject);
    }
    Ok(())
}
