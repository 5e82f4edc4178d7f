//! The predicate-type catalog: every predicate type StellaOps signs or reads, with its family.

use crate::{Error, Result};

/// What a predicate is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// Software bills of materials (SPDX, CycloneDX, StellaOps SBOM).
    Sbom,
    /// Vulnerability exploitability statements and decisions.
    Vex,
    /// Reachability evidence: call graphs and the paths that reach vulnerable code.
    Reachability,
    /// Build provenance (SLSA).
    Provenance,
    /// Policy evaluations.
    Policy,
    /// Evidence bundles collected for audits.
    Evidence,
    /// Promotions of artifacts between environments.
    Promotion,
    /// Deterministic replay manifests.
    Replay,
    /// in-toto supply-chain step links.
    Link,
}

impl Family {
    /// The stable lowercase name the bindings report: `sbom`, `vex`, `reachability`,
    /// `provenance`, `policy`, `evidence`, `promotion`, `replay`, `link`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Sbom => "sbom",
            Family::Vex => "vex",
            Family::Reachability => "reachability",
            Family::Provenance => "provenance",
            Family::Policy => "policy",
            Family::Evidence => "evidence",
            Family::Promotion => "promotion",
            Family::Replay => "replay",
            Family::Link => "link",
        }
    }
}

/// One catalog entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PredicateType {
    /// The `predicateType` string.
    pub uri: &'static str,
    /// The short name the CLI accepts.
    pub short_name: &'static str,
    /// Other accepted short names (cosign's `--type` names among them).
    pub aliases: &'static [&'static str],
    /// The family.
    pub family: Family,
    /// One line for people.
    pub description: &'static str,
}

/// Every predicate type we know, StellaOps' own first.
pub const CATALOG: &[PredicateType] = &[
    PredicateType {
        uri: "stella.ops/promotion@v1",
        short_name: "promotion",
        aliases: &[],
        family: Family::Promotion,
        description: "artifact promoted between environments, with approvals and evidence",
    },
    PredicateType {
        uri: "stella.ops/sbom@v1",
        short_name: "sbom",
        aliases: &[],
        family: Family::Sbom,
        description: "StellaOps SBOM attestation (wraps a CycloneDX or SPDX document)",
    },
    PredicateType {
        uri: "stella.ops/vex@v1",
        short_name: "vex",
        aliases: &[],
        family: Family::Vex,
        description: "StellaOps VEX statements",
    },
    PredicateType {
        uri: "stella.ops/vexDecision@v1",
        short_name: "vexDecision",
        aliases: &["vex-decision"],
        family: Family::Vex,
        description: "a VEX decision with its justification and evidence",
    },
    PredicateType {
        uri: "stella.ops/graph@v1",
        short_name: "graph",
        aliases: &["reachability"],
        family: Family::Reachability,
        description: "reachability call graph",
    },
    PredicateType {
        uri: "stella.ops/replay@v1",
        short_name: "replay",
        aliases: &[],
        family: Family::Replay,
        description: "deterministic replay manifest",
    },
    PredicateType {
        uri: "stella.ops/policy@v1",
        short_name: "policy",
        aliases: &[],
        family: Family::Policy,
        description: "policy evaluation result",
    },
    PredicateType {
        uri: "stella.ops/evidence@v1",
        short_name: "evidence",
        aliases: &[],
        family: Family::Evidence,
        description: "evidence bundle index",
    },
    PredicateType {
        uri: "stella.ops/export@v1",
        short_name: "export",
        aliases: &[],
        family: Family::Evidence,
        description: "signed export manifest: every file of an export by path, size and digest",
    },
    PredicateType {
        uri: "stella.ops/report@v1",
        short_name: "report",
        aliases: &[],
        family: Family::Policy,
        description: "scan report with the policy that judged it (policy digest, view set)",
    },
    PredicateType {
        uri: "https://slsa.dev/provenance/v1",
        short_name: "slsa-provenance",
        aliases: &["slsaprovenance1", "provenance"],
        family: Family::Provenance,
        description: "SLSA build provenance v1",
    },
    PredicateType {
        uri: "https://slsa.dev/provenance/v0.2",
        short_name: "slsa-provenance-v0.2",
        aliases: &["slsaprovenance", "slsaprovenance02"],
        family: Family::Provenance,
        description: "SLSA build provenance v0.2 (read in the wild)",
    },
    PredicateType {
        uri: "https://spdx.dev/Document",
        short_name: "spdx",
        aliases: &["spdxjson"],
        family: Family::Sbom,
        description: "SPDX document",
    },
    PredicateType {
        uri: "https://cyclonedx.org/bom",
        short_name: "cyclonedx",
        aliases: &["cdx"],
        family: Family::Sbom,
        description: "CycloneDX BOM",
    },
    PredicateType {
        uri: "https://openvex.dev/ns",
        short_name: "openvex",
        aliases: &[],
        family: Family::Vex,
        description: "OpenVEX document",
    },
    PredicateType {
        uri: "https://in-toto.io/attestation/link/v0.3",
        short_name: "link",
        aliases: &[],
        family: Family::Link,
        description: "in-toto link",
    },
];

/// The catalog entry for a `predicateType` string. OpenVEX's versioned namespaces
/// (`https://openvex.dev/ns/v0.2.0`) resolve to the OpenVEX entry.
pub fn lookup(uri: &str) -> Option<&'static PredicateType> {
    CATALOG.iter().find(|p| p.uri == uri).or_else(|| {
        uri.strip_prefix("https://openvex.dev/ns/")
            .and_then(|_| lookup("https://openvex.dev/ns"))
    })
}

/// Turn a short name or alias (`sbom`, `vex`, `cyclonedx`, ...) into its URI; anything that looks
/// like a URI (contains `/` or `:`) is returned unchanged, catalogued or not.
///
/// # Errors
/// [`Error::UnknownPredicateType`] for an unknown short name.
pub fn resolve(name_or_uri: &str) -> Result<String> {
    if let Some(p) = CATALOG.iter().find(|p| {
        p.short_name.eq_ignore_ascii_case(name_or_uri)
            || p.aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(name_or_uri))
    }) {
        return Ok(p.uri.to_owned());
    }
    if name_or_uri.contains('/') || name_or_uri.contains(':') {
        return Ok(name_or_uri.to_owned());
    }
    Err(Error::UnknownPredicateType(name_or_uri.to_owned()))
}

/// The family of a predicate type, if catalogued.
pub fn family(uri: &str) -> Option<Family> {
    lookup(uri).map(|p| p.family)
}

/// True for VEX statements and decisions (StellaOps VEX, VEX decisions, OpenVEX).
pub fn is_vex_related(uri: &str) -> bool {
    family(uri) == Some(Family::Vex)
}

/// True for reachability evidence (the StellaOps call graph).
pub fn is_reachability_related(uri: &str) -> bool {
    family(uri) == Some(Family::Reachability)
}

/// True for SBOMs of any format.
pub fn is_sbom(uri: &str) -> bool {
    family(uri) == Some(Family::Sbom)
}

/// Every catalogued predicate type URI: the default allow-list.
pub fn allowed_predicate_types() -> Vec<&'static str> {
    CATALOG.iter().map(|p| p.uri).collect()
}

/// True when `uri` is in the catalog (the default allow-list).
pub fn is_allowed_predicate_type(uri: &str) -> bool {
    lookup(uri).is_some()
}
