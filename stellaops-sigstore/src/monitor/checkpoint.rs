//! Signed checkpoints (C2SP signed notes) and the keys that sign them.

use sha2::{Digest, Sha256};
use sigstore_verify::crypto::{Keyring, VerificationKey};
use sigstore_verify::types::{Checkpoint, DerPublicKey, Sha256Hash};

use crate::{Error, Result, TrustedRoot};

/// The largest checkpoint read: a signed note is a few hundred bytes.
const MAX_NOTE: usize = 64 << 10;

/// A log's signed checkpoint: its origin (the log's name), tree size and root hash, and the signed
/// note they came from (what a monitor keeps).
#[derive(Clone, Debug)]
pub struct LogCheckpoint {
    note: String,
    parsed: Checkpoint,
    root: [u8; 32],
}

impl LogCheckpoint {
    /// Read a signed note: `ORIGIN\nSIZE\nBASE64_ROOT\n[extension lines]\n\n— NAME SIGNATURE\n…`.
    ///
    /// # Errors
    /// [`Error::InvalidBundle`] for anything else (or more than 64 KiB).
    pub fn parse(note: &str) -> Result<Self> {
        if note.len() > MAX_NOTE {
            return Err(Error::InvalidBundle(format!(
                "a checkpoint of {} bytes (at most {MAX_NOTE})",
                note.len()
            )));
        }
        let parsed = Checkpoint::from_text(note)
            .map_err(|e| Error::InvalidBundle(format!("checkpoint: {e}")))?;
        if parsed.signatures().is_empty() {
            return Err(Error::InvalidBundle("checkpoint: no signature".into()));
        }
        let root = *parsed.root_hash().as_bytes();
        Ok(LogCheckpoint {
            note: note.to_owned(),
            parsed,
            root,
        })
    }

    /// The log's name (Rekor v2: its host name; Rekor v1: `HOST - TREE_ID`).
    pub fn origin(&self) -> &str {
        self.parsed.origin()
    }

    /// How many entries the tree holds.
    pub fn size(&self) -> u64 {
        self.parsed.tree_size()
    }

    /// The tree's root hash.
    pub fn root_hash(&self) -> &[u8; 32] {
        &self.root
    }

    /// The signed note, byte for byte as read.
    pub fn as_note(&self) -> &str {
        &self.note
    }
}

/// The keys a log signs its checkpoints with: a trusted root's, or one pinned key.
pub struct LogKeys(Keys);

enum Keys {
    /// The transparency-log keys of a trusted root (each with its log id and validity).
    TrustedRoot(Keyring),
    /// One pinned key (`rekor.pub`), SubjectPublicKeyInfo DER.
    Pinned(Vec<u8>),
}

impl std::fmt::Debug for LogKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Keys::TrustedRoot(_) => "LogKeys(trusted root)",
            Keys::Pinned(_) => "LogKeys(pinned key)",
        })
    }
}

impl LogKeys {
    /// The log keys of `root`.
    ///
    /// # Errors
    /// [`Error::TrustedRoot`] for a root whose log keys cannot be read.
    pub fn from_trusted_root(root: &TrustedRoot) -> Result<Self> {
        let text = std::str::from_utf8(root.as_json())
            .map_err(|_| Error::TrustedRoot("not UTF-8".into()))?;
        let parsed = sigstore_verify::trust_root::TrustedRoot::from_json(text)
            .map_err(|e| Error::TrustedRoot(e.to_string()))?;
        let keyring = parsed
            .rekor_keys()
            .map_err(|e| Error::TrustedRoot(e.to_string()))?;
        Ok(LogKeys(Keys::TrustedRoot(keyring)))
    }

    /// One pinned log key, PEM (`-----BEGIN PUBLIC KEY-----`, as Rekor's `rekor.pub`) or SPKI
    /// DER: ECDSA or Ed25519.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for anything else.
    pub fn pinned(key: &[u8]) -> Result<Self> {
        let der = match crate::Signer::public_key(key)? {
            crate::Signer::PublicKey(der) => der,
            _ => return Err(Error::InvalidKey("not a public key".into())),
        };
        VerificationKey::from_spki(&DerPublicKey::new(der.clone()))
            .map_err(|e| Error::InvalidKey(format!("a log key: {e}")))?;
        Ok(LogKeys(Keys::Pinned(der)))
    }

    /// Check that a key of the log signed `checkpoint`: one of its signature lines whose key hint
    /// names a log key verifies over the note's body. Witness and other signatures are skipped.
    ///
    /// # Errors
    /// [`Error::Verification`] when no log key signed it.
    pub fn verify(&self, checkpoint: &LogCheckpoint) -> Result<()> {
        let keyring = match &self.0 {
            Keys::TrustedRoot(keyring) => keyring,
            Keys::Pinned(der) => &pinned_keyring(der, checkpoint.origin())?,
        };
        let message = checkpoint.parsed.signed_data();
        let now = jiff::Timestamp::now();
        let mut matched = false;
        for signature in checkpoint.parsed.signatures() {
            for key in keyring.keys_by_hint(&signature.key_id, now) {
                matched = true;
                if key.verify(message, &signature.signature).is_ok() {
                    return Ok(());
                }
            }
        }
        Err(Error::Verification(format!(
            "log {}: {} (checkpoint of size {})",
            checkpoint.origin(),
            if matched {
                "no log key's signature on the checkpoint verifies"
            } else {
                "the checkpoint is signed by no key of this log"
            },
            checkpoint.size()
        )))
    }
}

/// A keyring of the one pinned key under every id a checkpoint from `origin` may name it by
/// ([`log_key_ids`]).
fn pinned_keyring(der: &[u8], origin: &str) -> Result<Keyring> {
    let mut keyring = Keyring::new();
    for id in log_key_ids(der, Some(origin)) {
        let key = VerificationKey::from_spki(&DerPublicKey::new(der.to_vec()))
            .map_err(|e| Error::InvalidKey(format!("a log key: {e}")))?;
        keyring.add_key(Sha256Hash::new(id), key);
    }
    Ok(keyring)
}

/// The log ids a log key (SPKI DER) goes by: the SHA-256 of its SPKI (Rekor v1's log id) and,
/// for an Ed25519 key of the log named `origin`, the C2SP signed-note key id (SHA-256 of the
/// origin, a newline, 0x01 and the raw key: what rekor-tiles writes).
pub(crate) fn log_key_ids(der: &[u8], origin: Option<&str>) -> Vec<[u8; 32]> {
    let mut ids = vec![Sha256::digest(der).into()];
    if let (Some(raw), Some(origin)) = (ed25519_raw(der), origin) {
        let mut id = Sha256::new();
        id.update(origin.as_bytes());
        id.update(b"\n\x01");
        id.update(raw);
        ids.push(id.finalize().into());
    }
    ids
}

/// The raw 32-byte key of an Ed25519 SPKI (its DER is a fixed 12-byte prefix and the key).
fn ed25519_raw(der: &[u8]) -> Option<&[u8]> {
    const PREFIX: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.strip_prefix(&PREFIX[..]).filter(|raw| raw.len() == 32)
}
