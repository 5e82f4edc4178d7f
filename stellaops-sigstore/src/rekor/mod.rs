//! The transparency log: Rekor v1 (`dsse` 0.0.1 entries for envelopes, `hashedrekord` 0.0.1 for
//! blob signatures) or Rekor v2 (`hashedrekord` 0.0.2 for both, as the Rekor v2 specification
//! has them).

mod v1;
mod v2;

pub(crate) use v2::Verifier;

use std::time::Duration;

use sigstore_types::{DsseEnvelope, TransparencyLogEntry};
use stellaops_crypto::Algorithm;

use crate::http::Service;
use crate::{Error, Result};

/// Which Rekor API a signer writes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RekorVersion {
    /// Rekor v1 (`/api/v1/log/entries`): a `dsse` 0.0.1 entry, with a signed entry timestamp
    /// and an integrated time.
    #[default]
    V1,
    /// Rekor v2 (rekor-tiles, `/api/v2/log/entries`): a `hashedrekord` 0.0.2 entry over the
    /// envelope's PAE, with an inclusion proof and a signed checkpoint but no integrated time;
    /// a signing time must come from an RFC 3161 timestamp, so a timestamp authority is
    /// required.
    V2,
}

/// A transparency log a signer writes to: where, and through which API.
#[derive(Clone, Debug)]
pub(crate) struct Log {
    service: Service,
    version: RekorVersion,
}

impl Log {
    /// The log at `url` (`https://`, or `http://` to a loopback host).
    pub(crate) fn new(
        url: &str,
        version: RekorVersion,
        timeout: Duration,
        retries: u32,
    ) -> Result<Self> {
        Ok(Log {
            service: Service::new("Rekor", url, timeout, retries)?,
            version,
        })
    }

    /// The log at `url` through `version`, and the timestamp authority at `tsa_url` when one
    /// is given (required for Rekor v2, whose entries carry no signing time): what a bundle
    /// signer writes its evidence to.
    pub(crate) fn with_timestamper(
        (url, version): (&str, RekorVersion),
        tsa_url: Option<&str>,
        timeout: Duration,
        retries: u32,
    ) -> Result<(Self, Option<crate::tsa::Timestamper>)> {
        let log = Log::new(url, version, timeout, retries)?;
        let tsa = crate::tsa::Timestamper::for_log(version, tsa_url, timeout, retries)?;
        Ok((log, tsa))
    }

    /// Refuse, before anything is signed, a signature algorithm this log cannot check.
    ///
    /// Rekor v1 verifies a `dsse` entry's signatures with SHA-256 whatever the key: ECDSA P-256
    /// (ES256), Ed25519 and RSA PKCS#1 v1.5 keys can be logged; ES384 (SHA-384) and RSA-PSS
    /// signatures would be refused by the log. Rekor v2 takes a hashedrekord over the SHA-256
    /// of the PAE: ECDSA P-256 here.
    pub(crate) fn accepts(&self, algorithm: Algorithm) -> Result<()> {
        match self.version {
            RekorVersion::V1 => {
                if matches!(
                    algorithm,
                    Algorithm::EcdsaP256Sha256 | Algorithm::Ed25519 | Algorithm::RsaPkcs1Sha256
                ) {
                    return Ok(());
                }
                Err(Error::Config(format!(
                    "Rekor v1 verifies DSSE signatures with SHA-256 (ECDSA P-256, Ed25519, RSA \
                     PKCS#1 v1.5): a key of algorithm {algorithm} cannot be logged"
                )))
            }
            RekorVersion::V2 => v2::key_details(algorithm).map(drop),
        }
    }

    /// Refuse, before anything is signed, a key whose signature over a blob this log cannot
    /// check: a `hashedrekord` entry holds the blob's SHA-256, and the log verifies the
    /// signature over that digest, so the algorithm must sign a SHA-256 digest: ECDSA P-256 or
    /// (Rekor v1) RSA PKCS#1 v1.5.
    pub(crate) fn accepts_message(&self, algorithm: Algorithm) -> Result<()> {
        match (self.version, algorithm) {
            (_, Algorithm::EcdsaP256Sha256) | (RekorVersion::V1, Algorithm::RsaPkcs1Sha256) => {
                Ok(())
            }
            (version, other) => Err(Error::Config(format!(
                "a blob's signature is logged as a hashedrekord, which the log verifies over \
                 the blob's SHA-256: ECDSA P-256{} keys only, not {other}",
                if version == RekorVersion::V1 {
                    " or RSA PKCS#1 v1.5"
                } else {
                    " (Rekor v2)"
                }
            ))),
        }
    }

    /// Log `signature` (made with `algorithm` over the blob whose SHA-256 is `digest`) for
    /// `verifier` — Rekor v1 takes it as `verifier_pem` — and return the bundle's log entry.
    /// The signers check [`Log::accepts_message`] before anything is signed or sent.
    pub(crate) fn log_message(
        &self,
        (digest, signature): (&[u8; 32], &[u8]),
        algorithm: Algorithm,
        verifier: Verifier<'_>,
        verifier_pem: &str,
    ) -> Result<TransparencyLogEntry> {
        match self.version {
            RekorVersion::V1 => v1::log_hashed(&self.service, digest, signature, verifier_pem),
            RekorVersion::V2 => {
                v2::log_hashed(&self.service, digest, signature, algorithm, verifier)
            }
        }
    }

    /// Log `envelope` (one signature, made with `algorithm`) for `verifier` — Rekor v1 takes it
    /// as `verifier_pem` — and return the bundle's log entry.
    pub(crate) fn log_dsse(
        &self,
        envelope: &DsseEnvelope,
        algorithm: Algorithm,
        verifier: Verifier<'_>,
        verifier_pem: &str,
    ) -> Result<TransparencyLogEntry> {
        match self.version {
            RekorVersion::V1 => v1::log_dsse(&self.service, envelope, verifier_pem),
            RekorVersion::V2 => v2::log_dsse(&self.service, envelope, algorithm, verifier),
        }
    }
}

/// Refuse Rekor v2 without a timestamp authority: its entries carry no signing time.
pub(crate) fn check_timestamped(version: RekorVersion, timestamp_url: Option<&str>) -> Result<()> {
    if version == RekorVersion::V2 && timestamp_url.is_none() {
        return Err(Error::Config(String::from(
            "Rekor v2 entries carry no integrated time: a signing time must come from an RFC \
             3161 timestamp, so Rekor v2 needs a timestamp authority (--timestamp-url)",
        )));
    }
    Ok(())
}

/// Rekor answered, but with something unusable.
pub(crate) fn rekor_answer(what: &str) -> Error {
    Error::Service {
        service: "Rekor",
        message: format!("unusable answer: {what}"),
    }
}
