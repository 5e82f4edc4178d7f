//! A software CTAP2 authenticator in process: 1Password's `passkey-authenticator`, with its
//! credentials in memory or in a state file (`fido2:KEY?device=software:STATE`). For tests and
//! demonstrations — driven through the same [`Ctap2Authenticator`] interface as a USB device —
//! and never hardware-backed: its private keys are in this process's memory and in the state
//! file (mode 0600), in the clear.
//!
//! A PIN can be set, so the PIN sources can be exercised: with one, registration and
//! user-verifying assertions need it. This is a simulation at the level of the
//! [`Ctap2Authenticator`] interface, not CTAP2's clientPIN protocol (which the HID transport's
//! library speaks to real devices).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use coset::{iana, CborSerializable as _, CoseKey};
use passkey_authenticator::{
    public_key_der_from_cose_key, Authenticator, MemoryStore, UiHint, UserCheck,
    UserValidationMethod,
};
use passkey_types::ctap2::{get_assertion, make_credential, Aaguid, Ctap2Error};
use passkey_types::webauthn::{
    PublicKeyCredentialDescriptor, PublicKeyCredentialParameters, PublicKeyCredentialType,
    PublicKeyCredentialUserEntity,
};
use passkey_types::Passkey;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use stellaops_crypto::Algorithm;
use zeroize::Zeroizing;

use crate::fido2::{Ctap2Authenticator, GetAssertion, MakeCredential};
use crate::{Error, Result};

/// The `type` of a state file.
const STATE_TYPE: &str = "stellaops.fido2-software-authenticator/v1";

/// The simulated user: present at every touch request, verified (as with built-in biometrics)
/// when asked.
#[derive(Debug)]
struct AlwaysThere;

#[async_trait::async_trait]
impl UserValidationMethod for AlwaysThere {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> std::result::Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

/// The state file: the PIN's digest and every credential, private key included.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    #[serde(rename = "type")]
    kind: String,
    warning: String,
    /// Hex SHA-256 of the PIN, if one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pin_sha256: Option<String>,
    credentials: Vec<StoredCredential>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredCredential {
    credential_id: String,
    rp_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_handle: Option<String>,
    counter: u32,
    /// The COSE_Key (private) as CBOR, base64url.
    cose_key: String,
}

type Inner = Authenticator<MemoryStore, AlwaysThere>;

/// A software CTAP2 authenticator (ES256 credentials, signature counters on).
pub struct SoftwareAuthenticator {
    inner: Mutex<Inner>,
    state: Option<PathBuf>,
    pin_sha256: Option<[u8; 32]>,
}

impl std::fmt::Debug for SoftwareAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.state {
            Some(p) => write!(f, "SoftwareAuthenticator({})", p.display()),
            None => f.write_str("SoftwareAuthenticator(in memory)"),
        }
    }
}

impl Default for SoftwareAuthenticator {
    fn default() -> Self {
        Self::new()
    }
}

fn authenticator(store: MemoryStore) -> Inner {
    let mut authenticator = Authenticator::new(Aaguid::new_empty(), store, AlwaysThere);
    authenticator.set_make_credentials_with_signature_counter(true);
    authenticator
}

fn bad_state(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::authenticator(
        format!("software authenticator state {}: {what}", path.display()),
        None,
    )
}

fn pin_digest(pin: &str) -> [u8; 32] {
    Sha256::digest(pin.as_bytes()).into()
}

impl SoftwareAuthenticator {
    /// A fresh authenticator with no credentials and no PIN, in memory only.
    pub fn new() -> Self {
        SoftwareAuthenticator {
            inner: Mutex::new(authenticator(MemoryStore::new())),
            state: None,
            pin_sha256: None,
        }
    }

    /// This authenticator with a PIN set (kept as its SHA-256).
    #[must_use]
    pub fn with_pin(mut self, pin: &str) -> Self {
        self.pin_sha256 = Some(pin_digest(pin));
        self
    }

