//! The signing pipeline.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::SignerPipeline;

use crate::errors::{js, Failure};

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
        let inner = js(
            &env,
            SignerPipeline::from_config_file(std::path::Path::new(&config_path))
                .map_err(Failure::from),
        )?;
        Ok(Pipeline {
            inner: Arc::new(inner),
        })
    }

    /// Run one request (JSON bytes) off the main thread; resolves to the outcome (JSON bytes).
    /// A refusal rejects with code `STELLAOPS_DENIED` and the reason code in the message.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn sign_json(&self, request: Uint8Array) -> AsyncTask<PipelineSignTask> {
        AsyncTask::new(PipelineSignTask {
            pipeline: Arc::clone(&self.inner),
            request: request.to_vec(),
        })
    }

    /// As `signJson`, on the calling thread.
    #[napi]
    pub fn sign_json_sync(&self, env: Env, request: Uint8Array) -> Result<Buffer> {
        let out = js(&env, self.inner.sign_json(&request).map_err(Failure::from))?;
        Ok(Buffer::from(out))
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
