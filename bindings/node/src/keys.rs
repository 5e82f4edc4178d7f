//! `SigningKey` and `VerifyingKey`.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use stellaops_signer::keys::{load_signing_key, load_verifying_key};
use stellaops_signer::{open_key, Algorithm, OpenedKey, SigningKey as _, SoftwareKey};

use crate::errors::{js, Failure};

/// A private signing key: software, or in an HSM, KMS or Vault (`openKey`). Immutable; usable
/// from any thread.
#[napi]
pub struct SigningKey {
    pub(crate) key: Arc<OpenedKey>,
}

#[napi]
impl SigningKey {
    /// A fresh key: "es256" (default), "es384", "ed25519", "rsa-pss-sha256", "rsa-pkcs1-sha256"
    /// (JOSE and securesystemslib names work too).
    #[napi(factory)]
    pub fn generate(env: Env, algorithm: Option<String>) -> Result<Self> {
        let name = algorithm.unwrap_or_else(|| "es256".to_owned());
        let key = js(
            &env,
            name.parse::<Algorithm>()
                .and_then(SoftwareKey::generate)
                .map_err(Failure::from),
        )?;
        Ok(SigningKey {
            key: Arc::new(key.into()),
        })
    }

    /// Load a private key: PEM (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1; as a string or bytes)
    /// or PKCS#8 DER.
    #[napi(
        factory,
        ts_args_type = "data: string | Uint8Array, passphrase?: Uint8Array | undefined | null"
    )]
    pub fn from_pem(env: Env, data: Unknown<'_>, passphrase: Option<Uint8Array>) -> Result<Self> {
        let data = js(&env, crate::input::key_arg(data, "data"))?;
        let key = js(
            &env,
            load_signing_key(&data, passphrase.as_deref()).map_err(Failure::from),
        )?;
        Ok(SigningKey {
            key: Arc::new(key.into()),
        })
    }

    /// Load a private JWK.
    #[napi(factory)]
    pub fn from_jwk(env: Env, jwk: String) -> Result<Self> {
        let key = js(&env, SoftwareKey::from_jwk(&jwk).map_err(Failure::from))?;
        Ok(SigningKey {
            key: Arc::new(key.into()),
        })
    }

    /// A key whose signatures come from `sign`, a function (or async function) such as a KMS
    /// or HSM client call, or a provider of an algorithm this library does not implement (GOST
    /// R 34.10-2012 through CryptoPro or OpenSSL). `algorithm` is a built-in name ("es256",
    /// "ed25519", "rsa-pss-sha256", ...) or an external one ("gost3410-2012-256");
    /// `publicKey` is the key (PEM, DER, JWK) or, for an external algorithm, its
    /// SubjectPublicKeyInfo (PEM or DER). `sign` gets the whole message (the DSSE PAE) and
    /// hashes it as its algorithm does.
    ///
    /// Every signature is checked (not empty, at most 16 KiB, and for built-in algorithms valid
    /// under `publicKey`): a signer that throws, rejects or lies makes the signing call fail
    /// with `STELLAOPS_CALLER_SIGNER_FAILED`, and nothing is signed. A synchronous `sign` works
    /// with the `*Sync` and the Promise functions; an async one with the Promise functions only.
    /// The Promise functions wait at most 120 s for an answer.
    #[napi(
        factory,
        ts_args_type = "algorithm: string, publicKey: string | Uint8Array, sign: (message: Buffer) => Uint8Array | Promise<Uint8Array>"
    )]
    pub fn from_signer(
        env: Env,
        algorithm: String,
        public_key: Unknown<'_>,
        sign: Function<'_, Buffer, Either<Uint8Array, PromiseRaw<'static, Uint8Array>>>,
    ) -> Result<Self> {
        crate::caller::signing_key_from_signer(&env, algorithm, public_key, sign)
    }

    /// Lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo DER.
    #[napi(getter)]
    pub fn key_id(&self) -> String {
        self.key.key_id().to_string()
    }

    /// The backend: "file" for software keys, else "pkcs11", "awskms", "hashivault", "fido2".
    #[napi(getter)]
    pub fn backend(&self) -> String {
        self.key.scheme().to_owned()
    }

    /// The algorithm's short name.
    #[napi(getter)]
    pub fn algorithm(&self) -> String {
        self.key.algorithm().name().to_owned()
    }

    /// The public half.
    #[napi]
    pub fn public_key(&self) -> VerifyingKey {
        VerifyingKey {
            key: self.key.public_key().clone(),
        }
    }

    /// PKCS#8 PEM, encrypted with `passphrase` when given.
    #[napi]
    pub fn to_pem(&self, env: Env, passphrase: Option<Uint8Array>) -> Result<Buffer> {
        let key = js(&env, self.key.exportable().map_err(Failure::from))?;
        let pem = js(
            &env,
            match passphrase {
                Some(p) => key.to_encrypted_pkcs8_pem(&p),
                None => key.to_pkcs8_pem(),
            }
            .map_err(Failure::from),
        )?;
        Ok(Buffer::from(pem.as_bytes().to_vec()))
    }

    /// Write the key as PKCS#8 PEM to a new file at `path` with mode 0600, encrypted with
    /// `passphrase` when given: atomically, and never over an existing file (`STELLAOPS_IO`).
    #[napi]
    pub fn write_private_key(
        &self,
        env: Env,
        path: String,
        passphrase: Option<Uint8Array>,
    ) -> Result<()> {
        js(
            &env,
            stellaops_signer::write_private_key(
                std::path::Path::new(&path),
                &self.key,
                passphrase.as_deref(),
            )
            .map_err(Failure::from),
        )
    }

    /// The private JWK text.
    #[napi]
    pub fn to_jwk(&self, env: Env) -> Result<String> {
        let key = js(&env, self.key.exportable().map_err(Failure::from))?;
        let jwk = js(&env, key.to_jwk().map_err(Failure::from))?;
        Ok(jwk.as_str().to_owned())
    }
}

