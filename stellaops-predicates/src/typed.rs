//! Typed builders for the StellaOps predicates that tools make by hand: promotions and replay
//! manifests. Each serializes to the JSON its schema describes and builds a validated statement.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result, Statement, StatementBuilder, Subject};

/// The predicate type of promotions.
pub const PROMOTION_PREDICATE_TYPE: &str = "stella.ops/promotion@v1";
/// The predicate type of replay manifests.
pub const REPLAY_PREDICATE_TYPE: &str = "stella.ops/replay@v1";

/// Something named with its digest set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedDigest {
    /// The name (image reference, file name, feed name).
    pub name: String,
    /// The digest set (`{"sha256": "<hex>"}`).
    pub digest: BTreeMap<String, String>,
    /// Fields the schema allows but this type does not name, kept on a round trip.
    #[serde(flatten, default)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl NamedDigest {
    /// `name` with one digest.
    pub fn new(name: impl Into<String>, algorithm: &str, hex: &str) -> Self {
        NamedDigest {
            name: name.into(),
            digest: BTreeMap::from([(algorithm.to_owned(), hex.to_owned())]),
            other: BTreeMap::new(),
        }
    }

    /// As an in-toto subject.
    ///
    /// # Errors
    /// [`Error::InvalidDigest`], [`Error::NoDigest`].
    pub fn subject(&self) -> Result<Subject> {
        Subject::new(self.name.clone(), self.digest.clone())
    }
}

/// An environment a promotion leaves or enters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Its name (`staging`, `production`).
    pub environment: String,
    /// The cluster, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

/// The policy that allowed a promotion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    /// `sha256:<hex>` of the policy.
    pub digest: String,
    /// The views of the policy that were evaluated.
    pub view_set: Vec<String>,
}

/// One approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// Who approved.
    pub approver: String,
    /// In which role, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// When (RFC 3339).
    pub approved_at: String,
}

/// Evidence a promotion rests on: an attestation by predicate type and digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// The evidence's predicate type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its digest set.
    pub digest: BTreeMap<String, String>,
}

/// A `stella.ops/promotion@v1` predicate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Promotion {
    /// The promoted artifact (also the statement's subject).
    pub artifact: NamedDigest,
    /// Where it comes from.
    pub source: Environment,
    /// Where it goes.
    pub target: Environment,
    /// The policy that allowed it.
    pub policy: PolicyRef,
    /// Who approved it.
    pub approvals: Vec<Approval>,
    /// The evidence it rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRef>,
    /// When (RFC 3339).
    pub promoted_at: String,
    /// Fields the schema allows but this type does not name, kept on a round trip.
    #[serde(flatten, default)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Promotion {
    /// The statement: the artifact as subject, this promotion as predicate, checked against the
    /// schema.
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`], the subject errors.
    pub fn statement(&self) -> Result<Statement> {
        StatementBuilder::new(PROMOTION_PREDICATE_TYPE)
            .subject(self.artifact.subject()?)
            .predicate(to_value(self)?)
            .build()
    }

    /// Read a promotion from a statement's predicate (schema first, then the typed fields).
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`].
    pub fn from_value(value: &serde_json::Value) -> Result<Self> {
        from_value(PROMOTION_PREDICATE_TYPE, value)
    }
}

/// A `stella.ops/replay@v1` manifest: what a deterministic replay of a scan needs and must
/// reproduce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayManifest {
    /// The scan replayed.
    pub scan_id: String,
    /// Every input by digest (image, advisory feed snapshot, policy).
    pub inputs: Vec<NamedDigest>,
    /// Tool versions (`{"scanner": "2.4.1"}`).
    pub toolchain: BTreeMap<String, String>,
    /// Environment settings that change results (`SOURCE_DATE_EPOCH`, locale).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// The outputs a replay must reproduce, by digest (also the statement's subjects).
    pub outputs: Vec<NamedDigest>,
    /// Fields the schema allows but this type does not name, kept on a round trip.
    #[serde(flatten, default)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl ReplayManifest {
    /// The statement: the outputs as subjects, this manifest as predicate, checked against the
    /// schema.
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`], the subject errors, [`Error::NoSubjects`].
    pub fn statement(&self) -> Result<Statement> {
        self.outputs
            .iter()
            .try_fold(StatementBuilder::new(REPLAY_PREDICATE_TYPE), |b, o| {
                Ok::<_, Error>(b.subject(o.subject()?))
            })?
            .predicate(to_value(self)?)
            .build()
    }

    /// Read a manifest from a statement's predicate.
    ///
    /// # Errors
    /// [`Error::InvalidPredicate`].
    pub fn from_value(value: &serde_json::Value) -> Result<Self> {
        from_value(REPLAY_PREDICATE_TYPE, value)
    }
}

/// The current time in RFC 3339 UTC, whole seconds: for the times a person's action carries (a
/// promotion, an approval), never for reproducible outputs.
pub fn now_rfc3339() -> String {
    stellaops_crypto::rfc3339::format_seconds(std::time::SystemTime::now())
}

fn to_value<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::Field {
        field: "predicate",
        problem: e.to_string(),
    })
}

fn from_value<T: for<'de> Deserialize<'de>>(
    predicate_type: &str,
    value: &serde_json::Value,
) -> Result<T> {
    crate::schema::validate_predicate(predicate_type, value)?;
    serde_json::from_value(value.clone()).map_err(|e| Error::InvalidPredicate {
        predicate_type: predicate_type.to_owned(),
        field: "/".to_owned(),
        problem: e.to_string(),
    })
}
