//! `stella key generate` and `stella key show`.

use std::path::PathBuf;

use stellaops_signer::files::{self, PUBLIC_MODE, SECRET_MODE};
use stellaops_signer::{keys, Algorithm, KeyUri, SigningKey, SoftwareKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::cli::{AlgArg, KeyGenerateArgs, KeyShowArgs};
use crate::io::{open_key, passphrase, PASSPHRASE_ENV};
use crate::Failure;

fn algorithm(a: AlgArg) -> Algorithm {
    match a {
        AlgArg::Fido2Es256 => Algorithm::EcdsaP256Sha256,
        AlgArg::Fido2Eddsa => Algorithm::Ed25519,
        AlgArg::Es256 => Algorithm::EcdsaP256Sha256,
        AlgArg::Es384 => Algorithm::EcdsaP384Sha384,
        AlgArg::Ed25519 => Algorithm::Ed25519,
        AlgArg::RsaPssSha256 => Algorithm::RsaPssSha256,
        AlgArg::RsaPkcs1Sha256 => Algorithm::RsaPkcs1Sha256,
    }
}

pub(crate) fn generate(a: &KeyGenerateArgs) -> Result<(), Failure> {
    if matches!(a.alg, AlgArg::Fido2Es256 | AlgArg::Fido2Eddsa) {
        return generate_fido2(a);
    }
    if a.rp_id.is_some() || a.resident || a.pin_source.is_some() {
        return Err(Failure::Usage(
            "--rp-id, --resident and --pin-source are for --alg fido2-es256 / fido2-eddsa".into(),
        ));
    }
    let public_path = PathBuf::from(format!("{}.pub", a.out.display()));
    if !a.force {
        for p in [&a.out, &public_path] {
            if p.exists() {
                return Err(Failure::Usage(format!(
                    "{} exists; use --force to replace it",
                    p.display()
                )));
            }
        }
    }
    let key = SoftwareKey::generate_with_rsa_bits(algorithm(a.alg), a.bits)
        .map_err(stellaops_signer::Error::from)?;
    let private = if a.encrypt {
        let pass = passphrase().ok_or_else(|| {
            Failure::Usage(format!(
                "--encrypt needs the passphrase in {PASSPHRASE_ENV}"
            ))
        })?;
        key.to_encrypted_pkcs8_pem(&pass)
            .map_err(stellaops_signer::Error::from)?
    } else {
        key.to_pkcs8_pem().map_err(stellaops_signer::Error::from)?
    };
    let public = key
        .public_key()
        .to_spki_pem()
        .map_err(stellaops_signer::Error::from)?;
    // Public half first: a failure then never leaves a private key without its public key.
    files::write_atomic(&public_path, public.as_bytes(), PUBLIC_MODE)?;
    files::write_atomic(&a.out, private.as_bytes(), SECRET_MODE)?;
    crate::term::note!(
        "stella: wrote {} ({}, key id {}) and {}",
        a.out.display(),
        key.algorithm(),
        key.key_id(),
        public_path.display()
    );
    Ok(())
}

/// A stella built without FIDO2 (no `fido2` feature, as scripts/demo.sh builds it).
#[cfg(not(feature = "fido2"))]
fn generate_fido2(_: &KeyGenerateArgs) -> Result<(), Failure> {
    Err(Failure::Usage(
        "this stella was built without FIDO2 credentials (cargo feature fido2)".into(),
    ))
}

/// Register a FIDO2 credential on the device and write its file (public key, credential id,
/// rp id: nothing secret).
#[cfg(feature = "fido2")]
fn generate_fido2(a: &KeyGenerateArgs) -> Result<(), Failure> {
    use stellaops_signer::key_backends::{fido2, Fido2Device};
    let rp_id = a
        .rp_id
        .as_deref()
        .ok_or_else(|| Failure::Usage("--alg fido2-* needs --rp-id".into()))?;
    if a.encrypt {
        return Err(Failure::Usage(
            "--encrypt does not apply: a FIDO2 credential file holds no secret".into(),
        ));
    }
    if !a.force && a.out.exists() {
        return Err(Failure::Usage(format!(
            "{} exists; use --force to replace it",
            a.out.display()
        )));
    }
    let device = Fido2Device::parse(&a.device).map_err(stellaops_signer::Error::from)?;
    crate::io::warn_software_fido2(&device);
    let authenticator = fido2::open_device(&device).map_err(stellaops_signer::Error::from)?;
    let pin = fido2::PinSource::choose(a.pin_source.clone(), Some(crate::io::pin_prompt));
    if authenticator.hardware_backed() {
        crate::term::note!("stella: touch the security key to register a credential for {rp_id}");
    }
    let credential = fido2::register(
        authenticator.as_ref(),
        rp_id,
        algorithm(a.alg),
        a.resident,
        &pin,
    )
    .map_err(stellaops_signer::Error::from)?;
    files::write_atomic(&a.out, &credential.to_json(), PUBLIC_MODE)?;
    let public = credential
        .verifying_key(false)
        .map_err(stellaops_signer::Error::from)?;
    crate::term::note!(
        "stella: wrote {} ({} credential for {rp_id}, key id {}); sign with --key \
         'fido2:{}?device={device}', verify with --key {}",
        a.out.display(),
        credential.algorithm,
        public.key_id(),
        a.out.display(),
        a.out.display()
    );
    Ok(())
}

pub(crate) fn show(a: &KeyShowArgs) -> Result<(), Failure> {
    let (public, kind): (VerifyingKey, &str) = match KeyUri::parse(&a.key)
        .map_err(stellaops_signer::Error::from)?
    {
        KeyUri::File(path) => {
            let bytes = Zeroizing::new(files::read(&path)?);
            match VerifyingKey::from_bytes(&bytes) {
                Ok(k) => (k, "public"),
                Err(_) => {
                    let pass = passphrase();
                    let key = keys::load_signing_key(&bytes, pass.as_deref().map(|v| v.as_slice()))
                        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
                    (key.public_key().clone(), "private")
                }
            }
        }
        _ => {
            let key = open_key(&a.key, None)?;
            (key.public_key().clone(), key.scheme())
        }
    };
    let pem = public
        .to_spki_pem()
        .map_err(stellaops_signer::Error::from)?;
    if a.json {
        let doc = serde_json::json!({
            "kind": kind,
            "algorithm": public.algorithm().name(),
            "algorithms": stellaops_signer::Algorithm::ALL.iter().filter(|x| public.accepts(**x)).map(|x| x.name()).collect::<Vec<_>>(),
            "keyid": public.key_id().as_str(),
            "publicKeyPem": pem,
            "jwk": serde_json::from_str::<serde_json::Value>(&public.to_jwk().map_err(stellaops_signer::Error::from)?).unwrap_or_default(),
        });
        crate::term::json(&doc);
    } else {
        crate::term::say!("kind:      {kind}");
        if kind != "public" && kind != "private" {
            // Displaying a parsed URI hides any PIN.
            if let Ok(uri) = KeyUri::parse(&a.key) {
                crate::term::say!("uri:       {uri}");
            }
        }
        let algs: Vec<&str> = Algorithm::ALL
            .iter()
            .filter(|x| public.accepts(**x))
            .map(|x| x.name())
            .collect();
        crate::term::say!("algorithm: {}", algs.join(" | "));
        if let Some(bits) = public.rsa_bits() {
            crate::term::say!("rsa bits:  {bits}");
        }
        crate::term::say!("key id:    {}", public.key_id());
        crate::term::stdout_bytes(pem.as_bytes())
            .map_err(|e| Failure::Usage(format!("writing stdout: {e}")))?;
    }
    Ok(())
}
