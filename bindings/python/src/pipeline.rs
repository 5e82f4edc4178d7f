//! The signing pipeline.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::SignerPipeline;

use crate::errors::to_py;

/// Signing with policy: caller token and DPoP/mTLS proof, entitlement, quotas, scanner release,
/// tenant key, and an audit record for every request; built from a TOML configuration file.
/// Thread-safe: sign from any number of threads; the GIL is released while a request runs.
/// A context manager: leaving the `with` block (or `close()`) closes the audit log and the keys;
/// requests running then finish, later calls raise `ValueError`.
#[pyclass(module = "stellaops_signer", frozen)]
#[derive(Debug)]
pub struct Pipeline {
    inner: RwLock<Option<Arc<SignerPipeline>>>,
}

impl Pipeline {
    /// The pipeline, or `ValueError` once closed.
    fn open(&self) -> PyResult<Arc<SignerPipeline>> {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| pyo3::exceptions::PyValueError::new_err("the pipeline is closed"))
    }
}

#[pymethods]
impl Pipeline {
    /// Build the pipeline the configuration file at `config_path` describes.
    #[new]
    fn new(py: Python<'_>, config_path: PathBuf) -> PyResult<Self> {
        stellaops_signer::metrics_text::install();
        let inner = py
            .detach(|| SignerPipeline::from_config_file(&config_path))
            .map_err(to_py)?;
        Ok(Pipeline {
            inner: RwLock::new(Some(Arc::new(inner))),
        })
    }

    /// Run one request (JSON as bytes, str or dict) and return the outcome (JSON bytes): the
    /// envelope, key id, bundle digest, caller, PoE state, ... A refusal raises PolicyError with
    /// code_name "denied" and the reason code in the message.
    fn sign_json<'py>(
        &self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let request = crate::input::json_arg(request, "request")?;
        let pipeline = self.open()?;
        let out = py.detach(|| pipeline.sign_json(&request)).map_err(to_py)?;
        Ok(PyBytes::new(py, &out))
    }

    /// The scanner-release verdict for `digest` under the `[release]` configuration, without
    /// signing: a dict with `trusted`, and `trust` ("allowlist", "signature", "override") or
    /// `reason` ("release.untrusted") and `detail`. May ask the OCI registry.
    fn check_release<'py>(&self, py: Python<'py>, digest: &str) -> PyResult<Bound<'py, PyAny>> {
        let pipeline = self.open()?;
        let verdict = py
            .detach(|| stellaops_signer::faces::release_verdict_json(&pipeline, digest))
            .map_err(to_py)?;
        py.import("json")?
            .call_method1("loads", (PyBytes::new(py, &verdict),))
    }

    /// Close the pipeline: its audit log and keys are released once running requests finish.
    /// Closing twice is fine.
    fn close(&self) {
        self.inner
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close();
        false
    }
}

/// What the library counted since the first pipeline was opened, as Prometheus text
/// (`stellaops_signer_sign_seconds`, `stellaops_signer_denials_total{reason}`, ...), for your
/// own `/metrics` endpoint.
#[pyfunction]
pub fn metrics_snapshot() -> String {
    stellaops_signer::metrics_text::install();
    stellaops_signer::metrics_snapshot()
}
