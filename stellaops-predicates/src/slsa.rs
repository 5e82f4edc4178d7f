//! SLSA build provenance v1 (`https://slsa.dev/provenance/v1`), typed.
//!
//! What a build says about how it made its outputs: the build definition (type, the parameters
//! a caller chose, the ones the platform chose, the dependencies it resolved) and the run (the
//! builder's identity, times, byproducts). [`Provenance::statement`] makes the in-toto
//! statement about the outputs; [`StatementBuilder::build`] checks every SLSA v1 predicate, typed
//! or not, against `schemas/slsa-provenance-v1.schema.json` and the digest lengths below, so
//! `attest --predicate-type slsa-provenance` in every face goes through the same rules.
//! `scripts/release.sh` describes our own releases with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{DigestAlgorithm, Error, Result, Statement, StatementBuilder, Subject};

/// The predicate type of SLSA build provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// A SLSA v1 provenance predicate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// How the build was defined: everything needed to run it again.
    pub build_definition: BuildDefinition,
    /// This particular run.
    pub run_details: RunDetails,
    /// Fields this type does not name, kept on a round trip.
    #[serde(flatten, default)]
    pub other: BTreeMap<String, Value>,
}

/// The inputs of a build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    /// A URI naming the kind of build; it says how to read the parameters.
    pub build_type: String,
    /// The parameters the caller chose (what a verifier compares against expectations).
    pub external_parameters: Map<String, Value>,
    /// The parameters the build platform chose.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub internal_parameters: Map<String, Value>,
    /// What the build fetched or used (sources, toolchains), by digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
    /// Fields this type does not name, kept on a round trip.
    #[serde(flatten, default)]
    pub other: BTreeMap<String, Value>,
}

/// The run of a build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    /// Who ran it.
    pub builder: Builder,
    /// When, and under which invocation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BuildMetadata>,
    /// Other things the build made (logs, sizes), not its outputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub byproducts: Vec<ResourceDescriptor>,
    /// Fields this type does not name, kept on a round trip.
    #[serde(flatten, default)]
    pub other: BTreeMap<String, Value>,
}

/// The builder: the platform a verifier trusts to have produced this provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Builder {
    /// A URI naming the builder.
    pub id: String,
    /// Versions of its components.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
    /// What the builder itself ran on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builder_dependencies: Vec<ResourceDescriptor>,
    /// Fields this type does not name, kept on a round trip.
    #[serde(flatten, default)]
    pub other: BTreeMap<String, Value>,
}

/// When a build ran.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    /// The builder's id for this run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    /// Start (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<String>,
    /// End (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_on: Option<String>,
}

/// An in-toto resource descriptor: something named by URI, digest or content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDescriptor {
    /// Where it is (`git+https://…@<commit>`, `pkg:cargo/…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Its digests (lowercase hex).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    /// A name for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where to download it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_location: Option<String>,
    /// Its media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Its bytes, base64 (small things only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Anything else about it.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub annotations: Map<String, Value>,
}

impl ResourceDescriptor {
    /// A resource known by URI and digests (`[("gitCommit", "<hex>")]`).
    pub fn new(uri: impl Into<String>, digests: &[(&str, &str)]) -> Self {
        ResourceDescriptor {
            uri: Some(uri.into()),
            digest: digests
                .iter()
                .map(|(a, h)| ((*a).to_owned(), (*h).to_owned()))
                .collect(),
            ..ResourceDescriptor::default()
        }
    }
}

impl Provenance {
    /// Provenance with the required fields; fill in the rest through the public fields.
    pub fn new(build_type: impl Into<String>, builder_id: impl Into<String>) -> Self {
        Provenance {
            build_definition: BuildDefinition {
                build_type: build_type.into(),
                external_parameters: Map::new(),
                internal_parameters: Map::new(),
                resolved_dependencies: Vec::new(),
                other: BTreeMap::new(),
            },
            run_details: RunDetails {
                builder: Builder {
                    id: builder_id.into(),
                    version: BTreeMap::new(),
                    builder_dependencies: Vec::new(),
                    other: BTreeMap::new(),
                },
                metadata: None,
                byproducts: Vec::new(),
                other: BTreeMap::new(),
            },
            other: BTreeMap::new(),
        }
    }

    /// The statement about `subjects` (the build's outputs) with this provenance as predicate,
    /// checked.
    ///
    /// # Errors
    /// [`Error::NoSubjects`], [`Error::InvalidPredicate`], the subject errors.
    pub fn statement(&self, subjects: Vec<Subject>) -> Result<Statement> {
        let predicate = serde_json::to_value(self).map_err(|e| Error::Field {
            field: "predicate",
            problem: e.to_string(),
        })?;
        subjects
            .into_iter()
            .fold(StatementBuilder::new(SLSA_PROVENANCE_V1), |b, s| {
                b.subject(s)
            })
            .predicate(predicate)
            .build()
    }

    /// Read provenance from a statement's predicate (checked first, then the typed fields).
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`] naming the field.
    pub fn from_value(value: &Value) -> Result<Self> {
        crate::schema::validate_predicate(SLSA_PROVENANCE_V1, value)?;
        serde_json::from_value(value.clone()).map_err(|e| invalid("/", e.to_string()))
    }
}

fn invalid(field: &str, problem: String) -> Error {
    Error::InvalidPredicate {
        predicate_type: SLSA_PROVENANCE_V1.to_owned(),
        field: field.to_owned(),
        problem,
    }
}

/// What the schema cannot say: digests of known algorithms have their length, and a run does
/// not finish before it starts. Runs after the schema (so the shapes are right).
pub(crate) fn check_semantics(value: &Value) -> Result<()> {
    let lists = [
        (
            "/buildDefinition/resolvedDependencies",
            &value["buildDefinition"]["resolvedDependencies"],
        ),
        (
            "/runDetails/builder/builderDependencies",
            &value["runDetails"]["builder"]["builderDependencies"],
        ),
        ("/runDetails/byproducts", &value["runDetails"]["byproducts"]),
    ];
    for (pointer, list) in lists {
        for (i, item) in list.as_array().into_iter().flatten().enumerate() {
            for (alg, hex) in item["digest"].as_object().into_iter().flatten() {
                let expected = match alg.as_str() {
                    "sha1" => vec![40],
                    "gitCommit" => vec![40, 64],
                    other => DigestAlgorithm::from_name(other)
                        .map(|a| vec![a.hex_len()])
                        .unwrap_or_default(),
                };
                let len = hex.as_str().map_or(0, str::len);
                if !expected.is_empty() && !expected.contains(&len) {
                    return Err(invalid(
                        &format!("{pointer}/{i}/digest/{alg}"),
                        format!("a {alg} digest has {expected:?} hex digits, not {len}"),
                    ));
                }
            }
        }
    }
    let metadata = &value["runDetails"]["metadata"];
    if let (Some(start), Some(end)) = (
        metadata["startedOn"].as_str(),
        metadata["finishedOn"].as_str(),
    ) {
        let parse = stellaops_crypto::rfc3339::parse;
        if let (Ok(start), Ok(end)) = (parse(start), parse(end)) {
            if end < start {
                return Err(invalid(
                    "/runDetails/metadata/finishedOn",
                    "the run finishes before it starts".to_owned(),
                ));
            }
        }
    }
    Ok(())
}
