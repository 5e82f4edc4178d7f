//! AWS KMS asymmetric keys over the KMS JSON API, requests signed with SigV4.
//!
//! The digest is computed here and sent with `MessageType=DIGEST`, so payloads of any size sign
//! with one small request (KMS takes at most 4096 bytes of raw message). The public key comes
//! from `GetPublicKey` once per process and key; every signature the service returns is checked
//! against it before it is used, so a misbehaving endpoint cannot slip a bad signature into an
//! envelope.
//!
//! Settings come from the usual AWS environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`, `AWS_REGION` / `AWS_DEFAULT_REGION` (or the region inside a key ARN),
//! and `AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL` for a custom endpoint. An endpoint in the URI
//! (`awskms://HOST:PORT/KEY`) wins; it is reached over HTTPS, or plain HTTP for loopback hosts.
//! Shared-config profiles, SSO and instance roles are not read by this build.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use stellaops_crypto::{Algorithm, SigningKey, VerifyingKey};

use crate::http::Http;
use crate::uri::AwsKmsUri;
use crate::{public, Error, Result};

const BACKEND: &str = "awskms";

/// A key in AWS KMS (or a KMS-compatible service).
#[derive(Debug)]
pub struct AwsKmsKey {
    client: Client,
    key_id: String,
    algorithm: Algorithm,
    kms_algorithm: &'static str,
    public: VerifyingKey,
}

#[derive(Clone)]
struct Client {
    http: Http,
    endpoint: String,
    region: String,
    credentials: Credentials,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl AwsKmsKey {
    /// Open the key an `awskms://` URI names, fetching its public key (once per process).
    ///
    /// # Errors
    /// [`Error::Configuration`] for missing region or credentials, [`Error::Remote`] for the
    /// service's refusals (unknown key, access denied), [`Error::MechanismUnsupported`] when the
    /// key cannot sign with the algorithm asked for.
    pub fn open(uri: &AwsKmsUri) -> Result<Self> {
        let region = region(&uri.key_id)?;
        let endpoint = endpoint(uri.endpoint.as_deref(), &region)?;
        let client = Client {
            http: Http::new(BACKEND, Duration::from_secs(30)),
            endpoint,
            region,
            credentials: credentials()?,
        };
        let (public, offered) = client.public_key(&uri.key_id)?;
        let (algorithm, public) = public::pin_algorithm(public, uri.algorithm)?;
        let kms_algorithm = kms_algorithm(algorithm)?;
        if !offered.iter().any(|a| a == kms_algorithm) {
            return Err(Error::unsupported(format!(
                "key {} offers {offered:?}, not {kms_algorithm}",
                uri.key_id
            )));
        }
        Ok(AwsKmsKey {
            client,
            key_id: uri.key_id.clone(),
            algorithm,
            kms_algorithm,
            public,
        })
    }

    fn sign_remote(&self, message: &[u8]) -> Result<Vec<u8>> {
        let hash = self
            .algorithm
            .hash()
            .ok_or(Error::unsupported(self.algorithm.to_string()))?;
        let body = serde_json::json!({
            "KeyId": self.key_id,
            "Message": STANDARD.encode(hash.digest(message)),
            "MessageType": "DIGEST",
            "SigningAlgorithm": self.kms_algorithm,
        });
        let answer = self.client.call("Sign", &body)?;
        let signature = answer
            .get("Signature")
            .and_then(|s| s.as_str())
            .and_then(|s| STANDARD.decode(s).ok())
            .ok_or_else(|| self.client.http.transport("Sign answer has no Signature"))?;
        self.public.verify(message, &signature).map_err(|_| {
            self.client.http.transport(
                "the returned signature does not verify under the key's public key (does the service honour MessageType=DIGEST?)",
            )
        })?;
        Ok(signature)
    }
}

impl SigningKey for AwsKmsKey {
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

impl Client {
    /// The key's public key and signing algorithms, from the process cache or `GetPublicKey`.
    fn public_key(&self, key_id: &str) -> Result<(VerifyingKey, Vec<String>)> {
        type Cache = Mutex<HashMap<(String, String), (VerifyingKey, Vec<String>)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let cache_key = (self.endpoint.clone(), key_id.to_owned());
        if let Some(hit) = cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&cache_key)
        {
            return Ok(hit.clone());
        }
        let answer = self.call("GetPublicKey", &serde_json::json!({ "KeyId": key_id }))?;
        if answer.get("KeyUsage").and_then(|u| u.as_str()) != Some("SIGN_VERIFY") {
            return Err(Error::unsupported(format!(
                "key {key_id} is not a SIGN_VERIFY key"
            )));
        }
        let der = answer
            .get("PublicKey")
            .and_then(|k| k.as_str())
            .and_then(|k| STANDARD.decode(k).ok())
            .ok_or_else(|| self.http.transport("GetPublicKey answer has no PublicKey"))?;
        let public = VerifyingKey::from_spki_der(&der)?;
        let offered: Vec<String> = answer
            .get("SigningAlgorithms")
            .and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let entry = (public, offered);
        cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(cache_key, entry.clone());
        Ok(entry)
    }

