//! Sigstore bundles as JSON in, JSON out: the verification policy, the signers' settings and the
//! verification report, so that the C ABI, Python and Node faces and the CLI share one reading
//! and one report.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use stellaops_dsse::canon::{self, Limits};

use crate::sigstore::{
    BundleVerification, Identity, KeyfulConfig, KeylessConfig, Signer, VerifyOptions,
};
use crate::{Error, Result};

/// Parse a JSON document strictly into `T` (duplicate keys, unknown members refused).
fn strict<T: serde::de::DeserializeOwned>(json: &[u8], what: &str) -> Result<T> {
    let value = canon::parse(json, &Limits::default())?.to_serde();
    serde_json::from_value(value).map_err(|e| Error::InvalidRequest(format!("{what}: {e}")))
}

/// What [`bundle_policy_from_json`] reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyJson {
    certificate_identity: Option<String>,
    certificate_identity_regexp: Option<String>,
    certificate_oidc_issuer: Option<String>,
    #[serde(default)]
    no_certificate_oidc_issuer: bool,
    public_key: Option<String>,
    #[serde(default)]
    insecure_ignore_tlog: bool,
    #[serde(default)]
    insecure_ignore_sct: bool,
    predicate_type: Option<String>,
}

/// A bundle verification policy: who must have signed, which checks may be left out, and what
/// the signed statement must be.
#[derive(Clone, Debug)]
pub struct BundlePolicy {
    /// Who must have signed.
    pub signer: Signer,
    /// Checks left out (none by default).
    pub options: VerifyOptions,
    /// The predicate type the signed in-toto statement must have (a URI; see
    /// [`BundlePolicy::require_predicate_type`]), as cosign's `--type`; `None` accepts any.
    pub predicate_type: Option<String>,
}

impl BundlePolicy {
    /// `signer`, with every check and any predicate type.
    pub fn new(signer: Signer) -> Self {
        BundlePolicy {
            signer,
            options: VerifyOptions::default(),
            predicate_type: None,
        }
    }

    /// Require the signed statement's predicate type: a URI, or a catalog short name (`sbom`,
    /// `vex`, `slsaprovenance`, ...) resolved to its URI.
    ///
    /// # Errors
    /// [`Error::Predicates`] for an unknown short name.
    pub fn require_predicate_type(mut self, name_or_uri: &str) -> Result<Self> {
        self.predicate_type = Some(stellaops_predicates::catalog::resolve(name_or_uri)?);
        Ok(self)
    }
}

/// Verify a Sigstore bundle (v0.1–v0.3) offline against `root` under `policy`, bound to
/// `artifact` (a file, bytes, or a `sha256:` digest; `None` checks the signature against the
/// digest the bundle names): the one bundle verification every face and the CLI call.
///
/// # Errors
/// The bundle verifier's errors ([`Error::Sigstore`]: malformed bundle, identity mismatch,
/// verification failure, artifact mismatch); [`Error::PredicateTypeMismatch`] when the policy
/// requires a predicate type the bundle's statement does not have (or it signs no statement).
pub fn verify_bundle(
    bundle: &[u8],
    root: &stellaops_sigstore::TrustedRoot,
    policy: &BundlePolicy,
    artifact: Option<stellaops_sigstore::BundleArtifact<'_>>,
) -> Result<BundleVerification> {
    let verified = stellaops_sigstore::verify_bundle_with(
        bundle,
        root,
        &policy.signer,
        artifact,
        policy.options,
    )?;
    if let Some(expected) = &policy.predicate_type {
        let found = verified
            .statement
            .as_ref()
            .and_then(|s| s["predicateType"].as_str())
            .unwrap_or("(no in-toto statement)");
        if found != expected {
            return Err(Error::PredicateTypeMismatch {
                expected: expected.clone(),
                found: stellaops_poe::audit::bound_text(found, 256).0.to_owned(),
            });
        }
    }
    Ok(verified)
}

