//! Who signs a document command's statement: local keys (`--key`, `--tenant`, the default key),
//! or the policy pipeline on behalf of a caller (`--pipeline CONFIG --caller FILE`). Either way
//! the facade's [`Authority`] signs, with the same admission.

use stellaops_signer::{Authority, CallerContext, OpenedKey, Outcome, SignerPipeline, Statement};

use crate::cli::{PipelineArgs, TenantArgs};
use crate::io::{read_input, signing_keys};
use crate::Failure;

/// The signers a command was given.
pub(crate) enum Signers {
    /// Local keys (one signature each).
    Keys(Vec<OpenedKey>),
    /// A configured pipeline and the caller it signs for.
    Pipeline {
        pipeline: Box<SignerPipeline>,
        caller: CallerContext,
    },
}

impl Signers {
    /// The pipeline and caller when `--pipeline` is given (clap requires `--caller` with it),
    /// else the keys (`family` picks among a tenant's keys).
    pub(crate) fn open(
        pipeline: &PipelineArgs,
        keys: &[String],
        tenant: &TenantArgs,
        family: Option<&str>,
    ) -> Result<Self, Failure> {
        if let (Some(config), Some(caller)) = (&pipeline.pipeline, &pipeline.caller) {
            let pipeline = Box::new(SignerPipeline::from_config_file(config)?);
            let caller = CallerContext::from_json(&read_input(caller)?)?;
            return Ok(Signers::Pipeline { pipeline, caller });
        }
        Ok(Signers::Keys(signing_keys(keys, tenant, family)?))
    }

    /// The tenant the pipeline's caller signs for.
    pub(crate) fn pipeline_tenant(&self) -> Option<&str> {
        match self {
            Signers::Pipeline { caller, .. } => Some(&caller.tenant),
            Signers::Keys(_) => None,
        }
    }

    /// Sign `statement` (`artifact_bytes` counted against a pipeline plan's size limit).
    pub(crate) fn sign(
        &self,
        statement: Statement,
        artifact_bytes: Option<u64>,
    ) -> Result<Outcome, Failure> {
        let outcome = match self {
            Signers::Keys(keys) => {
                let keys: Vec<&OpenedKey> = keys.iter().collect();
                Authority::opened_keys(&keys).sign_statement(statement, artifact_bytes)?
            }
            Signers::Pipeline { pipeline, caller } => {
                Authority::pipeline(pipeline, caller).sign_statement(statement, artifact_bytes)?
            }
        };
        say_pipeline(&outcome);
        Ok(outcome)
    }

    /// As [`Signers::sign`], with software ECDSA keys signing by RFC 6979 (deterministic)
    /// nonces, so the same input gives the same bytes (exports).
    pub(crate) fn sign_reproducibly(
        &self,
        statement: Statement,
        artifact_bytes: Option<u64>,
    ) -> Result<Outcome, Failure> {
        let Signers::Keys(keys) = self else {
            return self.sign(statement, artifact_bytes);
        };
        let keys: Vec<&OpenedKey> = keys.iter().collect();
        Ok(Authority::opened_keys(&keys)
            .reproducible()
            .sign_statement(statement, artifact_bytes)?)
    }
}

/// Say on stderr which keys signed for whom, under which trace id, when the pipeline signed.
fn say_pipeline(outcome: &Outcome) {
    let Some(p) = &outcome.pipeline else {
        return;
    };
    let algorithms: Vec<&str> = outcome
        .signatures
        .iter()
        .map(|s| s.algorithm.name())
        .collect();
    crate::term::note!(
        "stella: pipeline signed for tenant {} ({}, entitlement {}) with {} key {} ({}), trace {}",
        p.caller.token.tenant,
        p.caller.token.subject,
        p.poe_state.name(),
        outcome.issuer_mode(),
        outcome.key_ids().join(", "),
        algorithms.join(", "),
        p.trace_id
    );
}
