//! Sigstore bundles: `TrustedRoot`, `verifyBundle`, `BundleSigner`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::canon::Limits;
use stellaops_signer::sigstore::{
    self, BundleSigner as CoreBundleSigner, IdentityToken, KeyfulConfig, KeyfulSigner,
    KeylessConfig, KeylessSigner, RekorVersion, VerifyOptions,
};
use stellaops_signer::{
    AllowList, Authority, BundlePolicy as CorePolicy, EnforcementMode, Issuer, IssuerMode,
    OwnedArtifact,
};

use crate::attest::{AttestOptionsJs, Subject};
use crate::errors::{js, Failure};
use crate::input::json_arg;
use crate::keys::{SigningKey, VerifyingKey};
use crate::task::Job;

/// A Sigstore trusted root (`trusted_root.json`: Fulcio CAs, Rekor and CT log keys, timestamp
/// authorities), the file cosign, sigstore-python and sigstore-js read. Immutable; share it.
#[napi]
pub struct TrustedRoot {
    root: Arc<sigstore::TrustedRoot>,
}

#[napi]
impl TrustedRoot {
    /// Read a trusted root (strict JSON as a string, bytes or an object; its media type must say
    /// trusted root).
    #[napi(factory, ts_args_type = "data: string | Uint8Array | object")]
    pub fn from_json(env: Env, data: Unknown<'_>) -> Result<TrustedRoot> {
        let data = js(&env, json_arg(&env, data, "data"))?;
        let root = js(
            &env,
            sigstore::TrustedRoot::from_json(&data).map_err(Failure::from),
        )?;
        Ok(TrustedRoot {
            root: Arc::new(root),
        })
    }

    /// Read a trusted root from a file (at most 96 MiB), as sigstore-go's
    /// `NewTrustedRootFromPath`.
    #[napi(factory)]
    pub fn from_path(env: Env, path: String) -> Result<TrustedRoot> {
        let root = js(
            &env,
            stellaops_signer::trusted_root_from_path(std::path::Path::new(&path))
                .map_err(Failure::from),
        )?;
        Ok(TrustedRoot {
            root: Arc::new(root),
        })
    }
}

/// Who must have signed a bundle: keyless (`certificateIdentity` or `certificateIdentityRegexp`
/// (anchored), with `certificateOidcIssuer`) or keyful (`publicKey`, a `VerifyingKey` as
/// everywhere else).
#[napi(object, object_to_js = false)]
pub struct BundlePolicy<'a> {
    /// The certificate identity, exactly.
    pub certificate_identity: Option<String>,
    /// The certificate identity as a regular expression matching all of it.
    pub certificate_identity_regexp: Option<String>,
    /// The OIDC issuer recorded in the certificate, exactly.
    pub certificate_oidc_issuer: Option<String>,
    /// Require a certificate naming no OIDC issuer instead: one a CA issued to its operator's
    /// own service (GitHub's release attestations).
    pub no_certificate_oidc_issuer: Option<bool>,
    /// The signer's public key, for keyful bundles.
    pub public_key: Option<ClassInstance<'a, VerifyingKey>>,
    /// Accept a bundle without a checked transparency-log entry (its time must come from a
    /// verified RFC 3161 timestamp): GitHub's private trust domain.
    pub insecure_ignore_tlog: Option<bool>,
    /// Skip the certificate's SCT (a Fulcio without a CT log).
    pub insecure_ignore_sct: Option<bool>,
    /// The predicate type the signed statement must have (a URI or catalog short name), as
    /// cosign's `--type`; another type rejects with `STELLAOPS_PREDICATE_TYPE_MISMATCH`.
    pub predicate_type: Option<String>,
}

/// The artifact argument: its bytes, or a string (`sha256:<hex>` for its digest, else a path).
fn artifact_arg(artifact: Option<Either<String, Uint8Array>>) -> Option<OwnedArtifact> {
    artifact.map(|a| match a {
        Either::A(text) => OwnedArtifact::Reference(text),
        Either::B(bytes) => OwnedArtifact::Bytes(bytes.to_vec()),
    })
}

