//! Vault and OpenBao transit keys (`/v1/<mount>/sign/<key>`).
//!
//! ECDSA and RSA keys sign a digest computed here (`prehashed=true`), ECDSA signatures come back
//! in ASN.1 DER (`marshaling_algorithm=asn1`), RSA-PSS uses a salt as long as the hash
//! (`salt_length=hash`), as our software keys and AWS KMS do. Ed25519 signs the message itself.
//!
//! Key versions are rotation: a URI without `version` uses the version that is latest when the
//! key is opened, and every signature names that version explicitly (`key_version`), so a
//! rotation on the server never makes an open key sign with a public key it does not report.
//! Each version has its own public key and therefore its own key id.
//!
//! Settings: `VAULT_ADDR` and `VAULT_TOKEN` (or `~/.vault-token`), `VAULT_NAMESPACE`, and
//! `VAULT_TRANSIT_MOUNT` (default `transit`). `VAULT_ADDR` must be `https://`, or `http://`
//! on a loopback host.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use stellaops_crypto::{Algorithm, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::http::Http;
use crate::uri::VaultUri;
use crate::{public, Error, Result};

const BACKEND: &str = "hashivault";

/// A Vault / OpenBao transit key, one version of it.
pub struct VaultKey {
    http: Http,
    sign_url: String,
    headers: Vec<(String, String)>,
    version: u64,
    algorithm: Algorithm,
    public: VerifyingKey,
    name: String,
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultKey")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl VaultKey {
    /// Open the transit key a `hashivault://` URI names: read its type and the public key of the
    /// version to use.
    ///
    /// # Errors
    /// [`Error::Configuration`] without address or token, [`Error::Remote`] for the server's
    /// refusals, [`Error::KeyNotFound`] for unknown keys or versions,
    /// [`Error::MechanismUnsupported`] for key types that cannot sign.
    pub fn open(uri: &VaultUri) -> Result<Self> {
        let address = address()?;
        let mount = std::env::var("VAULT_TRANSIT_MOUNT")
            .ok()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "transit".to_owned());
        let mount = mount.trim_matches('/');
        let mut headers = vec![("x-vault-token".to_owned(), token()?.to_string())];
        if let Ok(ns) = std::env::var("VAULT_NAMESPACE") {
            if !ns.is_empty() {
                headers.push(("x-vault-namespace".to_owned(), ns));
            }
        }
        let http = Http::new(BACKEND, Duration::from_secs(30));
        let name = percent_encoding::utf8_percent_encode(
            &uri.key_name,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        let (status, answer) = http.get(&format!("{address}/v1/{mount}/keys/{name}"), &headers)?;
        if status == 404 {
            return Err(Error::KeyNotFound(format!("hashivault://{}", uri.key_name)));
        }
        let data = ok(status, &answer)?
            .get("data")
            .ok_or_else(|| http.transport("key answer has no data"))?;
        let key_type = data.get("type").and_then(|t| t.as_str()).unwrap_or("");
        if !matches!(
            key_type,
            "ecdsa-p256" | "ecdsa-p384" | "ed25519" | "rsa-2048" | "rsa-3072" | "rsa-4096"
        ) {
            return Err(Error::unsupported(format!(
                "transit key type {key_type:?} cannot sign for us"
            )));
        }
        let version = match uri.version {
            Some(v) => v,
            None => data
                .get("latest_version")
                .and_then(|v| v.as_u64())
                .ok_or_else(|| http.transport("key answer has no latest_version"))?,
        };
        let public_text = data
            .get("keys")
            .and_then(|k| k.get(version.to_string()))
            .and_then(|k| k.get("public_key"))
            .and_then(|p| p.as_str())
            .ok_or_else(|| {
                Error::KeyNotFound(format!("hashivault://{}?version={version}", uri.key_name))
            })?;
        let public = match key_type {
            "ecdsa-p256" | "ecdsa-p384" | "rsa-2048" | "rsa-3072" | "rsa-4096" => {
                VerifyingKey::from_pem(public_text)?
            }
            "ed25519" => {
                let raw = STANDARD
                    .decode(public_text)
                    .map_err(|_| http.transport("ed25519 public key is not base64"))?;
                public::from_ed25519(&raw)?
            }
            other => {
                return Err(Error::unsupported(format!(
                    "transit key type {other:?} cannot sign for us"
                )))
            }
        };
        let (algorithm, public) = public::pin_algorithm(public, uri.algorithm)?;
        let sign_url = match algorithm.hash() {
            Some(h) => format!("{address}/v1/{mount}/sign/{name}/{}", vault_hash(h)),
            None => format!("{address}/v1/{mount}/sign/{name}"),
        };
        Ok(VaultKey {
            http,
            sign_url,
            headers,
            version,
            algorithm,
            public,
            name: uri.key_name.clone(),
        })
    }

