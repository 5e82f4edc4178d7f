//! Tenant key resolution, rotation and revocation from a TOML file.
//!
//! ```toml
//! [[tenant]]
//! id = "acme"
//!
//! [[tenant.key]]                       # the key acme signs with today
//! uri = "hashivault://acme-signer?version=2"
//! key_id = "5c0e…"                     # optional pin: the key found must have this id
//! status = "active"                    # active | retired | revoked
//! not_before = "2026-01-01T00:00:00Z"  # optional validity window (RFC 3339)
//! not_after = "2027-01-01T00:00:00Z"
//! plans = ["enterprise"]               # optional: only for these plans
//! families = ["sbom", "vex"]           # optional: only for these predicate families
//!
//! [[tenant.key]]                       # the key before it: compromised
//! uri = "hashivault://acme-signer?version=1"
//! key_id = "9f41…"
//! status = "revoked"
//! revoked_at = "2026-06-01T00:00:00Z"
//! reason = "key compromise"
//! ```
//!
//! - Signing: [`KeyRegistry::signing_key`] picks the tenant's active key for the plan and family
//!   (the most specific entry wins, then the newest `not_before`). Retired and revoked keys never
//!   sign, and a key already handed out stops signing the moment a reload revokes it.
//! - Verifying: [`KeyRegistry::check_not_revoked`] rejects a key revoked at or before the
//!   signature's time (or revoked at all, when that time is unknown). Retired keys still verify.
//! - Reloading: [`KeyRegistry::reload`] reads the file again; a file that does not parse or does
//!   not validate leaves the previous configuration in force and returns the error.
//!   [`KeyRegistry::signing_key`] reloads by itself when the file's modification time or size
//!   changed, keeping the old configuration (and [`KeyRegistry::last_reload_error`]) on failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use serde::Deserialize;
use stellaops_crypto::{Algorithm, SigningKey, VerifyingKey};

use crate::{open, Error, KeyUri, OpenOptions, Result};

/// A key entry's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Signs (within its window) and verifies.
    Active,
    /// Rotated out: verifies old signatures, signs nothing.
    Retired,
    /// Signs nothing; signatures from its revocation time on are rejected.
    Revoked,
}

/// One key of one tenant, as configured.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KeyEntry {
    /// The tenant.
    pub tenant: String,
    /// The key URI (PINs hidden when displayed).
    pub uri: KeyUri,
    /// The pinned key id, if configured.
    pub key_id: Option<String>,
    /// Active, retired or revoked.
    pub status: KeyStatus,
    /// Start of the validity window.
    pub not_before: Option<SystemTime>,
    /// End of the validity window.
    pub not_after: Option<SystemTime>,
    /// Plans this key serves; empty means every plan.
    pub plans: Vec<String>,
    /// Predicate families this key serves; empty means every family.
    pub families: Vec<String>,
    /// When the key was revoked.
    pub revoked_at: Option<SystemTime>,
    /// Why it was revoked.
    pub reason: Option<String>,
    /// The tenant signs with every active key that fits (`signatures = "all"` on the tenant:
    /// multi-signature), not only the best fit.
    pub all_sign: bool,
    /// SHA-256 of the URI exactly as written (PIN included), so opened keys are reused only for
    /// the same URI, never for one that differs only in its (hidden) PIN.
    opened_as: [u8; 32],
}

/// What a signing request asks for besides the tenant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selector<'a> {
    /// The caller's plan.
    pub plan: Option<&'a str>,
    /// The predicate family (`Family::name()` in the predicates crate: `sbom`, `vex`, ...).
    pub family: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    tenant: Vec<FileTenant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTenant {
    id: String,
    #[serde(default)]
    signatures: Signatures,
    #[serde(default)]
    key: Vec<FileKey>,
}

/// How many of a tenant's fitting keys sign a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Signatures {
    /// The best fit (most specific, then newest `not_before`).
    #[default]
    One,
    /// Every active key that fits, in file order.
    All,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKey {
    uri: String,
    key_id: Option<String>,
    status: KeyStatus,
    not_before: Option<String>,
    not_after: Option<String>,
    #[serde(default)]
    plans: Vec<String>,
    #[serde(default)]
    families: Vec<String>,
    revoked_at: Option<String>,
    reason: Option<String>,
}

