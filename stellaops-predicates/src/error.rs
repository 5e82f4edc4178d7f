//! The one error type of this crate.

/// What can go wrong building, parsing or admitting statements.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading an artifact failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The artifact's path as given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A digest value or algorithm name is malformed.
    #[error("subject {subject:?}: digest {algorithm:?} {problem}")]
    InvalidDigest {
        /// The subject's name.
        subject: String,
        /// The digest algorithm name.
        algorithm: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A statement needs at least one subject.
    #[error("a statement needs at least one subject")]
    NoSubjects,
    /// A subject needs at least one digest.
    #[error("subject {0:?} has no digest")]
    NoDigest(String),
    /// The `_type` is not an in-toto Statement version we read.
    #[error("unsupported statement type {0:?}")]
    UnsupportedStatementType(String),
    /// A statement field is missing or of the wrong shape.
    #[error("statement field {field:?}: {problem}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// Parsing or canonicalizing JSON failed (duplicate keys, depth, size, numbers, ...).
    #[error(transparent)]
    Json(#[from] stellaops_dsse::Error),
    /// A short predicate name is not in the catalog.
    #[error("unknown predicate type {0:?}: give a full uri or one of the catalog's short names")]
    UnknownPredicateType(String),
    /// The allow-list policy in reject mode refused the predicate type.
    #[error("predicate type {0:?} is not allowed by policy")]
    PredicateNotAllowed(String),
    /// A predicate breaks its predicate type's JSON schema.
    #[error("predicate {predicate_type:?}: field {field}: {problem}")]
    InvalidPredicate {
        /// The predicate type.
        predicate_type: String,
        /// The JSON pointer of the offending field (`/approvals/0/approvedAt`).
        field: String,
        /// What the schema says is wrong.
        problem: String,
    },
    /// A path of an export is not a normalized relative path (absolute, `..`, backslash,
    /// control character), or is listed twice.
    #[error("export path {path:?} {problem}")]
    ExportPath {
        /// The path as given or found.
        path: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// An entry of an export cannot be exported (a special file, a refused symbolic link, a
    /// name that is not UTF-8).
    #[error("export entry {path:?} {problem}")]
    ExportEntry {
        /// The entry's path.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The export holds no file.
    #[error("the export {0:?} holds no file")]
    EmptyExport(String),
    /// No usable creation time for an export manifest.
    #[error("export creation time: {0}")]
    CreationTime(String),
    /// An export manifest is malformed.
    #[error("export manifest: {0}")]
    Manifest(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
