//! The transparency log: Rekor v1 (`dsse` 0.0.1 entries) or Rekor v2 (`hashedrekord` 0.0.2,
//! DSSE envelopes included, as the Rekor v2 specification has them).

mod v1;
mod v2;

pub(crate) use v1::log_dsse;
pub(crate) use v2::{log_dsse_v2, Verifier};

use crate::Error;

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

/// Refuse Rekor v2 without a timestamp authority: its entries carry no signing time.
pub(crate) fn check_timestamped(
    version: RekorVersion,
    timestamp_url: Option<&str>,
) -> crate::Result<()> {
    if version == RekorVersion::V2 && timestamp_url.is_none() {
        return Err(Error::Config(String::from(
            "Rekor v2 entries carry no integrated time: a signing time must come from an RFC \
             3161 timestamp, so Rekor v2 needs a timestamp authority (--timestamp-url)",
        )));
    }
    Ok(())
}

fn rekor_answer(what: &str) -> Error {
    Error::Service {
        service: "Rekor",
        message: format!("unusable answer: {what}"),
    }
}