    /// One KMS JSON-protocol call, SigV4-signed.
    fn call(&self, operation: &str, body: &serde_json::Value) -> Result<serde_json::Value> {
        let body = serde_json::to_vec(body)
            .map_err(|e| self.http.transport_from("encoding the request", e))?;
        let target = format!("TrentService.{operation}");
        let mut headers = vec![
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.1".to_owned(),
            ),
            ("x-amz-target".to_owned(), target),
        ];
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("kms")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| self.http.transport_from("sigv4", e))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            &self.endpoint,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(&body),
        )
        .map_err(|e| self.http.transport_from("sigv4", e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| self.http.transport_from("sigv4", e))?
            .into_parts();
        headers.extend(
            instructions
                .headers()
                .map(|(n, v)| (n.to_owned(), v.to_owned())),
        );
        let (status, answer) = self.http.post(&self.endpoint, &headers, &body)?;
        if (200..300).contains(&status) {
            return Ok(answer);
        }
        let kind = answer
            .get("__type")
            .and_then(|t| t.as_str())
            .map(|t| t.rsplit('#').next().unwrap_or(t))
            .unwrap_or("error");
        let message = answer
            .get("message")
            .or_else(|| answer.get("Message"))
            .and_then(|m| m.as_str())
            .unwrap_or("");
        let message = format!("{operation}: {kind}: {message}");
        match kind {
            // What AWS answers for a key that cannot do the operation (GetPublicKey of a
            // symmetric key, Sign with an ENCRYPT_DECRYPT key): the key's kind, not a refusal.
            "UnsupportedOperationException" | "InvalidKeyUsageException" => {
                Err(Error::unsupported(message))
            }
            _ => Err(Error::Remote {
                backend: BACKEND,
                status,
                message,
            }),
        }
    }
}

fn kms_algorithm(algorithm: Algorithm) -> Result<&'static str> {
    match algorithm {
        Algorithm::EcdsaP256Sha256 => Ok("ECDSA_SHA_256"),
        Algorithm::EcdsaP384Sha384 => Ok("ECDSA_SHA_384"),
        Algorithm::RsaPssSha256 => Ok("RSASSA_PSS_SHA_256"),
        Algorithm::RsaPkcs1Sha256 => Ok("RSASSA_PKCS1_V1_5_SHA_256"),
        other => Err(Error::unsupported(format!(
            "{other} keys in aws kms are not supported by this build"
        ))),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn region(key_id: &str) -> Result<String> {
    // arn:aws:kms:REGION:ACCOUNT:key/ID — the ARN's region is the key's region.
    let from_arn = key_id
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|r| !r.is_empty());
    from_arn
        .map(str::to_owned)
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .ok_or_else(|| Error::Configuration {
            backend: BACKEND,
            message: "no region: set AWS_REGION or use a key ARN".into(),
        })
}

fn endpoint(from_uri: Option<&str>, region: &str) -> Result<String> {
    let configured = env("AWS_ENDPOINT_URL_KMS").or_else(|| env("AWS_ENDPOINT_URL"));
    endpoint_from(from_uri, configured, region)
}

/// The endpoint: the URI's host, else the configured URL, else AWS's for `region`.
fn endpoint_from(
    from_uri: Option<&str>,
    configured: Option<String>,
    region: &str,
) -> Result<String> {
    if let Some(host) = from_uri {
        let scheme = if stellaops_http::is_loopback_host(host) {
            "http"
        } else {
            "https"
        };
        return Ok(format!("{scheme}://{host}/"));
    }
    if let Some(url) = configured {
        // One rule for every service URL: https, or plain http to a loopback host only (this
        // endpoint accepted plain http to any host before).
        stellaops_http::base_url(&url).map_err(|e| Error::Configuration {
            backend: BACKEND,
            message: format!("endpoint {e}"),
        })?;
        return Ok(format!("{}/", url.trim_end_matches('/')));
    }
    Ok(format!("https://kms.{region}.amazonaws.com/"))
}

fn credentials() -> Result<Credentials> {
    match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok(Credentials::new(
            id,
            secret,
            env("AWS_SESSION_TOKEN"),
            None,
            "environment",
        )),
        _ => Err(Error::Configuration {
            backend: BACKEND,
            message: "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_comes_from_the_arn_first() {
        assert_eq!(
            region("arn:aws:kms:eu-west-3:111122223333:key/abc").unwrap(),
            "eu-west-3"
        );
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint(Some("127.0.0.1:4566"), "x").unwrap(),
            "http://127.0.0.1:4566/"
        );
        assert_eq!(
            endpoint(Some("kms.internal:443"), "x").unwrap(),
            "https://kms.internal:443/"
        );
        // A configured endpoint follows the one URL rule: plain http only to loopback.
        let configured = |url: &str| endpoint_from(None, Some(url.to_owned()), "eu-west-1");
        assert_eq!(
            configured("http://localhost:4566").unwrap(),
            "http://localhost:4566/"
        );
        assert_eq!(
            configured("https://kms.internal/").unwrap(),
            "https://kms.internal/"
        );
        let err = configured("http://kms.internal:4566")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("plain http is allowed only to a loopback host"),
            "{err}"
        );
        assert_eq!(
            endpoint_from(None, None, "eu-west-1").unwrap(),
            "https://kms.eu-west-1.amazonaws.com/"
        );
    }
}
