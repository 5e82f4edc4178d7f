//! `Subject`, `attest`, `attest_files`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::canon::Limits;
use stellaops_signer::{AllowList, Authority, EnforcementMode, OpenedKey, Outcome};

use crate::envelope::Envelope;
use crate::errors::{raise, to_py};
use crate::keys::SigningKey;

/// What a statement is about: a name and digests by algorithm (`{"sha256": "<hex>"}`).
#[pyclass(frozen, module = "stellaops_signer")]
#[derive(Debug)]
pub struct Subject {
    pub(crate) subject: stellaops_signer::Subject,
}

#[pymethods]
impl Subject {
    /// Validated: lowercase hex of the algorithm's length for sha256/sha384/sha512.
    #[new]
    fn new(name: String, digest: BTreeMap<String, String>) -> PyResult<Self> {
        let subject = stellaops_signer::Subject::new(name, digest).map_err(|e| to_py(e.into()))?;
        Ok(Subject { subject })
    }

    /// The name.
    #[getter]
    fn name(&self) -> &str {
        self.subject.name()
    }

    /// The digests.
    #[getter]
    fn digest(&self) -> BTreeMap<String, String> {
        self.subject.digest().clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Subject(name={:?}, digest={:?})",
            self.subject.name(),
            self.subject.digest()
        )
    }
}

