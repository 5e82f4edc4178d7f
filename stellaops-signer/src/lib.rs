#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod audit;
pub mod authority;
mod code;
mod documents;
mod error;
pub mod export;
pub mod files;
mod forensic;
pub mod keys;
pub mod log_sink;
pub mod metrics_text;
pub mod pipeline;
mod promotion;
mod registry;
mod verify;

pub use audit::{
    verify_audit_chain, verify_audit_chain_anchored, AnchorWitnesses, ChainSummary, TornTail,
};
pub use authority::{Authority, IssuerMode, Outcome, Signed, SignerFacts};
pub use code::ErrorCode;
pub use documents::{
    artifact_subjects, declared_subjects, predicate_statement, promotion_statement,
    report_statement, sbom_statement, SbomFormat,
};
pub use error::{Error, Result};
pub use export::{
    check_export, describe_dir, describe_files, export_statement, sign_export, verify_export,
    ExportOptions, ExportVerification, SignedExport, SymlinkPolicy,
};
pub use forensic::{
    inspect_attestation, AttestationFacts, CertificateFacts, SignatureFacts, SubjectFacts,
    TlogFacts,
};
pub use keys::{open_key, open_key_with_prompt, write_private_key, OpenedKey};
pub use log_sink::set_log_sink;
pub use metrics_text::snapshot as metrics_snapshot;
pub use pipeline::{CallerContext, PipelineBuilder, PipelineKeys, PipelineRequest, SignerPipeline};
pub use promotion::{verify_promotion, PromotionRequirements, PromotionVerification};
pub use stellaops_keys::{KeyRegistry, KeyStatus, KeyUri, Selector, TenantKey};
pub use stellaops_poe as policy;
pub use verify::{statement_of, verify, verify_envelope, ArtifactMatch, Verification};

pub use stellaops_crypto as crypto;
pub use stellaops_dsse as dsse;
pub use stellaops_keys as key_backends;
pub use stellaops_predicates as predicates;
#[cfg(feature = "sigstore")]
pub use stellaops_sigstore as sigstore;
#[cfg(feature = "sigstore")]
mod bundle;
#[cfg(feature = "sigstore")]
pub use bundle::{bundle_policy, trusted_root_from_path, verify_bundle, BundlePolicy, Issuer};
#[cfg(feature = "sigstore")]
pub use stellaops_sigstore::{BundleArtifact, OwnedArtifact};

/// The JSON plumbing the faces that are not Rust share (the C ABI, Python, Node, the CLI):
/// requests and reports as JSON, file lists, the export's signed size. Rust callers use the
/// typed operations at the crate root; the face-parity test (`tests/face_parity.rs`) counts
/// those, not these.
pub mod faces {
    #[cfg(feature = "sigstore")]
    pub use crate::bundle::{
        bundle_policy_from_json, bundle_report, keyful_config_from_json, keyless_config_from_json,
    };
    pub use crate::documents::subjects_json;
    pub use crate::export::{
        check_export_json, describe_export_json, export_bytes, export_report_json,
        export_statement_json, path_list_json, sign_export_files, sign_export_json,
    };
    pub use crate::forensic::facts_json;
    pub use crate::pipeline::{new_trace_id, outcome_json, release_verdict_json};
    pub use crate::registry::{entry_json, registry_entries_json};
    pub use stellaops_keys::parse_time;
}

pub use stellaops_crypto::{
    Algorithm, CallerError, CallerSigner, ExternalAlgorithm, KeyId, SignatureVerifier, SigningKey,
    SoftwareKey, VerifierRegistry, VerifyingKey,
};
pub use stellaops_dsse::{canon, Envelope, EnvelopeLimits, VerificationPolicy, VerifiedKey};
pub use stellaops_predicates::{
    catalog, Admission, AllowList, EnforcementMode, ExportDiff, ExportManifest, Statement,
    StatementBuilder, Subject,
};
