//! FIDO2 security keys as signing keys (docs/fido2-signature.md).
//!
//! A [`Fido2Key`] asks a CTAP2 authenticator for an assertion whose `clientDataHash` is
//! `SHA-256(message)` and returns it in the `stellaops.fido2/v1` encoding; its public key is
//! bound to the relying party, so it verifies exactly those assertions. The authenticator sits
//! behind [`Ctap2Authenticator`]: a USB HID device (feature `fido2-hid`) and the in-process
//! software authenticator (feature `fido2-software`) take the same path — credential file, PIN
//! source, signature encoding and the self-check of every assertion — and differ only in how the
//! CTAP2 commands reach the authenticator.
//!
//! The `fido2:` key URI names a credential file and the device holding it:
//! `fido2:CREDENTIAL.json[?device=hid|hid:PATH|software:STATE][&uv=true][&pin-source=FILE]`
//! (see [`crate::Fido2Uri`]).

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use stellaops_crypto::fido2::{Fido2Credential, Fido2Signature, COSE_EDDSA, COSE_ES256};
use stellaops_crypto::{Algorithm, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::{Error, Fido2Device, PinPrompt, Result};

/// The environment variable a FIDO2 PIN may come from (never a command-line argument).
pub const PIN_ENV: &str = "STELLAOPS_FIDO2_PIN";

/// An `authenticatorMakeCredential` request.
#[derive(Debug, Clone, Copy)]
pub struct MakeCredential<'a> {
    /// The relying-party id the credential is bound to.
    pub rp_id: &'a str,
    /// The user handle (kept by the authenticator for resident credentials).
    pub user_id: &'a [u8],
    /// [`Algorithm::EcdsaP256Sha256`] (COSE ES256) or [`Algorithm::Ed25519`] (COSE EdDSA).
    pub algorithm: Algorithm,
    /// A resident (discoverable) credential.
    pub resident: bool,
    /// The authenticator's PIN, when it has one.
    pub pin: Option<&'a str>,
}

/// An `authenticatorGetAssertion` request.
#[derive(Debug, Clone, Copy)]
pub struct GetAssertion<'a> {
    /// The relying-party id.
    pub rp_id: &'a str,
    /// What is signed: the authenticator signs `authenticatorData || SHA-256(message)`, i.e.
    /// `message` plays the part of WebAuthn's client data.
    pub message: &'a [u8],
    /// The credential to sign with.
    pub credential_id: &'a [u8],
    /// Ask for user verification (PIN or built-in) as well as presence.
    pub user_verification: bool,
    /// The authenticator's PIN, when verification needs it.
    pub pin: Option<&'a str>,
}

/// The CTAP2 operations signing needs, whatever the transport (USB HID, a software
/// authenticator).
pub trait Ctap2Authenticator: Send + Sync + fmt::Debug {
    /// `authenticatorMakeCredential`: the credential id and the credential's public key
    /// (SubjectPublicKeyInfo DER).
    ///
    /// # Errors
    /// [`Error::Authenticator`] with the CTAP2 status when the authenticator refuses;
    /// [`Error::WrongPin`].
    fn make_credential(&self, request: &MakeCredential<'_>) -> Result<(Vec<u8>, Vec<u8>)>;

    /// `authenticatorGetAssertion`: the authenticator data and the signature.
    ///
    /// # Errors
    /// [`Error::Authenticator`] with the CTAP2 status when the authenticator refuses;
    /// [`Error::WrongPin`].
    fn get_assertion(&self, request: &GetAssertion<'_>) -> Result<(Vec<u8>, Vec<u8>)>;

    /// Whether the authenticator has a PIN set (`clientPin` in `authenticatorGetInfo`).
    ///
    /// # Errors
    /// The device cannot be reached.
    fn pin_is_set(&self) -> Result<bool>;

    /// Whether the credentials' private keys live in hardware. The software authenticator says
    /// no, so callers can warn.
    fn hardware_backed(&self) -> bool;
}

/// Where a PIN comes from when the authenticator needs one. Never a command-line argument:
/// argv is visible to every user of the machine.
#[derive(Clone, Default)]
pub enum PinSource {
    /// No PIN: operations that need one fail with [`Error::Fido2PinRequired`].
    #[default]
    None,
    /// A file holding the PIN (trailing newline ignored), e.g. a mounted secret.
    File(PathBuf),
    /// The [`PIN_ENV`] environment variable, read when the PIN is needed.
    Environment,
    /// Ask (e.g. on the terminal); the argument says what for.
    Prompt(PinPrompt),
}

impl fmt::Debug for PinSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinSource::None => f.write_str("None"),
            PinSource::File(p) => write!(f, "File({})", p.display()),
            PinSource::Environment => write!(f, "Environment({PIN_ENV})"),
            PinSource::Prompt(_) => f.write_str("Prompt"),
        }
    }
}

