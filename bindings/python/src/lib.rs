//! The Python extension module `stellaops_signer._native`: a thin translation of the
//! `stellaops-signer` facade. The package `stellaops_signer` re-exports it.

mod attest;
mod caller;
mod canon;
mod documents;
mod envelope;
mod errors;
mod export;
mod input;
mod keys;
mod logging;
mod pipeline;
mod registry;
mod sigstore;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<keys::SigningKey>()?;
    m.add_class::<keys::VerifyingKey>()?;
    m.add_class::<caller::VerifierRegistry>()?;
    m.add_class::<envelope::Envelope>()?;
    m.add_class::<envelope::Signature>()?;
    m.add_class::<envelope::VerifiedKey>()?;
    m.add_class::<attest::Subject>()?;
    m.add_class::<attest::Attestation>()?;
    m.add_class::<documents::PromotionVerification>()?;
    m.add_class::<documents::AuditChain>()?;
    m.add_class::<pipeline::Pipeline>()?;
    m.add_class::<registry::KeyRegistry>()?;
    m.add_class::<sigstore::TrustedRoot>()?;
    m.add_class::<sigstore::BundleVerification>()?;
    m.add_class::<sigstore::BundleSigner>()?;
    m.add_class::<sigstore::BundleAttestation>()?;
    m.add_function(wrap_pyfunction!(sigstore::verify_bundle, m)?)?;
    m.add_function(wrap_pyfunction!(envelope::pae, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline::metrics_snapshot, m)?)?;
    m.add_function(wrap_pyfunction!(logging::set_logger, m)?)?;
    m.add_function(wrap_pyfunction!(attest::attest, m)?)?;
    m.add_function(wrap_pyfunction!(attest::attest_files, m)?)?;
    m.add_function(wrap_pyfunction!(documents::sbom_statement, m)?)?;
    m.add_function(wrap_pyfunction!(documents::predicate_statement, m)?)?;
    m.add_function(wrap_pyfunction!(documents::inspect_attestation, m)?)?;
    m.add_function(wrap_pyfunction!(documents::artifact_subjects, m)?)?;
    m.add_function(wrap_pyfunction!(documents::verify_audit_chain, m)?)?;
    m.add_function(wrap_pyfunction!(documents::report_statement, m)?)?;
    m.add_function(wrap_pyfunction!(documents::promotion_statement, m)?)?;
    m.add_function(wrap_pyfunction!(documents::sign_statement, m)?)?;
    m.add_function(wrap_pyfunction!(documents::verify_promotion, m)?)?;
    m.add_function(wrap_pyfunction!(export::sign_export, m)?)?;
    m.add_function(wrap_pyfunction!(export::verify_export, m)?)?;
    m.add_function(wrap_pyfunction!(export::describe_export, m)?)?;
    m.add_function(wrap_pyfunction!(export::export_statement, m)?)?;
    m.add_function(wrap_pyfunction!(export::check_export, m)?)?;
    m.add_function(wrap_pyfunction!(canon::canonicalize, m)?)?;
    m.add_function(wrap_pyfunction!(canon::resolve_predicate_type, m)?)?;
    m.add_function(wrap_pyfunction!(canon::predicate_family, m)?)?;
    m.add_function(wrap_pyfunction!(canon::is_vex_related, m)?)?;
    m.add_function(wrap_pyfunction!(canon::is_reachability_related, m)?)?;
    m.add_function(wrap_pyfunction!(canon::is_sbom, m)?)?;
    m.add_function(wrap_pyfunction!(canon::is_allowed_predicate_type, m)?)?;
    m.add_function(wrap_pyfunction!(canon::allowed_predicate_types, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