/// The subjects argument `name`: a sequence of `Subject`s or mappings `{"name": str, "digest":
/// {alg: hex}}`, each checked as `Subject(...)` checks it.
pub(crate) fn subjects_arg(
    obj: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<Vec<stellaops_signer::Subject>> {
    let wrong = |what: String| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "argument '{name}': expected a sequence of Subject or {{\"name\": str, \"digest\": {{alg: hex}}}}, {what}"
        ))
    };
    if obj.is_instance_of::<pyo3::types::PyString>() || obj.is_instance_of::<pyo3::types::PyBytes>()
    {
        return Err(wrong(format!("not {}", obj.get_type().name()?)));
    }
    let items = obj.try_iter().map_err(|_| {
        wrong(format!(
            "not {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    let mut subjects = Vec::new();
    for (i, item) in items.enumerate() {
        let item = item?;
        if let Ok(subject) = item.cast::<Subject>() {
            subjects.push(subject.get().subject.clone());
            continue;
        }
        let fields = item.cast::<pyo3::types::PyMapping>().map_err(|_| {
            wrong(format!(
                "item {i} is {}",
                item.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        let subject_name: String = fields
            .get_item("name")
            .and_then(|n| n.extract())
            .map_err(|_| wrong(format!("item {i} has no str \"name\"")))?;
        let digest: BTreeMap<String, String> = fields
            .get_item("digest")
            .and_then(|d| d.extract())
            .map_err(|_| wrong(format!("item {i} has no {{alg: hex}} \"digest\"")))?;
        subjects.push(
            stellaops_signer::Subject::new(subject_name, digest).map_err(|e| to_py(e.into()))?,
        );
    }
    Ok(subjects)
}

/// A signed in-toto statement.
#[pyclass(frozen, get_all, module = "stellaops_signer")]
#[derive(Debug)]
pub struct Attestation {
    /// The envelope.
    envelope: Py<Envelope>,
    /// The statement JSON (RFC 8785), the envelope's payload.
    statement: Py<PyBytes>,
    /// "allowed" (in the catalog) or "unlisted" (admitted by "warn" or "log-only").
    admission: &'static str,
}

/// The catalog as allow-list under `enforcement` ("warn", "log-only", "reject").
pub(crate) fn allow_list(enforcement: &str) -> PyResult<AllowList> {
    let mode: EnforcementMode = enforcement
        .parse()
        .map_err(|message: String| raise(stellaops_signer::ErrorCode::InvalidArgument, message))?;
    Ok(AllowList::catalog(mode))
}

/// Build the statement and sign it with every key.
fn sign(
    keys: &[std::sync::Arc<OpenedKey>],
    allow_list: AllowList,
    predicate_type: &str,
    predicate: &[u8],
    subjects: Vec<stellaops_signer::Subject>,
) -> stellaops_signer::Result<Outcome> {
    sign_with(keys, allow_list, || {
        stellaops_signer::predicate_statement(
            predicate_type,
            predicate,
            subjects,
            &Limits::default(),
        )
    })
}

/// Sign the statement `make` builds with every key under `allow_list`: the one signing step
/// `attest`, `attest_files` and `sign_statement` share. No keys is reported before anything
/// about the statement.
pub(crate) fn sign_with(
    keys: &[std::sync::Arc<OpenedKey>],
    allow_list: AllowList,
    make: impl FnOnce() -> stellaops_signer::Result<stellaops_signer::Statement>,
) -> stellaops_signer::Result<Outcome> {
    let keys: Vec<&OpenedKey> = keys.iter().map(|k| k.as_ref()).collect();
    let authority = Authority::opened_keys(&keys);
    authority.require_keys()?;
    let statement = make()?;
    authority
        .allow_list(allow_list)
        .sign_statement(statement, None)
}

/// Raise the outcome's warning (a type outside the catalog admitted under "warn") as a Python
/// `UserWarning`, pointing at the caller's line.
pub(crate) fn warn_unlisted(py: Python<'_>, outcome: &Outcome) -> PyResult<()> {
    if let Some(warning) = outcome.warning() {
        let message = std::ffi::CString::new(warning.replace('\0', "\\0"))
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
        PyErr::warn(py, category.as_any(), &message, 1)?;
    }
    Ok(())
}

pub(crate) fn finish(py: Python<'_>, outcome: Outcome) -> PyResult<Attestation> {
    warn_unlisted(py, &outcome)?;
    let admission = outcome.admission.name();
    let envelope = outcome.into_envelope();
    let statement = PyBytes::new(py, envelope.payload()).unbind();
    Ok(Attestation {
        envelope: Py::new(py, Envelope { envelope })?,
        statement,
        admission,
    })
}

/// Build an in-toto Statement v1 over `subjects` with the predicate JSON `predicate` of type
/// `predicate_type` (a URI or catalog short name) and sign it with every key. `enforcement`
/// ("warn", "log-only", "reject") decides what happens to a type outside the catalog.
#[pyfunction]
#[pyo3(signature = (keys, predicate_type, predicate, subjects, enforcement = "warn"))]
pub fn attest(
    py: Python<'_>,
    keys: Vec<PyRef<'_, SigningKey>>,
    predicate_type: &str,
    predicate: &Bound<'_, PyAny>,
    subjects: &Bound<'_, PyAny>,
    enforcement: &str,
) -> PyResult<Attestation> {
    let predicate = crate::input::json_arg(predicate, "predicate")?;
    let subjects = subjects_arg(subjects, "subjects")?;
    let allow_list = allow_list(enforcement)?;
    let keys = crate::keys::opened(&keys)?;
    let outcome = py
        .detach(|| sign(&keys, allow_list, predicate_type, &predicate, subjects))
        .map_err(to_py)?;
    finish(py, outcome)
}

/// As `attest`, with the files at `paths` as subjects (hashed by streaming, SHA-256 and, with
/// `sha512`, SHA-512; named by their file name).
#[pyfunction]
#[pyo3(signature = (keys, predicate_type, predicate, paths, enforcement = "warn", sha512 = false))]
pub fn attest_files(
    py: Python<'_>,
    keys: Vec<PyRef<'_, SigningKey>>,
    predicate_type: &str,
    predicate: &Bound<'_, PyAny>,
    paths: Vec<PathBuf>,
    enforcement: &str,
    sha512: bool,
) -> PyResult<Attestation> {
    let predicate = crate::input::json_arg(predicate, "predicate")?;
    let allow_list = allow_list(enforcement)?;
    let keys = crate::keys::opened(&keys)?;
    let outcome = py
        .detach(|| {
            let paths: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
            let subjects = stellaops_signer::artifact_subjects(&paths, sha512)?;
            sign(&keys, allow_list, predicate_type, &predicate, subjects)
        })
        .map_err(to_py)?;
    finish(py, outcome)
}
