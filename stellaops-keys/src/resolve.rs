//! One entry point from a URI to a signing key.

use stellaops_crypto::{SigningKey, SoftwareKey};
use zeroize::Zeroizing;

use crate::{Error, KeyUri, Result};

/// A function that asks a person for a PIN (e.g. on the terminal); the argument says what for.
pub type PinPrompt = fn(&str) -> std::io::Result<Zeroizing<String>>;

/// Options for [`open`] that do not belong in a URI.
#[derive(Debug, Default, Clone, Copy)]
#[non_exhaustive]
pub struct OpenOptions<'a> {
    /// The passphrase of an encrypted PKCS#8 key file.
    pub passphrase: Option<&'a [u8]>,
    /// How to ask for a FIDO2 PIN when the URI names no `pin-source` and
    /// `STELLAOPS_FIDO2_PIN` is not set (a library never prompts on its own).
    pub pin_prompt: Option<PinPrompt>,
}

impl<'a> OpenOptions<'a> {
    /// Options with a passphrase for encrypted key files.
    pub fn with_passphrase(passphrase: Option<&'a [u8]>) -> Self {
        OpenOptions {
            passphrase,
            pin_prompt: None,
        }
    }

    /// These options, asking for FIDO2 PINs with `prompt`.
    pub fn with_pin_prompt(self, prompt: Option<PinPrompt>) -> Self {
        OpenOptions {
            pin_prompt: prompt,
            ..self
        }
    }
}

/// Which backends this build has, by scheme name.
pub fn available_backends() -> Vec<&'static str> {
    let mut v = vec!["file"];
    if cfg!(feature = "pkcs11") {
        v.push("pkcs11");
    }
    if cfg!(feature = "awskms") {
        v.push("awskms");
    }
    if cfg!(feature = "hashivault") {
        v.push("hashivault");
    }
    if cfg!(feature = "fido2") {
        v.push("fido2");
    }
    v
}

/// Parse `text` as a key URI (a bare path is a file) and open the key.
///
/// # Errors
/// As [`KeyUri::parse`] and [`open`].
pub fn open_str(text: &str, options: OpenOptions<'_>) -> Result<Box<dyn SigningKey>> {
    open(&KeyUri::parse(text)?, options)
}

/// Open the key `uri` names, in whichever backend it lives.
///
/// # Errors
/// [`Error::BackendNotAvailable`] when the scheme's backend is not compiled in; otherwise the
/// backend's own errors (file not found, wrong PIN, unknown KMS key, ...).
pub fn open(uri: &KeyUri, options: OpenOptions<'_>) -> Result<Box<dyn SigningKey>> {
    match uri {
        KeyUri::File(path) => {
            let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| Error::io(path, e))?);
            Ok(Box::new(SoftwareKey::from_bytes(
                &bytes,
                options.passphrase,
            )?))
        }
        #[cfg(feature = "pkcs11")]
        KeyUri::Pkcs11(p) => Ok(Box::new(crate::pkcs11::Pkcs11Key::open(p)?)),
        #[cfg(feature = "awskms")]
        KeyUri::AwsKms(a) => Ok(Box::new(crate::awskms::AwsKmsKey::open(a)?)),
        #[cfg(feature = "hashivault")]
        KeyUri::HashiVault(v) => Ok(Box::new(crate::hashivault::VaultKey::open(v)?)),
        #[cfg(feature = "fido2")]
        KeyUri::Fido2(u) => Ok(Box::new(crate::fido2::open(u, options.pin_prompt)?)),
        KeyUri::Keyless(_) => Err(Error::Configuration {
            backend: "keyless",
            message: "a keyless uri names no key to open: its key is made for each signature and \
                      certified by Fulcio (sign through the pipeline, or stella attest --keyless)"
                .into(),
        }),
        other => Err(Error::BackendNotAvailable(other.scheme())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_without_a_backend_say_so() {
        for uri in [
            "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k",
            "azurekms://v.vault.azure.net/k",
        ] {
            match open_str(uri, OpenOptions::default()) {
                Err(Error::BackendNotAvailable(s)) => assert!(uri.starts_with(s)),
                other => panic!("{uri}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_missing_file_names_the_file() {
        match open_str("file:/nonexistent/stella.pem", OpenOptions::default()) {
            Err(e @ Error::Io { .. }) => assert!(e.to_string().contains("/nonexistent/stella.pem")),
            other => panic!("{other:?}"),
        }
    }
}
