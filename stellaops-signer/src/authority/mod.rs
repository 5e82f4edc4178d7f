//! [`Authority`]: the one way to sign. Local keys, the policy pipeline on behalf of a caller, a
//! Sigstore bundle signer (keyless or keyful), or any [`SigningKey`] a caller brings; each signs a
//! built [`Statement`] ([`Authority::sign_statement`]) or a payload ([`Authority::sign_payload`])
//! after the same admission check, and returns the same [`Outcome`]. A bundle signer also signs
//! a blob itself (`Authority::sign_blob`, cosign's `sign-blob`).
//!
//! A document flow (SBOM, report, promotion, export manifest, a generic predicate) only builds
//! its statement ([`crate::sbom_statement`], [`crate::report_statement`],
//! [`crate::export_statement`], [`crate::predicate_statement`], ...); signing is the authority's.

mod admission;
mod outcome;

pub use admission::admit;
pub use outcome::{CallerFacts, IssuerMode, Outcome, Signed, SignerFacts};

use stellaops_crypto::SigningKey;
use stellaops_dsse::{Envelope, EnvelopeLimits};
use stellaops_predicates::{Admission, AllowList, EnforcementMode, Statement, PAYLOAD_TYPE};

use crate::pipeline::{CallerContext, PipelineRequest, SignerPipeline};
use crate::{Error, OpenedKey, Result};

/// Who signs: see the module documentation. Borrowed from what the caller keeps (keys, a
/// pipeline, a bundle signer), so making one per request costs nothing.
#[derive(Debug)]
pub struct Authority<'a> {
    source: Source<'a>,
    allow_list: AllowList,
    reproducible: bool,
}

/// One local key: what signs, how it signs, and the opened key behind it (for
/// [`Authority::reproducible`]).
#[derive(Debug)]
struct LocalKey<'a> {
    key: &'a dyn SigningKey,
    mode: IssuerMode,
    opened: Option<&'a OpenedKey>,
}

#[derive(Debug)]
enum Source<'a> {
    Keys(Vec<LocalKey<'a>>),
    Pipeline {
        pipeline: &'a SignerPipeline,
        caller: &'a CallerContext,
    },
    #[cfg(feature = "sigstore")]
    Bundle {
        signer: &'a dyn stellaops_sigstore::BundleSigner,
        mode: IssuerMode,
    },
}

impl<'a> Authority<'a> {
    fn with(source: Source<'a>) -> Self {
        Authority {
            source,
            allow_list: AllowList::catalog(EnforcementMode::Warn),
            reproducible: false,
        }
    }

