//! The pipeline over JSON, for the faces that are not Rust (C ABI, Python, Node, the CLI's
//! request files): one request object in, one outcome object out.
//!
//! Request: the caller's members (see [`CallerContext`]: `"access_token", "dpop_proof"?,
//! "method"? (POST), "uri", "client_certificate_der_b64"?, "tenant", "scanner_release"?,
//! "trace_id"?`) and the statement's: either `"predicate_type", "predicate", "subjects":
//! [{"name", "digest": {"sha256": hex}}]` or `"statement": {an in-toto statement}` (what the
//! document builders make: an SBOM's, a report's, a promotion's), and `"artifact_bytes"?`;
//! unknown members, both forms at once and duplicate keys are refused.
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
use stellaops_predicates::{catalog, ExportManifest, Statement, StatementBuilder, Subject};

use super::caller::{invalid, CallerContext};
use super::{PipelineRequest, SignerPipeline};
use crate::authority::Outcome;
use crate::Result;

/// The members of a request that describe the statement; the rest is the caller.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonStatement {
    predicate_type: Option<String>,
    predicate: Option<Value>,
    subjects: Option<Vec<JsonSubject>>,
    statement: Option<Value>,
    artifact_bytes: Option<u64>,
}

const STATEMENT_MEMBERS: [&str; 5] = [
    "predicate_type",
    "predicate",
    "subjects",
    "statement",
    "artifact_bytes",
];

