//! `canonicalize`, `pae` and the predicate catalog.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::canon::{canonicalize as core, Limits, Mode};
use stellaops_signer::catalog;

use crate::errors::{js, Failure};

fn run(data: &[u8], mode: Option<&str>) -> std::result::Result<Vec<u8>, Failure> {
    let mode = match mode.unwrap_or("jcs") {
        "jcs" => Mode::Jcs,
        "olpc" => Mode::Olpc,
        other => {
            return Err(Failure::invalid(format!(
                "unknown canonical mode {other:?} (jcs, olpc)"
            )))
        }
    };
    Ok(core(data, mode, &Limits::default())?)
}

/// Canonicalizing off the main thread.
pub struct CanonTask {
    data: Vec<u8>,
    mode: Option<String>,
}

impl Task for CanonTask {
    type Output = std::result::Result<Vec<u8>, Failure>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(run(&self.data, self.mode.as_deref()))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Buffer> {
        Ok(Buffer::from(js(&env, output)?))
    }
}

/// Parse `data` strictly and resolve to its canonical form: `mode` "jcs" (RFC 8785, default) or
/// "olpc" (securesystemslib/TUF, integers only).
#[napi(
    ts_args_type = "data: Uint8Array, mode?: 'jcs' | 'olpc' | undefined | null",
    ts_return_type = "Promise<Buffer>"
)]
pub fn canonicalize(data: Uint8Array, mode: Option<String>) -> AsyncTask<CanonTask> {
    AsyncTask::new(CanonTask {
        data: data.to_vec(),
        mode,
    })
}

/// As `canonicalize`, on the calling thread.
#[napi(ts_args_type = "data: Uint8Array, mode?: 'jcs' | 'olpc' | undefined | null")]
pub fn canonicalize_sync(env: Env, data: Uint8Array, mode: Option<String>) -> Result<Buffer> {
    Ok(Buffer::from(js(&env, run(&data, mode.as_deref()))?))
}

/// The DSSE pre-authentication encoding.
#[napi]
pub fn pae(payload_type: String, payload: Uint8Array) -> Buffer {
    Buffer::from(stellaops_signer::dsse::pae(&payload_type, &payload))
}

/// The URI of a catalog short name or alias ("sbom", "vex", "cyclonedx", ...); URIs pass through.
#[napi]
pub fn resolve_predicate_type(env: Env, name: String) -> Result<String> {
    js(&env, catalog::resolve(&name).map_err(Failure::from))
}

/// The family of a catalogued predicate type ("sbom", "vex", "reachability", ...), or null.
#[napi]
pub fn predicate_family(uri: String) -> Option<String> {
    catalog::family(&uri).map(|f| f.name().to_owned())
}

/// True for VEX statements and decisions.
#[napi]
pub fn is_vex_related(uri: String) -> bool {
    catalog::is_vex_related(&uri)
}

/// True for reachability evidence.
#[napi]
pub fn is_reachability_related(uri: String) -> bool {
    catalog::is_reachability_related(&uri)
}

/// True for SBOMs of any format.
#[napi]
pub fn is_sbom(uri: String) -> bool {
    catalog::is_sbom(&uri)
}

/// True when `uri` is on the default allow-list (the catalog).
#[napi]
pub fn is_allowed_predicate_type(uri: String) -> bool {
    catalog::is_allowed_predicate_type(&uri)
}

/// Every catalogued predicate type URI.
#[napi]
pub fn allowed_predicate_types() -> Vec<String> {
    catalog::allowed_predicate_types()
        .into_iter()
        .map(str::to_owned)
        .collect()
}
