//! The predicate-type allow-list policy.

use std::collections::BTreeSet;

use crate::{catalog, Error, Result};

/// What happens to a predicate type that is not on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnforcementMode {
    /// Admit it and record the fact for audit.
    LogOnly,
    /// Admit it and warn the caller.
    Warn,
    /// Refuse it.
    Reject,
}

impl std::str::FromStr for EnforcementMode {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "log-only" | "log" => Ok(EnforcementMode::LogOnly),
            "warn" => Ok(EnforcementMode::Warn),
            "reject" => Ok(EnforcementMode::Reject),
            other => Err(format!(
                "unknown enforcement mode {other:?} (log-only, warn, reject)"
            )),
        }
    }
}

/// The outcome of admitting a predicate type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// On the list.
    Allowed,
    /// Not on the list, admitted because the mode is [`EnforcementMode::LogOnly`] or
    /// [`EnforcementMode::Warn`]; the caller logs or warns accordingly.
    Unlisted(EnforcementMode),
}

impl Admission {
    /// The stable name the bindings report: `allowed` or `unlisted`.
    pub fn name(self) -> &'static str {
        match self {
            Admission::Allowed => "allowed",
            Admission::Unlisted(_) => "unlisted",
        }
    }
}

/// A set of allowed predicate types and what to do with others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowList {
    allowed: BTreeSet<String>,
    mode: EnforcementMode,
}

impl AllowList {
    /// The whole catalog, with `mode` for anything else.
    pub fn catalog(mode: EnforcementMode) -> Self {
        AllowList::new(catalog::allowed_predicate_types(), mode)
    }

    /// An explicit list.
    pub fn new<S: Into<String>>(
        allowed: impl IntoIterator<Item = S>,
        mode: EnforcementMode,
    ) -> Self {
        AllowList {
            allowed: allowed.into_iter().map(Into::into).collect(),
            mode,
        }
    }

    /// The mode.
    pub fn mode(&self) -> EnforcementMode {
        self.mode
    }

    /// Admit `predicate_type` or say why not.
    ///
    /// # Errors
    /// [`Error::PredicateNotAllowed`] for an unlisted type in [`EnforcementMode::Reject`].
    pub fn admit(&self, predicate_type: &str) -> Result<Admission> {
        if self.allowed.contains(predicate_type) {
            return Ok(Admission::Allowed);
        }
        match self.mode {
            EnforcementMode::Reject => Err(Error::PredicateNotAllowed(predicate_type.to_owned())),
            mode => Ok(Admission::Unlisted(mode)),
        }
    }
}