/// Opening a key by URI off the main thread (it logs in to tokens and calls remote services).
pub struct OpenKeyTask {
    uri: String,
    passphrase: Option<Vec<u8>>,
}

impl Task for OpenKeyTask {
    type Output = std::result::Result<OpenedKey, Failure>;
    type JsValue = SigningKey;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(open_key(&self.uri, self.passphrase.as_deref()).map_err(Failure::from))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<SigningKey> {
        Ok(SigningKey {
            key: Arc::new(js(&env, output)?),
        })
    }
}

/// Open a key by URI, resolving to a `SigningKey`: "file:PATH" or a bare path, RFC 7512
/// "pkcs11:..." (module-path and pin-value or pin-source in the query),
/// "awskms://[HOST:PORT]/KEY" (AWS environment variables), "hashivault://KEY[?version=N]"
/// (VAULT_ADDR, VAULT_TOKEN), "fido2:CREDENTIAL?device=..." (a FIDO2 security key; PIN from
/// pin-source=FILE or STELLAOPS_FIDO2_PIN). Runs on the libuv thread pool.
#[napi(js_name = "openKey", ts_return_type = "Promise<SigningKey>")]
pub fn open_key_async(uri: String, passphrase: Option<Uint8Array>) -> AsyncTask<OpenKeyTask> {
    AsyncTask::new(OpenKeyTask {
        uri,
        passphrase: passphrase.map(|p| p.to_vec()),
    })
}

/// `openKey`, blocking the calling thread (and the event loop) until the backend answers.
#[napi]
pub fn open_key_sync(env: Env, uri: String, passphrase: Option<Uint8Array>) -> Result<SigningKey> {
    let key = js(
        &env,
        open_key(&uri, passphrase.as_deref()).map_err(Failure::from),
    )?;
    Ok(SigningKey { key: Arc::new(key) })
}

/// A public key trusted to verify.
#[napi]
pub struct VerifyingKey {
    pub(crate) key: stellaops_signer::VerifyingKey,
}

#[napi]
impl VerifyingKey {
    /// Load SPKI PEM or DER, a JWK, or an X.509 certificate's key (PEM and JWK as a string or
    /// bytes); a private key's public half.
    #[napi(factory, ts_args_type = "data: string | Uint8Array")]
    pub fn from_pem(env: Env, data: Unknown<'_>) -> Result<Self> {
        let data = js(&env, crate::input::key_arg(data, "data"))?;
        let key = js(&env, load_verifying_key(&data).map_err(Failure::from))?;
        Ok(VerifyingKey { key })
    }

    /// Load a public JWK.
    #[napi(factory)]
    pub fn from_jwk(env: Env, jwk: String) -> Result<Self> {
        let key = js(
            &env,
            stellaops_signer::VerifyingKey::from_jwk(&jwk).map_err(Failure::from),
        )?;
        Ok(VerifyingKey { key })
    }

    /// Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    #[napi(getter)]
    pub fn key_id(&self) -> String {
        self.key.key_id().to_string()
    }

    /// The one algorithm this key verifies, or null for an RSA key that verifies both paddings.
    #[napi(getter)]
    pub fn algorithm(&self) -> Option<String> {
        self.key
            .is_pinned()
            .then(|| self.key.algorithm().name().to_owned())
    }

    /// SubjectPublicKeyInfo PEM.
    #[napi]
    pub fn to_pem(&self, env: Env) -> Result<Buffer> {
        let pem = js(&env, self.key.to_spki_pem().map_err(Failure::from))?;
        Ok(Buffer::from(pem.into_bytes()))
    }

    /// SubjectPublicKeyInfo DER.
    #[napi]
    pub fn to_der(&self) -> Buffer {
        Buffer::from(self.key.to_spki_der().to_vec())
    }

    /// The public JWK text.
    #[napi]
    pub fn to_jwk(&self, env: Env) -> Result<String> {
        js(&env, self.key.to_jwk().map_err(Failure::from))
    }
}
