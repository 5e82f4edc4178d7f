//! Which certificate identity (SAN) a keyless bundle must carry.

use regex::Regex;

use crate::{Error, Result};

/// The required certificate identity: an exact value (an email address or a URI such as a
/// workflow ref) or a regular expression that must match the whole identity.
#[derive(Clone, Debug)]
pub enum Identity {
    /// The identity equals this value.
    Exact(String),
    /// The identity matches this expression from its first to its last character.
    Pattern(Regex),
}

impl Identity {
    /// An exact identity.
    pub fn exact(value: impl Into<String>) -> Self {
        Identity::Exact(value.into())
    }

    /// A pattern, anchored at both ends whatever it says: `https://github\.com/acme/.*` does not
    /// accept `https://evil.example/?https://github.com/acme/x`, as an unanchored search would.
    ///
    /// # Errors
    /// [`Error::InvalidPattern`] when `pattern` is not a regular expression.
    pub fn pattern(pattern: &str) -> Result<Self> {
        Regex::new(&format!("^(?:{pattern})$"))
            .map(Identity::Pattern)
            .map_err(|e| Error::InvalidPattern(e.to_string()))
    }

    /// Whether `identity` is accepted.
    pub fn matches(&self, identity: &str) -> bool {
        match self {
            Identity::Exact(value) => value == identity,
            Identity::Pattern(re) => re.is_match(identity),
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Exact(value) => write!(f, "{value:?}"),
            Identity::Pattern(re) => write!(f, "/{}/", re.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_anchored() {
        let p = Identity::pattern(r"https://github\.com/acme/.*").unwrap();
        assert!(p.matches("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1"));
        assert!(!p.matches("https://evil.example/?https://github.com/acme/x"));
        assert!(!p.matches("xhttps://github.com/acme/app"));
        // An alternation cannot escape the anchors.
        let p = Identity::pattern("a@example.com|b@example.com").unwrap();
        assert!(p.matches("b@example.com"));
        assert!(!p.matches("a@example.com.evil"));
        assert!(matches!(
            Identity::pattern("("),
            Err(Error::InvalidPattern(_))
        ));
        assert!(Identity::exact("a@example.com").matches("a@example.com"));
        assert!(!Identity::exact("a@example.com").matches("A@example.com"));
    }
}
