//! Signers and verifiers written in JavaScript: `SigningKey.fromSigner` and `VerifierRegistry`.
//!
//! A JavaScript function runs on its JavaScript thread only. When the library calls it from
//! that thread (the `*Sync` functions), it is called directly; from libuv's thread pool (the
//! Promise functions) the call is queued to the JavaScript thread through a threadsafe function
//! and the pool thread waits for the answer, or for the Promise it returns to settle.

use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use stellaops_signer::{CallerError, CallerSigner, VerifierRegistry as CoreRegistry};

use crate::errors::{js, Failure};
use crate::input::key_arg;
use crate::keys::{SigningKey, VerifyingKey};

/// How long a pool thread waits for a JavaScript signer or verifier (or its Promise) before the
/// call fails: a Promise that never settles must not hold a pool thread for ever.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

/// Why a function that returned a Promise cannot be used from a `*Sync` call: its JavaScript
/// thread is busy in that call, so the Promise could never settle.
const PROMISE_IN_SYNC: &str =
    "the function returned a Promise during a *Sync call; use the Promise API (without Sync)";

/// Refuse a Promise returned during a `*Sync` call, handling its rejection so that it does not
/// surface later as an unhandled one.
fn refuse_in_sync<T: FromNapiValue>(promise: &PromiseRaw<'_, T>) -> String {
    let _ = promise.catch(|_: CallbackContext<Unknown<'_>>| Ok(()));
    PROMISE_IN_SYNC.to_owned()
}

/// What a JavaScript signer or verifier may answer, directly or through a Promise.
trait JsAnswer: FromNapiValue + ValidateNapiValue + TypeName + 'static {}

impl<V: FromNapiValue + ValidateNapiValue + TypeName + 'static> JsAnswer for V {}

/// What a JavaScript signer or verifier returns: a value, or a Promise of one.
type Answer<V> = Either<V, PromiseRaw<'static, V>>;

/// Where the answer of one call goes.
type AnswerSender<T> = std::sync::mpsc::SyncSender<std::result::Result<T, String>>;

/// A JavaScript function the library may call from any thread, answering `V` or a Promise of it.
struct JsCallable<Args: JsValuesTupleIntoVec + 'static, V: JsAnswer> {
    /// The thread the function belongs to, where it is called directly.
    thread: ThreadId,
    /// That thread's environment, as an address (valid on that thread while the addon lives).
    env: usize,
    direct: FunctionRef<Args, Answer<V>>,
    queued: ThreadsafeFunction<Args, Answer<V>, Args, Status, false, true>,
}

impl<Args: JsValuesTupleIntoVec + 'static, V: JsAnswer> JsCallable<Args, V> {
    fn new(env: &Env, function: Function<'_, Args, Answer<V>>) -> Result<Self> {
        Ok(JsCallable {
            thread: std::thread::current().id(),
            env: env.raw() as usize,
            direct: function.create_ref()?,
            queued: function
                .build_threadsafe_function::<Args>()
                .callee_handled::<false>()
                .weak::<true>()
                .build_callback(|ctx| Ok(ctx.value))?,
        })
    }

    /// Call the function with `args` and wait for its answer, or for the Promise it returns to
    /// settle, turned into `T` by `value`. A throw or a rejection is its reason as the error.
    fn call<T: Send + 'static>(
        &self,
        args: Args,
        value: fn(V) -> T,
    ) -> std::result::Result<T, String>
    where
        Args: Send,
    {
        let (tx, rx) = sync_channel(1);
        if std::thread::current().id() == self.thread {
            let env = Env::from_raw(self.env as napi::sys::napi_env);
            let result = self.direct.borrow_back(&env).and_then(|f| f.call(args));
            settle(result, tx, true, value);
        } else {
            let status = self.queued.call_with_return_value(
                args,
                ThreadsafeFunctionCallMode::Blocking,
                move |result, _env| {
                    settle(result, tx, false, value);
                    Ok(())
                },
            );
            if status != Status::Ok {
                return Err(format!("the JavaScript thread refused the call ({status})"));
            }
        }
        match rx.recv_timeout(ANSWER_TIMEOUT) {
            Ok(answer) => answer,
            Err(RecvTimeoutError::Timeout) => Err("no answer within 120 s".to_owned()),
            Err(RecvTimeoutError::Disconnected) => {
                Err("no answer: the JavaScript thread is gone".to_owned())
            }
        }
    }
}

