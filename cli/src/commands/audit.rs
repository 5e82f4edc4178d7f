//! `stella audit verify`.

use stellaops_signer::policy::Error as PolicyError;
use stellaops_signer::{verify_audit_chain, verify_audit_chain_anchored, AnchorWitnesses, Error};

use crate::cli::AuditVerifyArgs;
use crate::Failure;

pub(crate) fn verify(a: &AuditVerifyArgs) -> Result<(), Failure> {
    let verified = match &a.instance {
        Some(instance) => verify_audit_chain_anchored(
            &a.file,
            instance,
            &AnchorWitnesses {
                redis_url: a.anchors.clone(),
                redis_prefix: a.anchor_prefix.clone(),
                logs: a.witness.clone(),
            },
        )
        .map(|(summary, anchors)| (summary, Some(anchors))),
        None => verify_audit_chain(&a.file).map(|summary| (summary, None)),
    };
    match verified {
        Ok((summary, anchors)) => {
            if a.json {
                let torn = summary.torn_tail.map(
                    |t| serde_json::json!({"line": t.line, "offset": t.offset, "bytes": t.bytes}),
                );
                crate::term::say!(
                    "{}",
                    serde_json::json!({
                        "valid": true,
                        "records": summary.records,
                        "last_hash": summary.last_hash,
                        "torn_tail": torn,
                        "anchors_checked": anchors,
                    })
                );
            } else {
                crate::term::say!(
                    "{}: {} records, chain intact; last hash {}",
                    a.file.display(),
                    summary.records,
                    summary.last_hash
                );
                if let Some(n) = anchors {
                    crate::term::say!("{n} anchored heads of this instance match");
                }
            }
            if let Some(t) = summary.torn_tail {
                crate::term::note!(
                    "line {} is torn: {} bytes without a newline after the last record (an \
                     append a crash cut short, never acknowledged); the signer cuts it and \
                     records the cut when it reopens the log",
                    t.line,
                    t.bytes
                );
            }
            Ok(())
        }
        Err(Error::AuditChainBroken(PolicyError::AuditChain { line, problem, .. })) => {
            if a.json {
                crate::term::say!(
                    "{}",
                    serde_json::json!({"valid": false, "line": line, "problem": problem})
                );
            }
            Err(Failure::Verification(format!(
                "{} line {line}: {problem}",
                a.file.display()
            )))
        }
        Err(e) => Err(e.into()),
    }
}
