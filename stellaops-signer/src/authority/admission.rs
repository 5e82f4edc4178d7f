//! The one admission check every way of signing runs on a statement before it is signed.

use stellaops_poe::{Denial, Reason};
use stellaops_predicates::{Admission, AllowList, EnforcementMode, Statement};

use crate::{Error, Result};

/// Admit `statement` for signing: its predicate type must pass `allow_list`, and a StellaOps
/// predicate must follow its type's JSON schema (a statement made with [`Statement::new`] has not
/// been checked yet; one from [`stellaops_predicates::StatementBuilder`] has, and the check is
/// cheap).
///
/// # Errors
/// [`Error::Denied`] with reason `predicate.not_allowed` when the allow-list rejects the type (the
/// same outcome whether local keys, a bundle signer or the pipeline were to sign);
/// [`stellaops_predicates::Error::InvalidPredicate`] naming the field that breaks the schema.
pub fn admit(allow_list: &AllowList, statement: &Statement) -> Result<Admission> {
    let predicate_type = statement.predicate_type();
    let admission = match allow_list.admit(predicate_type) {
        Ok(a) => a,
        Err(stellaops_predicates::Error::PredicateNotAllowed(_)) => {
            return Err(Error::Denied(Denial::new(
                Reason::PredicateNotAllowed,
                format!("{predicate_type} is not on the allow-list"),
            )))
        }
        Err(e) => return Err(e.into()),
    };
    stellaops_predicates::validate_predicate(predicate_type, statement.predicate())?;
    if admission == Admission::Unlisted(EnforcementMode::Warn) {
        tracing::warn!(
            predicate_type = %stellaops_poe::audit::bound_text(predicate_type, 256).0,
            "predicate type is not in the catalog"
        );
    }
    Ok(admission)
}
