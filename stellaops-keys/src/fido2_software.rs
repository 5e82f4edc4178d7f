//! A software CTAP2 authenticator in process: 1Password's `passkey-authenticator` with its
//! credentials in memory. For tests and demonstrations — driven through the same
//! [`Ctap2Authenticator`] interface as a device — and never hardware-backed: its keys live in
//! this process's memory.

use std::sync::Mutex;

use coset::iana;
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

use crate::fido2::Ctap2Authenticator;
use crate::{Error, Result};

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

/// An in-memory CTAP2 authenticator (ES256 credentials, signature counters on).
pub struct SoftwareAuthenticator {
    inner: Mutex<Authenticator<MemoryStore, AlwaysThere>>,
}

impl std::fmt::Debug for SoftwareAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SoftwareAuthenticator")
    }
}

impl Default for SoftwareAuthenticator {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftwareAuthenticator {
    /// A fresh authenticator with no credentials.
    pub fn new() -> Self {
        let mut authenticator =
            Authenticator::new(Aaguid::new_empty(), MemoryStore::new(), AlwaysThere);
        authenticator.set_make_credentials_with_signature_counter(true);
        SoftwareAuthenticator {
            inner: Mutex::new(authenticator),
        }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Authenticator<MemoryStore, AlwaysThere>) -> T,
    ) -> Result<T> {
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| Error::Authenticator("the software authenticator is poisoned".into()))?;
        Ok(f(&mut guard))
    }
}

fn ctap(status: impl std::fmt::Debug) -> Error {
    Error::Authenticator(format!("{status:?}"))
}

impl Ctap2Authenticator for SoftwareAuthenticator {
    fn make_credential(
        &self,
        rp_id: &str,
        user_id: &[u8],
        resident: bool,
        _pin: Option<&str>,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        let request = make_credential::Request {
            client_data_hash: vec![0; 32].into(),
            rp: make_credential::PublicKeyCredentialRpEntity {
                id: rp_id.to_owned(),
                name: None,
            },
            user: PublicKeyCredentialUserEntity {
                id: user_id.to_vec().into(),
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
                rk: resident,
                up: true,
                uv: false,
            },
            pin_auth: None,
            pin_protocol: None,
        };
        let response = self
            .with(|a| pollster::block_on(a.make_credential(request)))?
            .map_err(ctap)?;
        let attested = response
            .auth_data
            .attested_credential_data
            .ok_or_else(|| Error::Authenticator("no attested credential data".into()))?;
        let spki = public_key_der_from_cose_key(&attested.key).map_err(ctap)?;
        Ok((attested.credential_id().to_vec(), spki.to_vec()))
    }

    fn get_assertion(
        &self,
        rp_id: &str,
        client_data_hash: &[u8; 32],
        credential_id: &[u8],
        user_verification: bool,
        _pin: Option<&str>,
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        let request = get_assertion::Request {
            rp_id: rp_id.to_owned(),
            client_data_hash: client_data_hash.to_vec().into(),
            allow_list: Some(vec![PublicKeyCredentialDescriptor {
                ty: PublicKeyCredentialType::PublicKey,
                id: credential_id.to_vec().into(),
                transports: None,
            }]),
            extensions: None,
            options: make_credential::Options {
                rk: false,
                up: true,
                uv: user_verification,
            },
            pin_auth: None,
            pin_protocol: None,
        };
        let response = self
            .with(|a| pollster::block_on(a.get_assertion(request)))?
            .map_err(ctap)?;
        Ok((response.auth_data.to_vec(), response.signature.to_vec()))
    }
}