/// What a verified bundle says.
#[napi(object)]
pub struct BundleVerification {
    /// The bundle's media type (its version).
    pub media_type: String,
    /// The certificate's identity (keyless).
    pub identity: Option<String>,
    /// The certificate's OIDC issuer (keyless).
    pub issuer: Option<String>,
    /// When the log integrated the entry (RFC 3339).
    pub integrated_time: Option<String>,
    /// The verified signing times (RFC 3339): RFC 3161 timestamps and log integration times.
    pub verified_times: Vec<String>,
    /// Whether the certificate chain was checked (keyless).
    pub certificate_verified: bool,
    /// Whether the certificate's SCT was checked (keyless).
    pub sct_verified: bool,
    /// Whether the transparency-log entry was checked.
    pub tlog_verified: bool,
    /// The DSSE payload type.
    pub payload_type: Option<String>,
    /// The in-toto statement's predicate type.
    pub predicate_type: Option<String>,
    /// The verified in-toto statement (JSON), for DSSE bundles: its subjects and predicate.
    pub statement: Option<Buffer>,
    /// Whether an artifact was given and checked.
    pub artifact_checked: bool,
    /// The checked log entry, when there is one.
    pub tlog_entry: Option<TlogEntry>,
    /// Why each RFC 3161 timestamp that did not count was left out.
    pub unverified_timestamps: Vec<String>,
    /// What verified but deserves a look (a root CA inside the bundle's chain).
    pub warnings: Vec<String>,
}

/// A transparency-log entry a bundle verification checked.
#[napi(object)]
pub struct TlogEntry {
    /// The entry's kind and version, e.g. "hashedrekord 0.0.2".
    pub kind: String,
    /// Its index in the log.
    pub log_index: i64,
}

fn read_policy(p: BundlePolicy<'_>) -> std::result::Result<CorePolicy, Failure> {
    let public_key = p
        .public_key
        .as_ref()
        .map(|k| k.key.to_spki_pem())
        .transpose()
        .map_err(|e| Failure::from(stellaops_signer::Error::from(e)))?;
    let issuer = match (
        p.certificate_oidc_issuer,
        p.no_certificate_oidc_issuer == Some(true),
    ) {
        (Some(issuer), false) => Some(Issuer::Required(issuer)),
        (None, true) => Some(Issuer::None),
        (None, false) => None,
        (Some(_), true) => {
            return Err(Failure::invalid(
                "certificateOidcIssuer or noCertificateOidcIssuer, not both",
            ))
        }
    };
    let signer = stellaops_signer::bundle_policy(
        p.certificate_identity,
        p.certificate_identity_regexp,
        issuer,
        public_key.as_deref().map(str::as_bytes),
    )?;
    let mut policy = CorePolicy::new(signer);
    policy.options = VerifyOptions {
        insecure_ignore_tlog: p.insecure_ignore_tlog == Some(true),
        insecure_ignore_sct: p.insecure_ignore_sct == Some(true),
    };
    match p.predicate_type {
        Some(required) => Ok(policy.require_predicate_type(&required)?),
        None => Ok(policy),
    }
}

fn verify(
    bundle: &[u8],
    root: &sigstore::TrustedRoot,
    policy: &CorePolicy,
    artifact: Option<&OwnedArtifact>,
) -> std::result::Result<BundleVerification, Failure> {
    let artifact = artifact
        .map(OwnedArtifact::borrow)
        .transpose()
        .map_err(stellaops_signer::Error::from)?;
    let v = stellaops_signer::verify_bundle(bundle, root, policy, artifact)?;
    Ok(BundleVerification {
        statement: v
            .statement
            .as_ref()
            .map(|s| Buffer::from(s.to_string().into_bytes())),
        predicate_type: v
            .statement
            .as_ref()
            .and_then(|s| s["predicateType"].as_str())
            .map(str::to_owned),
        media_type: v.media_type,
        identity: v.identity,
        issuer: v.issuer,
        integrated_time: v.integrated_time,
        verified_times: v.verified_times,
        certificate_verified: v.certificate_verified,
        sct_verified: v.sct_verified,
        tlog_verified: v.tlog_verified,
        payload_type: v.payload_type,
        artifact_checked: v.artifact_checked,
        tlog_entry: v.tlog_entry.map(|(kind, index)| TlogEntry {
            kind,
            log_index: i64::try_from(index).unwrap_or(i64::MAX),
        }),
        unverified_timestamps: v.unverified_timestamps,
        warnings: v.warnings,
    })
}

