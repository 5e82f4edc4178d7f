//! Who is asking the pipeline to sign, owned and readable from JSON: what a request carries
//! besides the statement. The CLI's `--caller FILE` and the JSON request share this format.
//!
//! `{"access_token", "dpop_proof"?, "method"? (POST), "uri", "client_certificate_der_b64"?,
//! "tenant", "scanner_release"?, "trace_id"?}`; unknown members and duplicate keys are refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};
use stellaops_dsse::canon::{self, Limits};
use stellaops_poe::AuthRequest;

use crate::{Error, Result};

/// A caller's credentials and request context: token, proof of possession, client
/// certificate, tenant, and the optional scanner release and trace id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerContext {
    /// The access token (without a scheme word).
    pub access_token: String,
    /// The DPoP proof, when the token is DPoP-bound.
    pub dpop_proof: Option<String>,
    /// The HTTP method the proof was made for (`POST` unless said otherwise).
    pub method: String,
    /// The request URI the proof was made for.
    pub uri: String,
    /// The DER client certificate, when the token is bound to mTLS.
    pub client_certificate: Option<Vec<u8>>,
    /// The tenant the caller signs for.
    pub tenant: String,
    /// The `sha256:<hex>` digest of the scanner release that produced the artifact.
    pub scanner_release: Option<String>,
    /// The caller's trace id; the pipeline makes one up when absent.
    pub trace_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonCaller {
    access_token: String,
    dpop_proof: Option<String>,
    method: Option<String>,
    uri: String,
    client_certificate_der_b64: Option<String>,
    tenant: String,
    scanner_release: Option<String>,
    trace_id: Option<String>,
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidRequest(message.into())
}

impl CallerContext {
    /// Read a caller file (see the module documentation), strictly.
    ///
    /// # Errors
    /// [`Error::Dsse`] for malformed JSON or duplicate keys;
    /// [`Error::InvalidRequest`] for missing, unknown or mistyped members and a certificate that
    /// is not base64.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        match canon::parse(json, &Limits::default())?.to_serde() {
            Value::Object(members) => Self::from_members(members, "caller"),
            _ => Err(invalid("caller: not a JSON object")),
        }
    }

    /// The caller from a parsed object; `what` names the document in errors.
    pub(crate) fn from_members(members: Map<String, Value>, what: &str) -> Result<Self> {
        let c: JsonCaller = serde_json::from_value(Value::Object(members))
            .map_err(|e| invalid(format!("{what}: {e}")))?;
        let client_certificate = c
            .client_certificate_der_b64
            .as_deref()
            .map(|b| {
                STANDARD
                    .decode(b)
                    .map_err(|_| invalid("client_certificate_der_b64 is not base64"))
            })
            .transpose()?;
        Ok(CallerContext {
            access_token: c.access_token,
            dpop_proof: c.dpop_proof,
            method: c.method.unwrap_or_else(|| String::from("POST")),
            uri: c.uri,
            client_certificate,
            tenant: c.tenant,
            scanner_release: c.scanner_release,
            trace_id: c.trace_id,
        })
    }

    /// The authentication part, borrowed.
    pub fn auth(&self) -> AuthRequest<'_> {
        AuthRequest {
            access_token: &self.access_token,
            dpop_proof: self.dpop_proof.as_deref(),
            method: &self.method,
            uri: &self.uri,
            client_certificate: self.client_certificate.as_deref(),
            tenant: &self.tenant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(json: &str) -> String {
        CallerContext::from_json(json.as_bytes())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_caller_file_is_read_strictly() {
        let c = CallerContext::from_json(
            br#"{"access_token": "t", "uri": "https://s/sign", "tenant": "acme",
                 "client_certificate_der_b64": "AQID"}"#,
        )
        .unwrap();
        assert_eq!(c.method, "POST");
        assert_eq!(c.client_certificate.as_deref(), Some(&[1u8, 2, 3][..]));
        assert_eq!(c.auth().tenant, "acme");

        assert!(message(r#"{"access_token": "t", "uri": "u"}"#).contains("missing field `tenant`"));
        assert!(
            message(r#"{"access_token": "t", "uri": "u", "tenant": "a", "predicate": {}}"#)
                .contains("unknown field `predicate`")
        );
        assert!(message(r#"{"access_token": "t", "access_token": "u"}"#).contains("duplicate"));
        assert!(message(
            r#"{"access_token": "t", "uri": "u", "tenant": "a", "client_certificate_der_b64": "!"}"#
        )
        .contains("not base64"));
        assert!(message("[]").contains("not a JSON object"));
    }
}
