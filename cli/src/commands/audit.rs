//! `stella audit verify`.

use stellaops_signer::policy::Error as PolicyError;
use stellaops_signer::{verify_audit_chain, Error};

use crate::cli::AuditVerifyArgs;
use crate::Failure;

pub(crate) fn verify(a: &AuditVerifyArgs) -> Result<(), Failure> {
    match verify_audit_chain(&a.file) {
        Ok(summary) => {
            if a.json {
                crate::term::say!(
                    "{}",
                    serde_json::json!({
                        "valid": true,
                        "records": summary.records,
                        "last_hash": summary.last_hash,
                    })
                );
            } else {
                crate::term::say!(
                    "{}: {} records, chain intact; last hash {}",
                    a.file.display(),
                    summary.records,
                    summary.last_hash
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