/// The tenant key registry: a TOML file, reloadable, shared by clones.
#[derive(Debug, Clone)]
pub struct KeyRegistry {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    entries: RwLock<Arc<Vec<KeyEntry>>>,
    stamp: Mutex<Stamp>,
    last_error: Mutex<Option<String>>,
    opened: Mutex<HashMap<String, Arc<dyn SigningKey>>>,
}

impl KeyRegistry {
    /// Load the configuration file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::Registry`] when it is invalid.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let (entries, stamp) = read(&path)?;
        Ok(KeyRegistry {
            inner: Arc::new(Inner {
                path,
                entries: RwLock::new(Arc::new(entries)),
                stamp: Mutex::new(stamp),
                last_error: Mutex::new(None),
                opened: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The configuration file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Every configured entry, in file order.
    pub fn entries(&self) -> Arc<Vec<KeyEntry>> {
        self.inner
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Read the file again. On error the previous configuration stays in force.
    ///
    /// # Errors
    /// As [`KeyRegistry::load`].
    pub fn reload(&self) -> Result<()> {
        let result = read(&self.inner.path);
        let mut last_error = self
            .inner
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok((entries, stamp)) => {
                // Keys no longer configured are closed (HSM sessions, cached public keys).
                let kept: Vec<String> = entries.iter().map(|e| hex::encode(e.opened_as)).collect();
                self.inner
                    .opened
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .retain(|k, _| kept.contains(k));
                *self
                    .inner
                    .entries
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Arc::new(entries);
                *self
                    .inner
                    .stamp
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = stamp;
                *last_error = None;
                Ok(())
            }
            Err(e) => {
                // Remember the stamp of the bad file so it is not re-read on every request.
                *self
                    .inner
                    .stamp
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = stamp_of(&self.inner.path);
                *last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// Reload when the file's modification time or size changed. Returns whether it reloaded.
    ///
    /// # Errors
    /// As [`KeyRegistry::reload`]; the previous configuration stays in force.
    pub fn reload_if_changed(&self) -> Result<bool> {
        let now = stamp_of(&self.inner.path);
        let before = *self
            .inner
            .stamp
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if now == before {
            return Ok(false);
        }
        self.reload().map(|()| true)
    }

    /// The error of the last failed reload, cleared by the next good one.
    pub fn last_reload_error(&self) -> Option<String> {
        self.inner
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The entry that should sign for `tenant` now: the best fit (most specific plan and
    /// family lists, then the newest `not_before`).
    ///
    /// # Errors
    /// [`Error::NoActiveKey`] when no active entry fits.
    pub fn select(
        &self,
        tenant: &str,
        selector: Selector<'_>,
        now: SystemTime,
    ) -> Result<KeyEntry> {
        let entries = self.entries();
        fitting(&entries, tenant, selector, now)
            .max_by_key(|e| {
                (
                    !e.plans.is_empty() as u8 + !e.families.is_empty() as u8,
                    e.not_before.unwrap_or(SystemTime::UNIX_EPOCH),
                )
            })
            .cloned()
            .ok_or_else(|| no_active_key(tenant, selector))
    }

    /// The entries that should sign for `tenant` now: every active one that fits, in file
    /// order, when the tenant says `signatures = "all"`; else the one [`KeyRegistry::select`]
    /// picks.
    ///
    /// # Errors
    /// [`Error::NoActiveKey`] when no active entry fits.
    pub fn select_all(
        &self,
        tenant: &str,
        selector: Selector<'_>,
        now: SystemTime,
    ) -> Result<Vec<KeyEntry>> {
        let entries = self.entries();
        let all_sign = entries.iter().any(|e| e.tenant == tenant && e.all_sign);
        if !all_sign {
            return self.select(tenant, selector, now).map(|e| vec![e]);
        }
        let all: Vec<KeyEntry> = fitting(&entries, tenant, selector, now).cloned().collect();
        if all.is_empty() {
            return Err(no_active_key(tenant, selector));
        }
        Ok(all)
    }

    /// Open the keys that should sign for `tenant` now ([`KeyRegistry::select_all`]), each as
    /// [`KeyRegistry::signing_key`] opens one.
    ///
    /// # Errors
    /// As [`KeyRegistry::signing_key`], for any of the keys.
    pub fn signing_keys(
        &self,
        tenant: &str,
        selector: Selector<'_>,
        now: SystemTime,
    ) -> Result<Vec<TenantKey>> {
        let _ = self.reload_if_changed();
        self.select_all(tenant, selector, now)?
            .into_iter()
            .map(|entry| self.open_entry(entry))
            .collect()
    }

    /// Open the key that should sign for `tenant` now (reloading a changed file first).
    /// Opened keys are kept, so HSM sessions and KMS public keys are reused across requests.
    ///
    /// # Errors
    /// As [`KeyRegistry::select`] and [`open`]; [`Error::KeyIdMismatch`] when the key found is not
    /// the one the entry pins; [`Error::KeyRevoked`] when another entry revokes the same key.
    pub fn signing_key(
        &self,
        tenant: &str,
        selector: Selector<'_>,
        now: SystemTime,
    ) -> Result<TenantKey> {
        // A bad file keeps the old configuration; the error is kept for last_reload_error.
        let _ = self.reload_if_changed();
        let entry = self.select(tenant, selector, now)?;
        self.open_entry(entry)
    }

    /// Open `entry`'s key (or reuse it: HSM sessions and KMS public keys are kept), check its
    /// pinned key id and that no entry revokes it.
    ///
    /// # Errors
    /// As [`open`]; [`Error::KeyIdMismatch`]; [`Error::KeyRevoked`].
    pub fn open_entry(&self, entry: KeyEntry) -> Result<TenantKey> {
        let uri_text = hex::encode(entry.opened_as);
        let cached = self
            .inner
            .opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&uri_text)
            .cloned();
        let key = match cached {
            Some(k) => k,
            None => {
                let k: Arc<dyn SigningKey> = Arc::from(open(&entry.uri, OpenOptions::default())?);
                self.inner
                    .opened
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(uri_text, k.clone());
                k
            }
        };
        let found = key.key_id().to_string();
        if let Some(expected) = &entry.key_id {
            if *expected != found {
                return Err(Error::KeyIdMismatch {
                    uri: entry.uri.to_string(),
                    expected: expected.clone(),
                    found,
                });
            }
        }
        self.refuse_revoked(&entry.uri, &found)?;
        Ok(TenantKey {
            registry: self.clone(),
            entry,
            key,
        })
    }

    /// Reject a signature by `key_id` made at `signed_at` when the key is revoked at or before
    /// that time. With no known signing time, any revocation rejects.
    ///
    /// # Errors
    /// [`Error::KeyRevoked`].
    pub fn check_not_revoked(&self, key_id: &str, signed_at: Option<SystemTime>) -> Result<()> {
        let entries = self.entries();
        for e in entries.iter() {
            if e.status != KeyStatus::Revoked || e.key_id.as_deref() != Some(key_id) {
                continue;
            }
            let revoked_at = e.revoked_at.unwrap_or(SystemTime::UNIX_EPOCH);
            if signed_at.is_none_or(|t| t >= revoked_at) {
                return Err(revoked_error(e, key_id));
            }
        }
        Ok(())
    }

    /// Split `keys` into those still trusted for a signature made at `signed_at` and the
    /// revocation errors of the rest (see [`KeyRegistry::check_not_revoked`]).
    pub fn filter_trusted(
        &self,
        keys: Vec<VerifyingKey>,
        signed_at: Option<SystemTime>,
    ) -> (Vec<VerifyingKey>, Vec<Error>) {
        let mut kept = Vec::new();
        let mut rejected = Vec::new();
        for k in keys {
            match self.check_not_revoked(k.key_id().as_ref(), signed_at) {
                Ok(()) => kept.push(k),
                Err(e) => rejected.push(e),
            }
        }
        (kept, rejected)
    }

    /// Fail when the current configuration revokes this URI or key id.
    fn refuse_revoked(&self, uri: &KeyUri, key_id: &str) -> Result<()> {
        let uri_text = uri_key(uri);
        let entries = self.entries();
        match entries.iter().find(|e| {
            e.status == KeyStatus::Revoked
                && (e.key_id.as_deref() == Some(key_id) || uri_key(&e.uri) == uri_text)
        }) {
            Some(e) => Err(revoked_error(e, key_id)),
            None => Ok(()),
        }
    }
}

/// A tenant's key as handed out by [`KeyRegistry::signing_key`]: signs only while the registry's
/// current configuration does not revoke it.
#[derive(Debug, Clone)]
pub struct TenantKey {
    registry: KeyRegistry,
    entry: KeyEntry,
    key: Arc<dyn SigningKey>,
}

impl TenantKey {
    /// The configuration entry this key came from.
    pub fn entry(&self) -> &KeyEntry {
        &self.entry
    }
}

impl SigningKey for TenantKey {
    fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    fn public_key(&self) -> &VerifyingKey {
        self.key.public_key()
    }

    fn certificate_chain(&self) -> &[Vec<u8>] {
        self.key.certificate_chain()
    }

    fn try_sign(&self, message: &[u8]) -> stellaops_crypto::Result<Vec<u8>> {
        let _ = self.registry.reload_if_changed();
        self.registry
            .refuse_revoked(&self.entry.uri, self.key.key_id().as_ref())
            .map_err(|e| e.into_backend("registry"))?;
        self.key.try_sign(message)
    }
}

/// The active entries of `tenant` whose window holds `now` and whose plan and family lists fit.
fn fitting<'e>(
    entries: &'e [KeyEntry],
    tenant: &'e str,
    selector: Selector<'e>,
    now: SystemTime,
) -> impl Iterator<Item = &'e KeyEntry> + 'e {
    let fits = |want: Option<&str>, list: &[String]| {
        list.is_empty() || want.is_some_and(|w| list.iter().any(|l| l == w))
    };
    entries
        .iter()
        .filter(move |e| e.tenant == tenant && e.status == KeyStatus::Active)
        .filter(move |e| {
            e.not_before.is_none_or(|t| t <= now) && e.not_after.is_none_or(|t| now < t)
        })
        .filter(move |e| fits(selector.plan, &e.plans) && fits(selector.family, &e.families))
}

fn no_active_key(tenant: &str, selector: Selector<'_>) -> Error {
    Error::NoActiveKey {
        tenant: tenant.to_owned(),
        detail: match (selector.plan, selector.family) {
            (None, None) => String::new(),
            (p, f) => format!(
                " (plan {}, family {})",
                p.unwrap_or("any"),
                f.unwrap_or("any")
            ),
        },
    }
}

fn revoked_error(e: &KeyEntry, key_id: &str) -> Error {
    Error::KeyRevoked {
        key_id: key_id.to_owned(),
        revoked_at: e.revoked_at.map(rfc3339).unwrap_or_else(|| "always".into()),
        reason: e.reason.clone().unwrap_or_else(|| "no reason given".into()),
    }
}

/// The URI as it identifies a key for revocation: its display form (PINs hidden, every selector kept).
fn uri_key(uri: &KeyUri) -> String {
    uri.to_string()
}

/// A file's modification time and size: what tells a reload is due.
type Stamp = Option<(SystemTime, u64)>;

fn stamp_of(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn read(path: &Path) -> Result<(Vec<KeyEntry>, Stamp)> {
    let stamp = stamp_of(path);
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let entries = parse(&text).map_err(|message| Error::Registry {
        path: path.display().to_string(),
        message,
    })?;
    Ok((entries, stamp))
}

fn parse(text: &str) -> std::result::Result<Vec<KeyEntry>, String> {
    let config: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut entries = Vec::new();
    let mut tenants = Vec::new();
    for t in config.tenant {
        if t.id.is_empty() {
            return Err("a tenant has an empty id".into());
        }
        if tenants.contains(&t.id) {
            return Err(format!("tenant {:?} appears twice", t.id));
        }
        tenants.push(t.id.clone());
        for (n, k) in t.key.into_iter().enumerate() {
            let at = |what: &str| format!("tenant {:?} key {}: {what}", t.id, n + 1);
            let uri = KeyUri::parse(&k.uri).map_err(|e| at(&e.to_string()))?;
            if let Some(id) = &k.key_id {
                if id.len() != 64 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    return Err(at(
                        "key_id must be 64 lowercase hex digits (SHA-256 of the SPKI)",
                    ));
                }
            }
            let time = |v: &Option<String>,
                        name: &str|
             -> std::result::Result<Option<SystemTime>, String> {
                v.as_deref()
                    .map(|s| rfc3339_time(s).map_err(|e| at(&format!("{name} {e}"))))
                    .transpose()
            };
            let opened_as = {
                use sha2::Digest as _;
                sha2::Sha256::digest(k.uri.as_bytes()).into()
            };
            let entry = KeyEntry {
                opened_as,
                tenant: t.id.clone(),
                uri,
                key_id: k.key_id,
                status: k.status,
                not_before: time(&k.not_before, "not_before")?,
                not_after: time(&k.not_after, "not_after")?,
                plans: k.plans,
                families: k.families,
                revoked_at: time(&k.revoked_at, "revoked_at")?,
                reason: k.reason,
                all_sign: t.signatures == Signatures::All,
            };
            if let (Some(a), Some(b)) = (entry.not_before, entry.not_after) {
                if a >= b {
                    return Err(at("not_before must be before not_after"));
                }
            }
            match entry.status {
                KeyStatus::Revoked => {
                    if entry.revoked_at.is_none() || entry.key_id.is_none() {
                        return Err(at(
                            "a revoked key needs revoked_at and key_id (verifiers match signatures by key id)",
                        ));
                    }
                }
                _ => {
                    if entry.revoked_at.is_some() {
                        return Err(at("revoked_at is only for status = \"revoked\""));
                    }
                }
            }
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// Parse an RFC 3339 time (`2026-06-01T00:00:00Z`, offsets allowed), as the configuration file
/// and `stella verify --signed-at` take it.
///
/// # Errors
/// [`Error::Configuration`] naming the text that does not parse.
pub fn parse_time(text: &str) -> Result<SystemTime> {
    rfc3339_time(text).map_err(|message| Error::Configuration {
        backend: "time",
        message,
    })
}

/// The workspace's RFC 3339 reader; the error names the text.
fn rfc3339_time(text: &str) -> std::result::Result<SystemTime, String> {
    stellaops_crypto::rfc3339::parse(text).map_err(|e| e.to_string())
}

fn rfc3339(t: SystemTime) -> String {
    stellaops_crypto::rfc3339::format_seconds(t)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::time::Duration;

    use super::*;

    fn at(s: &str) -> SystemTime {
        stellaops_crypto::rfc3339::parse(s).unwrap()
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
        p
    }

    fn key_file(dir: &Path, name: &str) -> (PathBuf, String) {
        let key = stellaops_crypto::SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        let pem = key.to_pkcs8_pem().unwrap();
        (write(dir, name, pem.as_bytes()), key.key_id().to_string())
    }

    #[test]
    fn a_tenant_signs_with_one_key_or_with_all_that_fit() {
        let dir = tempfile::tempdir().unwrap();
        let (a, a_id) = key_file(dir.path(), "a.pem");
        let (b, b_id) = key_file(dir.path(), "b.pem");
        let (c, _) = key_file(dir.path(), "c.pem");
        let text = |signatures: &str| {
            format!(
                "[[tenant]]\nid = \"acme\"\n{signatures}\n\
                 [[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n\
                 [[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\nfamilies = [\"vex\"]\n\
                 [[tenant.key]]\nuri = \"file:{}\"\nstatus = \"retired\"\n\
                 [[tenant]]\nid = \"other\"\n[[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n",
                a.display(),
                b.display(),
                c.display(),
                c.display()
            )
        };
        let vex = Selector {
            plan: None,
            family: Some("vex"),
        };
        let now = SystemTime::now();
        let ids = |r: &KeyRegistry, s| -> Vec<String> {
            r.signing_keys("acme", s, now)
                .unwrap()
                .iter()
                .map(|k| k.key_id().to_string())
                .collect()
        };
        // The default: the best fit alone (the VEX key for VEX, the general one otherwise).
        let one = KeyRegistry::load(write(dir.path(), "one.toml", text("").as_bytes())).unwrap();
        assert_eq!(ids(&one, vex), [b_id.as_str()]);
        assert_eq!(ids(&one, Selector::default()), [a_id.as_str()]);
        // signatures = "all": every active key that fits, in file order; retired keys never.
        let all_text = text("signatures = \"all\"");
        let all = KeyRegistry::load(write(dir.path(), "all.toml", all_text.as_bytes())).unwrap();
        assert_eq!(ids(&all, vex), [a_id.clone(), b_id]);
        assert_eq!(ids(&all, Selector::default()), [a_id]);
        // Only the tenant that says so.
        assert_eq!(
            all.select_all("other", Selector::default(), now)
                .unwrap()
                .len(),
            1
        );
        let bad = text("signatures = \"some\"");
        let err = KeyRegistry::load(write(dir.path(), "bad.toml", bad.as_bytes())).unwrap_err();
        assert!(err.to_string().contains("signatures"), "{err}");
    }

    #[test]
    fn rotation_picks_the_key_whose_window_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let (old, old_id) = key_file(dir.path(), "old.pem");
        let (new, new_id) = key_file(dir.path(), "new.pem");
        let config = format!(
            r#"
[[tenant]]
id = "acme"
[[tenant.key]]
uri = "file:{}"
status = "active"
not_after = "2026-07-01T00:00:00Z"
[[tenant.key]]
uri = "file:{}"
status = "active"
not_before = "2026-07-01T00:00:00Z"
"#,
            old.display(),
            new.display()
        );
        let reg = KeyRegistry::load(write(dir.path(), "keys.toml", config.as_bytes())).unwrap();
        let june = reg
            .signing_key("acme", Selector::default(), at("2026-06-15T00:00:00Z"))
            .unwrap();
        let july = reg
            .signing_key("acme", Selector::default(), at("2026-07-15T00:00:00Z"))
            .unwrap();
        assert_eq!(june.key_id().to_string(), old_id);
        assert_eq!(july.key_id().to_string(), new_id);
        assert!(matches!(
            reg.signing_key("other", Selector::default(), at("2026-07-15T00:00:00Z")),
            Err(Error::NoActiveKey { .. })
        ));
    }

    #[test]
    fn the_most_specific_entry_wins_and_plans_filter() {
        let dir = tempfile::tempdir().unwrap();
        let (general, general_id) = key_file(dir.path(), "g.pem");
        let (sbom, sbom_id) = key_file(dir.path(), "s.pem");
        let config = format!(
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n[[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\nfamilies = [\"sbom\"]\nplans = [\"gold\"]\n",
            general.display(),
            sbom.display()
        );
        let reg = KeyRegistry::load(write(dir.path(), "k.toml", config.as_bytes())).unwrap();
        let now = SystemTime::now();
        let pick = |plan, family| {
            reg.signing_key("t", Selector { plan, family }, now)
                .unwrap()
                .key_id()
                .to_string()
        };
        assert_eq!(pick(Some("gold"), Some("sbom")), sbom_id);
        assert_eq!(pick(Some("free"), Some("sbom")), general_id);
        assert_eq!(pick(Some("gold"), Some("vex")), general_id);
        assert_eq!(pick(None, None), general_id);
    }

    #[test]
    fn revocation_stops_signing_even_for_keys_already_handed_out() {
        let dir = tempfile::tempdir().unwrap();
        let (k, id) = key_file(dir.path(), "k.pem");
        let active = format!(
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n",
            k.display()
        );
        let path = write(dir.path(), "k.toml", active.as_bytes());
        let reg = KeyRegistry::load(&path).unwrap();
        let key = reg
            .signing_key("t", Selector::default(), SystemTime::now())
            .unwrap();
        assert!(key.try_sign(b"before").is_ok());

        let revoked = format!(
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:{}\"\nkey_id = \"{id}\"\nstatus = \"revoked\"\nrevoked_at = \"2026-06-01T00:00:00Z\"\nreason = \"compromise\"\n# padding so the size changes\n",
            k.display()
        );
        write(dir.path(), "k.toml", revoked.as_bytes());
        assert!(reg.reload_if_changed().unwrap());
        match key.try_sign(b"after") {
            Err(stellaops_crypto::Error::Backend { source, .. }) => {
                assert!(source.to_string().contains("revoked"), "{source}")
            }
            other => panic!("revoked key signed: {other:?}"),
        }
        assert!(matches!(
            reg.signing_key("t", Selector::default(), SystemTime::now()),
            Err(Error::NoActiveKey { .. })
        ));

        // Verification: before the revocation time still verifies, at or after it (or unknown) does not.
        assert!(reg
            .check_not_revoked(&id, Some(at("2026-05-31T23:59:59Z")))
            .is_ok());
        assert!(matches!(
            reg.check_not_revoked(&id, Some(at("2026-06-01T00:00:00Z"))),
            Err(Error::KeyRevoked { .. })
        ));
        assert!(reg.check_not_revoked(&id, None).is_err());
        assert!(reg.check_not_revoked(&"0".repeat(64), None).is_ok());
        let (kept, rejected) = reg.filter_trusted(vec![key.public_key().clone()], None);
        assert!(kept.is_empty());
        assert_eq!(rejected.len(), 1);
    }

    #[test]
    fn a_bad_reload_keeps_the_old_configuration_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let (k, id) = key_file(dir.path(), "k.pem");
        let good = format!(
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n",
            k.display()
        );
        let path = write(dir.path(), "k.toml", good.as_bytes());
        let reg = KeyRegistry::load(&path).unwrap();
        for bad in [
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"pkcs11:token=x\"\nstatus = \"active\"\n",
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:/k\"\nstatus = \"lost\"\n",
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:/k\"\nstatus = \"revoked\"\n",
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:/k\"\nstatus = \"active\"\nnot_before = \"yesterday\"\n",
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:/k\"\nstatus = \"active\"\nkey_id = \"ABC\"\n",
            "[[tenant]]\nid = \"t\"\n[[tenant]]\nid = \"t\"\n",
            "[[tenant]]\nid = \"t\"\ncolour = 1\n",
            "not toml at all [",
        ] {
            std::thread::sleep(Duration::from_millis(5));
            write(dir.path(), "k.toml", bad.as_bytes());
            assert!(matches!(reg.reload(), Err(Error::Registry { .. })), "{bad}");
            assert!(reg.last_reload_error().is_some());
            let key = reg.signing_key("t", Selector::default(), SystemTime::now()).unwrap();
            assert_eq!(key.key_id().to_string(), id, "old configuration lost after {bad}");
        }
        write(dir.path(), "k.toml", good.as_bytes());
        reg.reload().unwrap();
        assert!(reg.last_reload_error().is_none());
    }

    #[test]
    fn a_pinned_key_id_must_match() {
        let dir = tempfile::tempdir().unwrap();
        let (k, _) = key_file(dir.path(), "k.pem");
        let config = format!(
            "[[tenant]]\nid = \"t\"\n[[tenant.key]]\nuri = \"file:{}\"\nkey_id = \"{}\"\nstatus = \"active\"\n",
            k.display(),
            "ab".repeat(32)
        );
        let reg = KeyRegistry::load(write(dir.path(), "k.toml", config.as_bytes())).unwrap();
        assert!(matches!(
            reg.signing_key("t", Selector::default(), SystemTime::now()),
            Err(Error::KeyIdMismatch { .. })
        ));
    }
}