/// A bundle verification policy from JSON: keyless `{"certificate_identity": ID,
/// "certificate_oidc_issuer": ISS}` (or `certificate_identity_regexp`, anchored at both ends),
/// or `"no_certificate_oidc_issuer": true` instead of the issuer (a certificate that names none,
/// see [`Signer::IssuerlessCertificate`]), or keyful `{"public_key": PEM}`; and optionally
/// `insecure_ignore_tlog`, `insecure_ignore_sct` (see [`VerifyOptions`]) and `predicate_type`
/// (a URI or catalog short name the signed statement must have) — the same choices as
/// `stella verify --bundle`.
///
/// # Errors
/// [`Error::InvalidRequest`] for malformed JSON or a mix of both kinds; the pattern and key
/// errors of [`Identity::pattern`] and [`Signer::public_key`].
pub fn bundle_policy_from_json(json: &[u8]) -> Result<BundlePolicy> {
    let p: PolicyJson = strict(json, "bundle policy")?;
    let signer = bundle_policy(
        p.certificate_identity,
        p.certificate_identity_regexp,
        Issuer::choose(p.certificate_oidc_issuer, p.no_certificate_oidc_issuer)?,
        p.public_key.as_deref().map(str::as_bytes),
    )?;
    let policy = BundlePolicy {
        signer,
        options: VerifyOptions {
            insecure_ignore_tlog: p.insecure_ignore_tlog,
            insecure_ignore_sct: p.insecure_ignore_sct,
        },
        predicate_type: None,
    };
    match p.predicate_type {
        Some(t) => policy.require_predicate_type(&t),
        None => Ok(policy),
    }
}

/// The OIDC issuer a certificate policy requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issuer {
    /// This issuer, exactly.
    Required(String),
    /// An issuer matching this regular expression from its first to its last character
    /// (cosign's `--certificate-oidc-issuer-regexp`, anchored).
    Pattern(String),
    /// None at all (see [`Signer::IssuerlessCertificate`]).
    None,
}

impl Issuer {
    /// The choice an issuer argument and a "no issuer" flag make: an issuer, none, or (neither
    /// given) no choice.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when both are given.
    pub fn choose(issuer: Option<String>, none: bool) -> Result<Option<Issuer>> {
        match (issuer, none) {
            (Some(issuer), false) => Ok(Some(Issuer::Required(issuer))),
            (None, true) => Ok(Some(Issuer::None)),
            (None, false) => Ok(None),
            (Some(_), true) => Err(Error::InvalidRequest(
                "bundle policy: an OIDC issuer or none, not both".into(),
            )),
        }
    }
}

/// Who must have signed a bundle: a certificate identity (exact, or a regular expression
/// anchored at both ends) with its OIDC issuer (or, explicitly, none), or a public key (PEM or
/// SPKI DER) — exactly one of the two kinds.
///
/// # Errors
/// [`Error::InvalidRequest`] for both kinds, neither, or half of the keyless one; the pattern
/// and key errors of [`Identity::pattern`] and [`Signer::public_key`].
pub fn bundle_policy(
    certificate_identity: Option<String>,
    certificate_identity_regexp: Option<String>,
    certificate_oidc_issuer: Option<Issuer>,
    public_key: Option<&[u8]>,
) -> Result<Signer> {
    let identity = match (certificate_identity, certificate_identity_regexp) {
        (Some(exact), None) => Some(Identity::exact(exact)),
        (None, Some(pattern)) => Some(Identity::pattern(&pattern)?),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(Error::InvalidRequest(
                "bundle policy: an exact certificate identity or a pattern, not both".into(),
            ))
        }
    };
    match (identity, certificate_oidc_issuer, public_key) {
        (Some(identity), Some(Issuer::Required(issuer)), None) => Ok(Signer::Keyless {
            identity,
            issuer: Identity::exact(issuer),
        }),
        (Some(identity), Some(Issuer::Pattern(pattern)), None) => Ok(Signer::Keyless {
            identity,
            issuer: Identity::pattern(&pattern)?,
        }),
        (Some(identity), Some(Issuer::None), None) => {
            Ok(Signer::IssuerlessCertificate { identity })
        }
        (None, None, Some(key)) => Ok(Signer::public_key(key)?),
        _ => Err(Error::InvalidRequest(
            "bundle policy: a certificate identity (exact or pattern) with the certificate's \
             OIDC issuer (keyless), or a public key (keyful)"
                .into(),
        )),
    }
}

