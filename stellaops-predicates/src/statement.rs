//! in-toto Statement v1 (and reading v0.1).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use stellaops_dsse::canon::{self, Limits, Value};

use crate::digest::{digest_file, digest_reader, DigestAlgorithm};
use crate::{Error, Result};

/// `_type` of in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of in-toto Statement v0.1, still carried by most attestations in the wild.
pub const STATEMENT_V0_1: &str = "https://in-toto.io/Statement/v0.1";
/// The DSSE payload type of in-toto statements.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Which Statement version a statement was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatementVersion {
    /// `https://in-toto.io/Statement/v1`.
    V1,
    /// `https://in-toto.io/Statement/v0.1` (read only; we write v1).
    V0_1,
}

impl StatementVersion {
    /// The `_type` URI.
    pub fn uri(self) -> &'static str {
        match self {
            StatementVersion::V1 => STATEMENT_V1,
            StatementVersion::V0_1 => STATEMENT_V0_1,
        }
    }
}

/// One subject: a name and its digest set (`{"sha256": "<lowercase hex>", ...}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    name: String,
    digest: BTreeMap<String, String>,
}

impl Subject {
    /// A subject with `digest`, validated: at least one entry; every value lowercase hex; sha256,
    /// sha384, sha512 and sha1 of the right length.
    ///
    /// # Errors
    /// [`Error::NoDigest`], [`Error::InvalidDigest`].
    pub fn new(name: impl Into<String>, digest: BTreeMap<String, String>) -> Result<Self> {
        let name = name.into();
        if digest.is_empty() {
            return Err(Error::NoDigest(name));
        }
        for (algorithm, value) in &digest {
            let bad = |problem| Error::InvalidDigest {
                subject: name.clone(),
                algorithm: algorithm.clone(),
                problem,
            };
            if algorithm.is_empty() {
                return Err(bad("has an empty algorithm name"));
            }
            if value.is_empty()
                || !value
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            {
                return Err(bad("is not lowercase hex"));
            }
            let expected = match algorithm.as_str() {
                "sha1" => Some(40),
                other => DigestAlgorithm::from_name(other).map(DigestAlgorithm::hex_len),
            };
            if expected.is_some_and(|n| n != value.len()) {
                return Err(bad("has the wrong length"));
            }
        }
        Ok(Subject { name, digest })
    }

    /// Hash the file at `path` (streaming) with `algorithms` into a subject named `name`, or the
    /// file's name.
    ///
    /// # Errors
    /// Opening or reading the file.
    pub fn from_file(
        path: &Path,
        name: Option<&str>,
        algorithms: &[DigestAlgorithm],
    ) -> Result<Self> {
        let digest = digest_file(path, algorithms)?;
        let default_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Subject::new(name.map_or(default_name, str::to_owned), digest)
    }

    /// The subject's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The digest set.
    pub fn digest(&self) -> &BTreeMap<String, String> {
        &self.digest
    }

    /// True when every digest of this subject that we can compute (sha256/384/512) is present in
    /// `computed` with the same value, and there is at least one such digest.
    pub fn matches(&self, computed: &BTreeMap<String, String>) -> bool {
        let mut checked = 0;
        for (algorithm, value) in &self.digest {
            if DigestAlgorithm::from_name(algorithm).is_none() {
                continue;
            }
            match computed.get(algorithm) {
                Some(v) if v == value => checked += 1,
                _ => return false,
            }
        }
        checked > 0
    }
}

/// An in-toto Statement: subjects, predicate type and predicate.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    version: StatementVersion,
    subjects: Vec<Subject>,
    predicate_type: String,
    predicate: serde_json::Value,
}

impl Statement {
    /// A v1 statement.
    ///
    /// # Errors
    /// [`Error::NoSubjects`]; [`Error::Field`] for an empty predicate type.
    pub fn new(
        subjects: Vec<Subject>,
        predicate_type: impl Into<String>,
        predicate: serde_json::Value,
    ) -> Result<Self> {
        let predicate_type = predicate_type.into();
        if subjects.is_empty() {
            return Err(Error::NoSubjects);
        }
        if predicate_type.is_empty() {
            return Err(Error::Field {
                field: "predicateType",
                problem: "is empty".into(),
            });
        }
        Ok(Statement {
            version: StatementVersion::V1,
            subjects,
            predicate_type,
            predicate,
        })
    }

