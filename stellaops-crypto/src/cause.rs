//! [`Cause`]: a dependency's error kept as the source of ours, without its type in our API.

use std::fmt;

/// The underlying error of a failure in a dependency (a PKCS#11 module, an HTTP client, Redis, a
/// JSON serializer, an authenticator library), kept as the `source` of this workspace's errors so
/// the chain reaches the root cause, without making the dependency's type part of any public
/// error enum (rustls' `OtherError` pattern): a dependency update cannot break our API.
///
/// It displays as the underlying error, and its own `source` is the underlying error's.
pub struct Cause(Box<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    /// Keep `error` as a cause.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Box::new(error))
    }

    /// `": {cause}"`, or nothing: how the errors that carry an optional cause end their
    /// message.
    pub fn suffix(cause: Option<&Cause>) -> String {
        cause.map_or_else(String::new, |c| format!(": {c}"))
    }

    /// The underlying error, for callers that know what they are looking for (downcast it).
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.0.as_ref()
    }
}

/// `text` cut to at most `max` bytes (at a character boundary, `…` marking the cut): how caller
/// text that an error repeats stays bounded.
pub(crate) fn bounded(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_shows_and_chains_like_what_it_holds() {
        let io = std::io::Error::other("disk on fire");
        let cause = Cause::new(io);
        assert_eq!(cause.to_string(), "disk on fire");
        assert!(cause.get_ref().downcast_ref::<std::io::Error>().is_some());
        assert_eq!(Cause::suffix(Some(&cause)), ": disk on fire");
        assert_eq!(Cause::suffix(None), "");
    }
}