/// Verify a Sigstore bundle (v0.1-v0.3; JSON as a string, bytes or an object) offline against
/// `root` for the signer `policy` names (and with the checks it leaves out, for trust domains
/// without a log: GitHub's; and the predicate type it requires), bound to `artifact`: its bytes,
/// a path, or `"sha256:<hex>"` its digest (omitted: the signature is checked against the digest
/// the bundle names), off the main thread. No network access. A bundle that does not verify
/// rejects with a 4xx `errno` (`STELLAOPS_IDENTITY_MISMATCH`, `STELLAOPS_ARTIFACT_MISMATCH`,
/// `STELLAOPS_PREDICATE_TYPE_MISMATCH`, `STELLAOPS_VERIFICATION_FAILED`).
#[napi(
    ts_args_type = "bundle: string | Uint8Array | object, root: TrustedRoot, policy: BundlePolicy, artifact?: string | Uint8Array | undefined | null",
    ts_return_type = "Promise<BundleVerification>"
)]
pub fn verify_bundle(
    env: Env,
    bundle: Unknown<'_>,
    root: &TrustedRoot,
    policy: BundlePolicy<'_>,
    artifact: Option<Either<String, Uint8Array>>,
) -> Result<AsyncTask<Job<BundleVerification>>> {
    let bundle = js(&env, json_arg(&env, bundle, "bundle"))?;
    let policy = js(&env, read_policy(policy))?;
    let root = Arc::clone(&root.root);
    let artifact = artifact_arg(artifact);
    Ok(AsyncTask::new(Job::new(move || {
        verify(&bundle, &root, &policy, artifact.as_ref())
    })))
}

/// As `verifyBundle`, on the calling thread.
#[napi(
    ts_args_type = "bundle: string | Uint8Array | object, root: TrustedRoot, policy: BundlePolicy, artifact?: string | Uint8Array | undefined | null"
)]
pub fn verify_bundle_sync(
    env: Env,
    bundle: Unknown<'_>,
    root: &TrustedRoot,
    policy: BundlePolicy<'_>,
    artifact: Option<Either<String, Uint8Array>>,
) -> Result<BundleVerification> {
    let bundle = js(&env, json_arg(&env, bundle, "bundle"))?;
    let policy = js(&env, read_policy(policy))?;
    let artifact = artifact_arg(artifact);
    js(
        &env,
        verify(&bundle, &root.root, &policy, artifact.as_ref()),
    )
}

/// Keyless settings (the flags of `stella attest --keyless`).
#[napi(object)]
pub struct KeylessOptions {
    /// Fulcio's URL.
    pub fulcio_url: String,
    /// Rekor's URL (v1 API).
    pub rekor_url: String,
    /// Refuse a token from any other OIDC issuer, before Fulcio is asked.
    pub oidc_issuer: Option<String>,
    /// A trusted_root.json path: each bundle is verified offline before it is returned.
    pub trusted_root: Option<String>,
    /// Timeout of each request (default 30).
    pub timeout_seconds: Option<u32>,
    /// Retries after a connection failure or a 5xx answer (default 2).
    pub retries: Option<u32>,
    /// Require an SCT embedded in the certificate (default true).
    pub require_sct: Option<bool>,
    /// An RFC 3161 timestamp authority's request URL: each bundle also carries its timestamp.
    pub timestamp_url: Option<String>,
    /// Rekor's API: 1 (default) or 2 (Rekor v2, which needs `timestampUrl`).
    pub rekor_version: Option<u32>,
    /// The OIDC identity token (omitted: `$STELLAOPS_OIDC_TOKEN`, `$STELLAOPS_OIDC_TOKEN_FILE` or
    /// the ambient cosign token file).
    pub token: Option<String>,
}

/// Settings for bundles signed with one of our keys (the flags of `stella attest
/// --sigstore-bundle`).
#[napi(object)]
pub struct KeyfulOptions {
    /// Rekor's URL (v1 API).
    pub rekor_url: String,
    /// A trusted_root.json path: each bundle is verified offline before it is returned.
    pub trusted_root: Option<String>,
    /// Timeout of each request (default 30).
    pub timeout_seconds: Option<u32>,
    /// Retries after a connection failure or a 5xx answer (default 2).
    pub retries: Option<u32>,
    /// An RFC 3161 timestamp authority's request URL: each bundle also carries its timestamp.
    pub timestamp_url: Option<String>,
    /// Rekor's API: 1 (default) or 2 (Rekor v2, which needs `timestampUrl`; ES256 keys only).
    pub rekor_version: Option<u32>,
}