/// The report of a verified bundle, as `stella verify --bundle --json` prints it: `verified`,
/// `mediaType`, `identity`, `issuer`, `integratedTime`, `verifiedTimes`, `certificateVerified`,
/// `sctVerified`, `tlogVerified`, `payloadType`, `predicateType`, `subjects`, `artifactChecked`.
pub fn bundle_report(v: &BundleVerification) -> Value {
    let subjects = v
        .statement
        .as_ref()
        .and_then(|s| s["subject"].as_array().cloned())
        .unwrap_or_default();
    json!({
        "verified": true,
        "mediaType": v.media_type,
        "identity": v.identity,
        "issuer": v.issuer,
        "integratedTime": v.integrated_time,
        "verifiedTimes": v.verified_times,
        "unverifiedTimestamps": v.unverified_timestamps,
        "warnings": v.warnings,
        "certificateVerified": v.certificate_verified,
        "sctVerified": v.sct_verified,
        "tlogVerified": v.tlog_verified,
        "tlogEntry": v.tlog_entry.as_ref().map(|(kind, index)| json!({"kind": kind, "logIndex": index})),
        "payloadType": v.payload_type,
        "predicateType": v.statement.as_ref().map(|s| s["predicateType"].clone()),
        "subjects": subjects,
        "statement": v.statement,
        "artifactChecked": v.artifact_checked,
    })
}

/// What [`keyless_config_from_json`] and [`keyful_config_from_json`] read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignerJson {
    fulcio_url: Option<String>,
    rekor_url: String,
    timeout_seconds: Option<u64>,
    retries: Option<u32>,
    oidc_issuer: Option<String>,
    trusted_root: Option<PathBuf>,
    require_sct: Option<bool>,
    timestamp_url: Option<String>,
    rekor_version: Option<u8>,
}

/// Keyless settings from JSON: `fulcio_url`, `rekor_url` (required), and optionally
/// `timeout_seconds` (30), `retries` (2), `oidc_issuer`, `trusted_root` (a path: verify each
/// bundle before returning it), `require_sct` (true), `timestamp_url` (an RFC 3161 timestamp
/// authority's request URL), `rekor_version` (1 or 2; 2 needs `timestamp_url`) — the flags of
/// `stella attest --keyless`.
///
/// # Errors
/// [`Error::InvalidRequest`] for malformed JSON or a missing URL.
pub fn keyless_config_from_json(json: &[u8]) -> Result<KeylessConfig> {
    let s: SignerJson = strict(json, "keyless configuration")?;
    let fulcio = s.fulcio_url.clone().ok_or_else(|| {
        Error::InvalidRequest("keyless configuration: fulcio_url is required".into())
    })?;
    let mut config = KeylessConfig::new(fulcio, s.rekor_url.clone());
    apply_common(&s, &mut config.timeout, &mut config.retries);
    config.oidc_issuer = s.oidc_issuer.clone();
    config.trusted_root = s.trusted_root.clone();
    config.require_sct = s.require_sct.unwrap_or(true);
    (config.timestamp_url, config.rekor_version) = timestamps_and_log(&s)?;
    Ok(config)
}

/// Keyful-bundle settings from JSON: `rekor_url` (required), and optionally `timeout_seconds`
/// (30), `retries` (2), `trusted_root` (a path), `timestamp_url`, `rekor_version` (1 or 2) —
/// the flags of `stella attest --sigstore-bundle`.
///
/// # Errors
/// [`Error::InvalidRequest`] for malformed JSON, or keyless-only members.
pub fn keyful_config_from_json(json: &[u8]) -> Result<KeyfulConfig> {
    let s: SignerJson = strict(json, "bundle configuration")?;
    if s.fulcio_url.is_some() || s.oidc_issuer.is_some() || s.require_sct.is_some() {
        return Err(Error::InvalidRequest(
            "bundle configuration: fulcio_url, oidc_issuer and require_sct are for keyless \
             signing"
                .into(),
        ));
    }
    let mut config = KeyfulConfig::new(s.rekor_url.clone());
    apply_common(&s, &mut config.timeout, &mut config.retries);
    config.trusted_root = s.trusted_root.clone();
    (config.timestamp_url, config.rekor_version) = timestamps_and_log(&s)?;
    Ok(config)
}

