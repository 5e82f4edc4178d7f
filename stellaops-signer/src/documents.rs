//! Statement builders for the documents people sign: any predicate with its subjects, SBOMs
//! (CycloneDX or SPDX, detected), scan reports (`stella.ops/report@v1`, the scanned artifact
//! as subject) and promotions (`stella.ops/promotion@v1`, the promoted artifact as subject). An
//! [`Authority`](crate::Authority) signs what they build.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use stellaops_dsse::canon::{self, Limits};
use stellaops_predicates::{
    catalog, DigestAlgorithm, Promotion, Statement, StatementBuilder, Subject,
};

const REPORT: &str = "stella.ops/report@v1";
use crate::{Error, Result};

/// A statement of `predicate_type` (a URI or a catalog short name such as `sbom` or `vex`) whose
/// predicate is `predicate_json` (parsed strictly, checked against the type's schema when it is
/// a StellaOps type) about `subjects`.
///
/// # Errors
/// [`stellaops_predicates::Error::UnknownPredicateType`] for an unknown short name; JSON errors;
/// [`stellaops_predicates::Error::NoSubjects`]; [`stellaops_predicates::Error::InvalidPredicate`].
pub fn predicate_statement(
    predicate_type: &str,
    predicate_json: &[u8],
    subjects: Vec<Subject>,
    limits: &Limits,
) -> Result<Statement> {
    let builder = StatementBuilder::new(catalog::resolve(predicate_type)?)
        .predicate_json(predicate_json, limits)?;
    Ok(subjects
        .into_iter()
        .fold(builder, StatementBuilder::subject)
        .build()?)
}

/// A subject per file (named by its file name), hashed by streaming: SHA-256, and SHA-512 too
/// when `sha512`.
///
/// # Errors
/// Opening or reading a file.
pub fn artifact_subjects(artifacts: &[&Path], sha512: bool) -> Result<Vec<Subject>> {
    let mut algorithms = vec![DigestAlgorithm::Sha256];
    if sha512 {
        algorithms.push(DigestAlgorithm::Sha512);
    }
    artifacts
        .iter()
        .map(|path| Ok(Subject::from_file(path, None, &algorithms)?))
        .collect()
}

/// The SBOM formats [`sbom_statement`] recognizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SbomFormat {
    /// CycloneDX JSON (`"bomFormat": "CycloneDX"`).
    CycloneDx,
    /// SPDX 2.x JSON (`"spdxVersion": "SPDX-2.x"`).
    Spdx,
}

impl SbomFormat {
    /// The format's own name: `CycloneDX` or `SPDX`.
    pub fn name(self) -> &'static str {
        match self {
            SbomFormat::CycloneDx => "CycloneDX",
            SbomFormat::Spdx => "SPDX",
        }
    }

    /// The catalog predicate type of the format.
    pub fn predicate_type(self) -> &'static str {
        match self {
            SbomFormat::CycloneDx => "https://cyclonedx.org/bom",
            SbomFormat::Spdx => "https://spdx.dev/Document",
        }
    }

    /// Which format `doc` is in, if either.
    pub fn detect(doc: &Value) -> Option<Self> {
        if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            return Some(SbomFormat::CycloneDx);
        }
        if doc
            .get("spdxVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("SPDX-"))
        {
            return Some(SbomFormat::Spdx);
        }
        None
    }
}

/// The subjects an SBOM declares itself: CycloneDX `metadata.component` (named by its purl, else
/// its name) with its SHA-2 hashes; SPDX packages the document DESCRIBES with their SHA-2
/// checksums. Entries without a SHA-2 digest are skipped.
pub fn declared_subjects(format: SbomFormat, doc: &Value) -> Vec<Subject> {
    match format {
        SbomFormat::CycloneDx => {
            let component = &doc["metadata"]["component"];
            let name = component["purl"]
                .as_str()
                .or_else(|| component["name"].as_str());
            let digest = sha2_digests(&component["hashes"], "alg", "content");
            name.and_then(|n| Subject::new(n, digest).ok())
                .into_iter()
                .collect()
        }
        SbomFormat::Spdx => {
            let mut described: Vec<&str> = doc["documentDescribes"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for r in doc["relationships"].as_array().into_iter().flatten() {
                if r["relationshipType"] == "DESCRIBES" && r["spdxElementId"] == "SPDXRef-DOCUMENT"
                {
                    described.extend(r["relatedSpdxElement"].as_str());
                }
            }
            doc["packages"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| {
                    p["SPDXID"]
                        .as_str()
                        .is_some_and(|id| described.contains(&id))
                })
                .filter_map(|p| {
                    let digest = sha2_digests(&p["checksums"], "algorithm", "checksumValue");
                    Subject::new(p["name"].as_str()?, digest).ok()
                })
                .collect()
        }
    }
}

/// `{sha256: hex, ...}` from a list of `{<alg_key>: "SHA-256" | "SHA256", <value_key>: hex}`.
fn sha2_digests(list: &Value, alg_key: &str, value_key: &str) -> BTreeMap<String, String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| {
            let alg = h[alg_key].as_str()?.to_ascii_lowercase().replace('-', "");
            let algorithm = DigestAlgorithm::from_name(&alg)?;
            let value = h[value_key].as_str()?.to_ascii_lowercase();
            Some((algorithm.name().to_owned(), value))
        })
        .collect()
}

