//! `Envelope`: sign (async and sync), parse, verify (async and sync).

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::dsse::Envelope as CoreEnvelope;
use stellaops_signer::{verify_envelope, EnvelopeLimits, OpenedKey, VerificationPolicy};

use crate::errors::{js, Failure};
use crate::keys::{SigningKey, VerifyingKey};

/// One signature of an envelope.
#[napi(object)]
pub struct Signature {
    /// The key id hint (may be empty).
    pub keyid: String,
    /// The signature bytes.
    pub sig: Buffer,
}

/// A trusted key that verified.
#[napi(object)]
pub struct VerifiedKey {
    /// Its first position in the keys given to `verify`.
    pub key_index: u32,
    /// Every position in the keys given to `verify` that holds this key and accepted the
    /// signature (more than one when the same key was given twice).
    pub positions: Vec<u32>,
    /// The position of the signature it verified.
    pub signature_index: u32,
    /// Its key id.
    pub key_id: String,
    /// The algorithm the signature was made with.
    pub algorithm: String,
}

/// A DSSE envelope.
#[napi]
pub struct Envelope {
    pub(crate) envelope: CoreEnvelope,
}

pub(crate) fn sign_with(
    payload_type: &str,
    payload: Vec<u8>,
    keys: &[Arc<OpenedKey>],
) -> std::result::Result<CoreEnvelope, Failure> {
    let keys: Vec<&OpenedKey> = keys.iter().map(|k| k.as_ref()).collect();
    let outcome =
        stellaops_signer::Authority::opened_keys(&keys).sign_payload(payload_type, payload)?;
    Ok(outcome.into_envelope())
}

fn verify_with(
    envelope: CoreEnvelope,
    keys: Vec<stellaops_signer::VerifyingKey>,
    threshold: u32,
    payload_type: Option<String>,
) -> std::result::Result<Vec<VerifiedKey>, Failure> {
    let policy = VerificationPolicy::new(keys, threshold as usize, payload_type.as_deref())?;
    let verification = verify_envelope(envelope, &policy, &[], &EnvelopeLimits::default())?;
    Ok(verification.keys.iter().map(VerifiedKey::new).collect())
}

impl VerifiedKey {
    /// The JavaScript view of a key the facade verified.
    pub(crate) fn new(k: &stellaops_signer::VerifiedKey) -> Self {
        VerifiedKey {
            key_index: k.policy_index as u32,
            positions: k.positions.iter().map(|&p| p as u32).collect(),
            signature_index: k.signature_index as u32,
            key_id: k.key_id.to_string(),
            algorithm: k.algorithm.name().to_owned(),
        }
    }
}

/// Signing off the main thread.
pub struct SignTask {
    payload_type: String,
    payload: Vec<u8>,
    keys: Vec<Arc<OpenedKey>>,
}

