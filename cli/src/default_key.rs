//! The embedded default key: created once under `$STELLA_HOME` (else `<config dir>/stellaops`)
//! and used when no key is named. It belongs to the CLI: a library embedded in a service, a
//! wheel or an addon has no home directory of its own to put keys in.

use std::path::{Path, PathBuf};

use stellaops_signer::files::{self, PUBLIC_MODE, SECRET_MODE};
use stellaops_signer::{Algorithm, Error, SigningKey as _, SoftwareKey, VerifyingKey};

use crate::Failure;

type Result<T, E = Error> = std::result::Result<T, E>;

/// The algorithm of the embedded default key: ECDSA P-256, what cosign generates too.
pub(crate) const DEFAULT_ALGORITHM: Algorithm = Algorithm::EcdsaP256Sha256;

/// Where the default key lives: `$STELLA_HOME`, else `<config dir>/stellaops`
/// (`$XDG_CONFIG_HOME` or `~/.config` on Linux).
///
/// # Errors
/// A usage failure saying to set `STELLA_HOME` when neither exists.
pub(crate) fn default_home() -> Result<PathBuf, Failure> {
    match std::env::var_os("STELLA_HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h)),
        _ => dirs::config_dir()
            .map(|d| d.join("stellaops"))
            .ok_or_else(|| {
                Failure::Usage(
                    "cannot find a configuration directory for the default key; set STELLA_HOME"
                        .into(),
                )
            }),
    }
}

/// The default key's files under `home`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DefaultKeyPaths {
    /// The private key (PKCS#8 PEM, mode 0600).
    pub(crate) private: PathBuf,
    /// The public key (SPKI PEM).
    pub(crate) public: PathBuf,
}

impl DefaultKeyPaths {
    /// The paths under `home`.
    pub(crate) fn under(home: &Path) -> Self {
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
pub(crate) fn load_or_create_default(home: &Path) -> Result<(SoftwareKey, bool)> {
    let paths = DefaultKeyPaths::under(home);
    if paths.private.exists() {
        return Ok((
            SoftwareKey::from_bytes(&files::read(&paths.private)?, None)?,
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
                SoftwareKey::from_bytes(&files::read(&paths.private)?, None)?,
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
pub(crate) fn default_verifying_key(home: &Path) -> Result<Option<VerifyingKey>> {
    let paths = DefaultKeyPaths::under(home);
    if !paths.private.exists() {
        return Ok(None);
    }
    Ok(Some(
        SoftwareKey::from_bytes(&files::read(&paths.private)?, None)?
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
    builder.create(dir).map_err(|e| Error::Io {
        path: dir.display().to_string(),
        source: e,
    })
}