/// On the JavaScript thread: send a function's answer to `tx` at once, or chain its Promise to
/// send it when it settles (refused during a `*Sync` call, where it could never settle).
fn settle<V: JsAnswer, T: Send + 'static>(
    result: Result<Answer<V>>,
    tx: AnswerSender<T>,
    on_js_thread: bool,
    value: fn(V) -> T,
) {
    let answer = match result {
        Err(e) => Err(reason_of(&e)),
        Ok(Either::A(v)) => Ok(value(v)),
        Ok(Either::B(promise)) if on_js_thread => Err(refuse_in_sync(&promise)),
        Ok(Either::B(promise)) => {
            let (resolved, rejected) = (tx.clone(), tx.clone());
            let chained = promise
                .then(move |ctx| {
                    let _ = resolved.send(Ok(value(ctx.value)));
                    Ok(())
                })
                .and_then(|p| {
                    p.catch(move |ctx: CallbackContext<Unknown<'_>>| {
                        let reason = String::from_unknown(ctx.value)
                            .unwrap_or_else(|_| "the Promise was rejected".into());
                        let _ = rejected.send(Err(reason));
                        Ok(())
                    })
                });
            match chained {
                Ok(_) => return,
                Err(e) => Err(reason_of(&e)),
            }
        }
    };
    let _ = tx.send(answer);
}

/// A JavaScript exception or conversion failure, as the message a caller error keeps.
fn reason_of(e: &Error) -> String {
    if e.reason.is_empty() {
        format!("{}", e.status)
    } else {
        e.reason.clone()
    }
}

/// `SigningKey.fromSigner` (documented there).
pub(crate) fn signing_key_from_signer(
    env: &Env,
    algorithm: String,
    public_key: Unknown<'_>,
    sign: Function<'_, Buffer, Answer<Uint8Array>>,
) -> Result<SigningKey> {
    let public_key = js(env, key_arg(public_key, "publicKey"))?;
    let public = js(
        env,
        stellaops_signer::keys::caller_public_key(&algorithm, &public_key).map_err(Failure::from),
    )?;
    let callable = Arc::new(JsCallable::new(env, sign)?);
    let signer = CallerSigner::new(public, move |pae: &[u8]| {
        callable
            .call(Buffer::from(pae.to_vec()), |signature: Uint8Array| {
                signature.to_vec()
            })
            .map_err(|e| CallerError::new(&e))
    });
    Ok(SigningKey {
        key: Arc::new(signer.into()),
    })
}

/// Verifiers for algorithms this library does not implement, by name. A key of an algorithm
/// nobody registered is refused (`STELLAOPS_UNKNOWN_ALGORITHM`), so an envelope signed with it
/// cannot verify by default.
#[napi]
#[derive(Default)]
pub struct VerifierRegistry {
    registry: Mutex<CoreRegistry>,
}

#[napi]
impl VerifierRegistry {
    /// A registry that knows only the built-in algorithms.
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Verify signatures of the external algorithm `algorithm` (lowercase letters, digits, "-",
    /// ".", "_"; not a built-in name) with `verify(publicKey, message, signature)`, which gets
    /// the key's DER SubjectPublicKeyInfo and the signed bytes (the DSSE PAE) and returns (or
    /// resolves to) `true` for a valid signature. A throw or a rejection counts as invalid.
    #[napi(
        ts_args_type = "algorithm: string, verify: (publicKey: Buffer, message: Buffer, signature: Buffer) => boolean | Promise<boolean>"
    )]
    pub fn register(
        &self,
        env: Env,
        algorithm: String,
        verify: Function<'_, FnArgs<(Buffer, Buffer, Buffer)>, Answer<bool>>,
    ) -> Result<()> {
        let callable = Arc::new(JsCallable::new(&env, verify)?);
        let verifier = move |public_key: &[u8], pae: &[u8], signature: &[u8]| {
            let args = FnArgs::from((
                Buffer::from(public_key.to_vec()),
                Buffer::from(pae.to_vec()),
                Buffer::from(signature.to_vec()),
            ));
            // A throw or a rejection is an invalid signature.
            callable.call(args, |valid: bool| valid).unwrap_or(false)
        };
        let registered = self
            .registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .register(&algorithm, Arc::new(verifier))
            .map(|_| ());
        js(
            &env,
            registered.map_err(|e| Failure::from(stellaops_signer::Error::from(e))),
        )
    }

    /// A key that verifies `algorithm`'s signatures: for a built-in name, `publicKey` in any
    /// encoding `VerifyingKey.fromPem` reads, pinned; for a registered name, its
    /// SubjectPublicKeyInfo (PEM or DER), checked by the registered function. A key of a
    /// JavaScript verifier verifies through both the `*Sync` and the Promise functions; a
    /// verifier that returns a Promise needs the Promise functions.
    #[napi(ts_args_type = "algorithm: string, publicKey: string | Uint8Array")]
    pub fn verifying_key(
        &self,
        env: Env,
        algorithm: String,
        public_key: Unknown<'_>,
    ) -> Result<VerifyingKey> {
        let public_key = js(&env, key_arg(public_key, "publicKey"))?;
        let key = self
            .registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .verifying_key(&algorithm, &public_key);
        let key = js(
            &env,
            key.map_err(|e| Failure::from(stellaops_signer::Error::from(e))),
        )?;
        Ok(VerifyingKey { key })
    }

    /// The registered algorithm names, in name order.
    #[napi]
    pub fn algorithms(&self) -> Vec<String> {
        self.registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .algorithms()
            .map(str::to_owned)
            .collect()
    }
}