impl JsonStatement {
    /// The statement, from whichever form the request used.
    fn build(self) -> Result<Statement> {
        match (self.statement, self.predicate_type, self.predicate, self.subjects) {
            (Some(statement), None, None, None) => {
                // Already parsed within the request's limits; read as a statement strictly.
                Ok(Statement::from_json(
                    statement.to_string().as_bytes(),
                    &Limits::default(),
                )?)
            }
            (None, Some(predicate_type), Some(predicate), Some(subjects)) => Ok(subjects
                .into_iter()
                .map(|s| Subject::new(s.name, s.digest))
                .try_fold(
                    StatementBuilder::new(catalog::resolve(&predicate_type)?).predicate(predicate),
                    |b, s| s.map(|s| b.subject(s)),
                )?
                .build()?),
            (Some(_), ..) => Err(invalid(
                "request: \"statement\" replaces \"predicate_type\", \"predicate\" and \"subjects\"; give one form",
            )),
            _ => Err(invalid(
                "request: needs \"predicate_type\", \"predicate\" and \"subjects\", or a \"statement\"",
            )),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSubject {
    name: String,
    digest: BTreeMap<String, String>,
}

impl SignerPipeline {
    /// Run one request given as JSON and return the outcome as JSON (see the module
    /// documentation). The statement is built once from the request (its predicate parsed once,
    /// with the request); a request that does not make a statement is refused before it reaches
    /// the pipeline, so it leaves no audit record.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) for a malformed request, statement
    /// errors for one that makes no statement; otherwise as [`SignerPipeline::sign`].
    pub fn sign_json(&self, request: &[u8]) -> Result<Vec<u8>> {
        let mut caller = request_object(request)?;
        let statement: Map<String, Value> = STATEMENT_MEMBERS
            .iter()
            .filter_map(|name| caller.remove_entry(*name))
            .collect();
        let r: JsonStatement = serde_json::from_value(Value::Object(statement))
            .map_err(|e| invalid(format!("request: {e}")))?;
        let caller = CallerContext::from_members(caller, "request")?;
        self.sign_request(&caller, r)
    }

    /// Build the request's statement and sign it for `caller`, answering with the outcome JSON.
    fn sign_request(&self, caller: &CallerContext, r: JsonStatement) -> Result<Vec<u8>> {
        let artifact_bytes = r.artifact_bytes;
        let statement = r.build()?;
        let outcome = self.sign(PipelineRequest {
            auth: caller.auth(),
            statement,
            artifact_bytes,
            scanner_release: caller.scanner_release.as_deref(),
            trace_id: caller.trace_id.as_deref(),
        })?;
        Ok(outcome_json(&outcome))
    }
}

impl SignerPipeline {
    /// Sign for a caller the transport identified (the service: token, proof, method, URI and
    /// client certificate come from the HTTP request and its TLS session), with `body` the
    /// statement's members as in [`SignerPipeline::sign_json`] (`"predicate_type", "predicate",
    /// "subjects"` or `"statement"`, and `"artifact_bytes"?`) plus `"scanner_release"?`.
    /// Returns the outcome as JSON ([`outcome_json`]).
    ///
    /// # Errors
    /// As [`SignerPipeline::sign_json`]; a body that carries caller members (a token in the body
    /// would bypass the transport's checks) is refused as an unknown member.
    pub fn sign_body_json(&self, caller: &CallerContext, body: &[u8]) -> Result<Vec<u8>> {
        let mut members = request_object(body)?;
        let mut caller = caller.clone();
        if let Some(release) = members.remove("scanner_release") {
            let Value::String(release) = release else {
                return Err(invalid("request: \"scanner_release\" is not a string"));
            };
            caller.scanner_release = Some(release);
        }
        let r: JsonStatement = serde_json::from_value(Value::Object(members))
            .map_err(|e| invalid(format!("request: {e}")))?;
        self.sign_request(&caller, r)
    }

    /// [`release_verdict_json`] for a caller the transport identified: the caller is
    /// authenticated first (token and sender constraint, as for signing), so the registry
    /// lookups behind a verdict are not anyone's to trigger.
    ///
    /// # Errors
    /// [`Error::Denied`](crate::Error::Denied) when authentication fails; otherwise as
    /// [`release_verdict_json`].
    pub fn release_verdict_json_for(
        &self,
        caller: &CallerContext,
        digest: &str,
    ) -> Result<Vec<u8>> {
        self.authenticator
            .authenticate(&caller.auth())
            .map_err(crate::Error::Denied)?;
        release_verdict_json(self, digest)
    }

    /// Sign an export manifest for a caller the transport identified: `body` is `{"manifest":
    /// {an export manifest}}` (what `stella export describe` writes); the answer is
    /// [`outcome_json`] with `"manifest"` (the manifest as RFC 8785 JSON, the bytes to write beside
    /// the envelope) as its first member. The artifact size for the plan's limit is the
    /// manifest's total ([`crate::faces::export_bytes`]).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) for a malformed body; manifest
    /// errors; otherwise as [`SignerPipeline::sign`].
    pub fn sign_export_body_json(&self, caller: &CallerContext, body: &[u8]) -> Result<Vec<u8>> {
        let mut members = request_object(body)?;
        let manifest = members
            .remove("manifest")
            .ok_or_else(|| invalid("request: needs \"manifest\""))?;
        if let Some(name) = members.keys().next() {
            return Err(invalid(format!("request: unknown member {name:?}")));
        }
        let manifest = ExportManifest::from_value(manifest)?;
        let authority = crate::Authority::pipeline(self, caller);
        let signed = crate::sign_export(&authority, manifest)?;
        Ok(with_first_member(
            "manifest",
            &signed.manifest_json,
            &outcome_json(&signed.outcome),
        ))
    }
}

/// The outcome as the JSON faces see it: `{"envelope" | "bundle": {...}, "key_id" (the first
/// signature's), "key_ids", "algorithm", "algorithms", "certificate_chain": [base64 DER],
/// "bundle_digest", "issuer_mode", "admission"}` and, for the pipeline, `"caller", "binding",
/// "tenant", "poe_state", "release", "trace_id"`. The signed JSON (already made for the bundle
/// digest) is written in as it is, not parsed and serialized again: with a large payload that
/// would be the most expensive part of the answer.
pub fn outcome_json(o: &Outcome) -> Vec<u8> {
    let mut rest = json!({
        "key_id": o.signatures.first().map(|s| s.key_id.as_str()),
        "key_ids": o.key_ids(),
        "algorithm": o.signatures.first().map(|s| s.algorithm.name()),
        "algorithms": o.signatures.iter().map(|s| s.algorithm.name()).collect::<Vec<_>>(),
        "certificate_chain": o.certificate_chain.iter().map(|c| STANDARD.encode(c)).collect::<Vec<_>>(),
        "bundle_digest": o.bundle_digest,
        "issuer_mode": o.issuer_mode(),
        "admission": o.admission.name(),
    });
    if let (Some(p), Value::Object(members)) = (&o.pipeline, &mut rest) {
        members.insert("caller".into(), p.caller.token.subject.clone().into());
        members.insert("binding".into(), p.caller.binding.name().into());
        members.insert("tenant".into(), p.caller.token.tenant.clone().into());
        members.insert("poe_state".into(), p.poe_state.name().into());
        members.insert(
            "release".into(),
            p.release.as_ref().map(ReleaseTrust::name).into(),
        );
        members.insert("trace_id".into(), p.trace_id.clone().into());
    }
    let rest = rest.to_string();
    let head: &[u8] = match &o.signed {
        crate::Signed::Envelope { .. } => b"{\"envelope\":",
        #[cfg(feature = "sigstore")]
        crate::Signed::Bundle(_) => b"{\"bundle\":",
    };
    // `rest` is a non-empty object: splice the signed JSON in as its first member.
    let signed = o.json();
    let mut out = Vec::with_capacity(head.len() + signed.len() + rest.len() + 1);
    out.extend_from_slice(head);
    out.extend_from_slice(signed);
    out.push(b',');
    out.extend_from_slice(&rest.as_bytes()[1..]);
    out
}

/// [`SignerPipeline::check_release`] as the faces' JSON: `{"digest", "trusted": true, "trust":
/// "allowlist" | "signature" | "override", "key_id", "referrer", "override_reason",
/// "approved_by"}` for a trusted release, `{"digest", "trusted": false, "reason":
/// "release.untrusted", "detail"}` for an untrusted one (a verdict, not an error).
///
/// # Errors
/// As [`SignerPipeline::check_release`], except the untrusted verdict.
pub fn release_verdict_json(pipeline: &SignerPipeline, digest: &str) -> Result<Vec<u8>> {
    let verdict = match pipeline.check_release(digest) {
        Ok(trust) => {
            let mut v = json!({"digest": digest, "trusted": true, "trust": trust.name()});
            match trust {
                ReleaseTrust::Signed { key_id, referrer } => {
                    v["key_id"] = key_id.into();
                    v["referrer"] = referrer.into();
                }
                ReleaseTrust::Override {
                    reason,
                    approved_by,
                } => {
                    v["override_reason"] = reason.into();
                    v["approved_by"] = approved_by.into();
                }
                ReleaseTrust::Allowlisted => {}
            }
            v
        }
        Err(crate::Error::Denied(d)) if d.reason == stellaops_poe::Reason::ReleaseUntrusted => {
            json!({"digest": digest, "trusted": false, "reason": d.reason.code(), "detail": d.detail})
        }
        Err(e) => return Err(e),
    };
    Ok(verdict.to_string().into_bytes())
}

/// `object` (a non-empty JSON object) with `"name": value` spliced in as its first member,
/// `value` being JSON already.
fn with_first_member(name: &str, value: &[u8], object: &[u8]) -> Vec<u8> {
    let name = Value::from(name).to_string();
    let mut out = Vec::with_capacity(name.len() + value.len() + object.len() + 2);
    out.extend_from_slice(&object[..1]);
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    out.extend_from_slice(value);
    out.push(b',');
    out.extend_from_slice(&object[1..]);
    out
}

/// A request's JSON object, parsed strictly (duplicate keys, limits).
fn request_object(request: &[u8]) -> Result<Map<String, Value>> {
    match canon::parse(request, &Limits::default())?.to_serde() {
        Value::Object(members) => Ok(members),
        _ => Err(invalid("request: not a JSON object")),
    }
}