    /// The key version this key signs with.
    pub fn version(&self) -> u64 {
        self.version
    }

    fn sign_remote(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut body = serde_json::json!({ "key_version": self.version });
        match self.algorithm.hash() {
            Some(h) => {
                body["input"] = STANDARD.encode(h.digest(message)).into();
                body["prehashed"] = true.into();
            }
            None => body["input"] = STANDARD.encode(message).into(),
        }
        match self.algorithm {
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
                body["marshaling_algorithm"] = "asn1".into();
            }
            Algorithm::RsaPssSha256 => {
                body["signature_algorithm"] = "pss".into();
                body["salt_length"] = "hash".into();
            }
            Algorithm::RsaPkcs1Sha256 => body["signature_algorithm"] = "pkcs1v15".into(),
            _ => {}
        }
        let payload = serde_json::to_vec(&body)
            .map_err(|e| self.http.transport_from("encoding the request", e))?;
        let (status, answer) = self.http.post(&self.sign_url, &self.headers, &payload)?;
        let text = ok(status, &answer)?
            .pointer("/data/signature")
            .and_then(|s| s.as_str())
            .ok_or_else(|| self.http.transport("sign answer has no signature"))?;
        // "vault:v<version>:<base64>"
        let expected = format!("vault:v{}:", self.version);
        let signature = text
            .strip_prefix(&expected)
            .and_then(|b| STANDARD.decode(b).ok())
            .ok_or_else(|| {
                self.http
                    .transport(format!("signature is not of the form {expected}<base64>"))
            })?;
        self.public.verify(message, &signature).map_err(|_| {
            self.http.transport(
                "the returned signature does not verify under the key version's public key",
            )
        })?;
        Ok(signature)
    }
}

impl SigningKey for VaultKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &VerifyingKey {
        &self.public
    }

    fn try_sign(&self, message: &[u8]) -> stellaops_crypto::Result<Vec<u8>> {
        self.sign_remote(message)
            .map_err(|e| e.into_backend(BACKEND))
    }
}

fn vault_hash(hash: stellaops_crypto::HashAlgorithm) -> &'static str {
    match hash {
        stellaops_crypto::HashAlgorithm::Sha384 => "sha2-384",
        stellaops_crypto::HashAlgorithm::Sha512 => "sha2-512",
        _ => "sha2-256",
    }
}

fn ok(status: u16, answer: &serde_json::Value) -> Result<&serde_json::Value> {
    if (200..300).contains(&status) {
        return Ok(answer);
    }
    let message = answer
        .get("errors")
        .and_then(|e| e.as_array())
        .map(|e| {
            e.iter()
                .filter_map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    Err(Error::Remote {
        backend: BACKEND,
        status,
        message,
    })
}

fn address() -> Result<String> {
    let address = std::env::var("VAULT_ADDR")
        .ok()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Error::Configuration {
            backend: BACKEND,
            message: "VAULT_ADDR is not set".into(),
        })?;
    let address = address.trim_end_matches('/').to_owned();
    // One rule for every service URL: https, or plain http to a loopback host only.
    stellaops_http::base_url(&address).map_err(|e| Error::Configuration {
        backend: BACKEND,
        message: format!("VAULT_ADDR {e}"),
    })?;
    Ok(address)
}

fn token() -> Result<Zeroizing<String>> {
    if let Ok(t) = std::env::var("VAULT_TOKEN") {
        if !t.is_empty() {
            return Ok(Zeroizing::new(t));
        }
    }
    let file = std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".vault-token"));
    if let Some(path) = file.filter(|p| p.exists()) {
        let t = Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?);
        return Ok(Zeroizing::new(t.trim().to_owned()));
    }
    Err(Error::Configuration {
        backend: BACKEND,
        message: "no token: set VAULT_TOKEN".into(),
    })
}