    /// Parse a statement strictly (duplicate keys, depth and size limits), v1 or v0.1.
    ///
    /// # Errors
    /// [`Error::Json`] for JSON errors, [`Error::UnsupportedStatementType`], [`Error::Field`],
    /// and the subject validation errors.
    pub fn from_json(json: &[u8], limits: &Limits) -> Result<Self> {
        let value = canon::parse(json, limits)?;
        let field = |name: &'static str| {
            value.get(name).ok_or(Error::Field {
                field: name,
                problem: "is missing".into(),
            })
        };
        let type_ = field("_type")?.as_str().ok_or(Error::Field {
            field: "_type",
            problem: "is not a string".into(),
        })?;
        let version = match type_ {
            STATEMENT_V1 => StatementVersion::V1,
            STATEMENT_V0_1 => StatementVersion::V0_1,
            other => return Err(Error::UnsupportedStatementType(other.to_owned())),
        };
        let predicate_type = field("predicateType")?
            .as_str()
            .ok_or(Error::Field {
                field: "predicateType",
                problem: "is not a string".into(),
            })?
            .to_owned();
        let subjects = field("subject")?
            .as_array()
            .ok_or(Error::Field {
                field: "subject",
                problem: "is not an array".into(),
            })?
            .iter()
            .map(subject_from_value)
            .collect::<Result<Vec<_>>>()?;
        let predicate = value
            .get("predicate")
            .map_or(serde_json::Value::Null, Value::to_serde);
        let mut statement = Statement::new(subjects, predicate_type, predicate)?;
        statement.version = version;
        Ok(statement)
    }

    /// The statement as RFC 8785 canonical JSON, the DSSE payload.
    ///
    /// # Errors
    /// [`Error::Json`] when the predicate holds integers beyond ±(2^53−1).
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let subjects: Vec<serde_json::Value> = self
            .subjects
            .iter()
            .map(|s| serde_json::json!({"name": s.name, "digest": s.digest}))
            .collect();
        let mut doc = serde_json::Map::new();
        doc.insert("_type".into(), self.version.uri().into());
        doc.insert("subject".into(), subjects.into());
        doc.insert("predicateType".into(), self.predicate_type.clone().into());
        if !self.predicate.is_null() {
            doc.insert("predicate".into(), self.predicate.clone());
        }
        Ok(canon::canonicalize_serialize(&doc, canon::Mode::Jcs)?)
    }

    /// Which version the statement was read as.
    pub fn version(&self) -> StatementVersion {
        self.version
    }

    /// The subjects.
    pub fn subjects(&self) -> &[Subject] {
        &self.subjects
    }

    /// The predicate type URI.
    pub fn predicate_type(&self) -> &str {
        &self.predicate_type
    }

    /// The predicate (`null` when absent).
    pub fn predicate(&self) -> &serde_json::Value {
        &self.predicate
    }

    /// The digest algorithms, among those we compute, that any subject lists.
    pub fn subject_algorithms(&self) -> Vec<DigestAlgorithm> {
        let mut algs: Vec<DigestAlgorithm> = self
            .subjects
            .iter()
            .flat_map(|s| s.digest.keys())
            .filter_map(|a| DigestAlgorithm::from_name(a))
            .collect();
        algs.sort();
        algs.dedup();
        algs
    }

    /// The first subject whose computable digests all match `computed`.
    pub fn matching_subject(&self, computed: &BTreeMap<String, String>) -> Option<&Subject> {
        self.subjects.iter().find(|s| s.matches(computed))
    }
}

fn subject_from_value(v: &Value) -> Result<Subject> {
    let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
    let digest = v
        .get("digest")
        .and_then(Value::as_object)
        .ok_or(Error::Field {
            field: "subject.digest",
            problem: "is missing or not an object".into(),
        })?
        .iter()
        .map(|(k, d)| match d {
            Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(Error::Field {
                field: "subject.digest",
                problem: format!("{k} is not a string"),
            }),
        })
        .collect::<Result<BTreeMap<_, _>>>()?;
    Subject::new(name, digest)
}

/// Builds v1 statements, hashing artifacts by streaming.
#[derive(Debug, Clone)]
pub struct StatementBuilder {
    predicate_type: String,
    algorithms: Vec<DigestAlgorithm>,
    subjects: Vec<Subject>,
    predicate: serde_json::Value,
}

impl StatementBuilder {
    /// Start a statement of `predicate_type` (a full URI: resolve short names with
    /// [`crate::catalog::resolve`]). Subjects get SHA-256 digests.
    pub fn new(predicate_type: impl Into<String>) -> Self {
        StatementBuilder {
            predicate_type: predicate_type.into(),
            algorithms: vec![DigestAlgorithm::Sha256],
            subjects: Vec::new(),
            predicate: serde_json::Value::Null,
        }
    }

    /// Also compute SHA-512 digests for the subjects hashed after this call.
    pub fn with_sha512(mut self) -> Self {
        if !self.algorithms.contains(&DigestAlgorithm::Sha512) {
            self.algorithms.push(DigestAlgorithm::Sha512);
        }
        self
    }

    /// Add a subject whose digests are already known.
    pub fn subject(mut self, subject: Subject) -> Self {
        self.subjects.push(subject);
        self
    }

    /// Hash `reader` (one pass, constant memory) and add it as subject `name`.
    ///
    /// # Errors
    /// The reader's I/O error.
    pub fn subject_from_reader(mut self, name: &str, reader: impl Read) -> Result<Self> {
        let digest = digest_reader(reader, &self.algorithms, name)?;
        self.subjects.push(Subject::new(name, digest)?);
        Ok(self)
    }

    /// Hash the file at `path` and add it as a subject named `name`, or its file name.
    ///
    /// # Errors
    /// Opening or reading the file.
    pub fn subject_from_file(mut self, path: &Path, name: Option<&str>) -> Result<Self> {
        self.subjects
            .push(Subject::from_file(path, name, &self.algorithms)?);
        Ok(self)
    }

    /// Set the predicate.
    pub fn predicate(mut self, predicate: serde_json::Value) -> Self {
        self.predicate = predicate;
        self
    }

    /// Set the predicate from JSON bytes, parsed strictly.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, duplicate keys, excess depth or size.
    pub fn predicate_json(self, json: &[u8], limits: &Limits) -> Result<Self> {
        let value = canon::parse(json, limits)?;
        Ok(self.predicate(value.to_serde()))
    }

    /// The statement, its predicate checked against the predicate type's JSON schema (StellaOps
    /// types; see [`crate::schema`]).
    ///
    /// # Errors
    /// [`Error::NoSubjects`], [`Error::Field`], [`Error::InvalidPredicate`].
    pub fn build(self) -> Result<Statement> {
        let statement = Statement::new(self.subjects, self.predicate_type, self.predicate)?;
        crate::schema::validate_predicate(statement.predicate_type(), statement.predicate())?;
        Ok(statement)
    }
}