/// The timestamp authority and the Rekor API a configuration names.
fn timestamps_and_log(
    s: &SignerJson,
) -> Result<(Option<String>, stellaops_sigstore::RekorVersion)> {
    let version = match s.rekor_version {
        None | Some(1) => stellaops_sigstore::RekorVersion::V1,
        Some(2) => stellaops_sigstore::RekorVersion::V2,
        Some(other) => {
            return Err(Error::InvalidRequest(format!(
                "bundle configuration: rekor_version is 1 or 2, not {other}"
            )))
        }
    };
    Ok((s.timestamp_url.clone(), version))
}

fn apply_common(s: &SignerJson, timeout: &mut Duration, retries: &mut u32) {
    if let Some(seconds) = s.timeout_seconds {
        *timeout = Duration::from_secs(seconds);
    }
    if let Some(n) = s.retries {
        *retries = n;
    }
}

/// A trusted root (`trusted_root.json`) read from a file of at most 96 MiB, as sigstore-go's
/// `NewTrustedRootFromPath`.
///
/// # Errors
/// [`Error::Io`]; too large; the trusted root's parse errors.
pub fn trusted_root_from_path(path: &std::path::Path) -> Result<stellaops_sigstore::TrustedRoot> {
    let json = crate::files::read(path)?;
    Ok(stellaops_sigstore::TrustedRoot::from_json(&json)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_one_kind_or_refused() {
        let keyless = bundle_policy_from_json(
            br#"{"certificate_identity":"a@b","certificate_oidc_issuer":"https://i"}"#,
        )
        .unwrap();
        assert!(
            matches!(keyless.signer, Signer::Keyless { ref issuer, .. } if issuer.matches("https://i"))
        );
        assert_eq!(keyless.options, VerifyOptions::default());
        let pattern = bundle_policy_from_json(
            br#"{"certificate_identity_regexp":"a@.*","certificate_oidc_issuer":"https://i","insecure_ignore_tlog":true}"#,
        )
        .unwrap();
        assert!(pattern.options.insecure_ignore_tlog && !pattern.options.insecure_ignore_sct);
        let Signer::Keyless { identity, .. } = pattern.signer else {
            panic!("keyless expected")
        };
        assert!(identity.matches("a@b") && !identity.matches("xa@b"));
        let service = bundle_policy_from_json(
            br#"{"certificate_identity":"https://svc","no_certificate_oidc_issuer":true}"#,
        )
        .unwrap();
        assert!(matches!(
            service.signer,
            Signer::IssuerlessCertificate { .. }
        ));
        for bad in [
            &br#"{"certificate_identity":"a@b"}"#[..],
            br#"{"certificate_identity":"a","certificate_identity_regexp":"a","certificate_oidc_issuer":"i"}"#,
            br#"{"certificate_identity":"a","certificate_oidc_issuer":"i","public_key":"x"}"#,
            br#"{"certificate_identity":"a","certificate_oidc_issuer":"i","extra":1}"#,
            br#"{"certificate_identity":"a","certificate_oidc_issuer":"i","no_certificate_oidc_issuer":true}"#,
            br#"{"certificate_identity":"a","certificate_identity":"b","certificate_oidc_issuer":"i"}"#,
            br#"{}"#,
        ] {
            assert!(bundle_policy_from_json(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(matches!(
            bundle_policy_from_json(br#"{"public_key":"not a key"}"#),
            Err(Error::Sigstore(_))
        ));
    }

    #[test]
    fn signer_settings_have_defaults_and_refuse_the_other_kind() {
        let c = keyless_config_from_json(
            br#"{"fulcio_url":"https://f","rekor_url":"https://r","retries":0}"#,
        )
        .unwrap();
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!(c.retries, 0);
        assert!(c.require_sct);
        assert!(keyless_config_from_json(br#"{"rekor_url":"https://r"}"#).is_err());
        let k =
            keyful_config_from_json(br#"{"rekor_url":"https://r","timeout_seconds":5}"#).unwrap();
        assert_eq!(k.timeout, Duration::from_secs(5));
        assert!(
            keyful_config_from_json(br#"{"rekor_url":"https://r","fulcio_url":"https://f"}"#)
                .is_err()
        );
    }
}
