//! `stella pipeline sign`.

use stellaops_signer::SignerPipeline;

use crate::cli::PipelineSignArgs;
use crate::io::{read_input, write_output};
use crate::Failure;

pub(crate) fn sign(a: &PipelineSignArgs) -> Result<(), Failure> {
    let pipeline = SignerPipeline::from_config_file(&a.config)?;
    let request = read_input(&a.request)?;
    let outcome = pipeline.sign_json(&request)?;
    let out = if a.envelope_only {
        let value: serde_json::Value = serde_json::from_slice(&outcome)
            .map_err(|e| Failure::Usage(format!("outcome: {e}")))?;
        let mut bytes = serde_json::to_vec(&value["envelope"])
            .map_err(|e| Failure::Usage(format!("outcome: {e}")))?;
        bytes.push(b'\n');
        bytes
    } else {
        let mut bytes = outcome;
        bytes.push(b'\n');
        bytes
    };
    write_output(a.out.as_deref(), &out)
}
