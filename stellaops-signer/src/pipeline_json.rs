//! The pipeline over JSON, for the faces that are not Rust (C ABI, Python, Node, the CLI's
//! request files): one request object in, one outcome object out.
//!
//! Request: the caller's members (see [`CallerContext`]: `"access_token", "dpop_proof"?,
//! "method"? (POST), "uri", "client_certificate_der_b64"?, "tenant", "scanner_release"?,
//! "trace_id"?`) and the statement's: `"predicate_type", "predicate", "subjects": [{"name",
//! "digest": {"sha256": hex}}], "artifact_bytes"?`; unknown members and duplicate keys are
//! refused.
//!
//! Outcome: `{"envelope": {...}, "key_id", "algorithm", "certificate_chain": [base64 DER],
//! "bundle_digest", "issuer_mode", "caller", "binding", "tenant", "poe_state", "release",
//! "trace_id"}`.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use stellaops_dsse::canon::{self, Limits};
use stellaops_poe::ReleaseTrust;
use stellaops_predicates::Subject;

use crate::pipeline::{PipelineOutcome, PipelineRequest, SignerPipeline};
use crate::pipeline_caller::{invalid, CallerContext};
use crate::Result;

/// The members of a request that describe the statement; the rest is the caller.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonStatement {
    predicate_type: String,
    predicate: Value,
    subjects: Vec<JsonSubject>,
    artifact_bytes: Option<u64>,
}

const STATEMENT_MEMBERS: [&str; 4] = ["predicate_type", "predicate", "subjects", "artifact_bytes"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSubject {
    name: String,
    digest: BTreeMap<String, String>,
}

impl SignerPipeline {
    /// Run one request given as JSON and return the outcome as JSON (see the module
    /// documentation).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) for a malformed request; otherwise as
    /// [`SignerPipeline::sign`].
    pub fn sign_json(&self, request: &[u8]) -> Result<Vec<u8>> {
        let Value::Object(mut caller) = canon::parse(request, &Limits::default())?.to_serde()
        else {
            return Err(invalid("request: not a JSON object"));
        };
        let statement: Map<String, Value> = STATEMENT_MEMBERS
            .iter()
            .filter_map(|name| caller.remove_entry(*name))
            .collect();
        let r: JsonStatement = serde_json::from_value(Value::Object(statement))
            .map_err(|e| invalid(format!("request: {e}")))?;
        let caller = CallerContext::from_members(caller, "request")?;
        let subjects = r
            .subjects
            .into_iter()
            .map(|s| Subject::new(s.name, s.digest))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let predicate = serde_json::to_vec(&r.predicate).map_err(|e| invalid(e.to_string()))?;
        let outcome = self.sign(PipelineRequest {
            auth: caller.auth(),
            predicate_type: &r.predicate_type,
            predicate_json: &predicate,
            subjects,
            artifact_bytes: r.artifact_bytes,
            scanner_release: caller.scanner_release.as_deref(),
            trace_id: caller.trace_id.as_deref(),
        })?;
        Ok(outcome_json(&outcome))
    }
}

/// The outcome as the JSON faces see it. The envelope's JSON bytes (already made for the bundle
/// digest) are written in as they are, not parsed and serialized again: with a large payload
/// that would be the most expensive part of the answer.
pub fn outcome_json(o: &PipelineOutcome) -> Vec<u8> {
    let rest = json!({
        "key_id": o.key_id,
        "algorithm": o.algorithm.name(),
        "certificate_chain": o.certificate_chain.iter().map(|c| STANDARD.encode(c)).collect::<Vec<_>>(),
        "bundle_digest": o.bundle_digest,
        "issuer_mode": o.issuer_mode,
        "caller": o.caller.token.subject,
        "binding": o.caller.binding.name(),
        "tenant": o.caller.token.tenant,
        "poe_state": o.poe_state.name(),
        "release": o.release.as_ref().map(ReleaseTrust::name),
        "trace_id": o.trace_id,
    })
    .to_string();
    // `rest` is a non-empty object: splice the envelope in as its first member.
    let mut out = Vec::with_capacity(o.envelope_json.len() + rest.len() + 13);
    out.extend_from_slice(b"{\"envelope\":");
    out.extend_from_slice(&o.envelope_json);
    out.push(b',');
    out.extend_from_slice(&rest.as_bytes()[1..]);
    out
}
