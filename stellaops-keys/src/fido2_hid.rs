//! FIDO2 security keys over USB HID, through the `ctap-hid-fido2` crate (CTAPHID framing, CTAP2
//! CBOR commands, the clientPIN protocol). Feature `fido2-hid`; on Linux it builds hidapi's
//! hidraw backend, which needs libudev's headers (`libudev-dev`), and opening a device needs
//! read/write access to its `/dev/hidraw*` node (the usual udev rule for security keys).
//!
//! The device is opened for each operation and closed after it, so a key unplugged between two
//! signatures gives a clear error instead of a dead handle.

use ctap_hid_fido2::fidokey::get_assertion::get_assertion_params::GetAssertionArgsBuilder;
use ctap_hid_fido2::fidokey::make_credential::make_credential_params::{
    CredentialSupportedKeyType, MakeCredentialArgsBuilder,
};
use ctap_hid_fido2::public_key::PublicKeyType;
use ctap_hid_fido2::public_key_credential_user_entity::PublicKeyCredentialUserEntity;
use ctap_hid_fido2::{FidoKeyHid, FidoKeyHidFactory, HidParam, LibCfg};
use p256::pkcs8::EncodePublicKey as _;
use stellaops_crypto::Algorithm;

use crate::fido2::{Ctap2Authenticator, GetAssertion, MakeCredential};
use crate::{Error, Result};

/// A FIDO2 authenticator on USB HID: the only one connected, or the one at a hidraw path.
#[derive(Debug, Clone)]
pub struct HidAuthenticator {
    path: Option<String>,
}

fn hid_error(what: &str, e: impl std::fmt::Display) -> Error {
    let text = e.to_string();
    // The crate reports CTAP2 statuses as text; the PIN ones get our typed errors.
    if text.contains("PIN_INVALID") || text.contains("CTAP2_ERR_PIN_INVALID") {
        return Error::WrongPin;
    }
    if text.contains("PIN_REQUIRED") || text.contains("PUAT_REQUIRED") {
        return Error::Fido2PinRequired;
    }
    Error::authenticator(format!("{what}: {text}"), None)
}

impl HidAuthenticator {
    /// The device at `path` (a hidraw node such as `/dev/hidraw3`), or the only FIDO device
    /// connected when `path` is `None`.
    pub fn new(path: Option<String>) -> Self {
        HidAuthenticator { path }
    }

    fn device(&self) -> Result<FidoKeyHid> {
        // "Touch the key" goes to stderr: stdout may be carrying an envelope.
        let cfg = LibCfg::init().with_keep_alive_msg_to_stderr(true);
        let opened = match &self.path {
            None => FidoKeyHidFactory::create(&cfg),
            Some(p) => FidoKeyHidFactory::create_by_params(&[HidParam::Path(p.clone())], &cfg),
        };
        opened.map_err(|e| {
            Error::token_absent(format!(
                "fido2 device {}: {e}",
                self.path.as_deref().unwrap_or("hid")
            ))
        })
    }
}

