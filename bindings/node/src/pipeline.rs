//! The signing pipeline.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::SignerPipeline;

use crate::errors::{js, Failure};
use crate::input::json_arg;

/// Signing with policy: caller token and DPoP/mTLS proof, entitlement, quotas, scanner release,
/// tenant key, and an audit record for every request; built from a TOML configuration file.
/// Requests and outcomes are JSON (see `signJson`). Usable from any number of concurrent calls.
#[napi]
pub struct Pipeline {
    inner: Arc<SignerPipeline>,
}

#[napi]
impl Pipeline {
    /// Build the pipeline the configuration file at `configPath` describes (reads key sets,
    /// opens the signing key and the audit log).
    #[napi(factory)]
    pub fn open_sync(env: Env, config_path: String) -> Result<Pipeline> {
        stellaops_signer::metrics_text::install();
        let inner = js(
            &env,
            SignerPipeline::from_config_file(std::path::Path::new(&config_path))
                .map_err(Failure::from),
        )?;
        Ok(Pipeline {
            inner: Arc::new(inner),
        })
    }

    /// Run one request (the caller's members and a statement; JSON as a string, bytes or an
    /// object) off the main thread; resolves to the outcome (JSON bytes). A refusal rejects with
    /// code `STELLAOPS_DENIED` and the reason code in the message.
    #[napi(
        ts_args_type = "request: string | Uint8Array | object",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn sign_json(&self, env: Env, request: Unknown<'_>) -> Result<AsyncTask<PipelineSignTask>> {
        let request = js(&env, json_arg(&env, request, "request"))?;
        Ok(AsyncTask::new(PipelineSignTask {
            pipeline: Arc::clone(&self.inner),
            request,
        }))
    }

    /// As `signJson`, on the calling thread.
    #[napi(ts_args_type = "request: string | Uint8Array | object")]
    pub fn sign_json_sync(&self, env: Env, request: Unknown<'_>) -> Result<Buffer> {
        let request = js(&env, json_arg(&env, request, "request"))?;
        let out = js(&env, self.inner.sign_json(&request).map_err(Failure::from))?;
        Ok(Buffer::from(out))
    }

    /// The scanner-release verdict for `digest` under the `[release]` configuration, without
    /// signing, off the main thread (it may ask the OCI registry). An untrusted release is a
    /// verdict (`trusted: false`, `reason: "release.untrusted"`), not a rejection.
    #[napi(ts_return_type = "Promise<ReleaseVerdict>")]
    pub fn check_release(&self, digest: String) -> AsyncTask<CheckReleaseTask> {
        AsyncTask::new(CheckReleaseTask {
            pipeline: Arc::clone(&self.inner),
            digest,
        })
    }

    /// As `checkRelease`, on the calling thread.
    #[napi]
    pub fn check_release_sync(&self, env: Env, digest: String) -> Result<ReleaseVerdict> {
        js(&env, verdict(&self.inner, &digest))
    }
}

/// Whether a scanner release is trusted (`Pipeline.checkRelease`).
#[napi(object)]
pub struct ReleaseVerdict {
    /// The release digest asked about.
    pub digest: String,
    /// Whether it is trusted.
    pub trusted: bool,
    /// Why it is trusted.
    #[napi(ts_type = "'allowlist' | 'signature' | 'override'")]
    pub trust: Option<String>,
    /// The key id of the release signature that verified (`signature`).
    pub key_id: Option<String>,
    /// The referrer manifest that carried it (`signature`).
    pub referrer: Option<String>,
    /// The override's reason (`override`).
    pub override_reason: Option<String>,
    /// Who approved the override (`override`).
    pub approved_by: Option<String>,
    /// Why it is not trusted: `release.untrusted`.
    pub reason: Option<String>,
    /// What was tried.
    pub detail: Option<String>,
}

fn verdict(
    pipeline: &SignerPipeline,
    digest: &str,
) -> std::result::Result<ReleaseVerdict, Failure> {
    use stellaops_signer::policy::{Reason, ReleaseTrust};
    let mut v = ReleaseVerdict {
        digest: digest.to_owned(),
        trusted: true,
        trust: None,
        key_id: None,
        referrer: None,
        override_reason: None,
        approved_by: None,
        reason: None,
        detail: None,
    };
    match pipeline.check_release(digest) {
        Ok(trust) => {
            v.trust = Some(trust.name().to_owned());
            match trust {
                ReleaseTrust::Signed { key_id, referrer } => {
                    v.key_id = Some(key_id);
                    v.referrer = Some(referrer);
                }
                ReleaseTrust::Override {
                    reason,
                    approved_by,
                } => {
                    v.override_reason = Some(reason);
                    v.approved_by = Some(approved_by);
                }
                ReleaseTrust::Allowlisted => {}
            }
        }
        Err(stellaops_signer::Error::Denied(d)) if d.reason == Reason::ReleaseUntrusted => {
            v.trusted = false;
            v.reason = Some(d.reason.code().to_owned());
            v.detail = Some(d.detail);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(v)
}

/// A release verdict off the main thread.
pub struct CheckReleaseTask {
    pipeline: Arc<SignerPipeline>,
    digest: String,
}

impl Task for CheckReleaseTask {
    type Output = std::result::Result<ReleaseVerdict, Failure>;
    type JsValue = ReleaseVerdict;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(verdict(&self.pipeline, &self.digest))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<ReleaseVerdict> {
        js(&env, output)
    }
}

/// A pipeline request off the main thread.
pub struct PipelineSignTask {
    pipeline: Arc<SignerPipeline>,
    request: Vec<u8>,
}

impl Task for PipelineSignTask {
    type Output = std::result::Result<Vec<u8>, Failure>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self
            .pipeline
            .sign_json(&self.request)
            .map_err(Failure::from))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Buffer> {
        Ok(Buffer::from(js(&env, output)?))
    }
}

/// What the library counted since the first pipeline was opened, as Prometheus text
/// (`stellaops_signer_sign_seconds`, `stellaops_signer_denials_total{reason}`, ...), for your
/// own `/metrics` endpoint.
#[napi]
pub fn metrics_snapshot() -> String {
    stellaops_signer::metrics_text::install();
    stellaops_signer::metrics_snapshot()
}
