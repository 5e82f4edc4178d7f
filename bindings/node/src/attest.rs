//! `attest` and `attestSync`.

use std::collections::BTreeMap;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::canon::Limits;
use stellaops_signer::{AllowList, Authority, EnforcementMode, OpenedKey};

use crate::envelope::Envelope;
use crate::errors::{js, Failure};
use crate::keys::SigningKey;

/// What a statement is about.
#[napi(object)]
pub struct Subject {
    /// The name (file name, package URL, image reference).
    pub name: String,
    /// Digests by algorithm, lowercase hex: `{ sha256: "…" }`.
    pub digest: BTreeMap<String, String>,
}

/// Options for `attest`.
#[napi(object, js_name = "AttestOptions")]
pub struct AttestOptionsJs {
    /// "warn" (default), "log-only" or "reject": what happens to a type outside the catalog.
    #[napi(ts_type = "'warn' | 'log-only' | 'log' | 'reject'")]
    pub enforcement: Option<String>,
}

/// A signed in-toto statement.
#[napi]
pub struct Attestation {
    envelope: stellaops_signer::dsse::Envelope,
    admission: &'static str,
    /// Emitted through `process.emitWarning` when the attestation reaches JavaScript.
    warning: Option<String>,
}

#[napi]
impl Attestation {
    /// The envelope.
    #[napi(getter)]
    pub fn envelope(&self) -> Envelope {
        Envelope {
            envelope: self.envelope.clone(),
        }
    }

    /// The statement JSON (RFC 8785): the envelope's payload.
    #[napi(getter)]
    pub fn statement(&self) -> Buffer {
        Buffer::from(self.envelope.payload().to_vec())
    }

    /// "allowed" (in the catalog) or "unlisted" (admitted by "warn" or "log-only").
    #[napi(getter, ts_return_type = "'allowed' | 'unlisted'")]
    pub fn admission(&self) -> String {
        self.admission.to_owned()
    }
}

struct Request {
    keys: Vec<Arc<OpenedKey>>,
    predicate_type: String,
    predicate: Vec<u8>,
    subjects: Vec<Subject>,
    enforcement: String,
}

fn request(
    env: &Env,
    keys: Vec<&SigningKey>,
    predicate_type: String,
    predicate: Unknown<'_>,
    subjects: Vec<Subject>,
    options: Option<AttestOptionsJs>,
) -> Result<Request> {
    Ok(Request {
        keys: keys.iter().map(|k| k.key.clone()).collect(),
        predicate_type,
        predicate: js(env, crate::input::json_arg(env, predicate, "predicate"))?,
        subjects,
        enforcement: options
            .and_then(|o| o.enforcement)
            .unwrap_or_else(|| "warn".to_owned()),
    })
}

fn run(r: Request) -> std::result::Result<Attestation, Failure> {
    let mode: EnforcementMode = r.enforcement.parse().map_err(Failure::invalid)?;
    let subjects = r
        .subjects
        .into_iter()
        .map(|s| stellaops_signer::Subject::new(s.name, s.digest))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    sign_with(&r.keys, mode, || {
        Ok(stellaops_signer::predicate_statement(
            &r.predicate_type,
            &r.predicate,
            subjects,
            &Limits::default(),
        )?)
    })
}

/// Sign the statement `make` builds with every key, the catalog as allow-list under `mode`: the
/// one signing step `attest` and `signStatement` share. No keys is reported before anything
/// about the statement.
pub(crate) fn sign_with(
    keys: &[Arc<OpenedKey>],
    mode: EnforcementMode,
    make: impl FnOnce() -> std::result::Result<stellaops_signer::Statement, Failure>,
) -> std::result::Result<Attestation, Failure> {
    let keys: Vec<&OpenedKey> = keys.iter().map(|k| k.as_ref()).collect();
    let authority = Authority::opened_keys(&keys);
    authority.require_keys()?;
    let statement = make()?;
    let outcome = authority
        .allow_list(AllowList::catalog(mode))
        .sign_statement(statement, None)?;
    Ok(Attestation::new(outcome))
}

