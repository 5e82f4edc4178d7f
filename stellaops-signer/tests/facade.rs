//! The facade's own calls, as the C ABI and the bindings use them.

use std::collections::BTreeMap;

use stellaops_signer::{
    attest_subjects, verify, Algorithm, AttestOptions, EnvelopeLimits, ErrorCode, SigningKey,
    SoftwareKey, Subject, VerificationPolicy,
};

fn subject(name: &str, sha256: &str) -> Subject {
    let digest = BTreeMap::from([("sha256".to_owned(), sha256.to_owned())]);
    Subject::new(name, digest).unwrap_or_else(|e| panic!("{e}"))
}

const DIGEST: &str = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";

#[test]
fn attest_subjects_signs_a_statement_that_verifies() {
    let key = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let attestation = attest_subjects(
        &[&key],
        "cyclonedx",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#,
        vec![subject("pkg:oci/app", DIGEST)],
        &AttestOptions::default(),
    )
    .unwrap();
    assert_eq!(
        attestation.statement.predicate_type(),
        "https://cyclonedx.org/bom"
    );
    let policy = VerificationPolicy::new(
        vec![key.public_key().clone()],
        1,
        Some("application/vnd.in-toto+json"),
    )
    .unwrap();
    let verified = verify(
        &attestation.envelope.to_json(),
        &policy,
        &[],
        &EnvelopeLimits::default(),
    )
    .unwrap();
    let statement = verified.statement.unwrap();
    assert_eq!(statement.subjects()[0].name(), "pkg:oci/app");
    assert_eq!(statement.subjects()[0].digest()["sha256"], DIGEST);
}

#[test]
fn attest_subjects_reports_stable_codes() {
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let options = AttestOptions::default();
    let no_subjects = attest_subjects(&[&key], "sbom", b"{}", vec![], &options).unwrap_err();
    assert_eq!(no_subjects.code(), ErrorCode::InvalidStatement);
    let unknown = attest_subjects(
        &[&key],
        "no-such-short-name",
        b"{}",
        vec![subject("a", DIGEST)],
        &options,
    )
    .unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::UnknownPredicateType);
    let duplicate = attest_subjects(
        &[&key],
        "sbom",
        br#"{"a":1,"a":2}"#,
        vec![subject("a", DIGEST)],
        &options,
    )
    .unwrap_err();
    assert_eq!(duplicate.code(), ErrorCode::DuplicateKey);
    let no_keys = attest_subjects(
        &[],
        "cyclonedx",
        b"{}",
        vec![subject("a", DIGEST)],
        &options,
    )
    .unwrap_err();
    assert_eq!(no_keys.code(), ErrorCode::NoSigningKeys);
    // A StellaOps predicate that breaks its schema: refused before signing, naming the field.
    let invalid = attest_subjects(
        &[&key],
        "sbom",
        br#"{"format":"SWID","specVersion":"1","document":{"digest":{"sha256":"ab"}}}"#,
        vec![subject("a", DIGEST)],
        &options,
    )
    .unwrap_err();
    assert_eq!(invalid.code(), ErrorCode::InvalidPredicate);
    assert!(invalid.to_string().contains("field /format"), "{invalid}");
}

#[test]
fn a_wrong_key_is_a_verification_failure() {
    let signer = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let other = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let envelope = stellaops_signer::sign("text/plain", b"hello".to_vec(), &[&signer]).unwrap();
    let policy = VerificationPolicy::new(vec![other.public_key().clone()], 1, None).unwrap();
    let err = verify(
        &envelope.to_json(),
        &policy,
        &[],
        &EnvelopeLimits::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::VerificationFailed);
    assert!(err.is_verification_failure());
}

/// Issue 20, defect 10: what verification would refuse, signing refuses first, in the one
/// function every face calls: an in-toto payload type over a payload that is not a statement.
#[test]
fn sign_refuses_an_in_toto_payload_that_is_not_a_statement() {
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let sbom = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}"#;
    let err = stellaops_signer::sign(
        stellaops_signer::predicates::PAYLOAD_TYPE,
        sbom.to_vec(),
        &[&key],
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidStatement, "{err}");
    // Any other payload type signs the same bytes.
    stellaops_signer::sign("application/vnd.cyclonedx+json", sbom.to_vec(), &[&key]).unwrap();
}
