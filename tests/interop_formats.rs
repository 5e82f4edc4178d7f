//! Our other output formats read by someone else's code: in-toto statements by the in-toto
//! attestation framework's own Python bindings (protobuf, unknown fields refused, `validate()`),
//! and public JWKs by pyca/cryptography, which rebuilds the key from the JWK members.

use stellaops_signer::canon::Limits;
use stellaops_signer::{
    artifact_subjects, predicate_statement, Authority, SigningKey, SoftwareKey,
};
use stellaops_tests::{oracle, write};

#[test]
fn our_statements_validate_in_the_in_toto_attestation_framework() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let artifact = write(dir.path(), "app.tar", b"artifact bytes");
    let key = SoftwareKey::generate(stellaops_signer::Algorithm::Ed25519)
        .unwrap_or_else(|e| panic!("{e}"));
    let fixtures = stellaops_tests::workspace().join("tests/fixtures/predicates");
    for (short, file) in [
        ("vex", "vex.json"),
        ("promotion", "promotion.json"),
        ("graph", "graph.json"),
    ] {
        let predicate = std::fs::read(fixtures.join(file)).unwrap_or_else(|e| panic!("{e}"));
        let subjects = artifact_subjects(&[&artifact], true).unwrap_or_else(|e| panic!("{e}"));
        let statement = predicate_statement(short, &predicate, subjects, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let a = Authority::keys(&[&key])
            .sign_statement(statement, None)
            .unwrap_or_else(|e| panic!("{e}"));
        let env = write(dir.path(), "envelope.json", a.json());
        let out = oracle(&[&"statement", &env], b"");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "in-toto refused our {short} statement: {said} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            said.contains(a.statement.as_ref().map_or("", |s| s.predicate_type())),
            "{said}"
        );
    }
    // The check is real: a statement without subjects is refused there too.
    let empty =
        br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x/y"}"#;
    // The facade refuses to sign it (issue 20: what verify refuses, sign refuses first), as
    // in-toto's validate does; the raw DSSE layer signs anything, for this check.
    assert!(Authority::keys(&[&key])
        .sign_payload("application/vnd.in-toto+json", empty.to_vec())
        .is_err());
    let env = stellaops_signer::Envelope::sign("application/vnd.in-toto+json", empty, &[&key])
        .unwrap_or_else(|e| panic!("{e}"));
    let path = write(dir.path(), "empty.json", &env.to_json());
    assert!(!oracle(&[&"statement", &path], b"").status.success());
}

#[test]
fn our_public_jwks_rebuild_the_same_key_in_pyca_cryptography() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for alg in stellaops_signer::Algorithm::ALL {
        let key = SoftwareKey::generate_with_rsa_bits(alg, 2048).unwrap_or_else(|e| panic!("{e}"));
        let public = key.public_key();
        let jwk: serde_json::Value =
            serde_json::from_str(&public.to_jwk().unwrap_or_default()).unwrap_or_default();
        let doc = serde_json::json!({"jwk": jwk, "pem": public.to_spki_pem().unwrap_or_default()});
        let path = write(dir.path(), "jwk.json", doc.to_string().as_bytes());
        let out = oracle(&[&"jwk", &path], b"");
        assert!(
            out.status.success(),
            "{alg}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // ...and a JWK of another key does not pass as this one.
        let other =
            SoftwareKey::generate_with_rsa_bits(alg, 2048).unwrap_or_else(|e| panic!("{e}"));
        let wrong = serde_json::json!({"jwk": jwk, "pem": other.public_key().to_spki_pem().unwrap_or_default()});
        let path = write(dir.path(), "wrong.json", wrong.to_string().as_bytes());
        assert!(
            !oracle(&[&"jwk", &path], b"").status.success(),
            "{alg}: a different key matched"
        );
    }
}
