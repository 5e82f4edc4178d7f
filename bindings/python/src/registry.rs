//! `KeyRegistry`: the tenant key registry.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use stellaops_signer::faces::{entry_json, parse_time, registry_entries_json};
use stellaops_signer::{KeyRegistry as CoreRegistry, OpenedKey, Selector};

use crate::errors::{raise, to_py};
use crate::keys::SigningKey;

fn json_loads<'py>(py: Python<'py>, json: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?
        .call_method1("loads", (PyBytes::new(py, json),))
}

/// The tenant key registry: a TOML file naming each tenant's keys (URI, status, validity window,
/// plans, predicate families, revocations). A context manager; safe to share between threads.
#[pyclass(frozen, module = "stellaops_signer")]
#[derive(Debug)]
pub struct KeyRegistry {
    registry: CoreRegistry,
}

#[pymethods]
impl KeyRegistry {
    /// Read the registry file at `path`.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let registry = py
            .detach(|| CoreRegistry::load(&path))
            .map_err(|e| to_py(e.into()))?;
        Ok(KeyRegistry { registry })
    }

    /// Every entry of the current configuration, as dicts.
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &registry_entries_json(&self.registry))
    }

    /// The entry that should sign for `tenant` now (the best fit for `plan` and `family`).
    #[pyo3(signature = (tenant, *, plan = None, family = None))]
    fn select<'py>(
        &self,
        py: Python<'py>,
        tenant: &str,
        plan: Option<&str>,
        family: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let entry = self
            .registry
            .select(tenant, Selector { plan, family }, SystemTime::now())
            .map_err(|e| to_py(e.into()))?;
        json_loads(py, &entry_json(&entry))
    }

    /// Open the key that should sign for `tenant` now, checked against its pinned key id and
    /// every revocation; it refuses to sign once a reload revokes it.
    #[pyo3(signature = (tenant, *, plan = None, family = None))]
    fn signing_key(
        &self,
        py: Python<'_>,
        tenant: &str,
        plan: Option<&str>,
        family: Option<&str>,
    ) -> PyResult<SigningKey> {
        let key = py
            .detach(|| {
                self.registry
                    .signing_key(tenant, Selector { plan, family }, SystemTime::now())
            })
            .map_err(|e| to_py(e.into()))?;
        Ok(SigningKey::new(Arc::new(OpenedKey::from(key))))
    }

    /// Raise `KeyMaterialError` (`key_revoked`) when the key `key_id` was revoked at or before
    /// `signed_at` (RFC 3339), or at all when `signed_at` is None.
    #[pyo3(signature = (key_id, signed_at = None))]
    fn check_not_revoked(&self, key_id: &str, signed_at: Option<&str>) -> PyResult<()> {
        let signed_at = signed_at.map(parse_time).transpose().map_err(|e| {
            raise(
                stellaops_signer::ErrorCode::InvalidArgument,
                format!("signed_at: {e}"),
            )
        })?;
        self.registry
            .check_not_revoked(key_id, signed_at)
            .map_err(|e| to_py(e.into()))
    }

    /// Read the file again; a file that does not parse or validate leaves the previous
    /// configuration in force and raises its error.
    fn reload(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.registry.reload())
            .map_err(|e| to_py(e.into()))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        false
    }
}
