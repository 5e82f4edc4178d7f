//! Statements, the catalog and the allow-list policy.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use stellaops_dsse::canon::Limits;
use stellaops_predicates::catalog::{self, CATALOG};
use stellaops_predicates::{
    Admission, AllowList, DigestAlgorithm, EnforcementMode, Error, Family, Statement,
    StatementBuilder, StatementVersion, Subject,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/predicates")
}

#[test]
fn every_stellaops_type_has_a_fixture_that_builds_and_round_trips() -> TestResult {
    let stella: Vec<_> = CATALOG
        .iter()
        .filter(|p| p.uri.starts_with("stella.ops/"))
        .collect();
    assert_eq!(stella.len(), 10);
    for p in stella {
        let name = p
            .uri
            .trim_start_matches("stella.ops/")
            .trim_end_matches("@v1");
        let bytes = std::fs::read(fixtures().join(format!("{name}.json")))?;
        let statement = StatementBuilder::new(catalog::resolve(p.short_name)?)
            .with_sha512()
            .subject_from_reader("artifact.tar", &b"artifact"[..])?
            .predicate_json(&bytes, &Limits::default())?
            .build()?;
        let json = statement.to_json()?;
        let back = Statement::from_json(&json, &Limits::default())?;
        // Compared as canonical bytes: RFC 8785 writes 10.0 as 10, so the parsed predicate holds
        // the integer where the fixture had a float, and both mean the same number.
        assert_eq!(back.to_json()?, json, "{name}: canonical output is stable");
        assert_eq!(back.subjects(), statement.subjects());
        assert_eq!(back.predicate_type(), p.uri);
        assert_eq!(back.subjects()[0].digest().len(), 2);
    }
    Ok(())
}

#[test]
fn output_is_a_v1_statement_in_canonical_form() -> TestResult {
    let s = StatementBuilder::new("https://cyclonedx.org/bom")
        .subject_from_reader("a", &b"abc"[..])?
        .predicate(serde_json::json!({"z": 1, "a": 9.5}))
        .build()?;
    assert_eq!(
        String::from_utf8(s.to_json()?)?,
        r#"{"_type":"https://in-toto.io/Statement/v1","predicate":{"a":9.5,"z":1},"predicateType":"https://cyclonedx.org/bom","subject":[{"digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},"name":"a"}]}"#
    );
    Ok(())
}

#[test]
fn files_are_hashed_by_streaming() -> TestResult {
    let mut f = tempfile::NamedTempFile::new()?;
    let chunk = vec![0x5au8; 1 << 20];
    for _ in 0..5 {
        f.write_all(&chunk)?;
    }
    let s = StatementBuilder::new("x/y")
        .with_sha512()
        .subject_from_file(f.path(), Some("big.bin"))?
        .build()?;
    let d = s.subjects()[0].digest();
    use sha2::Digest;
    let whole = chunk.repeat(5);
    assert_eq!(d["sha256"], hex::encode(sha2::Sha256::digest(&whole)));
    assert_eq!(d["sha512"], hex::encode(sha2::Sha512::digest(&whole)));
    let missing = StatementBuilder::new("x/y")
        .subject_from_file(std::path::Path::new("/nonexistent/file"), None);
    assert!(matches!(missing, Err(Error::Io { .. })));
    Ok(())
}

#[test]
fn subjects_are_validated() {
    let one =
        |alg: &str, v: &str| Subject::new("s", BTreeMap::from([(alg.to_owned(), v.to_owned())]));
    assert!(matches!(
        Subject::new("s", BTreeMap::new()),
        Err(Error::NoDigest(_))
    ));
    assert!(matches!(
        one("sha256", &"A".repeat(64)),
        Err(Error::InvalidDigest {
            problem: "is not lowercase hex",
            ..
        })
    ));
    assert!(matches!(
        one("sha256", "abcd"),
        Err(Error::InvalidDigest {
            problem: "has the wrong length",
            ..
        })
    ));
    assert!(matches!(
        one("sha256", &"g".repeat(64)),
        Err(Error::InvalidDigest { .. })
    ));
    assert!(one("gitCommit", &"a".repeat(40)).is_ok());
    assert!(matches!(
        StatementBuilder::new("x/y").build(),
        Err(Error::NoSubjects)
    ));
}

