//! Loading keys from bytes in any encoding we read, and the embedded default key.

use std::path::{Path, PathBuf};

use stellaops_crypto::{Algorithm, SigningKey, SoftwareKey, VerifyingKey};

use crate::files::{self, PUBLIC_MODE, SECRET_MODE};
use crate::{Error, Result};

/// Read a private key: PEM (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1), PKCS#8 DER or JWK.
///
/// # Errors
/// The key decoding errors; [`stellaops_crypto::Error::PassphraseRequired`] for an encrypted key
/// without `passphrase`.
pub fn load_signing_key(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<SoftwareKey> {
    Ok(SoftwareKey::from_bytes(bytes, passphrase)?)
}

/// Read a public key: SPKI PEM/DER, JWK or an X.509 certificate; a private key file is accepted
/// too and its public half used.
///
/// # Errors
/// The decoding error of the public-key attempt when the bytes are no key at all.
pub fn load_verifying_key(bytes: &[u8]) -> Result<VerifyingKey> {
    match VerifyingKey::from_bytes(bytes) {
        Ok(k) => Ok(k),
        Err(public_err) => match SoftwareKey::from_bytes(bytes, None) {
            Ok(k) => Ok(k.public_key().clone()),
            Err(_) => Err(public_err.into()),
        },
    }
}

/// The algorithm of the embedded default key: ECDSA P-256, what cosign generates too.
pub const DEFAULT_ALGORITHM: Algorithm = Algorithm::EcdsaP256Sha256;

/// Where the default key lives: `$STELLA_HOME`, else `<config dir>/stellaops`
/// (`$XDG_CONFIG_HOME` or `~/.config` on Linux).
///
/// # Errors
/// [`Error::NoHome`] when neither exists.
pub fn default_home() -> Result<PathBuf> {
    match std::env::var_os("STELLA_HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h)),
        _ => dirs::config_dir()
            .map(|d| d.join("stellaops"))
            .ok_or(Error::NoHome),
    }
}

/// The default key's files under `home`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultKeyPaths {
    /// The private key (PKCS#8 PEM, mode 0600).
    pub private: PathBuf,
    /// The public key (SPKI PEM).
    pub public: PathBuf,
}

impl DefaultKeyPaths {
    /// The paths under `home`.
    pub fn under(home: &Path) -> Self {
        DefaultKeyPaths {
            private: home.join("default.key"),
            public: home.join("default.pub"),
        }
    }
}

/// The default signing key under `home`, created on first use. Returns the key and whether it
/// was created now. Creation is atomic and race-free: of two processes creating it at once, one
/// wins and the other loads the winner's key.
///
/// # Errors
/// I/O errors creating `home` or the files; decoding errors of an existing, damaged key file.
pub fn load_or_create_default(home: &Path) -> Result<(SoftwareKey, bool)> {
    let paths = DefaultKeyPaths::under(home);
    if paths.private.exists() {
        return Ok((
            load_signing_key(&files::read(&paths.private)?, None)?,
            false,
        ));
    }
    create_private_dir(home)?;
    let key = SoftwareKey::generate(DEFAULT_ALGORITHM)?;
    let pem = key.to_pkcs8_pem()?;
    match files::write_new_atomic(&paths.private, pem.as_bytes(), SECRET_MODE) {
        Ok(()) => {
            files::write_atomic(
                &paths.public,
                key.public_key().to_spki_pem()?.as_bytes(),
                PUBLIC_MODE,
            )?;
            Ok((key, true))
        }
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok((
                load_signing_key(&files::read(&paths.private)?, None)?,
                false,
            ))
        }
        Err(e) => Err(e),
    }
}

/// The default key's public half, if the default key exists.
///
/// # Errors
/// I/O or decoding errors of an existing key file.
pub fn default_verifying_key(home: &Path) -> Result<Option<VerifyingKey>> {
    let paths = DefaultKeyPaths::under(home);
    if !paths.private.exists() {
        return Ok(None);
    }
    Ok(Some(
        load_signing_key(&files::read(&paths.private)?, None)?
            .public_key()
            .clone(),
    ))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| Error::io(dir, e))
}
