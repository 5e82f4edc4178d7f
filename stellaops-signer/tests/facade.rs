//! The facade's own calls, as the C ABI and the bindings use them: statement builders, and the
//! one [`Authority`] that signs.

use std::collections::BTreeMap;

use stellaops_signer::canon::Limits;
use stellaops_signer::{
    predicate_statement, verify, Admission, Algorithm, AllowList, Authority, EnforcementMode,
    EnvelopeLimits, Error, ErrorCode, IssuerMode, SigningKey, SoftwareKey, Statement, Subject,
    VerificationPolicy,
};

fn subject(name: &str, sha256: &str) -> Subject {
    let digest = BTreeMap::from([("sha256".to_owned(), sha256.to_owned())]);
    Subject::new(name, digest).unwrap_or_else(|e| panic!("{e}"))
}

const DIGEST: &str = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";

fn statement(predicate_type: &str, predicate: &[u8]) -> stellaops_signer::Result<Statement> {
    predicate_statement(
        predicate_type,
        predicate,
        vec![subject("pkg:oci/app", DIGEST)],
        &Limits::default(),
    )
}

#[test]
fn keys_sign_a_statement_that_verifies_with_every_signer_named() {
    let ed = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
    let es = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let statement = statement(
        "cyclonedx",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#,
    )
    .unwrap();
    assert_eq!(statement.predicate_type(), "https://cyclonedx.org/bom");
    let outcome = Authority::keys(&[&ed, &es])
        .sign_statement(statement.clone(), None)
        .unwrap();
    assert_eq!(outcome.statement.as_ref(), Some(&statement));
    assert_eq!(outcome.admission, Admission::Allowed);
    assert_eq!(
        outcome.key_ids(),
        [ed.key_id().as_ref(), es.key_id().as_ref()]
    );
    assert_eq!(
        outcome
            .signatures
            .iter()
            .map(|s| s.algorithm)
            .collect::<Vec<_>>(),
        [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256]
    );
    assert_eq!(outcome.issuer_mode(), "external");
    assert!(outcome.pipeline.is_none());
    assert!(outcome.certificate_chain.is_empty());
    // The digest is of the bytes handed out.
    let expected = {
        use sha2::Digest as _;
        format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(outcome.json()))
        )
    };
    assert_eq!(outcome.bundle_digest, expected);
    let policy = VerificationPolicy::new(
        vec![ed.public_key().clone(), es.public_key().clone()],
        2,
        Some("application/vnd.in-toto+json"),
    )
    .unwrap();
    let verified = verify(outcome.json(), &policy, &[], &EnvelopeLimits::default()).unwrap();
    let signed = verified.statement.unwrap();
    assert_eq!(signed.subjects()[0].name(), "pkg:oci/app");
    assert_eq!(signed.subjects()[0].digest()["sha256"], DIGEST);
}

#[test]
fn statement_builders_and_the_authority_report_stable_codes() {
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let no_subjects = predicate_statement("sbom", b"{}", vec![], &Limits::default()).unwrap_err();
    assert_eq!(no_subjects.code(), ErrorCode::InvalidStatement);
    let unknown = statement("no-such-short-name", b"{}").unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::UnknownPredicateType);
    let duplicate = statement("sbom", br#"{"a":1,"a":2}"#).unwrap_err();
    assert_eq!(duplicate.code(), ErrorCode::DuplicateKey);
    let no_keys = Authority::keys(&[])
        .sign_statement(statement("cyclonedx", b"{}").unwrap(), None)
        .unwrap_err();
    assert_eq!(no_keys.code(), ErrorCode::NoSigningKeys);
    // A StellaOps predicate that breaks its schema: refused before signing, naming the field.
    let invalid = statement(
        "sbom",
        br#"{"format":"SWID","specVersion":"1","document":{"digest":{"sha256":"ab"}}}"#,
    )
    .unwrap_err();
    assert_eq!(invalid.code(), ErrorCode::InvalidPredicate);
    assert!(invalid.to_string().contains("field /format"), "{invalid}");
    // A statement made without the builder is checked by the authority's admission all the same.
    let unchecked = Statement::new(
        vec![subject("a", DIGEST)],
        "stella.ops/sbom@v1",
        serde_json::json!({"format": "SWID"}),
    )
    .unwrap();
    let invalid = Authority::keys(&[&key])
        .sign_statement(unchecked, None)
        .unwrap_err();
    assert_eq!(invalid.code(), ErrorCode::InvalidPredicate, "{invalid}");
}

