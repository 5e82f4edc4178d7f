//! Sigstore's public-good instance, built in: its trusted root and signing config as a dated
//! snapshot, so that verifying a public bundle (`stella verify-blob … --certificate-identity …`)
//! and signing against `fulcio.sigstore.dev` / `rekor.sigstore.dev` need no flags, as with
//! cosign.
//!
//! The snapshot is the one the Sigstore project's Rust crates embed (`sigstore-trust-root`
//! 0.15.1, the version `Cargo.lock` pins): its newest key — Rekor's `log2025-1` — begins
//! [`PUBLIC_GOOD_AS_OF`]. We never fetch it through TUF (there is no network client for that
//! here): keys the instance adds after that date are unknown to it, so a bundle they made fails
//! with the date named, and `--trusted-root` (a current `trusted_root.json`, e.g. from
//! `cosign trusted-root create` or the instance's TUF repository) or `--signing-config`
//! overrides it.

use crate::{Result, SigningServices, TrustedRoot};

/// The date the built-in snapshot is current to: the start of the newest key it holds.
pub const PUBLIC_GOOD_AS_OF: &str = "2025-09-23";

/// The public-good instance's `trusted_root.json`, as built in.
pub fn trusted_root_json() -> &'static str {
    sigstore_verify::trust_root::SIGSTORE_PRODUCTION_TRUSTED_ROOT
}

/// The public-good instance's `signing_config.json` (v0.2), as built in.
pub fn signing_config_json() -> &'static str {
    sigstore_verify::trust_root::SIGSTORE_PRODUCTION_SIGNING_CONFIG
}

impl TrustedRoot {
    /// The public-good instance's trusted root, from the built-in snapshot
    /// ([`PUBLIC_GOOD_AS_OF`]).
    ///
    /// # Errors
    /// [`crate::Error::TrustedRoot`] if the snapshot does not parse (a broken build).
    pub fn public_good() -> Result<Self> {
        TrustedRoot::from_json(trusted_root_json().as_bytes())
    }
}

impl SigningServices {
    /// The services the public-good signing config chooses now, from the built-in snapshot:
    /// `fulcio.sigstore.dev`, `rekor.sigstore.dev` (v1) and `timestamp.sigstore.dev`.
    ///
    /// # Errors
    /// [`crate::Error::Config`] if the snapshot does not parse (a broken build).
    pub fn public_good() -> Result<Self> {
        SigningServices::from_json(signing_config_json().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RekorVersion;

    #[test]
    fn the_snapshot_names_the_public_good_services() {
        let s = SigningServices::public_good().unwrap();
        assert_eq!(s.fulcio_url.as_deref(), Some("https://fulcio.sigstore.dev"));
        assert_eq!(s.rekor_url, "https://rekor.sigstore.dev");
        assert_eq!(s.rekor_version, RekorVersion::V1);
        assert_eq!(
            s.timestamp_url.as_deref(),
            Some("https://timestamp.sigstore.dev/api/v1/timestamp")
        );
        let root = TrustedRoot::public_good().unwrap();
        assert!(!root.timestamp_authority_certificates().is_empty());
    }

    #[test]
    fn the_date_is_the_newest_key_in_the_snapshot() {
        let doc: serde_json::Value = serde_json::from_str(trusted_root_json()).unwrap();
        let newest = [
            "tlogs",
            "ctlogs",
            "certificateAuthorities",
            "timestampAuthorities",
        ]
        .iter()
        .flat_map(|k| doc[k].as_array().cloned().unwrap_or_default())
        .filter_map(|e| {
            let start = e["validFor"]["start"]
                .as_str()
                .or_else(|| e["publicKey"]["validFor"]["start"].as_str())?;
            Some(start.get(..10)?.to_owned())
        })
        .max()
        .unwrap();
        assert_eq!(newest, PUBLIC_GOOD_AS_OF);
    }
}