/// Rekor's API version, 1 or 2.
fn rekor_version(version: Option<u32>) -> std::result::Result<RekorVersion, Failure> {
    match version {
        None | Some(1) => Ok(RekorVersion::V1),
        Some(2) => Ok(RekorVersion::V2),
        Some(other) => Err(Failure::invalid(format!(
            "rekorVersion is 1 or 2, not {other}"
        ))),
    }
}

/// An attestation signed into a Sigstore bundle.
#[napi(object)]
pub struct BundleAttestation {
    /// The Sigstore bundle v0.3, canonical JSON.
    pub bundle: Buffer,
    /// The statement JSON (RFC 8785) it signs.
    pub statement: Buffer,
    /// "allowed" (in the catalog) or "unlisted" (admitted by "warn" or "log-only").
    #[napi(ts_type = "'allowed' | 'unlisted'")]
    pub admission: String,
}

/// Signs into Sigstore bundles v0.3 (canonical JSON): keylessly (an ephemeral key Fulcio
/// certifies for an OIDC identity) or with one of our keys, each signature logged in Rekor.
/// Usable from any number of concurrent calls.
#[napi]
pub struct BundleSigner {
    signer: Arc<dyn CoreBundleSigner + Send + Sync>,
    mode: IssuerMode,
}

#[napi]
impl BundleSigner {
    /// A keyless signer. The OIDC identity token is `options.token`, as Python's `token=` (the
    /// second argument is the older way to pass it; not both); omitted, it is read from
    /// `$STELLAOPS_OIDC_TOKEN`, `$STELLAOPS_OIDC_TOKEN_FILE` or the ambient cosign token file.
    /// Nothing is sent until the first signature.
    #[napi(factory)]
    pub fn keyless(env: Env, options: KeylessOptions, token: Option<String>) -> Result<Self> {
        let token = match (options.token, token) {
            (Some(_), Some(_)) => {
                return Err(Failure::invalid(
                    "give the token in the options or as the second argument, not both",
                )
                .into_js(&env))
            }
            (a, b) => a.or(b),
        };
        let mut config = KeylessConfig::new(options.fulcio_url, options.rekor_url);
        if let Some(seconds) = options.timeout_seconds {
            config.timeout = Duration::from_secs(u64::from(seconds));
        }
        if let Some(retries) = options.retries {
            config.retries = retries;
        }
        config.oidc_issuer = options.oidc_issuer;
        config.trusted_root = options.trusted_root.map(PathBuf::from);
        config.require_sct = options.require_sct.unwrap_or(true);
        config.timestamp_url = options.timestamp_url;
        config.rekor_version = js(&env, rekor_version(options.rekor_version))?;
        let made = match token {
            Some(token) => IdentityToken::parse(&token),
            None => IdentityToken::from_environment(),
        }
        .and_then(|token| KeylessSigner::new(&config, token));
        let signer = js(&env, made.map_err(Failure::from))?;
        Ok(BundleSigner {
            signer: Arc::new(signer),
            mode: IssuerMode::Keyless,
        })
    }

    /// A signer for `key`, logged in Rekor. Rekor v1 checks DSSE signatures with SHA-256, so
    /// only ES256, Ed25519 and RSA PKCS#1 keys are accepted.
    #[napi(factory)]
    pub fn keyful(env: Env, key: &SigningKey, options: KeyfulOptions) -> Result<Self> {
        let mut config = KeyfulConfig::new(options.rekor_url);
        if let Some(seconds) = options.timeout_seconds {
            config.timeout = Duration::from_secs(u64::from(seconds));
        }
        if let Some(retries) = options.retries {
            config.retries = retries;
        }
        config.trusted_root = options.trusted_root.map(PathBuf::from);
        config.timestamp_url = options.timestamp_url;
        config.rekor_version = js(&env, rekor_version(options.rekor_version))?;
        let signer = js(
            &env,
            KeyfulSigner::new(&config, Arc::clone(&key.key)).map_err(Failure::from),
        )?;
        Ok(BundleSigner {
            signer: Arc::new(signer),
            mode: IssuerMode::of_scheme(key.key.scheme()),
        })
    }