/// The SubjectPublicKeyInfo of the raw public key the crate returns (an uncompressed P-256 point
/// or 32 Ed25519 bytes).
fn spki(key_type: &PublicKeyType, raw: &[u8]) -> Result<Vec<u8>> {
    let bad = |e: &dyn std::fmt::Display| {
        Error::authenticator(
            format!("the credential's public key is unusable: {e}"),
            None,
        )
    };
    let doc = match key_type {
        PublicKeyType::Ecdsa256 => p256::PublicKey::from_sec1_bytes(raw)
            .map_err(|e| bad(&e))?
            .to_public_key_der()
            .map_err(|e| bad(&e))?,
        PublicKeyType::Ed25519 => {
            let bytes: [u8; 32] = raw.try_into().map_err(|_| bad(&"not 32 bytes"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|e| bad(&e))?
                .to_public_key_der()
                .map_err(|e| bad(&e))?
        }
        PublicKeyType::Unknown => return Err(bad(&"neither ES256 nor EdDSA")),
    };
    Ok(doc.as_bytes().to_vec())
}

impl Ctap2Authenticator for HidAuthenticator {
    fn make_credential(&self, r: &MakeCredential<'_>) -> Result<(Vec<u8>, Vec<u8>)> {
        let key_type = match r.algorithm {
            Algorithm::EcdsaP256Sha256 => CredentialSupportedKeyType::Ecdsa256,
            Algorithm::Ed25519 => CredentialSupportedKeyType::Ed25519,
            other => {
                return Err(Error::unsupported(format!(
                    "fido2 credentials are ES256 or EdDSA, not {other}"
                )))
            }
        };
        // The registration's client data is not kept (no attestation is checked), so any
        // challenge will do.
        let challenge = stellaops_crypto::fido2::client_data_hash(r.user_id);
        let user = PublicKeyCredentialUserEntity::new(
            Some(r.user_id),
            Some("stellaops signer"),
            Some("stellaops signer"),
        );
        let mut builder = MakeCredentialArgsBuilder::new(r.rp_id, &challenge)
            .key_type(key_type)
            .user_entity(&user);
        builder = match r.pin {
            Some(pin) => builder.pin(pin),
            None => builder.without_pin_and_uv(),
        };
        if r.resident {
            builder = builder.resident_key();
        }
        let attestation = self
            .device()?
            .make_credential_with_args(&builder.build())
            .map_err(|e| hid_error("makeCredential", e))?;
        let public = &attestation.credential_publickey;
        Ok((
            attestation.credential_descriptor.id.clone(),
            spki(&public.key_type, &public.der)?,
        ))
    }

    fn get_assertion(&self, r: &GetAssertion<'_>) -> Result<(Vec<u8>, Vec<u8>)> {
        // The crate hashes the challenge into clientDataHash: SHA-256(message), as the format
        // asks.
        let mut builder =
            GetAssertionArgsBuilder::new(r.rp_id, r.message).credential_id(r.credential_id);
        builder = match (r.user_verification, r.pin) {
            // The PIN token makes the assertion user-verified.
            (true, Some(pin)) => builder.pin(pin),
            // Built-in verification (fingerprint), asked for with uv=true.
            (true, None) => builder,
            (false, _) => builder.without_pin_and_uv(),
        };
        let mut assertions = self
            .device()?
            .get_assertion_with_args(&builder.build())
            .map_err(|e| hid_error("getAssertion", e))?;
        let assertion = assertions
            .drain(..)
            .next()
            .ok_or_else(|| Error::authenticator("getAssertion returned no assertion", None))?;
        Ok((assertion.auth_data, assertion.signature))
    }

    fn pin_is_set(&self) -> Result<bool> {
        let info = self
            .device()?
            .get_info()
            .map_err(|e| hid_error("getInfo", e))?;
        Ok(info
            .options
            .iter()
            .any(|(name, value)| name == "clientPin" && *value))
    }

    fn hardware_backed(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a machine without a security key (CI), every operation is a typed error naming the
    /// device, not a panic or a hang.
    #[test]
    fn no_device_is_a_typed_error() {
        let device = HidAuthenticator::new(Some("/dev/hidraw-stellaops-absent".into()));
        match device.pin_is_set() {
            Err(Error::TokenAbsent { context: m, .. }) => {
                assert!(m.contains("hidraw-stellaops-absent"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        match device.get_assertion(&GetAssertion {
            rp_id: "stella.ops",
            message: b"m",
            credential_id: b"c",
            user_verification: false,
            pin: None,
        }) {
            Err(Error::TokenAbsent { .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn raw_public_keys_become_spki() {
        let key = p256::SecretKey::from_slice(&[7u8; 32]).expect("scalar");
        let point = key.public_key().to_sec1_bytes();
        let der = spki(&PublicKeyType::Ecdsa256, &point).expect("p256");
        let v = stellaops_crypto::VerifyingKey::from_spki_der(&der).expect("spki");
        assert_eq!(v.algorithm(), Algorithm::EcdsaP256Sha256);
        let ed = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let der = spki(&PublicKeyType::Ed25519, ed.verifying_key().as_bytes()).expect("ed");
        let v = stellaops_crypto::VerifyingKey::from_spki_der(&der).expect("spki");
        assert_eq!(v.algorithm(), Algorithm::Ed25519);
        assert!(spki(&PublicKeyType::Ecdsa256, &[4u8; 10]).is_err());
        assert!(spki(&PublicKeyType::Unknown, &point).is_err());
    }
}
