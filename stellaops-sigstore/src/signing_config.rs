//! A Sigstore signing config (`SigningConfig` v0.2, `signing_config.json`): the Fulcio, Rekor,
//! timestamp authority and OIDC URLs of a deployment, each with its API version and validity
//! window, in one file — what sigstore-python's `--trust-config` and sigstore-go read to sign,
//! and what a private deployment (or an Offline Kit) ships beside its trusted root.
//!
//! The choice follows sigstore-go and sigstore-python: of the services valid now and of an API
//! version we speak (Fulcio v1, Rekor v1 and v2, TSA v1), the highest version, first in the
//! file's order (newest first, as the file lists them). We write one log entry and ask one
//! timestamp authority: a config whose `rekorTlogConfig` or `tsaConfig` asks for more than one
//! eligible service (`ALL` over several, `EXACT` above one) is refused rather than half obeyed,
//! and so is an undefined selector.

use std::path::Path;

use sigstore_verify::trust_root::{
    ServiceConfiguration, ServiceEndpoint, ServiceSelector, SigningConfig as Parsed,
};

use crate::rekor::RekorVersion;
use crate::{Error, Result};

/// The services a signing config chooses for signing now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningServices {
    /// Fulcio's URL (None when the config lists no valid Fulcio: keyful signing only).
    pub fulcio_url: Option<String>,
    /// Rekor's URL.
    pub rekor_url: String,
    /// Rekor's API.
    pub rekor_version: RekorVersion,
    /// The timestamp authority's request URL, when the config lists one.
    pub timestamp_url: Option<String>,
    /// The OIDC provider's URL, when the config lists one.
    pub oidc_url: Option<String>,
}

impl SigningServices {
    /// Choose from a signing config (JSON, strict: duplicate keys are refused).
    ///
    /// # Errors
    /// [`Error::Config`] for a document that is not a signing config v0.2, no valid Rekor, a
    /// selector we cannot honour, or Rekor v2 without a timestamp authority.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        let text = crate::verify::strict_json(json)
            .map_err(|e| Error::Config(format!("signing config: {e}")))?;
        let config =
            Parsed::from_json(text).map_err(|e| Error::Config(format!("signing config: {e}")))?;
        let rekor = config.rekor_url(None).ok_or_else(|| {
            Error::Config(format!(
                "signing config: no Rekor valid now with an API version we speak (1 or 2) among \
                 {}",
                urls(&config.rekor_tlog_urls)
            ))
        })?;
        one_is_enough(
            "rekorTlogConfig",
            &config.rekor_tlog_config,
            config.eligible_rekor_urls(None).len(),
        )?;
        let tsa = config.tsa_url();
        if tsa.is_some() {
            one_is_enough(
                "tsaConfig",
                &config.tsa_config,
                config.eligible_tsa_urls().len(),
            )?;
        }
        let rekor_version = if rekor.major_api_version == 2 {
            RekorVersion::V2
        } else {
            RekorVersion::V1
        };
        let services = SigningServices {
            fulcio_url: config.fulcio_url().map(|e| e.url.clone()),
            rekor_url: rekor.url.clone(),
            rekor_version,
            timestamp_url: tsa.map(|e| e.url.clone()),
            oidc_url: config.oidc_url().map(|e| e.url.clone()),
        };
        crate::rekor::check_timestamped(services.rekor_version, services.timestamp_url.as_deref())?;
        Ok(services)
    }

    /// [`from_json`](Self::from_json) on a file.
    ///
    /// # Errors
    /// [`Error::Io`]; as [`from_json`](Self::from_json).
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::from_json(&std::fs::read(path).map_err(|e| Error::io(path, e))?)
    }
}