/// Issue 21: one admission, one outcome for "not allowed": a type the allow-list rejects is
/// `Error::Denied` with reason `predicate.not_allowed` and code 501, for a statement and for an
/// in-toto payload alike (the pipeline's test checks the same through the pipeline).
#[test]
fn a_rejected_predicate_type_is_one_denial_on_every_path() {
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let statement = statement("https://example.com/unlisted/v1", b"{}").unwrap();
    let payload = statement.to_json().unwrap();
    let reject =
        || Authority::keys(&[&key]).allow_list(AllowList::catalog(EnforcementMode::Reject));
    let by_statement = reject()
        .sign_statement(statement.clone(), None)
        .unwrap_err();
    let by_payload = reject()
        .sign_payload(stellaops_signer::predicates::PAYLOAD_TYPE, payload.clone())
        .unwrap_err();
    for err in [by_statement, by_payload] {
        let Error::Denied(denial) = &err else {
            panic!("expected a denial, got {err:?}");
        };
        assert_eq!(denial.reason.code(), "predicate.not_allowed");
        assert_eq!(err.code(), ErrorCode::PredicateNotAllowed);
        assert_eq!(err.code().number(), 501);
    }
    // Warn (the default) admits it as unlisted; the payload's bytes are signed unchanged.
    let outcome = Authority::keys(&[&key])
        .sign_payload(stellaops_signer::predicates::PAYLOAD_TYPE, payload.clone())
        .unwrap();
    assert_eq!(
        outcome.admission,
        Admission::Unlisted(EnforcementMode::Warn)
    );
    assert_eq!(outcome.envelope().payload(), payload.as_slice());
}

#[test]
fn opened_keys_carry_their_issuer_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.pem");
    let key = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    std::fs::write(&path, key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    let opened = stellaops_signer::open_key(path.to_str().unwrap(), None).unwrap();
    let outcome = Authority::opened_keys(&[&opened])
        .sign_payload("text/plain", b"x".to_vec())
        .unwrap();
    assert_eq!(outcome.signatures[0].issuer_mode, IssuerMode::Software);
    assert_eq!(outcome.issuer_mode(), "software");
    assert_eq!(IssuerMode::of_scheme("pkcs11"), IssuerMode::Hsm);
    assert_eq!(IssuerMode::of_scheme("awskms"), IssuerMode::Kms);
    assert_eq!(IssuerMode::of_scheme("hashivault"), IssuerMode::Vault);
    assert_eq!(IssuerMode::of_scheme("fido2"), IssuerMode::Fido2);
}

#[test]
fn a_wrong_key_is_a_verification_failure() {
    let signer = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let other = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let envelope = Authority::keys(&[&signer])
        .sign_payload("text/plain", b"hello".to_vec())
        .unwrap()
        .into_envelope();
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
    let authority = Authority::keys(&[&key]);
    let err = authority
        .sign_payload(stellaops_signer::predicates::PAYLOAD_TYPE, sbom.to_vec())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidStatement, "{err}");
    // Any other payload type signs the same bytes.
    let outcome = authority
        .sign_payload("application/vnd.cyclonedx+json", sbom.to_vec())
        .unwrap();
    assert_eq!(outcome.envelope().payload(), sbom);
    assert!(outcome.statement.is_none());
}
