//! Which certificate identity (SAN) and OIDC issuer a keyless bundle must carry: a value
//! required exactly, or by a pattern anchored at both ends.

use regex_automata::meta::Regex;
use regex_syntax::hir::{Hir, Look};

use crate::{Error, Result};

/// The required certificate identity: an exact value (an email address or a URI such as a
/// workflow ref) or a regular expression that must match the whole identity.
#[derive(Clone, Debug)]
pub enum Identity {
    /// The identity equals this value.
    Exact(String),
    /// The identity matches this expression from its first to its last character.
    Pattern(IdentityPattern),
}

/// A regular expression anchored at both ends of the identity.
#[derive(Clone, Debug)]
pub struct IdentityPattern {
    source: String,
    regex: Regex,
}

impl IdentityPattern {
    /// The expression as the caller wrote it.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl Identity {
    /// An exact identity.
    pub fn exact(value: impl Into<String>) -> Self {
        Identity::Exact(value.into())
    }

    /// A pattern, anchored at both ends whatever it says: `https://github\.com/acme/.*` does not
    /// accept `https://evil.example/?https://github.com/acme/x`, as an unanchored search would.
    /// The pattern is parsed on its own first, then its syntax tree is placed between a start
    /// and an end assertion: no text in the pattern (`x)|(.*`) can close a group around it.
    ///
    /// # Errors
    /// [`Error::InvalidPattern`] when `pattern` is not a regular expression;
    /// [`Error::PatternTooLarge`] when it compiles too large.
    pub fn pattern(pattern: &str) -> Result<Self> {
        let hir = regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| Error::InvalidPattern(stellaops_crypto::Cause::new(e)))?;
        let anchored = Hir::concat(vec![Hir::look(Look::Start), hir, Hir::look(Look::End)]);
        let regex = Regex::builder()
            .build_from_hir(&anchored)
            .map_err(|e| Error::PatternTooLarge(stellaops_crypto::Cause::new(e)))?;
        Ok(Identity::Pattern(IdentityPattern {
            source: pattern.to_owned(),
            regex,
        }))
    }

    /// Whether `identity` is accepted.
    pub fn matches(&self, identity: &str) -> bool {
        match self {
            Identity::Exact(value) => value == identity,
            Identity::Pattern(p) => p.regex.is_match(identity),
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Exact(value) => write!(f, "{value:?}"),
            Identity::Pattern(p) => write!(f, "/{}/", p.as_str()),
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
        // Issue 20, defect 4: text that would close the wrapping group is refused as a
        // pattern of its own, and no alternation escapes the anchors.
        assert!(matches!(
            Identity::pattern("x)|(.*"),
            Err(Error::InvalidPattern(_))
        ));
        let p = Identity::pattern("a@example.com|.*").unwrap();
        assert!(p.matches("anyone@evil.example"));
        let p = Identity::pattern("(?x) a @ example \\. com # a comment").unwrap();
        assert!(p.matches("a@example.com"));
        assert!(!p.matches("a@example.com.evil"));
        let p = Identity::pattern("a|ab").unwrap();
        assert!(
            p.matches("ab"),
            "the whole identity, not the leftmost-first match"
        );
        assert!(!p.matches("abc"));
        assert!(Identity::exact("a@example.com").matches("a@example.com"));
        assert!(!Identity::exact("a@example.com").matches("A@example.com"));
    }
}