/// The statement for an SBOM, unsigned: the SBOM as the predicate of its format's type
/// (CycloneDX or SPDX, detected); the subjects are `subjects`, or when that is empty the ones the
/// SBOM declares.
///
/// # Errors
/// [`Error::InvalidRequest`] when the document is neither format or names no subject; JSON and
/// statement errors.
pub fn sbom_statement(
    sbom_json: &[u8],
    subjects: Vec<Subject>,
    limits: &Limits,
) -> Result<(SbomFormat, Statement)> {
    let doc = canon::parse(sbom_json, limits)?.to_serde();
    let format = SbomFormat::detect(&doc).ok_or_else(|| {
        Error::InvalidRequest(
            "not an SBOM: neither CycloneDX (bomFormat) nor SPDX (spdxVersion)".into(),
        )
    })?;
    let subjects = if subjects.is_empty() {
        declared_subjects(format, &doc)
    } else {
        subjects
    };
    if subjects.is_empty() {
        return Err(Error::InvalidRequest(
            "the SBOM declares no subject with a SHA-2 digest: name the artifact".into(),
        ));
    }
    let statement = subjects
        .into_iter()
        .fold(
            StatementBuilder::new(format.predicate_type()).predicate(doc),
            StatementBuilder::subject,
        )
        .build()?;
    Ok((format, statement))
}

/// The statement for a scan report, unsigned: `stella.ops/report@v1` (validated against its
/// schema) whose subject is the report's `artifact`.
///
/// # Errors
/// [`stellaops_predicates::Error::InvalidPredicate`] naming the field; JSON errors.
pub fn report_statement(report_json: &[u8], limits: &Limits) -> Result<Statement> {
    let report = canon::parse(report_json, limits)?.to_serde();
    // Validated before the subject is made from it, so a bad artifact is named as a field.
    stellaops_predicates::validate_predicate(REPORT, &report)?;
    let artifact = &report["artifact"];
    let digest: BTreeMap<String, String> =
        serde_json::from_value(artifact["digest"].clone()).unwrap_or_default();
    let subject = Subject::new(artifact["name"].as_str().unwrap_or_default(), digest)?;
    Ok(StatementBuilder::new(REPORT)
        .predicate(report)
        .subject(subject)
        .build()?)
}

/// The statement for a promotion, unsigned: the `stella.ops/promotion@v1` predicate
/// `promotion_json` (parsed strictly, validated against its schema) whose subject is the
/// promoted artifact. (Rust callers holding a [`Promotion`] call [`Promotion::statement`].)
///
/// # Errors
/// [`stellaops_predicates::Error::InvalidPredicate`] naming the field; JSON errors.
pub fn promotion_statement(promotion_json: &[u8], limits: &Limits) -> Result<Statement> {
    let value = canon::parse(promotion_json, limits)?.to_serde();
    Ok(Promotion::from_value(&value)?.statement()?)
}

/// Subjects as the JSON faces exchange (`[{"name": ..., "digest": {"sha256": ...}}]`, what a
/// pipeline request's `subjects` takes).
pub fn subjects_json(subjects: &[Subject]) -> Vec<u8> {
    let list: Vec<Value> = subjects
        .iter()
        .map(|s| serde_json::json!({"name": s.name(), "digest": s.digest()}))
        .collect();
    Value::Array(list).to_string().into_bytes()
}
