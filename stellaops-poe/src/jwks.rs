//! JSON Web Key Sets (RFC 7517 §5): the Authority's token keys and the licensing keys.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::Value;
use stellaops_crypto::VerifyingKey;

use crate::{Error, Result};

/// Largest key set file accepted.
const MAX_JWKS_BYTES: usize = 1 << 20;

/// Verification keys by `kid`.
#[derive(Clone, Debug, Default)]
pub struct Jwks {
    keys: HashMap<String, VerifyingKey>,
}

impl Jwks {
    /// Parse `{"keys": [...]}`. Every signature key needs a unique `kid`; keys marked
    /// `"use": "enc"` and symmetric (`oct`) keys are skipped, since they never verify a signature
    /// here. A key with an `alg` member is pinned to it.
    ///
    /// # Errors
    /// [`Error::Jwks`] for malformed JSON, a key without `kid`, a duplicate `kid`, or a key that
    /// does not decode.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let set = crate::json::object(bytes, MAX_JWKS_BYTES).map_err(Error::jwks)?;
        let Some(Value::Array(list)) = set.get("keys") else {
            return Err(Error::jwks("no \"keys\" array"));
        };
        let mut keys = HashMap::new();
        for (i, jwk) in list.iter().enumerate() {
            let Value::Object(members) = jwk else {
                return Err(Error::jwks(format!("key {i} is not an object")));
            };
            if members.get("use").and_then(Value::as_str) == Some("enc")
                || members.get("kty").and_then(Value::as_str) == Some("oct")
            {
                continue;
            }
            let kid = members
                .get("kid")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty())
                .ok_or_else(|| Error::jwks(format!("key {i} has no kid")))?;
            let key = VerifyingKey::from_jwk(&jwk.to_string()).map_err(|e| Error::Jwks {
                context: format!("key {kid:?}"),
                source: Some(stellaops_crypto::Cause::new(e)),
            })?;
            if keys.insert(kid.to_owned(), key).is_some() {
                return Err(Error::jwks(format!("kid {kid:?} appears twice")));
            }
        }
        Ok(Jwks { keys })
    }

    /// Read and parse a key set file.
    ///
    /// # Errors
    /// [`Error::Io`], then as [`Jwks::from_json`].
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&bytes)
    }

    /// The key for `kid`.
    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.get(kid)
    }

    /// How many signature keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the set holds no signature key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Where a key set comes from: fixed bytes, or a file re-read when it changes (key rotation by
/// `kid`: the Authority publishes the new key next to the old one, then drops the old one).
#[derive(Debug)]
pub struct JwksSource {
    current: Mutex<Arc<Jwks>>,
    file: Option<WatchedFile>,
}

#[derive(Debug)]
struct WatchedFile {
    path: PathBuf,
    stamp: Mutex<Option<(SystemTime, u64)>>,
}

impl JwksSource {
    /// A fixed key set.
    pub fn fixed(jwks: Jwks) -> Self {
        JwksSource {
            current: Mutex::new(Arc::new(jwks)),
            file: None,
        }
    }

    /// A key set file, read now and re-read whenever its modification time or size changes.
    ///
    /// # Errors
    /// As [`Jwks::from_file`].
    pub fn file(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let stamp = stamp(&path);
        let jwks = Jwks::from_file(&path)?;
        Ok(JwksSource {
            current: Mutex::new(Arc::new(jwks)),
            file: Some(WatchedFile {
                path,
                stamp: Mutex::new(stamp),
            }),
        })
    }

    /// The key set in force, re-reading the file first if it changed. A file that changed into
    /// something unreadable is an error, not a silent fallback to the old keys: a rotation that
    /// removed a compromised key must not be undone by a typo.
    ///
    /// # Errors
    /// As [`Jwks::from_file`].
    pub fn current(&self) -> Result<Arc<Jwks>> {
        if let Some(file) = &self.file {
            let now = stamp(&file.path);
            let mut seen = file.stamp.lock().unwrap_or_else(|p| p.into_inner());
            if now != *seen {
                let jwks = Jwks::from_file(&file.path)?;
                *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Arc::new(jwks);
                *seen = now;
            }
        }
        Ok(Arc::clone(
            &self.current.lock().unwrap_or_else(|p| p.into_inner()),
        ))
    }
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}
