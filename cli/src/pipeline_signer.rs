//! `--pipeline CONFIG --caller FILE`: the document flows (export, promotion, SBOM, report) sign
//! their statement through the policy pipeline on behalf of a caller instead of with local keys.

use stellaops_signer::{CallerContext, PipelineOutcome, SignerPipeline, Statement};

use crate::cli::PipelineArgs;
use crate::io::read_input;
use crate::Failure;

/// A configured pipeline and the caller it signs for.
pub(crate) struct PipelineSigner {
    pipeline: SignerPipeline,
    caller: CallerContext,
}

impl PipelineSigner {
    /// The pipeline and caller when `--pipeline` is given (clap requires `--caller` with it).
    pub(crate) fn open(a: &PipelineArgs) -> Result<Option<Self>, Failure> {
        let (Some(config), Some(caller)) = (&a.pipeline, &a.caller) else {
            return Ok(None);
        };
        let pipeline = SignerPipeline::from_config_file(config)?;
        let caller = CallerContext::from_json(&read_input(caller)?)?;
        Ok(Some(PipelineSigner { pipeline, caller }))
    }

    /// The tenant the caller signs for.
    pub(crate) fn tenant(&self) -> &str {
        &self.caller.tenant
    }

    /// Sign `statement` (`artifact_bytes` counted against the plan's size limit) and say on
    /// stderr which key signed for whom, under which trace id.
    pub(crate) fn sign(
        &self,
        statement: &Statement,
        artifact_bytes: u64,
    ) -> Result<PipelineOutcome, Failure> {
        let outcome = self
            .pipeline
            .sign_statement(&self.caller, statement, artifact_bytes)?;
        crate::term::note!(
            "stella: pipeline signed for tenant {} ({}, entitlement {}) with {} key {} ({}), trace {}",
            outcome.caller.token.tenant,
            outcome.caller.token.subject,
            outcome.poe_state.name(),
            outcome.issuer_mode,
            outcome.key_id,
            outcome.algorithm,
            outcome.trace_id
        );
        Ok(outcome)
    }
}