    /// The authenticator whose credentials are in `state`, or a fresh one that will write them
    /// there (mode 0600) if the file does not exist. Every operation rewrites the file, so
    /// signature counters survive the process. One process at a time: the file is not locked,
    /// and two processes signing at once can lose a counter step.
    ///
    /// # Errors
    /// An unreadable or invalid state file.
    pub fn open(state: &Path) -> Result<Self> {
        let bytes = match std::fs::read(state) {
            Ok(b) => Zeroizing::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(SoftwareAuthenticator {
                    state: Some(state.to_owned()),
                    ..Self::new()
                })
            }
            Err(e) => return Err(Error::io(state, e)),
        };
        let parsed: State = serde_json::from_slice(&bytes).map_err(|e| bad_state(state, e))?;
        if parsed.kind != STATE_TYPE {
            return Err(bad_state(state, format!("type is not {STATE_TYPE}")));
        }
        let pin_sha256 = match &parsed.pin_sha256 {
            None => None,
            Some(h) => Some(
                hex::decode(h)
                    .ok()
                    .and_then(|v| <[u8; 32]>::try_from(v).ok())
                    .ok_or_else(|| bad_state(state, "pin_sha256 is not 32 bytes of hex"))?,
            ),
        };
        let mut store = MemoryStore::new();
        for c in &parsed.credentials {
            let b64 = |v: &str, what: &str| {
                URL_SAFE_NO_PAD
                    .decode(v)
                    .map_err(|_| bad_state(state, format!("{what} is not base64url")))
            };
            let id = b64(&c.credential_id, "credential_id")?;
            let key_bytes = Zeroizing::new(b64(&c.cose_key, "cose_key")?);
            let key = CoseKey::from_slice(&key_bytes)
                .map_err(|e| bad_state(state, format!("cose_key: {e}")))?;
            let user_handle = match &c.user_handle {
                Some(u) => Some(b64(u, "user_handle")?.into()),
                None => None,
            };
            store.insert(
                id.clone(),
                Passkey {
                    key,
                    credential_id: id.into(),
                    rp_id: c.rp_id.clone(),
                    user_handle,
                    username: None,
                    user_display_name: None,
                    counter: Some(c.counter),
                    extensions: Default::default(),
                },
            );
        }
        Ok(SoftwareAuthenticator {
            inner: Mutex::new(authenticator(store)),
            state: Some(state.to_owned()),
            pin_sha256,
        })
    }

    /// Write the state file, if there is one.
    fn save(&self, inner: &Inner) -> Result<()> {
        let Some(path) = &self.state else {
            return Ok(());
        };
        let mut credentials = Vec::new();
        for passkey in inner.store().values() {
            let cose = Zeroizing::new(
                passkey
                    .key
                    .clone()
                    .to_vec()
                    .map_err(|e| bad_state(path, format!("encoding a key: {e}")))?,
            );
            credentials.push(StoredCredential {
                credential_id: URL_SAFE_NO_PAD.encode(&*passkey.credential_id),
                rp_id: passkey.rp_id.clone(),
                user_handle: passkey
                    .user_handle
                    .as_ref()
                    .map(|u| URL_SAFE_NO_PAD.encode(&**u)),
                counter: passkey.counter.unwrap_or(0),
                cose_key: URL_SAFE_NO_PAD.encode(&*cose),
            });
        }
        credentials.sort_by(|a, b| a.credential_id.cmp(&b.credential_id));
        let state = State {
            kind: STATE_TYPE.into(),
            warning: "a software FIDO2 authenticator for tests: the private keys below are in \
                      the clear, not in hardware"
                .into(),
            pin_sha256: self.pin_sha256.map(hex::encode),
            credentials,
        };
        let json =
            Zeroizing::new(serde_json::to_vec_pretty(&state).map_err(|e| bad_state(path, e))?);
        crate::files::write_atomic(path, &json, 0o600).map_err(|e| Error::io(path, e))
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> Result<T>) -> Result<T> {
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| Error::authenticator("the software authenticator is poisoned", None))?;
        let out = f(&mut guard)?;
        self.save(&guard)?;
        Ok(out)
    }

    /// Check `pin` against the PIN, if one is set and `needed`.
    fn check_pin(&self, pin: Option<&str>, needed: bool) -> Result<()> {
        match (&self.pin_sha256, needed) {
            (Some(expected), true) => match pin {
                None => Err(Error::Fido2PinRequired),
                Some(p) if pin_digest(p) == *expected => Ok(()),
                Some(_) => Err(Error::WrongPin),
            },
            _ => Ok(()),
        }
    }
}

fn ctap(status: impl std::fmt::Debug) -> Error {
    Error::authenticator(format!("{status:?}"), None)
}

impl Ctap2Authenticator for SoftwareAuthenticator {
    fn make_credential(&self, r: &MakeCredential<'_>) -> Result<(Vec<u8>, Vec<u8>)> {
        if r.algorithm != Algorithm::EcdsaP256Sha256 {
            return Err(Error::unsupported(format!(
                "the software authenticator makes ES256 credentials only, not {}",
                r.algorithm
            )));
        }
        self.check_pin(r.pin, true)?;
        let request = make_credential::Request {
            client_data_hash: vec![0; 32].into(),
            rp: make_credential::PublicKeyCredentialRpEntity {
                id: r.rp_id.to_owned(),
                name: None,
            },
            user: PublicKeyCredentialUserEntity {
                id: r.user_id.to_vec().into(),
                display_name: "stellaops signer".into(),
                name: "stellaops signer".into(),
            },
            pub_key_cred_params: vec![PublicKeyCredentialParameters {
                ty: PublicKeyCredentialType::PublicKey,
                alg: iana::Algorithm::ES256,
            }],
            exclude_list: None,
            extensions: None,
            options: make_credential::Options {
                rk: r.resident,
                up: true,
                uv: false,
            },
            pin_auth: None,
            pin_protocol: None,
        };
        self.with(|a| {
            let response = pollster::block_on(a.make_credential(request)).map_err(ctap)?;
            let attested = response
                .auth_data
                .attested_credential_data
                .ok_or_else(|| Error::authenticator("no attested credential data", None))?;
            let spki = public_key_der_from_cose_key(&attested.key).map_err(ctap)?;
            Ok((attested.credential_id().to_vec(), spki.to_vec()))
        })
    }

    fn get_assertion(&self, r: &GetAssertion<'_>) -> Result<(Vec<u8>, Vec<u8>)> {
        self.check_pin(r.pin, r.user_verification)?;
        let request = get_assertion::Request {
            rp_id: r.rp_id.to_owned(),
            client_data_hash: stellaops_crypto::fido2::client_data_hash(r.message)
                .to_vec()
                .into(),
            allow_list: Some(vec![PublicKeyCredentialDescriptor {
                ty: PublicKeyCredentialType::PublicKey,
                id: r.credential_id.to_vec().into(),
                transports: None,
            }]),
            extensions: None,
            options: make_credential::Options {
                rk: false,
                up: true,
                uv: r.user_verification,
            },
            pin_auth: None,
            pin_protocol: None,
        };
        self.with(|a| {
            let response = pollster::block_on(a.get_assertion(request)).map_err(ctap)?;
            Ok((response.auth_data.to_vec(), response.signature.to_vec()))
        })
    }

    fn pin_is_set(&self) -> Result<bool> {
        Ok(self.pin_sha256.is_some())
    }

    fn hardware_backed(&self) -> bool {
        false
    }
}
