//! PKCS#11 keys (HSMs, smart cards, SoftHSM2) through `cryptoki`.
//!
//! - One module context per module path per process, initialised once and never finalised:
//!   some modules crash when initialised twice, and finalising while another key still uses the
//!   module would pull the ground from under it.
//! - Each key keeps a small pool of logged-in sessions, so concurrent signers do not queue on
//!   one session (a PKCS#11 session is single-threaded). `CKR_USER_ALREADY_LOGGED_IN` is not an
//!   error: login state belongs to the token (per process), not the session. Because of that a
//!   second login with a *wrong* PIN also answers "already logged in"; so the library remembers a
//!   digest of the PIN that logged each token in and rejects a key URI whose PIN differs, instead
//!   of letting any PIN through once one was right.
//! - Hashing happens here; the token gets the digest (`CKM_ECDSA`, `CKM_RSA_PKCS_PSS`,
//!   `CKM_RSA_PKCS` over a DigestInfo), so large payloads never cross the PKCS#11 boundary and
//!   tokens without combined hash-and-sign mechanisms work. Ed25519 (`CKM_EDDSA`) signs the
//!   message itself, as EdDSA must.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use stellaops_crypto::hazmat::ecdsa_fixed_to_der;
use stellaops_crypto::{Algorithm, SigningKey, VerifyingKey};

use crate::public::{self, Curve};
use crate::uri::Pkcs11Uri;
use crate::{Error, Result};

/// The environment variable naming the PKCS#11 module when the URI has no `module-path`.
pub const MODULE_ENV: &str = "STELLAOPS_PKCS11_MODULE";

/// Sessions kept open per key once their signing is done.
const IDLE_SESSIONS: usize = 16;

/// DER of `DigestInfo { sha256, NULL }` up to the digest (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A private key on a PKCS#11 token.
pub struct Pkcs11Key {
    module: Pkcs11,
    token_key: TokenKey,
    slot: Slot,
    key: ObjectHandle,
    pin: Option<AuthPin>,
    algorithm: Algorithm,
    public: VerifyingKey,
    pool: Mutex<Vec<Session>>,
    describe: String,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Key")
            .field("key", &self.describe)
            .field("algorithm", &self.algorithm)
            .field("key_id", self.public.key_id())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Key {
    /// Open the key a `pkcs11:` URI names: load (or reuse) the module, find the token, log in,
    /// find the private key and read its public half from the token.
    ///
    /// # Errors
    /// [`Error::Configuration`] without a module path, [`Error::TokenAbsent`],
    /// [`Error::WrongPin`], [`Error::PinRequired`], [`Error::KeyNotFound`],
    /// [`Error::AmbiguousKey`], [`Error::MechanismUnsupported`], [`Error::Pkcs11`] for the rest.
    pub fn open(uri: &Pkcs11Uri) -> Result<Self> {
        let module_path = match &uri.module_path {
            Some(p) => p.clone(),
            None => std::env::var_os(MODULE_ENV)
                .map(PathBuf::from)
                .ok_or_else(|| Error::Configuration {
                    backend: "pkcs11",
                    message: format!("no module-path in the uri and {MODULE_ENV} is not set"),
                })?,
        };
        let module = module(&module_path)?;
        let slot = find_slot(&module, uri)?;
        let pin = read_pin(uri)?;
        let token = module.get_token_info(slot).map_err(ck)?;
        if pin.is_none() && token.login_required() {
            return Err(Error::PinRequired);
        }
        let describe = uri.describe();
        let session = module.open_ro_session(slot).map_err(ck)?;
        let token_key = (module_path.clone(), slot.id());
        login(&session, pin.as_ref(), &token_key)?;

        let key = find_one(&session, ObjectClass::PRIVATE_KEY, uri, &describe)?;
        let key_type = match session
            .get_attributes(key, &[AttributeType::KeyType])
            .map_err(ck)?
            .as_slice()
        {
            [Attribute::KeyType(t)] => *t,
            _ => return Err(Error::pkcs11(format!("{describe}: no key type"))),
        };
        let public = read_public(&session, key, key_type, uri, &describe)?;
        let (algorithm, public) = public::pin_algorithm(public, uri.algorithm)?;
        let needed = mechanism_type(algorithm)?;
        let offered = module.get_mechanism_list(slot).map_err(ck)?;
        if !offered.contains(&needed) {
            return Err(Error::unsupported(format!(
                "the token has no {needed} for {algorithm}"
            )));
        }
        Ok(Pkcs11Key {
            module,
            token_key,
            slot,
            key,
            pin,
            algorithm,
            public,
            pool: Mutex::new(vec![session]),
            describe,
        })
    }

    fn session(&self) -> Result<Session> {
        let idle = self
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(s) => Ok(s),
            None => {
                let s = self.module.open_ro_session(self.slot).map_err(ck)?;
                // Closing a token's last session logs it out, so a new session may need a login.
                login(&s, self.pin.as_ref(), &self.token_key)?;
                Ok(s)
            }
        }
    }

