//! The StellaOps predicate schemas: every fixture passes, and each kind of mistake is refused
//! with the field it concerns.

use std::path::PathBuf;

use serde_json::{json, Value};
use stellaops_predicates::catalog::CATALOG;
use stellaops_predicates::schema::{schema, SCHEMAS};
use stellaops_predicates::{validate_predicate, Error, StatementBuilder, Subject};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture(name: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/predicates")
        .join(format!("{name}.json"));
    Ok(serde_json::from_slice(&std::fs::read(path)?)?)
}

fn uri(name: &str) -> String {
    format!("stella.ops/{name}@v1")
}

/// The field `validate_predicate` names for `predicate`, or `None` when it passes.
fn refused_field(name: &str, predicate: &Value) -> Option<String> {
    match validate_predicate(&uri(name), predicate) {
        Ok(()) => None,
        Err(Error::InvalidPredicate { field, .. }) => Some(field),
        Err(other) => panic!("{name}: {other}"),
    }
}

#[test]
fn every_stellaops_type_has_a_schema_a_doc_and_a_passing_fixture() -> TestResult {
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/predicates/README.md"),
    )?;
    let stella: Vec<_> = CATALOG
        .iter()
        .filter(|p| p.uri.starts_with("stella.ops/"))
        .collect();
    let stella_schemas = SCHEMAS
        .iter()
        .filter(|(uri, _)| uri.starts_with("stella.ops/"))
        .count();
    assert_eq!(stella.len(), stella_schemas);
    for p in stella {
        assert!(schema(p.uri).is_some(), "{}: no schema", p.uri);
        assert!(
            docs.contains(&format!("## `{}`", p.uri)),
            "{}: not in docs",
            p.uri
        );
        let name = p
            .uri
            .trim_start_matches("stella.ops/")
            .trim_end_matches("@v1");
        assert_eq!(refused_field(name, &fixture(name)?), None, "{name}");
    }
    // Types without a schema (other people's) pass whatever their content.
    assert!(validate_predicate("https://cyclonedx.org/bom", &json!({"anything": 1})).is_ok());
    Ok(())
}

#[test]
fn each_mistake_names_its_field() -> TestResult {
    // (type, edit of its fixture, the field named)
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "promotion",
            Box::new(|p| {
                p.as_object_mut().map(|o| o.remove("promotedAt"));
            }),
            "/promotedAt",
        ),
        (
            "promotion",
            Box::new(|p| p["approvals"][1]["approvedAt"] = json!("yesterday")),
            "/approvals/1/approvedAt",
        ),
        (
            "promotion",
            Box::new(|p| p["target"]["environment"] = json!("")),
            "/target/environment",
        ),
        (
            "promotion",
            Box::new(|p| p["policy"]["digest"] = json!("md5:abc")),
            "/policy/digest",
        ),
        (
            "promotion",
            Box::new(|p| p["artifact"]["digest"]["sha256"] = json!("NOT-HEX")),
            "/artifact/digest/sha256",
        ),
        ("sbom", Box::new(|p| p["format"] = json!("SWID")), "/format"),
        (
            "vex",
            Box::new(|p| {
                p["statements"][0]
                    .as_object_mut()
                    .map(|o| o.remove("justification"));
            }),
            "/statements/0/justification",
        ),
        (
            "vex",
            Box::new(|p| p["statements"][1]["cvss"]["baseScore"] = json!(11.5)),
            "/statements/1/cvss/baseScore",
        ),
        (
            "vexDecision",
            Box::new(|p| p["decision"] = json!("maybe")),
            "/decision",
        ),
        (
            "graph",
            Box::new(|p| p["vulnerableSymbols"][0]["reachable"] = json!("no")),
            "/vulnerableSymbols/0/reachable",
        ),
        ("replay", Box::new(|p| p["inputs"] = json!([])), "/inputs"),
        (
            "policy",
            Box::new(|p| p["result"] = json!("passed")),
            "/result",
        ),
        (
            "evidence",
            Box::new(|p| p["retention"]["days"] = json!(0)),
            "/retention/days",
        ),
        (
            "report",
            Box::new(|p| p["findings"][0]["severity"] = json!("catastrophic")),
            "/findings/0/severity",
        ),
        (
            "export",
            Box::new(|p| p["files"][0]["signedBy"] = json!("me")),
            "/files/0",
        ),
        (
            "export",
            Box::new(|p| {
                p["files"][0]["digest"]
                    .as_object_mut()
                    .map(|o| o.remove("sha256"));
            }),
            "/files/0/digest",
        ),
    ];
    for (name, edit, field) in cases {
        let mut p = fixture(name)?;
        edit(&mut p);
        assert_eq!(
            refused_field(name, &p).as_deref(),
            Some(field),
            "{name}: {p}"
        );
    }
    assert_eq!(refused_field("sbom", &json!([])).as_deref(), Some("/"));
    Ok(())
}

#[test]
fn the_builder_refuses_before_anything_is_signed() -> TestResult {
    let subject = Subject::new("a", [("sha256".to_owned(), "ab".repeat(32))].into())?;
    let mut predicate = fixture("promotion")?;
    predicate["artifact"]
        .as_object_mut()
        .map(|o| o.remove("name"));
    let r = StatementBuilder::new(uri("promotion"))
        .subject(subject)
        .predicate(predicate)
        .build();
    match r {
        Err(Error::InvalidPredicate {
            predicate_type,
            field,
            problem,
        }) => {
            assert_eq!(predicate_type, "stella.ops/promotion@v1");
            assert_eq!(field, "/artifact/name");
            assert!(problem.contains("required"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}

#[test]
fn typed_promotions_and_replays_round_trip_their_fixtures() -> TestResult {
    use stellaops_predicates::{Promotion, ReplayManifest};
    let p = fixture("promotion")?;
    let promotion = Promotion::from_value(&p)?;
    assert_eq!(serde_json::to_value(&promotion)?, p);
    let statement = promotion.statement()?;
    assert_eq!(statement.subjects()[0].name(), promotion.artifact.name);
    assert_eq!(statement.predicate(), &p);

    let r = fixture("replay")?;
    let replay = ReplayManifest::from_value(&r)?;
    assert_eq!(serde_json::to_value(&replay)?, r);
    let statement = replay.statement()?;
    assert_eq!(statement.subjects().len(), replay.outputs.len());

    // The typed builder validates too: an approval time that is no time.
    let mut bad = promotion.clone();
    bad.approvals[0].approved_at = "soon".into();
    assert!(matches!(
        bad.statement(),
        Err(Error::InvalidPredicate { field, .. }) if field == "/approvals/0/approvedAt"
    ));
    let mut empty = replay;
    empty.outputs.clear();
    assert!(empty.statement().is_err());
    Ok(())
}
