//! Reading inputs, writing outputs, and finding keys.

use std::path::Path;

use stellaops_signer::files::{self, PUBLIC_MODE};
use stellaops_signer::keys;
use stellaops_signer::{KeyRegistry, OpenedKey, Selector, SigningKey, VerifyingKey};

use crate::cli::TenantArgs;
use zeroize::Zeroizing;

use crate::Failure;

/// The environment variable holding the passphrase of encrypted keys.
pub(crate) const PASSPHRASE_ENV: &str = "STELLA_PASSPHRASE";

/// Read a file, or stdin for `-`, refusing more than [`files::MAX_DOCUMENT_BYTES`] while
/// reading (a 400 MB envelope is refused after 96 MiB, not after it is all in memory).
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    if path.as_os_str() == "-" {
        return files::read_stream(std::io::stdin().lock(), files::MAX_DOCUMENT_BYTES, 0).map_err(
            |e| match e {
                stellaops_signer::Error::Io { source, .. } => {
                    Failure::Usage(format!("reading stdin: {source}"))
                }
                other => Failure::Usage(format!("stdin: {other}")),
            },
        );
    }
    Ok(files::read(path)?)
}

/// Write to `out` atomically, or to stdout.
pub(crate) fn write_output(out: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    match out {
        Some(path) => Ok(files::write_atomic(path, bytes, PUBLIC_MODE)?),
        None => crate::term::stdout_bytes(bytes)
            .map_err(|e| Failure::Usage(format!("writing stdout: {e}"))),
    }
}

pub(crate) fn passphrase() -> Option<Zeroizing<Vec<u8>>> {
    std::env::var_os(PASSPHRASE_ENV).map(|p| Zeroizing::new(p.into_encoded_bytes()))
}

/// The signing keys named on the command line (paths or key URIs), or the default key (saying so
/// on stderr).
pub(crate) fn signing_keys(
    names: &[String],
    tenant: &TenantArgs,
    family: Option<&str>,
) -> Result<Vec<OpenedKey>, Failure> {
    if let (Some(id), Some(config)) = (&tenant.tenant, &tenant.key_config) {
        let registry = KeyRegistry::load(config).map_err(stellaops_signer::Error::from)?;
        let selector = Selector {
            plan: tenant.plan.as_deref(),
            family,
        };
        let keys = registry
            .signing_keys(id, selector, std::time::SystemTime::now())
            .map_err(stellaops_signer::Error::from)?;
        return Ok(keys
            .into_iter()
            .map(|key| {
                crate::term::note!(
                    "stella: tenant {id}: signing with {} ({}, key id {})",
                    key.entry().uri,
                    key.algorithm(),
                    key.key_id()
                );
                OpenedKey::Backend {
                    scheme: key.entry().uri.scheme(),
                    key: Box::new(key),
                }
            })
            .collect());
    }
    if names.is_empty() {
        let home = crate::default_key::default_home()?;
        let (key, created) = crate::default_key::load_or_create_default(&home)?;
        let path = crate::default_key::DefaultKeyPaths::under(&home).private;
        let verb = if created { "created and used" } else { "using" };
        crate::term::note!(
            "stella: {verb} the default key {} ({}) at {}",
            key.key_id(),
            key.algorithm(),
            path.display()
        );
        return Ok(vec![key.into()]);
    }
    let pass = passphrase();
    names
        .iter()
        .map(|name| open_key(name, pass.as_deref().map(|v| v.as_slice())))
        .collect()
}

/// Open one key by path or URI, turning "encrypted, no passphrase" into advice.
pub(crate) fn open_key(name: &str, passphrase: Option<&[u8]>) -> Result<OpenedKey, Failure> {
    if let Ok(stellaops_signer::KeyUri::Fido2(uri)) = stellaops_signer::KeyUri::parse(name) {
        warn_software_fido2(&uri.device);
    }
    stellaops_signer::open_key_with_prompt(name, passphrase, Some(pin_prompt)).map_err(
        |e| match e {
            stellaops_signer::Error::Crypto(
                stellaops_signer::crypto::Error::PassphraseRequired,
            ) => Failure::Usage(format!(
                "{name}: the key is encrypted; set {PASSPHRASE_ENV}"
            )),
            other => Failure::from(other),
        },
    )
}

