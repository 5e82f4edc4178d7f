//! The last audit anchoring round, after the drain (the pipeline anchors by itself until then).

use std::sync::Arc;

use stellaops_signer::SignerPipeline;

/// Publish the final chain head off the async threads; a failure is logged (the pipeline
/// counts and logs it too).
pub(crate) async fn final_round(pipeline: &Arc<SignerPipeline>) {
    let pipeline = pipeline.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || pipeline.anchor_audit()).await {
        tracing::error!(error = %e, "audit anchoring task failed");
    }
}