impl Task for SignTask {
    type Output = std::result::Result<CoreEnvelope, Failure>;
    type JsValue = Envelope;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(sign_with(
            &self.payload_type,
            std::mem::take(&mut self.payload),
            &self.keys,
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Envelope> {
        Ok(Envelope {
            envelope: js(&env, output)?,
        })
    }
}

/// Verifying off the main thread.
pub struct VerifyTask {
    envelope: Option<CoreEnvelope>,
    keys: Vec<stellaops_signer::VerifyingKey>,
    threshold: u32,
    payload_type: Option<String>,
}

impl Task for VerifyTask {
    type Output = std::result::Result<Vec<VerifiedKey>, Failure>;
    type JsValue = Vec<VerifiedKey>;

    fn compute(&mut self) -> Result<Self::Output> {
        let envelope = self
            .envelope
            .take()
            .ok_or_else(|| Error::new(Status::GenericFailure, "task ran twice"))?;
        Ok(verify_with(
            envelope,
            std::mem::take(&mut self.keys),
            self.threshold,
            self.payload_type.take(),
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Vec<VerifiedKey>> {
        js(&env, output)
    }
}

#[napi]
impl Envelope {
    /// Sign `payload` as `payloadType` with every key, off the main thread.
    #[napi(ts_return_type = "Promise<Envelope>")]
    pub fn sign(
        payload_type: String,
        payload: Uint8Array,
        keys: Vec<&SigningKey>,
    ) -> AsyncTask<SignTask> {
        AsyncTask::new(SignTask {
            payload_type,
            payload: payload.to_vec(),
            keys: keys.iter().map(|k| k.key.clone()).collect(),
        })
    }

    /// As `sign`, on the calling thread.
    #[napi]
    pub fn sign_sync(
        env: Env,
        payload_type: String,
        payload: Uint8Array,
        keys: Vec<&SigningKey>,
    ) -> Result<Envelope> {
        let keys: Vec<_> = keys.iter().map(|k| k.key.clone()).collect();
        let envelope = js(&env, sign_with(&payload_type, payload.to_vec(), &keys))?;
        Ok(Envelope { envelope })
    }

    /// Parse envelope JSON strictly (duplicate keys, bad base64, over 96 MiB are errors), as a
    /// string, bytes or an object.
    #[napi(factory, ts_args_type = "data: string | Uint8Array | object")]
    pub fn from_json(env: Env, data: Unknown<'_>) -> Result<Self> {
        let data = js(&env, crate::input::json_arg(&env, data, "data"))?;
        let envelope = js(
            &env,
            CoreEnvelope::from_json(&data, &EnvelopeLimits::default()).map_err(Failure::from),
        )?;
        Ok(Envelope { envelope })
    }

    /// Canonical JSON.
    #[napi]
    pub fn to_json(&self) -> Buffer {
        Buffer::from(self.envelope.to_json())
    }

    /// The payload.
    #[napi(getter)]
    pub fn payload(&self) -> Buffer {
        Buffer::from(self.envelope.payload().to_vec())
    }

    /// The payload type.
    #[napi(getter)]
    pub fn payload_type(&self) -> String {
        self.envelope.payload_type().to_owned()
    }

    /// The signatures, in envelope order.
    #[napi(getter)]
    pub fn signatures(&self) -> Vec<Signature> {
        self.envelope
            .signatures()
            .iter()
            .map(|s| Signature {
                keyid: s.keyid().to_owned(),
                sig: Buffer::from(s.sig().to_vec()),
            })
            .collect()
    }

    /// The PAE bytes the signatures cover.
    #[napi]
    pub fn pae(&self) -> Buffer {
        Buffer::from(self.envelope.pae())
    }

    /// Verify off the main thread: at least `threshold` distinct keys must verify, and the
    /// payload type must equal `payloadType` when given. Resolves to the keys that verified.
    /// The options go as an object (`verify(keys, { threshold, payloadType })`, as Python's
    /// keywords) or, as before, positionally.
    #[napi(
        ts_args_type = "keys: Array<VerifyingKey>, options: number | VerifyOptions, payloadType?: string | undefined | null",
        ts_return_type = "Promise<Array<VerifiedKey>>"
    )]
    pub fn verify(
        &self,
        env: Env,
        keys: Vec<&VerifyingKey>,
        options: Either<u32, VerifyOptions>,
        payload_type: Option<String>,
    ) -> Result<AsyncTask<VerifyTask>> {
        let (threshold, payload_type) = js(&env, verify_options(options, payload_type))?;
        Ok(AsyncTask::new(VerifyTask {
            envelope: Some(self.envelope.clone()),
            keys: keys.iter().map(|k| k.key.clone()).collect(),
            threshold,
            payload_type,
        }))
    }

    /// As `verify`, on the calling thread.
    #[napi(
        ts_args_type = "keys: Array<VerifyingKey>, options: number | VerifyOptions, payloadType?: string | undefined | null"
    )]
    pub fn verify_sync(
        &self,
        env: Env,
        keys: Vec<&VerifyingKey>,
        options: Either<u32, VerifyOptions>,
        payload_type: Option<String>,
    ) -> Result<Vec<VerifiedKey>> {
        let (threshold, payload_type) = js(&env, verify_options(options, payload_type))?;
        let keys = keys.iter().map(|k| k.key.clone()).collect();
        js(
            &env,
            verify_with(self.envelope.clone(), keys, threshold, payload_type),
        )
    }
}

/// How `verify` is asked: at least `threshold` distinct keys, and the payload type when given.
#[napi(object)]
pub struct VerifyOptions {
    /// How many distinct keys must verify (1 or more).
    pub threshold: u32,
    /// The payload type the envelope must have.
    pub payload_type: Option<String>,
}

/// The threshold and payload type of `verify`'s options object or positional arguments (not
/// both ways at once).
fn verify_options(
    options: Either<u32, VerifyOptions>,
    positional_type: Option<String>,
) -> std::result::Result<(u32, Option<String>), Failure> {
    match options {
        Either::A(threshold) => Ok((threshold, positional_type)),
        Either::B(o) if positional_type.is_none() => Ok((o.threshold, o.payload_type)),
        Either::B(_) => Err(Failure::invalid(
            "give payloadType in the options object or as the third argument, not both",
        )),
    }
}