    /// Sign `payload` (an in-toto statement; `payloadType` "application/vnd.in-toto+json", the
    /// one type Sigstore verifiers accept) into a bundle, off the main thread.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn sign(&self, payload_type: String, payload: Uint8Array) -> AsyncTask<Job<Buffer>> {
        let signer = Arc::clone(&self.signer);
        let payload = payload.to_vec();
        AsyncTask::new(Job::new(move || {
            sign(signer.as_ref(), &payload_type, &payload)
        }))
    }

    /// As `sign`, on the calling thread.
    #[napi]
    pub fn sign_sync(&self, env: Env, payload_type: String, payload: Uint8Array) -> Result<Buffer> {
        js(&env, sign(self.signer.as_ref(), &payload_type, &payload))
    }

    /// Sign `blob` itself into a bundle, as `cosign sign-blob` does (a message signature with the
    /// blob's SHA-256, logged in Rekor as a hashedrekord; at most 1 GiB), off the main thread.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn sign_blob(&self, blob: Uint8Array) -> AsyncTask<Job<Buffer>> {
        let signer = Arc::clone(&self.signer);
        let blob = blob.to_vec();
        AsyncTask::new(Job::new(move || sign_blob(signer.as_ref(), &blob)))
    }

    /// As `signBlob`, on the calling thread.
    #[napi]
    pub fn sign_blob_sync(&self, env: Env, blob: Uint8Array) -> Result<Buffer> {
        js(&env, sign_blob(self.signer.as_ref(), &blob))
    }

    /// As `attest`, signed into a bundle, off the main thread; the statement is built and
    /// admitted before Fulcio or Rekor is asked. The predicate is JSON as a string, bytes or an
    /// object.
    #[napi(
        ts_args_type = "predicateType: string, predicate: string | Uint8Array | object, subjects: Array<Subject>, options?: AttestOptions | undefined | null",
        ts_return_type = "Promise<BundleAttestation>"
    )]
    pub fn attest(
        &self,
        env: Env,
        predicate_type: String,
        predicate: Unknown<'_>,
        subjects: Vec<Subject>,
        options: Option<AttestOptionsJs>,
    ) -> Result<AsyncTask<BundleAttestTask>> {
        let predicate = js(&env, json_arg(&env, predicate, "predicate"))?;
        let (signer, mode) = (Arc::clone(&self.signer), self.mode);
        Ok(AsyncTask::new(BundleAttestTask(Some(Box::new(
            move || {
                sign_made(signer.as_ref(), mode, options, || {
                    predicate_statement(&predicate_type, &predicate, subjects)
                })
            },
        )))))
    }

    /// As `attest`, on the calling thread.
    #[napi(
        ts_args_type = "predicateType: string, predicate: string | Uint8Array | object, subjects: Array<Subject>, options?: AttestOptions | undefined | null"
    )]
    pub fn attest_sync(
        &self,
        env: Env,
        predicate_type: String,
        predicate: Unknown<'_>,
        subjects: Vec<Subject>,
        options: Option<AttestOptionsJs>,
    ) -> Result<BundleAttestation> {
        let predicate = js(&env, json_arg(&env, predicate, "predicate"))?;
        let done = sign_made(self.signer.as_ref(), self.mode, options, || {
            predicate_statement(&predicate_type, &predicate, subjects)
        });
        let (attestation, warning) = js(&env, done)?;
        crate::attest::emit_warning(&env, warning.as_deref())?;
        Ok(attestation)
    }

    /// As `signStatement`, signed into a bundle off the main thread: an in-toto statement
    /// already made (a string, bytes or an object; StellaOps predicates checked), admitted
    /// before Fulcio or Rekor is asked.
    #[napi(
        ts_args_type = "statement: string | Uint8Array | object, options?: AttestOptions | undefined | null",
        ts_return_type = "Promise<BundleAttestation>"
    )]
    pub fn sign_statement(
        &self,
        env: Env,
        statement: Unknown<'_>,
        options: Option<AttestOptionsJs>,
    ) -> Result<AsyncTask<BundleAttestTask>> {
        let statement = js(&env, json_arg(&env, statement, "statement"))?;
        let (signer, mode) = (Arc::clone(&self.signer), self.mode);
        Ok(AsyncTask::new(BundleAttestTask(Some(Box::new(
            move || {
                sign_made(signer.as_ref(), mode, options, || {
                    Ok(stellaops_signer::Statement::from_json(
                        &statement,
                        &Limits::default(),
                    )?)
                })
            },
        )))))
    }

    /// As `signStatement` on a bundle signer, on the calling thread.
    #[napi(
        ts_args_type = "statement: string | Uint8Array | object, options?: AttestOptions | undefined | null"
    )]
    pub fn sign_statement_sync(
        &self,
        env: Env,
        statement: Unknown<'_>,
        options: Option<AttestOptionsJs>,
    ) -> Result<BundleAttestation> {
        let statement = js(&env, json_arg(&env, statement, "statement"))?;
        let done = sign_made(self.signer.as_ref(), self.mode, options, || {
            Ok(stellaops_signer::Statement::from_json(
                &statement,
                &Limits::default(),
            )?)
        });
        let (attestation, warning) = js(&env, done)?;
        crate::attest::emit_warning(&env, warning.as_deref())?;
        Ok(attestation)
    }
}

