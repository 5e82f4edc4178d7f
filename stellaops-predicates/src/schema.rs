//! JSON schemas (draft 2020-12) of the StellaOps predicate types and of SLSA provenance v1, and
//! validation against them.
//!
//! Every `stella.ops/*@v1` type in the catalog has a schema in `stellaops-predicates/schemas/`,
//! documented in `docs/predicates/`. [`StatementBuilder::build`](crate::StatementBuilder::build)
//! validates the predicate before anything is signed; the first violation is reported as
//! [`Error::InvalidPredicate`] with the JSON pointer of the field. Schemas leave room for fields
//! they do not name (predicates grow), except the export manifest, which is closed. Formats
//! (`date-time`) are checked.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;

use crate::{Error, Result};

/// Every schema: predicate type and the schema's JSON text.
pub const SCHEMAS: &[(&str, &str)] = &[
    (
        "stella.ops/promotion@v1",
        include_str!("../schemas/promotion.schema.json"),
    ),
    (
        "stella.ops/sbom@v1",
        include_str!("../schemas/sbom.schema.json"),
    ),
    (
        "stella.ops/vex@v1",
        include_str!("../schemas/vex.schema.json"),
    ),
    (
        "stella.ops/vexDecision@v1",
        include_str!("../schemas/vexDecision.schema.json"),
    ),
    (
        "stella.ops/graph@v1",
        include_str!("../schemas/graph.schema.json"),
    ),
    (
        "stella.ops/replay@v1",
        include_str!("../schemas/replay.schema.json"),
    ),
    (
        "stella.ops/policy@v1",
        include_str!("../schemas/policy.schema.json"),
    ),
    (
        "stella.ops/evidence@v1",
        include_str!("../schemas/evidence.schema.json"),
    ),
    (
        "stella.ops/export@v1",
        include_str!("../schemas/export.schema.json"),
    ),
    (
        "stella.ops/report@v1",
        include_str!("../schemas/report.schema.json"),
    ),
    (
        crate::slsa::SLSA_PROVENANCE_V1,
        include_str!("../schemas/slsa-provenance-v1.schema.json"),
    ),
];

/// The schema text of `predicate_type`, if it has one.
pub fn schema(predicate_type: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(uri, _)| *uri == predicate_type)
        .map(|(_, text)| *text)
}

/// The compiled validators, or why one did not compile (a bug, caught by this crate's tests).
type Compiled = BTreeMap<&'static str, std::result::Result<Validator, String>>;

fn validators() -> &'static Compiled {
    static VALIDATORS: OnceLock<Compiled> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(uri, text)| {
                let compiled = serde_json::from_str::<serde_json::Value>(text)
                    .map_err(|e| e.to_string())
                    .and_then(|schema| {
                        jsonschema::draft202012::options()
                            .should_validate_formats(true)
                            .build(&schema)
                            .map_err(|e| e.to_string())
                    });
                (*uri, compiled)
            })
            .collect()
    })
}

/// Check `predicate` against the schema of `predicate_type`; types without a schema pass.
///
/// # Errors
/// [`Error::InvalidPredicate`] naming the first field that breaks the schema (a JSON pointer;
/// for a missing field, the pointer it should have had).
pub fn validate_predicate(predicate_type: &str, predicate: &serde_json::Value) -> Result<()> {
    let Some(compiled) = validators().get(predicate_type) else {
        return Ok(());
    };
    let invalid = |field: String, problem: String| Error::InvalidPredicate {
        predicate_type: predicate_type.to_owned(),
        field,
        problem,
    };
    let validator = compiled
        .as_ref()
        .map_err(|e| invalid(String::new(), format!("the schema does not compile: {e}")))?;
    let Some(error) = validator.iter_errors(predicate).next() else {
        if predicate_type == crate::slsa::SLSA_PROVENANCE_V1 {
            return crate::slsa::check_semantics(predicate);
        }
        return Ok(());
    };
    let mut field = error.instance_path().to_string();
    if let ValidationErrorKind::Required { property } = error.kind() {
        if let Some(name) = property.as_str() {
            field = format!("{field}/{}", name.replace('~', "~0").replace('/', "~1"));
        }
    }
    if field.is_empty() {
        field = "/".to_owned();
    }
    Err(invalid(field, error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_compiles() {
        for (uri, compiled) in validators() {
            assert!(compiled.is_ok(), "{uri}: {compiled:?}");
        }
        assert_eq!(validators().len(), SCHEMAS.len());
    }
}