impl PinSource {
    /// The usual order: a PIN file if one is named, else [`PIN_ENV`] if it is set, else the
    /// prompt if there is one.
    pub fn choose(file: Option<PathBuf>, prompt: Option<PinPrompt>) -> Self {
        if let Some(f) = file {
            PinSource::File(f)
        } else if std::env::var_os(PIN_ENV).is_some() {
            PinSource::Environment
        } else if let Some(p) = prompt {
            PinSource::Prompt(p)
        } else {
            PinSource::None
        }
    }

    /// Read the PIN; `purpose` is shown by a prompt.
    ///
    /// # Errors
    /// [`Error::Fido2PinRequired`] with no source or an empty PIN; [`Error::Io`] for an
    /// unreadable file or a failed prompt.
    pub fn read(&self, purpose: &str) -> Result<Zeroizing<String>> {
        let pin = match self {
            PinSource::None => return Err(Error::Fido2PinRequired),
            PinSource::File(path) => crate::files::read_pin_file(path)?,
            PinSource::Environment => match std::env::var(PIN_ENV) {
                Ok(v) => Zeroizing::new(v),
                Err(_) => return Err(Error::Fido2PinRequired),
            },
            PinSource::Prompt(ask) => {
                ask(purpose).map_err(|e| Error::io(std::path::Path::new("pin prompt"), e))?
            }
        };
        if pin.is_empty() {
            return Err(Error::Fido2PinRequired);
        }
        Ok(pin)
    }
}

/// Make a credential on `device` for `rp_id` and return its file (no secret in it). The PIN is
/// read from `pin` only if the authenticator has one set.
///
/// # Errors
/// The authenticator's refusal; [`Error::Fido2PinRequired`]; an algorithm other than ES256 or
/// EdDSA; a public key that does not match the algorithm asked for.
pub fn register(
    device: &dyn Ctap2Authenticator,
    rp_id: &str,
    algorithm: Algorithm,
    resident: bool,
    pin: &PinSource,
) -> Result<Fido2Credential> {
    if rp_id.is_empty() {
        return Err(Error::authenticator("the relying-party id is empty", None));
    }
    cose_algorithm(algorithm)?;
    let pin = if device.pin_is_set()? {
        Some(pin.read(&format!("PIN to register a credential for {rp_id}"))?)
    } else {
        None
    };
    // The user handle only matters for resident credentials; a random one keeps two
    // registrations for the same rp id apart.
    let mut user_id = [0u8; 16];
    random_fill(&mut user_id)?;
    let (credential_id, spki) = device.make_credential(&MakeCredential {
        rp_id,
        user_id: &user_id,
        algorithm,
        resident,
        pin: pin.as_deref().map(String::as_str),
    })?;
    let public = VerifyingKey::from_spki_der(&spki)?;
    if public.algorithm() != algorithm {
        return Err(Error::authenticator(
            format!(
                "asked for a {algorithm} credential, the authenticator made a {} one",
                public.algorithm()
            ),
            None,
        ));
    }
    Ok(Fido2Credential::new(
        rp_id,
        &credential_id,
        resident,
        &public,
    )?)
}

/// The COSE algorithm number of a FIDO2 signature algorithm.
fn cose_algorithm(algorithm: Algorithm) -> Result<i64> {
    match algorithm {
        Algorithm::EcdsaP256Sha256 => Ok(COSE_ES256),
        Algorithm::Ed25519 => Ok(COSE_EDDSA),
        other => Err(Error::unsupported(format!(
            "fido2 credentials are ES256 or EdDSA, not {other}"
        ))),
    }
}

fn random_fill(buf: &mut [u8]) -> Result<()> {
    use rand_core::RngCore as _;
    rand_core::OsRng.try_fill_bytes(buf).map_err(|e| {
        Error::authenticator("random user handle", Some(stellaops_crypto::Cause::new(e)))
    })
}

/// A FIDO2 credential on an authenticator, as a [`SigningKey`]: each signature is one
/// `authenticatorGetAssertion` (one touch of the key).
pub struct Fido2Key {
    credential: Fido2Credential,
    credential_id: Vec<u8>,
    alg: i64,
    public: VerifyingKey,
    device: Arc<dyn Ctap2Authenticator>,
    user_verification: bool,
    pin_source: PinSource,
    /// What the PIN question came to, once asked: `Some(None)` when the authenticator needs no
    /// PIN, `Some(Some(pin))` once read. Kept so a multi-signature run asks the person (and the
    /// device) once.
    pin: Mutex<Option<Option<Zeroizing<String>>>>,
}

impl fmt::Debug for Fido2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fido2Key")
            .field("rp_id", &self.credential.rp_id)
            .field("key_id", self.public.key_id())
            .field("device", &self.device)
            .field("user_verification", &self.user_verification)
            .field("pin_source", &self.pin_source)
            .finish_non_exhaustive()
    }
}