#[test]
fn v0_1_statements_are_read() -> TestResult {
    let json = br#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[{"name":"pkg:npm/left-pad@1.3.0","digest":{"sha512":"aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000"}}],"predicate":{"buildType":"https://github.com/npm/cli/gha/v2"}}"#;
    let s = Statement::from_json(json, &Limits::default())?;
    assert_eq!(s.version(), StatementVersion::V0_1);
    assert_eq!(s.subject_algorithms(), vec![DigestAlgorithm::Sha512]);
    assert!(matches!(
        Statement::from_json(
            br#"{"_type":"https://in-toto.io/Statement/v9","predicateType":"x","subject":[]}"#,
            &Limits::default()
        ),
        Err(Error::UnsupportedStatementType(_))
    ));
    assert!(matches!(
        Statement::from_json(
            br#"{"_type":"https://in-toto.io/Statement/v1","_type":"x"}"#,
            &Limits::default()
        ),
        Err(Error::Json(stellaops_dsse::Error::DuplicateKey(_)))
    ));
    Ok(())
}

#[test]
fn subject_matching_needs_every_computable_digest() -> TestResult {
    let computed = BTreeMap::from([
        ("sha256".to_owned(), "a".repeat(64)),
        ("sha512".to_owned(), "b".repeat(128)),
    ]);
    let both = Subject::new("x", computed.clone())?;
    assert!(both.matches(&computed));
    let wrong512 = Subject::new(
        "x",
        BTreeMap::from([
            ("sha256".to_owned(), "a".repeat(64)),
            ("sha512".to_owned(), "c".repeat(128)),
        ]),
    )?;
    assert!(
        !wrong512.matches(&computed),
        "one wrong digest is enough to refuse"
    );
    let only_unknown = Subject::new(
        "x",
        BTreeMap::from([("gitCommit".to_owned(), "a".repeat(40))]),
    )?;
    assert!(
        !only_unknown.matches(&computed),
        "nothing we can check is no match"
    );
    Ok(())
}

#[test]
fn catalog_helpers() -> TestResult {
    assert_eq!(catalog::resolve("sbom")?, "stella.ops/sbom@v1");
    assert_eq!(catalog::resolve("VEX")?, "stella.ops/vex@v1");
    assert_eq!(
        catalog::resolve("slsaprovenance1")?,
        "https://slsa.dev/provenance/v1"
    );
    assert_eq!(
        catalog::resolve("https://example.com/custom/v1")?,
        "https://example.com/custom/v1"
    );
    assert!(matches!(
        catalog::resolve("sbomm"),
        Err(Error::UnknownPredicateType(_))
    ));
    assert!(stellaops_predicates::is_vex_related(
        "stella.ops/vexDecision@v1"
    ));
    assert!(stellaops_predicates::is_vex_related(
        "https://openvex.dev/ns/v0.2.0"
    ));
    assert!(!stellaops_predicates::is_vex_related("stella.ops/sbom@v1"));
    assert!(stellaops_predicates::is_reachability_related(
        "stella.ops/graph@v1"
    ));
    assert!(!stellaops_predicates::is_reachability_related(
        "stella.ops/vex@v1"
    ));
    assert!(catalog::is_sbom("https://spdx.dev/Document"));
    assert_eq!(
        catalog::family("https://slsa.dev/provenance/v1"),
        Some(Family::Provenance)
    );
    assert_eq!(catalog::allowed_predicate_types().len(), CATALOG.len());
    assert!(stellaops_predicates::is_allowed_predicate_type(
        "stella.ops/replay@v1"
    ));
    assert!(!stellaops_predicates::is_allowed_predicate_type(
        "https://example.com/custom/v1"
    ));
    // Every short name and alias is unique.
    let mut names: Vec<String> = CATALOG
        .iter()
        .flat_map(|p| std::iter::once(p.short_name).chain(p.aliases.iter().copied()))
        .map(str::to_ascii_lowercase)
        .collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n);
    Ok(())
}

#[test]
fn allow_list_modes() -> TestResult {
    let custom = "https://example.com/custom/v1";
    assert_eq!(
        AllowList::catalog(EnforcementMode::Reject).admit("stella.ops/sbom@v1")?,
        Admission::Allowed
    );
    assert!(matches!(
        AllowList::catalog(EnforcementMode::Reject).admit(custom),
        Err(Error::PredicateNotAllowed(_))
    ));
    assert_eq!(
        AllowList::catalog(EnforcementMode::Warn).admit(custom)?,
        Admission::Unlisted(EnforcementMode::Warn)
    );
    assert_eq!(
        AllowList::catalog(EnforcementMode::LogOnly).admit(custom)?,
        Admission::Unlisted(EnforcementMode::LogOnly)
    );
    assert_eq!(
        AllowList::new([custom], EnforcementMode::Reject).admit(custom)?,
        Admission::Allowed
    );
    assert_eq!(
        "log-only".parse::<EnforcementMode>(),
        Ok(EnforcementMode::LogOnly)
    );
    Ok(())
}
