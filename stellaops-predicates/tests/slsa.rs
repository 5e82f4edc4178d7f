//! SLSA provenance v1: the typed model round-trips, builds statements, and every kind of mistake
//! is refused with the field it concerns, whether the predicate comes typed or as JSON.

use serde_json::{json, Value};
use stellaops_predicates::{
    validate_predicate, Error, Provenance, ResourceDescriptor, StatementBuilder, Subject,
    SLSA_PROVENANCE_V1,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const COMMIT: &str = "6a0a410e6a0a410e6a0a410e6a0a410e6a0a410e";
const SHA256: &str = "0b1c1d2e3f405162738495a6b7c8d9eaf0b1c1d2e3f405162738495a6b7c8d9e";

/// A release's provenance, as scripts/release.sh writes it.
fn release() -> Value {
    json!({
        "buildDefinition": {
            "buildType": "https://git.stella-ops.org/stellaops/signer/release/v1",
            "externalParameters": {
                "command": "scripts/release.sh",
                "source": {"uri": "git+https://git.stella-ops.org/stellaops/signer", "commit": COMMIT},
                "profile": "release"
            },
            "internalParameters": {"SOURCE_DATE_EPOCH": "1796300000"},
            "resolvedDependencies": [
                {"uri": "git+https://git.stella-ops.org/stellaops/signer@refs/heads/main",
                 "digest": {"gitCommit": COMMIT}},
                {"uri": "pkg:cargo/aws-lc-sys@0.32.0", "digest": {"sha256": SHA256}}
            ]
        },
        "runDetails": {
            "builder": {"id": "https://git.stella-ops.org/stellaops/signer/scripts/release.sh",
                        "version": {"rustc": "1.95.0"}},
            "metadata": {"invocationId": "local-1", "startedOn": "2026-12-03T10:00:00Z",
                         "finishedOn": "2026-12-03T10:20:00Z"},
            "byproducts": [{"name": "SIZES.txt", "digest": {"sha256": SHA256}}]
        },
        "x-unknown": {"kept": true}
    })
}

fn refused_field(predicate: &Value) -> Option<String> {
    match validate_predicate(SLSA_PROVENANCE_V1, predicate) {
        Ok(()) => None,
        Err(Error::InvalidPredicate { field, .. }) => Some(field),
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn a_release_provenance_round_trips_through_the_typed_model() -> TestResult {
    let value = release();
    let typed = Provenance::from_value(&value)?;
    assert_eq!(typed.run_details.builder.version["rustc"], "1.95.0");
    assert_eq!(typed.build_definition.resolved_dependencies.len(), 2);
    assert_eq!(
        serde_json::to_value(&typed)?,
        value,
        "unknown fields are kept"
    );
    let subject = Subject::new(
        "dist/stella",
        [("sha256".to_owned(), SHA256.to_owned())].into(),
    )?;
    let statement = typed.statement(vec![subject])?;
    assert_eq!(statement.predicate_type(), SLSA_PROVENANCE_V1);
    assert_eq!(statement.predicate(), &value);
    Ok(())
}

#[test]
fn a_provenance_built_in_code_is_checked_like_one_read_from_json() -> TestResult {
    let mut p = Provenance::new(
        "https://example.com/build/v1",
        "https://example.com/builder",
    );
    p.build_definition
        .external_parameters
        .insert("ref".into(), json!("refs/tags/v1"));
    p.build_definition
        .resolved_dependencies
        .push(ResourceDescriptor::new(
            "git+https://example.com/repo",
            &[("gitCommit", COMMIT)],
        ));
    let subject = Subject::new("out", [("sha256".to_owned(), SHA256.to_owned())].into())?;
    p.statement(vec![subject.clone()])?;

    // A short commit id is refused at the statement, naming the field.
    p.build_definition.resolved_dependencies[0] =
        ResourceDescriptor::new("git+https://example.com/repo", &[("gitCommit", "6a0a410")]);
    match p.statement(vec![subject.clone()]) {
        Err(Error::InvalidPredicate { field, .. }) => {
            assert_eq!(
                field,
                "/buildDefinition/resolvedDependencies/0/digest/gitCommit"
            )
        }
        other => panic!("{other:?}"),
    }
    // No subject, no statement.
    assert!(matches!(p.statement(vec![]), Err(Error::NoSubjects)));
    Ok(())
}

#[test]
fn each_mistake_names_its_field() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|p| {
                p["buildDefinition"]
                    .as_object_mut()
                    .map(|o| o.remove("buildType"));
            }),
            "/buildDefinition/buildType",
        ),
        (
            Box::new(|p| p["buildDefinition"]["buildType"] = json!("theBuildType")),
            "/buildDefinition/buildType",
        ),
        (
            Box::new(|p| {
                p["buildDefinition"]
                    .as_object_mut()
                    .map(|o| o.remove("externalParameters"));
            }),
            "/buildDefinition/externalParameters",
        ),
        (
            Box::new(|p| p["buildDefinition"]["externalParameters"] = json!([])),
            "/buildDefinition/externalParameters",
        ),
        (
            Box::new(|p| {
                p["runDetails"]["builder"]
                    .as_object_mut()
                    .map(|o| o.remove("id"));
            }),
            "/runDetails/builder/id",
        ),
        (
            Box::new(|p| {
                p.as_object_mut().map(|o| o.remove("runDetails"));
            }),
            "/runDetails",
        ),
        (
            Box::new(|p| p["runDetails"]["metadata"]["startedOn"] = json!("yesterday")),
            "/runDetails/metadata/startedOn",
        ),
        (
            Box::new(|p| p["runDetails"]["metadata"]["finishedOn"] = json!("2026-12-03T09:00:00Z")),
            "/runDetails/metadata/finishedOn",
        ),
        (
            Box::new(|p| {
                p["buildDefinition"]["resolvedDependencies"][1]["digest"]["sha256"] = json!("ABCD")
            }),
            "/buildDefinition/resolvedDependencies/1/digest/sha256",
        ),
        (
            Box::new(|p| {
                p["buildDefinition"]["resolvedDependencies"][1]["digest"]["sha256"] = json!("abcd")
            }),
            "/buildDefinition/resolvedDependencies/1/digest/sha256",
        ),
        (
            Box::new(|p| p["runDetails"]["byproducts"][0] = json!({"name": "only a name"})),
            "/runDetails/byproducts/0",
        ),
        (
            Box::new(|p| p["runDetails"]["builder"]["version"]["rustc"] = json!(195)),
            "/runDetails/builder/version/rustc",
        ),
    ];
    assert_eq!(refused_field(&release()), None);
    for (i, (edit, field)) in cases.iter().enumerate() {
        let mut p = release();
        edit(&mut p);
        assert_eq!(refused_field(&p).as_deref(), Some(*field), "case {i}: {p}");
        // The same rules when the predicate arrives as JSON for any face's attest.
        let built = StatementBuilder::new(SLSA_PROVENANCE_V1)
            .subject(
                Subject::new("a", [("sha256".to_owned(), SHA256.to_owned())].into())
                    .expect("subject"),
            )
            .predicate(p)
            .build();
        assert!(
            matches!(built, Err(Error::InvalidPredicate { .. })),
            "case {i}"
        );
    }
}