impl Attestation {
    /// The attestation an authority's outcome holds.
    pub(crate) fn new(outcome: stellaops_signer::Outcome) -> Self {
        Attestation {
            admission: outcome.admission.name(),
            warning: outcome.warning(),
            envelope: outcome.into_envelope(),
        }
    }
}

/// Report a type outside the catalog admitted under "warn" through Node:
/// `process.emitWarning(message, 'StellaOpsWarning', 'STELLAOPS_PREDICATE_UNLISTED')`.
pub(crate) fn emit_warning(env: &Env, warning: Option<&str>) -> Result<()> {
    let Some(warning) = warning else {
        return Ok(());
    };
    let process: Object = env.get_global()?.get_named_property_unchecked("process")?;
    let emit: Function<FnArgs<(String, String, String)>, Unknown> =
        process.get_named_property_unchecked("emitWarning")?;
    emit.call(FnArgs {
        data: (
            warning.to_owned(),
            "StellaOpsWarning".to_owned(),
            "STELLAOPS_PREDICATE_UNLISTED".to_owned(),
        ),
    })?;
    Ok(())
}

/// The attestation as JavaScript gets it, its warning emitted ([`emit_warning`]).
pub(crate) fn attested(
    env: &Env,
    result: std::result::Result<Attestation, Failure>,
) -> Result<Attestation> {
    let attestation = js(env, result)?;
    emit_warning(env, attestation.warning.as_deref())?;
    Ok(attestation)
}

/// Signing work for the thread pool (`attest`, `signStatement`); the attestation's warning is
/// emitted when it resolves on the main thread.
pub struct AttestationTask(
    Option<Box<dyn FnOnce() -> std::result::Result<Attestation, Failure> + Send>>,
);

impl AttestationTask {
    /// The task that runs `work`.
    pub(crate) fn new(
        work: impl FnOnce() -> std::result::Result<Attestation, Failure> + Send + 'static,
    ) -> Self {
        AttestationTask(Some(Box::new(work)))
    }
}

impl Task for AttestationTask {
    type Output = std::result::Result<Attestation, Failure>;
    type JsValue = Attestation;

    fn compute(&mut self) -> Result<Self::Output> {
        let work = self
            .0
            .take()
            .ok_or_else(|| Error::new(Status::GenericFailure, "task ran twice"))?;
        Ok(work())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Attestation> {
        attested(&env, output)
    }
}

/// Build an in-toto Statement v1 over `subjects` with the predicate JSON `predicate` of type
/// `predicateType` (a URI or catalog short name; the predicate as a string, bytes or an object)
/// and sign it with every key, off the main thread.
#[napi(
    ts_args_type = "keys: Array<SigningKey>, predicateType: string, predicate: string | Uint8Array | object, subjects: Array<Subject>, options?: AttestOptions | undefined | null",
    ts_return_type = "Promise<Attestation>"
)]
pub fn attest(
    env: Env,
    keys: Vec<&SigningKey>,
    predicate_type: String,
    predicate: Unknown<'_>,
    subjects: Vec<Subject>,
    options: Option<AttestOptionsJs>,
) -> Result<AsyncTask<AttestationTask>> {
    let r = request(&env, keys, predicate_type, predicate, subjects, options)?;
    Ok(AsyncTask::new(AttestationTask::new(move || run(r))))
}

/// As `attest`, on the calling thread.
#[napi(
    ts_args_type = "keys: Array<SigningKey>, predicateType: string, predicate: string | Uint8Array | object, subjects: Array<Subject>, options?: AttestOptions | undefined | null"
)]
pub fn attest_sync(
    env: Env,
    keys: Vec<&SigningKey>,
    predicate_type: String,
    predicate: Unknown<'_>,
    subjects: Vec<Subject>,
    options: Option<AttestOptionsJs>,
) -> Result<Attestation> {
    let r = request(&env, keys, predicate_type, predicate, subjects, options)?;
    attested(&env, run(r))
}
