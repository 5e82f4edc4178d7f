//! What several targets share: a fixed Authority key set and a scratch file per process.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use stellaops_crypto::{Algorithm, SigningKey as _, SoftwareKey};
use stellaops_poe::{Jwks, JwksSource};

/// One P-256 key per process, deterministic enough for a fuzz run.
pub fn authority() -> &'static SoftwareKey {
    static KEY: OnceLock<SoftwareKey> = OnceLock::new();
    KEY.get_or_init(|| SoftwareKey::generate(Algorithm::EcdsaP256Sha256).expect("key"))
}

/// A key set naming `authority()` as `kid`.
pub fn jwks(kid: &str) -> JwksSource {
    let jwk: serde_json::Value =
        serde_json::from_str(&authority().public_key().to_jwk().expect("jwk")).expect("json");
    let mut jwk = jwk.as_object().cloned().expect("object");
    jwk.insert("kid".into(), kid.into());
    let set = serde_json::json!({ "keys": [jwk] }).to_string();
    JwksSource::fixed(Jwks::from_json(set.as_bytes()).expect("jwks"))
}

/// Write `data` to this process's scratch file (in /dev/shm when there is one) and return
/// its path: for the readers that take a path.
pub fn scratch(name: &str, data: &[u8]) -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("stellaops-fuzz-{}-{name}", std::process::id()));
    let mut file = std::fs::File::create(&path).expect("scratch file");
    file.write_all(data).expect("scratch write");
    path
}