    /// Sign with every one of `keys` (one signature each, in order), keys the caller brings:
    /// their issuer mode is [`IssuerMode::External`].
    pub fn keys(keys: &[&'a dyn SigningKey]) -> Self {
        Self::keys_with_modes(keys.iter().map(|k| (*k, IssuerMode::External)).collect())
    }

    /// Sign with every one of `keys`, opened by URI: each one's issuer mode comes from its
    /// scheme (`file` is software, `pkcs11` hsm, `awskms` kms, `hashivault` vault, `fido2`).
    pub fn opened_keys(keys: &[&'a OpenedKey]) -> Self {
        Self::with(Source::Keys(
            keys.iter()
                .map(|k| LocalKey {
                    key: *k,
                    mode: IssuerMode::of_scheme(k.scheme()),
                    opened: Some(*k),
                })
                .collect(),
        ))
    }

    /// Sign with every key, each with the issuer mode given.
    pub fn keys_with_modes(keys: Vec<(&'a dyn SigningKey, IssuerMode)>) -> Self {
        Self::with(Source::Keys(
            keys.into_iter()
                .map(|(key, mode)| LocalKey {
                    key,
                    mode,
                    opened: None,
                })
                .collect(),
        ))
    }

    /// Software ECDSA keys opened by URI ([`Authority::opened_keys`]) sign with RFC 6979
    /// (deterministic) nonces, so the same statement gives the same bytes
    /// ([`OpenedKey::reproducible`]); what exports want. Other keys sign as they always do.
    #[must_use]
    pub fn reproducible(mut self) -> Self {
        self.reproducible = true;
        self
    }

    /// Sign through `pipeline` on behalf of `caller`: authentication, entitlement, quotas,
    /// release check, the tenant's keys and the audit record are the pipeline's, and so is the
    /// allow-list (its configuration's; [`Authority::allow_list`] does not apply).
    pub fn pipeline(pipeline: &'a SignerPipeline, caller: &'a CallerContext) -> Self {
        Self::with(Source::Pipeline { pipeline, caller })
    }

    /// Sign into a Sigstore bundle with `signer`: [`IssuerMode::Keyless`] for a
    /// [`KeylessSigner`](stellaops_sigstore::KeylessSigner), the key's mode for a
    /// [`KeyfulSigner`](stellaops_sigstore::KeyfulSigner).
    #[cfg(feature = "sigstore")]
    pub fn bundle(signer: &'a dyn stellaops_sigstore::BundleSigner, mode: IssuerMode) -> Self {
        Self::with(Source::Bundle { signer, mode })
    }

    /// The predicate-type allow-list (default: the catalog, warning on anything else). The
    /// pipeline uses its configuration's list instead.
    #[must_use]
    pub fn allow_list(mut self, allow_list: AllowList) -> Self {
        self.allow_list = allow_list;
        self
    }

    /// Admit `statement` ([`admit`]) and sign it. `artifact_bytes` is the artifact's size for a
    /// pipeline plan's size limit (`None`: unknown, which a plan that limits size refuses); local
    /// keys and bundle signers ignore it.
    ///
    /// # Errors
    /// [`Error::Denied`] when the predicate type is not allowed (and, through the pipeline, for
    /// every policy refusal); [`stellaops_predicates::Error::InvalidPredicate`]; key, signing,
    /// Sigstore and audit errors.
    pub fn sign_statement(
        &self,
        statement: Statement,
        artifact_bytes: Option<u64>,
    ) -> Result<Outcome> {
        match &self.source {
            Source::Pipeline { pipeline, caller } => pipeline.sign(PipelineRequest {
                auth: caller.auth(),
                statement,
                artifact_bytes,
                scanner_release: caller.scanner_release.as_deref(),
                trace_id: caller.trace_id.as_deref(),
            }),
            _ => {
                self.require_keys()?;
                let admission = admit(&self.allow_list, &statement)?;
                let payload = statement.to_json()?;
                self.sign_admitted(Some(statement), PAYLOAD_TYPE, payload, admission)
            }
        }
    }

    /// Sign `payload` as `payload_type` exactly as given. An in-toto payload
    /// (`application/vnd.in-toto+json`) must be a statement that verification reads, and is
    /// admitted like [`Authority::sign_statement`]'s; its bytes are signed unchanged.
    ///
    /// # Errors
    /// As [`Authority::sign_statement`]; a statement error for an in-toto payload that is not
    /// one; [`Error::InvalidRequest`] through the pipeline (which signs statements only) and,
    /// from a bundle signer, a payload type Sigstore verifiers refuse.
    pub fn sign_payload(&self, payload_type: &str, payload: Vec<u8>) -> Result<Outcome> {
        if let Source::Pipeline { .. } = self.source {
            return Err(Error::InvalidRequest(
                "the pipeline signs in-toto statements only: build one and sign_statement it"
                    .into(),
            ));
        }
        self.require_keys()?;
        if payload_type != PAYLOAD_TYPE {
            return self.sign_admitted(None, payload_type, payload, Admission::Allowed);
        }
        let limits = crate::verify::document_limits(&EnvelopeLimits::default());
        let statement = Statement::from_json(&payload, &limits)?;
        let admission = admit(&self.allow_list, &statement)?;
        self.sign_admitted(Some(statement), payload_type, payload, admission)
    }

    /// Sign `blob` itself into a Sigstore bundle with a message signature (`cosign sign-blob`'s
    /// kind): only a bundle signer ([`Authority::bundle`]) makes one. No predicate, so no
    /// admission: the allow-list does not apply.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for local keys or the pipeline (they sign envelopes and
    /// statements); the bundle signer's errors.
    #[cfg(feature = "sigstore")]
    pub fn sign_blob(&self, blob: &[u8]) -> Result<stellaops_sigstore::SignedMessage> {
        match &self.source {
            Source::Bundle { signer, .. } => Ok(signer.sign_message(blob)?),
            _ => Err(Error::InvalidRequest(
                "a blob's signature is a Sigstore bundle: sign it with Authority::bundle".into(),
            )),
        }
    }

    /// What can be checked before a statement exists: local keys were given. No keys is the
    /// caller's mistake whatever the statement would say, so callers that build a statement
    /// from parts report it first by calling this before building.
    ///
    /// # Errors
    /// [`stellaops_dsse::Error::NoSigningKeys`].
    pub fn require_keys(&self) -> Result<()> {
        match &self.source {
            Source::Keys(keys) if keys.is_empty() => {
                Err(stellaops_dsse::Error::NoSigningKeys.into())
            }
            _ => Ok(()),
        }
    }

    /// Sign a statement (or payload) already admitted.
    pub(crate) fn sign_admitted(
        &self,
        statement: Option<Statement>,
        payload_type: &str,
        payload: Vec<u8>,
        admission: Admission,
    ) -> Result<Outcome> {
        match &self.source {
            Source::Keys(keys) => {
                let deterministic: Vec<Option<Box<dyn SigningKey + 'a>>> = keys
                    .iter()
                    .map(|k| {
                        k.opened
                            .filter(|_| self.reproducible)
                            .map(|o| o.reproducible())
                    })
                    .collect();
                let signers: Vec<&dyn SigningKey> = keys
                    .iter()
                    .zip(&deterministic)
                    .map(|(k, d)| d.as_deref().unwrap_or(k.key))
                    .collect();
                let envelope = Envelope::sign(payload_type, payload, &signers)?;
                let json = envelope.to_json();
                let signatures = keys.iter().map(|k| facts(k.key, k.mode)).collect();
                let chain = keys
                    .first()
                    .map(|k| k.key.certificate_chain().to_vec())
                    .unwrap_or_default();
                Ok(Outcome::new(
                    statement,
                    Signed::Envelope { envelope, json },
                    signatures,
                    chain,
                    admission,
                ))
            }
            #[cfg(feature = "sigstore")]
            Source::Bundle { signer, mode } => {
                let bundle = signer.sign(payload_type, &payload)?;
                let signatures = vec![SignerFacts {
                    key_id: bundle.key_id.clone(),
                    algorithm: bundle.algorithm,
                    issuer_mode: *mode,
                }];
                let chain = bundle.certificate_chain.clone();
                Ok(Outcome::new(
                    statement,
                    Signed::Bundle(bundle),
                    signatures,
                    chain,
                    admission,
                ))
            }
            Source::Pipeline { .. } => Err(Error::InvalidRequest(
                "the pipeline signs in-toto statements only".into(),
            )),
        }
    }
}

/// The facts of one key's signature.
pub(crate) fn facts(key: &dyn SigningKey, issuer_mode: IssuerMode) -> SignerFacts {
    SignerFacts {
        key_id: key.key_id().to_string(),
        algorithm: key.algorithm(),
        issuer_mode,
    }
}
