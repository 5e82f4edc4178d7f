//! FIDO2 security keys as signing keys (docs/fido2-signature.md).
//!
//! A [`Fido2Key`] asks a CTAP2 authenticator for an assertion over `SHA-256(message)` and
//! returns it in the `stellaops.fido2/v1` encoding; its public key is bound to the relying party,
//! so it verifies exactly those assertions. The authenticator sits behind
//! [`Ctap2Authenticator`], so a USB device and the in-process software authenticator the tests
//! use take the same path.

use std::fmt;
use std::sync::Arc;

use stellaops_crypto::fido2::{client_data_hash, Fido2Credential, Fido2Signature, COSE_ES256};
use stellaops_crypto::{Algorithm, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// The two CTAP2 operations signing needs, whatever the transport (USB HID, NFC, a software
/// authenticator). Credentials are ES256.
pub trait Ctap2Authenticator: Send + Sync + fmt::Debug {
    /// `authenticatorMakeCredential` for `rp_id` (resident when `resident`): the credential id
    /// and the credential's public key (SubjectPublicKeyInfo DER).
    ///
    /// # Errors
    /// [`Error::Authenticator`] with the CTAP2 status when the authenticator refuses.
    fn make_credential(
        &self,
        rp_id: &str,
        user_id: &[u8],
        resident: bool,
        pin: Option<&str>,
    ) -> Result<(Vec<u8>, Vec<u8>)>;

    /// `authenticatorGetAssertion` for `credential_id` over `client_data_hash`, with user
    /// presence (and user verification when `user_verification`): the authenticator data and
    /// the signature.
    ///
    /// # Errors
    /// [`Error::Authenticator`] with the CTAP2 status when the authenticator refuses.
    fn get_assertion(
        &self,
        rp_id: &str,
        client_data_hash: &[u8; 32],
        credential_id: &[u8],
        user_verification: bool,
        pin: Option<&str>,
    ) -> Result<(Vec<u8>, Vec<u8>)>;
}

/// Make a credential on `device` for `rp_id` and return its file (no secret in it).
///
/// # Errors
/// The authenticator's refusal; a public key that is not P-256.
pub fn register(
    device: &dyn Ctap2Authenticator,
    rp_id: &str,
    resident: bool,
    pin: Option<&str>,
) -> Result<Fido2Credential> {
    if rp_id.is_empty() {
        return Err(Error::Authenticator("the relying-party id is empty".into()));
    }
    // The user handle only matters for resident credentials; a random one keeps two
    // registrations for the same rp id apart.
    let mut user_id = [0u8; 16];
    getrandom_fill(&mut user_id)?;
    let (credential_id, spki) = device.make_credential(rp_id, &user_id, resident, pin)?;
    let public = VerifyingKey::from_spki_der(&spki)?;
    Ok(Fido2Credential::new(
        rp_id,
        &credential_id,
        resident,
        &public,
    )?)
}

fn getrandom_fill(buf: &mut [u8]) -> Result<()> {
    use rand_core::RngCore as _;
    rand_core::OsRng
        .try_fill_bytes(buf)
        .map_err(|e| Error::Authenticator(format!("random user handle: {e}")))
}

/// A FIDO2 credential on an authenticator, as a [`SigningKey`]: each signature is one
/// `authenticatorGetAssertion` (one touch of the key).
pub struct Fido2Key {
    credential: Fido2Credential,
    credential_id: Vec<u8>,
    public: VerifyingKey,
    device: Arc<dyn Ctap2Authenticator>,
    user_verification: bool,
    pin: Option<Zeroizing<String>>,
}

impl fmt::Debug for Fido2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fido2Key")
            .field("rp_id", &self.credential.rp_id)
            .field("key_id", self.public.key_id())
            .field("device", &self.device)
            .field("user_verification", &self.user_verification)
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
        pin: Option<Zeroizing<String>>,
    ) -> Result<Self> {
        let public = credential.verifying_key(user_verification)?;
        if public.algorithm() != Algorithm::EcdsaP256Sha256 {
            return Err(Error::Authenticator(
                "only ES256 credentials can sign here (the authenticator interface is ES256)"
                    .into(),
            ));
        }
        let credential_id = credential
            .credential_id_bytes()
            .ok_or_else(|| Error::Authenticator("credential_id is not base64url".into()))?;
        Ok(Fido2Key {
            credential,
            credential_id,
            public,
            device,
            user_verification,
            pin,
        })
    }

    /// The credential file.
    pub fn credential(&self) -> &Fido2Credential {
        &self.credential
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
        let (auth_data, sig) = self
            .device
            .get_assertion(
                &self.credential.rp_id,
                &client_data_hash(message),
                &self.credential_id,
                self.user_verification,
                self.pin.as_deref().map(String::as_str),
            )
            .map_err(|e| e.into_backend("fido2"))?;
        let encoded = Fido2Signature {
            alg: COSE_ES256,
            sig,
            auth_data,
        }
        .encode();
        // An authenticator that signed with another credential, for another rp id or without
        // presence is caught here rather than by whoever verifies the envelope.
        self.public.verify(message, &encoded).map_err(|_| {
            Error::Authenticator(
                "the assertion does not verify for this credential (another credential, rp id, \
                 or no user presence)"
                    .into(),
            )
            .into_backend("fido2")
        })?;
        Ok(encoded)
    }
}