impl Fido2Key {
    /// The credential in `credential` on `device`. With `user_verification` every signature
    /// needs the PIN (or built-in verification) too, and the verifying key requires the UV flag.
    ///
    /// # Errors
    /// A credential file whose key or id cannot be used.
    pub fn new(
        credential: Fido2Credential,
        device: Arc<dyn Ctap2Authenticator>,
        user_verification: bool,
        pin_source: PinSource,
    ) -> Result<Self> {
        let public = credential.verifying_key(user_verification)?;
        let alg = cose_algorithm(public.algorithm())?;
        let credential_id = credential
            .credential_id_bytes()
            .ok_or_else(|| Error::authenticator("credential_id is not base64url", None))?;
        Ok(Fido2Key {
            credential,
            credential_id,
            alg,
            public,
            device,
            user_verification,
            pin_source,
            pin: Mutex::new(None),
        })
    }

    /// The credential file.
    pub fn credential(&self) -> &Fido2Credential {
        &self.credential
    }

    /// Whether the credential's private key lives in hardware.
    pub fn hardware_backed(&self) -> bool {
        self.device.hardware_backed()
    }

    /// The PIN for this signature, if the authenticator needs one: user verification was asked
    /// for and the authenticator has a PIN (presence alone needs none).
    fn pin(&self) -> Result<Option<Zeroizing<String>>> {
        if !self.user_verification {
            return Ok(None);
        }
        let mut cached = self.pin.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = &*cached {
            return Ok(known.clone());
        }
        let pin = if self.device.pin_is_set()? {
            Some(self.pin_source.read(&format!(
                "PIN of the FIDO2 key for {} (key id {})",
                self.credential.rp_id,
                self.public.key_id()
            ))?)
        } else {
            None
        };
        *cached = Some(pin.clone());
        Ok(pin)
    }

    fn assert(&self, message: &[u8]) -> Result<Vec<u8>> {
        let pin = self.pin()?;
        let result = self.device.get_assertion(&GetAssertion {
            rp_id: &self.credential.rp_id,
            message,
            credential_id: &self.credential_id,
            user_verification: self.user_verification,
            pin: pin.as_deref().map(String::as_str),
        });
        if matches!(result, Err(Error::WrongPin)) {
            // Ask again next time rather than repeat a wrong PIN (authenticators lock after a
            // few).
            *self.pin.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        let (auth_data, sig) = result?;
        let encoded = Fido2Signature {
            alg: self.alg,
            sig,
            auth_data,
        }
        .encode();
        // An authenticator that signed with another credential, for another rp id or without
        // presence is caught here rather than by whoever verifies the envelope.
        self.public.verify(message, &encoded).map_err(|_| {
            Error::authenticator(
                "the assertion does not verify for this credential (another credential, rp id, \
                 or no user presence)",
                None,
            )
        })?;
        Ok(encoded)
    }
}

impl SigningKey for Fido2Key {
    fn algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    fn public_key(&self) -> &VerifyingKey {
        &self.public
    }

    fn try_sign(&self, message: &[u8]) -> stellaops_crypto::Result<Vec<u8>> {
        self.assert(message).map_err(|e| e.into_backend("fido2"))
    }
}

/// Open the authenticator a `fido2:` URI's `device` attribute names.
///
/// # Errors
/// [`Error::BackendNotAvailable`] when the transport is not compiled in; the transport's own
/// errors (unreadable state file).
pub fn open_device(device: &Fido2Device) -> Result<Arc<dyn Ctap2Authenticator>> {
    match device {
        #[cfg(feature = "fido2-hid")]
        Fido2Device::Hid => Ok(Arc::new(crate::fido2_hid::HidAuthenticator::new(None))),
        #[cfg(feature = "fido2-hid")]
        Fido2Device::HidPath(p) => Ok(Arc::new(crate::fido2_hid::HidAuthenticator::new(Some(
            p.clone(),
        )))),
        #[cfg(feature = "fido2-software")]
        Fido2Device::Software(state) => Ok(Arc::new(
            crate::fido2_software::SoftwareAuthenticator::open(state)?,
        )),
        #[allow(unreachable_patterns)]
        other => Err(Error::BackendNotAvailable(match other {
            Fido2Device::Software(_) => "fido2 software authenticator (feature fido2-software)",
            _ => "fido2 hid (feature fido2-hid)",
        })),
    }
}

/// Open the FIDO2 key a `fido2:` URI names: read its credential file, open its device.
///
/// # Errors
/// As [`open_device`], an unreadable or invalid credential file, [`Fido2Key::new`].
pub fn open(uri: &crate::Fido2Uri, prompt: Option<PinPrompt>) -> Result<Fido2Key> {
    let bytes = std::fs::read(&uri.credential).map_err(|e| Error::io(&uri.credential, e))?;
    let credential = Fido2Credential::from_json(&bytes)?;
    let device = open_device(&uri.device)?;
    Fido2Key::new(
        credential,
        device,
        uri.user_verification,
        PinSource::choose(uri.pin_source.clone(), prompt),
    )
}