/// Refuse a selector that asks for more than the one service we use.
fn one_is_enough(what: &str, config: &ServiceConfiguration, eligible: usize) -> Result<()> {
    let wanted = match config.selector {
        ServiceSelector::Any => 1,
        ServiceSelector::All => eligible,
        ServiceSelector::Exact => config.count.map_or(1, |c| c as usize),
        _ => {
            return Err(Error::Config(format!(
                "signing config: {what} has no selector (ANY, ALL or EXACT)"
            )))
        }
    };
    if wanted > 1 {
        return Err(Error::Config(format!(
            "signing config: {what} asks for {wanted} services; this signer uses one (make it \
             ANY, or EXACT with count 1)"
        )));
    }
    Ok(())
}

fn urls(endpoints: &[ServiceEndpoint]) -> String {
    if endpoints.is_empty() {
        return String::from("none");
    }
    endpoints
        .iter()
        .map(|e| format!("{} (v{})", e.url, e.major_api_version))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(rekor: &str, tsa: &str, selector: &str) -> Vec<u8> {
        format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls":[{{"url":"https://fulcio.example","majorApiVersion":1,"validFor":{{"start":"2020-01-01T00:00:00Z"}}}}],
            "oidcUrls":[{{"url":"https://oauth2.example","majorApiVersion":1,"validFor":{{"start":"2020-01-01T00:00:00Z"}}}}],
            "rekorTlogUrls":[{rekor}],"tsaUrls":[{tsa}],
            "rekorTlogConfig":{{"selector":"{selector}"}},"tsaConfig":{{"selector":"ANY"}}}}"#
        )
        .into_bytes()
    }

    const V1: &str = r#"{"url":"https://rekor.example","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z"}}"#;
    const V2: &str = r#"{"url":"https://log2030.example","majorApiVersion":2,"validFor":{"start":"2020-01-01T00:00:00Z"}}"#;
    const V2_OLD: &str = r#"{"url":"https://log2021.example","majorApiVersion":2,"validFor":{"start":"2020-01-01T00:00:00Z","end":"2021-01-01T00:00:00Z"}}"#;
    const V3: &str = r#"{"url":"https://future.example","majorApiVersion":3,"validFor":{"start":"2020-01-01T00:00:00Z"}}"#;
    const TSA: &str = r#"{"url":"https://tsa.example/api/v1/timestamp","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z"}}"#;

    #[test]
    fn the_highest_api_version_valid_now_wins() {
        let s =
            SigningServices::from_json(&config(&format!("{V3},{V2_OLD},{V1},{V2}"), TSA, "ANY"))
                .unwrap();
        assert_eq!(s.rekor_url, "https://log2030.example");
        assert_eq!(s.rekor_version, RekorVersion::V2);
        assert_eq!(
            s.timestamp_url.as_deref(),
            Some("https://tsa.example/api/v1/timestamp")
        );
        assert_eq!(s.fulcio_url.as_deref(), Some("https://fulcio.example"));
        assert_eq!(s.oidc_url.as_deref(), Some("https://oauth2.example"));
        let s = SigningServices::from_json(&config(&format!("{V2_OLD},{V1}"), "", "ANY")).unwrap();
        assert_eq!(
            (s.rekor_url.as_str(), s.rekor_version),
            ("https://rekor.example", RekorVersion::V1)
        );
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_with_the_reason() {
        let refused = |json: Vec<u8>, why: &str| {
            let e = SigningServices::from_json(&json).unwrap_err();
            assert!(e.to_string().contains(why), "{e} lacks {why:?}");
        };
        refused(config(V2, "", "ANY"), "timestamp authority");
        refused(
            config(&format!("{V1},{V2}"), TSA, "ALL"),
            "asks for 2 services",
        );
        refused(
            config(&format!("{V3},{V2_OLD}"), TSA, "ANY"),
            "log2021.example (v2)",
        );
        refused(
            br#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}"#
                .to_vec(),
            "signing config",
        );
        refused(
            br#"{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","mediaType":"x"}"#.to_vec(),
            "duplicate",
        );
        refused(b"[".to_vec(), "signing config");
    }
}
