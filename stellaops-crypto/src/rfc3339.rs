//! RFC 3339 times: the one reader and writer of the workspace, for configuration files (key
//! windows, revocations, bypass and override expiries), export manifests, predicates, audit
//! records and `stella verify --signed-at`. Each crate turns [`InvalidTime`] into its own
//! configuration or input error, so a typo is reported by whoever read the text.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::Cause;

/// A text that is not an RFC 3339 time (or one out of range).
#[derive(Debug, thiserror::Error)]
#[error("{text:?} is not an RFC 3339 time: {source}")]
pub struct InvalidTime {
    /// The text, cut to 64 characters.
    pub text: String,
    /// Why.
    #[source]
    pub source: Cause,
}

fn invalid(text: &str, source: impl std::error::Error + Send + Sync + 'static) -> InvalidTime {
    InvalidTime {
        text: text.chars().take(64).collect(),
        source: Cause::new(source),
    }
}

/// Parse `2026-06-01T00:00:00Z` (offsets and fractions allowed).
///
/// # Errors
/// [`InvalidTime`] naming the text.
pub fn parse(text: &str) -> Result<SystemTime, InvalidTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(SystemTime::from)
        .map_err(|e| invalid(text, e))
}

/// `text` rewritten in UTC (`…Z`), as manifests store times.
///
/// # Errors
/// [`InvalidTime`] naming the text.
pub fn to_utc(text: &str) -> Result<String, InvalidTime> {
    let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| invalid(text, e))?;
    format_utc(parsed).map_err(|e| invalid(text, e))
}

/// `t` in UTC with whole seconds, e.g. `2026-11-23T16:40:00Z`: for times a person's action
/// carries and for configuration.
pub fn format_seconds(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    let whole = dt.replace_nanosecond(0).unwrap_or(dt);
    format_utc(whole).unwrap_or_else(|_| String::from("?"))
}

/// `t` in UTC with microseconds, e.g. `2026-11-23T16:40:00.123456Z`: for audit records.
pub fn format_micros(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.microsecond()
    )
}

/// The time `seconds` after the Unix epoch (before it, when negative), if representable.
pub fn from_unix_seconds(seconds: i64) -> Option<SystemTime> {
    let span = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        UNIX_EPOCH.checked_add(span)
    } else {
        UNIX_EPOCH.checked_sub(span)
    }
}

fn format_utc(dt: OffsetDateTime) -> Result<String, time::error::Format> {
    dt.to_offset(time::UtcOffset::UTC).format(&Rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_utc() {
        let t = parse("2026-06-01T02:00:00+02:00").unwrap();
        assert_eq!(format_seconds(t), "2026-06-01T00:00:00Z");
        assert_eq!(
            to_utc("2026-06-01T02:00:00+02:00").unwrap(),
            "2026-06-01T00:00:00Z"
        );
        let micros = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        assert_eq!(format_micros(micros), "2023-11-14T22:13:20.123456Z");
        assert_eq!(format_seconds(micros), "2023-11-14T22:13:20Z");
        assert_eq!(
            from_unix_seconds(1_700_000_000),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        let err = parse("2026-13-01T00:00:00Z").unwrap_err();
        assert!(err.to_string().contains("not an RFC 3339 time"), "{err}");
        assert_eq!(parse(&"x".repeat(500)).unwrap_err().text.len(), 64);
    }
}