/// The statement `attest` builds from its arguments.
fn predicate_statement(
    predicate_type: &str,
    predicate: &[u8],
    subjects: Vec<Subject>,
) -> stellaops_signer::Result<stellaops_signer::Statement> {
    let subjects = subjects
        .into_iter()
        .map(|s| stellaops_signer::Subject::new(s.name, s.digest))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    stellaops_signer::predicate_statement(predicate_type, predicate, subjects, &Limits::default())
}

fn sign(
    signer: &(dyn CoreBundleSigner + Send + Sync),
    payload_type: &str,
    payload: &[u8],
) -> std::result::Result<Buffer, Failure> {
    Ok(Buffer::from(signer.sign(payload_type, payload)?.json))
}

fn sign_blob(
    signer: &(dyn CoreBundleSigner + Send + Sync),
    blob: &[u8],
) -> std::result::Result<Buffer, Failure> {
    Ok(Buffer::from(signer.sign_message(blob)?.json))
}

/// Sign the statement `make` builds into a bundle under the options' enforcement: the one
/// bundle path of `attest` and `signStatement`, with the warning to emit.
fn sign_made(
    signer: &(dyn CoreBundleSigner + Send + Sync),
    mode: IssuerMode,
    options: Option<AttestOptionsJs>,
    make: impl FnOnce() -> stellaops_signer::Result<stellaops_signer::Statement>,
) -> std::result::Result<(BundleAttestation, Option<String>), Failure> {
    let mode_of_list: EnforcementMode = options
        .and_then(|o| o.enforcement)
        .unwrap_or_else(|| "warn".to_owned())
        .parse()
        .map_err(Failure::invalid)?;
    let statement = make()?;
    let outcome = Authority::bundle(signer, mode)
        .allow_list(AllowList::catalog(mode_of_list))
        .sign_statement(statement, None)?;
    let warning = outcome.warning();
    Ok((
        BundleAttestation {
            statement: Buffer::from(outcome.envelope().payload().to_vec()),
            admission: outcome.admission.name().to_owned(),
            bundle: Buffer::from(outcome.into_json()),
        },
        warning,
    ))
}

/// The work of a bundle attestation, with the warning to emit.
type BundleAttestWork =
    Box<dyn FnOnce() -> std::result::Result<(BundleAttestation, Option<String>), Failure> + Send>;

/// A bundle attestation off the main thread; its warning is emitted when it resolves.
pub struct BundleAttestTask(Option<BundleAttestWork>);

impl Task for BundleAttestTask {
    type Output = std::result::Result<(BundleAttestation, Option<String>), Failure>;
    type JsValue = BundleAttestation;

    fn compute(&mut self) -> Result<Self::Output> {
        let work = self
            .0
            .take()
            .ok_or_else(|| Error::new(Status::GenericFailure, "task ran twice"))?;
        Ok(work())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<BundleAttestation> {
        let (attestation, warning) = js(&env, output)?;
        crate::attest::emit_warning(&env, warning.as_deref())?;
        Ok(attestation)
    }
}
