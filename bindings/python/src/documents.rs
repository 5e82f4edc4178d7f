//! `sbom_statement`, `report_statement`, `promotion_statement`, `sign_statement`,
//! `verify_promotion`: the document flows over statements.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::canon::Limits;
use stellaops_signer::{PromotionRequirements, Statement, VerificationPolicy};

use crate::attest::{allow_list, finish, Attestation, Subject};
use crate::envelope::VerifiedKey;
use crate::errors::to_py;
use crate::input::json_arg;
use crate::keys::{SigningKey, VerifyingKey};

fn statement_bytes<'py>(
    py: Python<'py>,
    statement: stellaops_signer::Result<Statement>,
) -> PyResult<Bound<'py, PyBytes>> {
    let json = statement.and_then(|s| Ok(s.to_json()?)).map_err(to_py)?;
    Ok(PyBytes::new(py, &json))
}

/// The statement (RFC 8785 JSON) of type `predicate_type` (a URI or catalog short name) whose
/// predicate is `predicate` about `subjects`: what `attest` signs, for signing elsewhere.
#[pyfunction]
pub fn predicate_statement<'py>(
    py: Python<'py>,
    predicate_type: &str,
    predicate: &Bound<'py, PyAny>,
    subjects: Vec<PyRef<'py, Subject>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let predicate = json_arg(predicate, "predicate")?;
    let subjects: Vec<_> = subjects.iter().map(|s| s.subject.clone()).collect();
    let statement = py.detach(|| {
        stellaops_signer::predicate_statement(
            predicate_type,
            &predicate,
            subjects,
            &Limits::default(),
        )
    });
    statement_bytes(py, statement)
}

/// What an envelope or a Sigstore bundle claims, as a dict (`stella forensic attest show
/// --json`): only a key in `keys` makes a signature verified.
#[pyfunction]
#[pyo3(signature = (data, keys = Vec::new()))]
pub fn inspect_attestation<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    keys: Vec<PyRef<'py, VerifyingKey>>,
) -> PyResult<Bound<'py, PyAny>> {
    let data = json_arg(data, "data")?;
    let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
    let facts = py
        .detach(|| stellaops_signer::inspect_attestation(&data, &trusted))
        .map_err(to_py)?;
    let json = stellaops_signer::faces::facts_json(&facts);
    py.import("json")?
        .call_method1("loads", (PyBytes::new(py, &json),))
}

/// The statement (RFC 8785 JSON) for an SBOM (CycloneDX or SPDX, detected): the SBOM as the
/// predicate of its format's type, about `subjects`, or with none about the subjects the SBOM
/// declares (components with SHA-2 hashes).
#[pyfunction]
#[pyo3(signature = (sbom, subjects = Vec::new()))]
pub fn sbom_statement<'py>(
    py: Python<'py>,
    sbom: &Bound<'py, PyAny>,
    subjects: Vec<PyRef<'py, Subject>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let sbom = json_arg(sbom, "sbom")?;
    let subjects: Vec<_> = subjects.iter().map(|s| s.subject.clone()).collect();
    let statement = py.detach(|| {
        stellaops_signer::sbom_statement(&sbom, subjects, &Limits::default()).map(|(_, s)| s)
    });
    statement_bytes(py, statement)
}

/// The statement (RFC 8785 JSON) for a scan report (`stella.ops/report@v1`, validated against
/// its schema), about the report's `artifact`.
#[pyfunction]
pub fn report_statement<'py>(
    py: Python<'py>,
    report: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let report = json_arg(report, "report")?;
    let statement = py.detach(|| stellaops_signer::report_statement(&report, &Limits::default()));
    statement_bytes(py, statement)
}

/// The statement (RFC 8785 JSON) for a promotion (`stella.ops/promotion@v1`, validated against
/// its schema), about the promoted artifact.
#[pyfunction]
pub fn promotion_statement<'py>(
    py: Python<'py>,
    promotion: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let promotion = json_arg(promotion, "promotion")?;
    let statement =
        py.detach(|| stellaops_signer::promotion_statement(&promotion, &Limits::default()));
    statement_bytes(py, statement)
}

