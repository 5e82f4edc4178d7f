#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod catalog;
mod digest;
mod error;
pub mod export;
mod policy;
pub mod schema;
pub mod slsa;
mod statement;
pub mod typed;

pub use catalog::{
    is_allowed_predicate_type, is_reachability_related, is_vex_related, Family, PredicateType,
};
pub use digest::{digest_file, digest_reader, DigestAlgorithm};
pub use error::{Error, Result};
pub use export::{
    normalize_path, ExportChange, ExportDiff, ExportFile, ExportManifest, ExportSymlink,
    EXPORT_PREDICATE_TYPE,
};
pub use policy::{Admission, AllowList, EnforcementMode};
pub use schema::validate_predicate;
pub use slsa::{
    BuildDefinition, BuildMetadata, Builder, Provenance, ResourceDescriptor, RunDetails,
    SLSA_PROVENANCE_V1,
};
pub use statement::{
    Statement, StatementBuilder, StatementVersion, Subject, PAYLOAD_TYPE, STATEMENT_V0_1,
    STATEMENT_V1,
};
pub use typed::{
    now_rfc3339, Approval, Environment, EvidenceRef, NamedDigest, PolicyRef, Promotion,
    ReplayManifest, PROMOTION_PREDICATE_TYPE, REPLAY_PREDICATE_TYPE,
};