/// Say so when a FIDO2 "device" is the software authenticator: its keys are in a file.
pub(crate) fn warn_software_fido2(device: &stellaops_signer::key_backends::Fido2Device) {
    if let stellaops_signer::key_backends::Fido2Device::Software(state) = device {
        crate::term::note!(
            "stella: warning: {device} is the software FIDO2 authenticator; its private keys are \
             in {} in the clear, not in a security key (tests and demonstrations only)",
            state.display()
        );
    }
}

/// Ask for a FIDO2 PIN on the terminal (echo off). Never from argv; `pin-source=FILE` in the
/// URI or `STELLAOPS_FIDO2_PIN` are the non-interactive ways.
/// Only when standard input is a terminal: a script or a pipe gets an error naming the other
/// sources instead of a prompt that nobody answers.
pub(crate) fn pin_prompt(purpose: &str) -> std::io::Result<Zeroizing<String>> {
    use std::io::IsTerminal as _;
    if !std::io::stdin().is_terminal() {
        return Err(std::io::Error::other(
            "standard input is not a terminal, so there is nobody to ask for the FIDO2 PIN; give \
             pin-source=FILE in the fido2: uri or set STELLAOPS_FIDO2_PIN",
        ));
    }
    rpassword::prompt_password(format!("{purpose}: "))
        .map(Zeroizing::new)
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot ask for the FIDO2 PIN ({e}); give pin-source=FILE in the fido2: uri \
                     or set STELLAOPS_FIDO2_PIN"
                ),
            )
        })
}

/// The trusted public keys named on the command line, or the default key's public half.
pub(crate) fn verifying_keys(paths: &[std::path::PathBuf]) -> Result<Vec<VerifyingKey>, Failure> {
    if paths.is_empty() {
        let home = crate::default_key::default_home()?;
        return match crate::default_key::default_verifying_key(&home)? {
            Some(k) => {
                crate::term::note!(
                    "stella: trusting the default key {} (no --key given)",
                    k.key_id()
                );
                Ok(vec![k])
            }
            None => Err(Failure::Usage(
                "no --key given and no default key exists yet".into(),
            )),
        };
    }
    paths
        .iter()
        .map(|p| {
            keys::load_verifying_key(&files::read(p)?)
                .map_err(|e| Failure::Usage(format!("{}: {e}", p.display())))
        })
        .collect()
}

/// `ALG:HEX` as a digest-set entry.
pub(crate) fn parse_digest(text: &str) -> Result<(String, String), Failure> {
    match text.split_once(':') {
        Some((alg, hex)) if !alg.is_empty() && !hex.is_empty() => {
            Ok((alg.to_owned(), hex.to_owned()))
        }
        _ => Err(Failure::Usage(format!(
            "{text:?}: expected ALG:HEX, e.g. sha256:ab12..."
        ))),
    }
}

/// `NAME@ALG:HEX` as a subject (the last `@` separates the name from the digest).
pub(crate) fn parse_subject(text: &str) -> Result<stellaops_signer::Subject, Failure> {
    let (name, digest) = text
        .rsplit_once('@')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| Failure::Usage(format!("{text:?}: expected NAME@ALG:HEX")))?;
    let (alg, hex) = parse_digest(digest)?;
    Ok(
        stellaops_signer::Subject::new(name, std::collections::BTreeMap::from([(alg, hex)]))
            .map_err(stellaops_signer::Error::from)?,
    )
}

/// Write an envelope to `out`, or to stdout with a newline.
pub(crate) fn write_envelope(out: Option<&Path>, mut json: Vec<u8>) -> Result<(), Failure> {
    if out.is_none() {
        json.push(b'\n');
    }
    write_output(out, &json)
}