    fn give_back(&self, session: Session) {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < IDLE_SESSIONS {
            pool.push(session);
        }
    }

    fn sign_with_token(&self, message: &[u8]) -> Result<Vec<u8>> {
        let session = self.session()?;
        let result = sign(&session, self.key, self.algorithm, message);
        // A session that failed may be in an undefined state (an operation left active): drop it.
        if result.is_ok() {
            self.give_back(session);
        }
        result
    }
}

impl SigningKey for Pkcs11Key {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &VerifyingKey {
        &self.public
    }

    fn try_sign(&self, message: &[u8]) -> stellaops_crypto::Result<Vec<u8>> {
        self.sign_with_token(message)
            .map_err(|e| e.into_backend("pkcs11"))
    }
}

fn sign(
    session: &Session,
    key: ObjectHandle,
    algorithm: Algorithm,
    message: &[u8],
) -> Result<Vec<u8>> {
    let digest = algorithm.hash().map(|h| h.digest(message));
    let signature = match (algorithm, digest) {
        (Algorithm::Ed25519, _) => session.sign(
            &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
            key,
            message,
        ),
        (Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384, Some(d)) => {
            let fixed = session.sign(&Mechanism::Ecdsa, key, &d).map_err(ck)?;
            return Ok(ecdsa_fixed_to_der(algorithm, &fixed)?);
        }
        (Algorithm::RsaPssSha256, Some(d)) => session.sign(
            &Mechanism::RsaPkcsPss(PkcsPssParams {
                hash_alg: MechanismType::SHA256,
                mgf: PkcsMgfType::MGF1_SHA256,
                s_len: (d.len() as u64).into(),
            }),
            key,
            &d,
        ),
        (Algorithm::RsaPkcs1Sha256, Some(d)) => {
            let mut info = SHA256_DIGEST_INFO.to_vec();
            info.extend_from_slice(&d);
            session.sign(&Mechanism::RsaPkcs, key, &info)
        }
        (other, _) => return Err(Error::unsupported(other.to_string())),
    };
    signature.map_err(ck)
}

fn mechanism_type(algorithm: Algorithm) -> Result<MechanismType> {
    match algorithm {
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => Ok(MechanismType::ECDSA),
        Algorithm::Ed25519 => Ok(MechanismType::EDDSA),
        Algorithm::RsaPssSha256 => Ok(MechanismType::RSA_PKCS_PSS),
        Algorithm::RsaPkcs1Sha256 => Ok(MechanismType::RSA_PKCS),
        other => Err(Error::unsupported(other.to_string())),
    }
}

/// The process-wide context for `path`, loading and initialising the module on first use.
fn module(path: &Path) -> Result<Pkcs11> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(m) = modules.get(path) {
        return Ok(m.clone());
    }
    let module = Pkcs11::new(path).map_err(|e| Error::Configuration {
        backend: "pkcs11",
        message: format!("cannot load module {}: {e}", path.display()),
    })?;
    match module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(ck(e)),
    }
    modules.insert(path.to_owned(), module.clone());
    Ok(module)
}

fn find_slot(module: &Pkcs11, uri: &Pkcs11Uri) -> Result<Slot> {
    let mut found = Vec::new();
    for slot in module.get_slots_with_token().map_err(ck)? {
        if uri.slot_id.is_some_and(|id| id != slot.id()) {
            continue;
        }
        let info = module.get_token_info(slot).map_err(ck)?;
        let fits = |want: &Option<String>, have: &str| {
            want.as_deref().is_none_or(|w| w == have.trim_end())
        };
        if fits(&uri.token, info.label())
            && fits(&uri.manufacturer, info.manufacturer_id())
            && fits(&uri.serial, info.serial_number())
            && fits(&uri.model, info.model())
        {
            found.push(slot);
        }
    }
    let tokens = token_description(uri);
    match found.as_slice() {
        [slot] => Ok(*slot),
        [] => Err(Error::token_absent(tokens)),
        _ => Err(Error::AmbiguousKey(format!(
            "{tokens} (several tokens; add token=LABEL)"
        ))),
    }
}

fn token_description(uri: &Pkcs11Uri) -> String {
    match (&uri.token, uri.slot_id) {
        (Some(t), _) => format!("token={t}"),
        (None, Some(s)) => format!("slot-id={s}"),
        (None, None) => "any token".to_owned(),
    }
}

fn read_pin(uri: &Pkcs11Uri) -> Result<Option<AuthPin>> {
    if let Some(v) = &uri.pin_value {
        return Ok(Some(AuthPin::from(v.as_str())));
    }
    let Some(path) = &uri.pin_source else {
        return Ok(None);
    };
    let text = crate::files::read_pin_file(path)?;
    Ok(Some(AuthPin::from(text.as_str())))
}

/// A token in this process: the module path and the slot id.
type TokenKey = (PathBuf, u64);