/// Sign an in-toto statement (parsed strictly; StellaOps predicates checked against their
/// schema) with every key.
#[pyfunction]
#[pyo3(signature = (keys, statement, enforcement = "warn"))]
pub fn sign_statement(
    py: Python<'_>,
    keys: Vec<PyRef<'_, SigningKey>>,
    statement: &Bound<'_, PyAny>,
    enforcement: &str,
) -> PyResult<Attestation> {
    let statement = json_arg(statement, "statement")?;
    let allow_list = allow_list(enforcement)?;
    let keys = crate::keys::opened(&keys)?;
    let outcome = py
        .detach(|| {
            crate::attest::sign_with(&keys, allow_list, || {
                Ok(Statement::from_json(&statement, &Limits::default())?)
            })
        })
        .map_err(to_py)?;
    finish(py, outcome)
}

/// What `verify_promotion` established.
#[pyclass(frozen, get_all, module = "stellaops_signer")]
#[derive(Debug)]
pub struct PromotionVerification {
    /// The trusted keys that verified.
    keys: Vec<Py<VerifiedKey>>,
    /// The verified statement (the envelope's payload).
    statement: Py<PyBytes>,
    /// The promoted artifact's name.
    artifact_name: String,
    /// Its digests.
    artifact_digest: BTreeMap<String, String>,
    /// Where it was promoted from.
    source_environment: String,
    /// Where it was promoted to.
    target_environment: String,
    /// The policy digest that allowed it.
    policy_digest: String,
}

/// Verify a promotion envelope: `threshold` of `keys` signed it, it carries a
/// `stella.ops/promotion@v1` statement whose predicate follows the schema and whose subject is
/// the promoted artifact, and the promotion meets the requirements given (`artifact_digest`,
/// `target_environment`, `policy_digest`; what is not given is not checked).
#[pyfunction]
#[pyo3(signature = (envelope, keys, threshold = 1, *, artifact_digest = BTreeMap::new(), target_environment = None, policy_digest = None))]
pub fn verify_promotion(
    py: Python<'_>,
    envelope: &Bound<'_, PyAny>,
    keys: Vec<PyRef<'_, VerifyingKey>>,
    threshold: usize,
    artifact_digest: BTreeMap<String, String>,
    target_environment: Option<String>,
    policy_digest: Option<String>,
) -> PyResult<PromotionVerification> {
    let envelope = json_arg(envelope, "envelope")?;
    let trusted: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
    let requirements = PromotionRequirements {
        artifact_digest,
        target_environment,
        policy_digest,
    };
    let verified = py
        .detach(|| {
            let policy = VerificationPolicy::new(trusted, threshold, None)?;
            stellaops_signer::verify_promotion(&envelope, &policy, &requirements)
        })
        .map_err(to_py)?;
    let keys = verified
        .keys
        .iter()
        .map(|k| Py::new(py, VerifiedKey::new(k)))
        .collect::<PyResult<Vec<_>>>()?;
    let p = &verified.promotion;
    Ok(PromotionVerification {
        keys,
        statement: PyBytes::new(py, verified.envelope.payload()).unbind(),
        artifact_name: p.artifact.name.clone(),
        artifact_digest: p.artifact.digest.clone(),
        source_environment: p.source.environment.clone(),
        target_environment: p.target.environment.clone(),
        policy_digest: p.policy.digest.clone(),
    })
}

/// Hash files into subjects, one per file named by its file name: SHA-256 and, with `sha512`,
/// SHA-512 too, read by streaming.
#[pyfunction]
#[pyo3(signature = (paths, sha512 = false))]
pub fn artifact_subjects(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    sha512: bool,
) -> PyResult<Vec<Subject>> {
    let subjects = py
        .detach(|| {
            let paths: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
            stellaops_signer::artifact_subjects(&paths, sha512)
        })
        .map_err(to_py)?;
    Ok(subjects
        .into_iter()
        .map(|subject| Subject { subject })
        .collect())
}

/// What `verify_audit_chain` established.
#[pyclass(frozen, get_all, module = "stellaops_signer")]
#[derive(Debug)]
pub struct AuditChain {
    /// How many records the log holds.
    records: u64,
    /// The last line's hash: anchor it elsewhere so that a truncation shows.
    last_hash: String,
}

/// Verify the hash chain of the pipeline's audit log at `path`. A broken chain raises
/// `VerificationError` with `code_name` `audit_chain_broken`, naming the first bad line.
#[pyfunction]
pub fn verify_audit_chain(py: Python<'_>, path: PathBuf) -> PyResult<AuditChain> {
    let summary = py
        .detach(|| stellaops_signer::verify_audit_chain(&path))
        .map_err(to_py)?;
    Ok(AuditChain {
        records: summary.records,
        last_hash: summary.last_hash,
    })
}