/// Log the session's token in with `pin`. "Already logged in" is fine when this library logged the
/// token in with the same PIN; a different PIN is [`Error::WrongPin`], and a token some other code
/// in the process logged in cannot have its PIN checked, so it is refused too.
fn login(session: &Session, pin: Option<&AuthPin>, token: &TokenKey) -> Result<()> {
    use secrecy::ExposeSecret;
    use sha2::Digest;
    static LOGINS: OnceLock<Mutex<HashMap<TokenKey, [u8; 32]>>> = OnceLock::new();
    let Some(pin) = pin else { return Ok(()) };
    let digest: [u8; 32] = sha2::Sha256::digest(pin.expose_secret().as_bytes()).into();
    let mut logins = LOGINS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match session.login(UserType::User, Some(pin)) {
        Ok(()) => {
            logins.insert(token.clone(), digest);
            Ok(())
        }
        Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => match logins.get(token) {
            Some(known) if bool::from(subtle::ConstantTimeEq::ct_eq(&known[..], &digest[..])) => Ok(()),
            Some(_) => Err(Error::WrongPin),
            None => Err(Error::pkcs11(
                "the token is already logged in by other code in this process; its pin cannot be checked",
            )),
        },
        Err(e) => Err(ck(e)),
    }
}

fn template(class: ObjectClass, uri: &Pkcs11Uri) -> Vec<Attribute> {
    let mut t = vec![Attribute::Class(class)];
    if let Some(label) = &uri.object {
        t.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        t.push(Attribute::Id(id.clone()));
    }
    t
}

fn find_one(
    session: &Session,
    class: ObjectClass,
    uri: &Pkcs11Uri,
    describe: &str,
) -> Result<ObjectHandle> {
    let found = session.find_objects(&template(class, uri)).map_err(ck)?;
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::KeyNotFound(describe.to_owned())),
        _ => Err(Error::AmbiguousKey(describe.to_owned())),
    }
}

/// The public key: RSA private keys carry modulus and exponent; EC and EdDSA keys need the
/// matching public-key object for `CKA_EC_POINT`.
fn read_public(
    session: &Session,
    private: ObjectHandle,
    key_type: KeyType,
    uri: &Pkcs11Uri,
    describe: &str,
) -> Result<VerifyingKey> {
    if key_type == KeyType::RSA {
        let attrs = session
            .get_attributes(
                private,
                &[AttributeType::Modulus, AttributeType::PublicExponent],
            )
            .map_err(ck)?;
        return match attrs.as_slice() {
            [Attribute::Modulus(n), Attribute::PublicExponent(e)] => public::from_rsa_parts(n, e),
            _ => Err(Error::pkcs11(format!(
                "{describe}: rsa key without modulus"
            ))),
        };
    }
    if key_type != KeyType::EC && key_type != KeyType::EC_EDWARDS {
        return Err(Error::Key(stellaops_crypto::Error::UnsupportedKey(
            "pkcs#11 key type (only RSA, EC and EC_EDWARDS)",
        )));
    }
    let public =
        find_one(session, ObjectClass::PUBLIC_KEY, uri, describe).map_err(|e| match e {
            Error::KeyNotFound(d) => Error::KeyNotFound(format!("the public key of {d}")),
            other => other,
        })?;
    let attrs = session
        .get_attributes(public, &[AttributeType::EcParams, AttributeType::EcPoint])
        .map_err(ck)?;
    match attrs.as_slice() {
        [Attribute::EcParams(params), Attribute::EcPoint(point)] => {
            let curve = Curve::from_ec_params(params)?;
            if (curve == Curve::Ed25519) != (key_type == KeyType::EC_EDWARDS) {
                return Err(Error::pkcs11(format!(
                    "{describe}: key type and curve disagree"
                )));
            }
            public::from_ec_point(curve, point)
        }
        _ => Err(Error::pkcs11(format!(
            "{describe}: public key without ec point"
        ))),
    }
}

/// Map cryptoki's errors onto the typed variants callers act on; the rest keep cryptoki's error
/// as their source.
fn ck(e: CkError) -> Error {
    let failed = |context: &str, e: CkError| Error::Pkcs11 {
        context: context.to_owned(),
        source: Some(stellaops_crypto::Cause::new(e)),
    };
    let rv = match &e {
        CkError::Pkcs11(rv, _) => *rv,
        _ => return failed("cryptoki", e),
    };
    match rv {
        RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange => Error::WrongPin,
        RvError::PinLocked | RvError::PinExpired => failed("the pin is unusable", e),
        RvError::TokenNotPresent | RvError::TokenNotRecognized | RvError::DeviceRemoved => {
            Error::TokenAbsent {
                context: String::from("the uri's token attributes"),
                source: Some(stellaops_crypto::Cause::new(e)),
            }
        }
        RvError::MechanismInvalid
        | RvError::MechanismParamInvalid
        | RvError::KeyTypeInconsistent => Error::MechanismUnsupported {
            context: String::from("the token cannot sign with this key and algorithm"),
            source: Some(stellaops_crypto::Cause::new(e)),
        },
        RvError::UserNotLoggedIn => Error::PinRequired,
        _ => failed("the module refused", e),
    }
}
