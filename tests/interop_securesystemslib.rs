//! Interop with securesystemslib (PyPI) both ways, for ES256, Ed25519 and RSA-PSS: our envelopes
//! verify in `securesystemslib.dsse.Envelope.verify`, theirs verify here. A tampered envelope is
//! rejected by securesystemslib too, so the check is not vacuous.

use stellaops_signer::{
    Algorithm, Envelope, EnvelopeLimits, SigningKey, SoftwareKey, VerificationPolicy, VerifyingKey,
};
use stellaops_tests::{oracle, sslib_verify, write};

const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
const STATEMENT: &[u8] = br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://cyclonedx.org/bom","subject":[{"digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},"name":"abc"}],"predicate":{"score":9.8}}"#;

const SCHEMES: [(Algorithm, &str); 3] = [
    (Algorithm::EcdsaP256Sha256, "ecdsa-sha2-nistp256"),
    (Algorithm::Ed25519, "ed25519"),
    (Algorithm::RsaPssSha256, "rsassa-pss-sha256"),
];

#[test]
fn our_envelopes_verify_in_securesystemslib() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let keys: Vec<SoftwareKey> = SCHEMES
        .iter()
        .map(|(alg, _)| {
            SoftwareKey::generate_with_rsa_bits(*alg, 2048).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    for key in &keys {
        let env = Envelope::sign(PAYLOAD_TYPE, STATEMENT, &[key]).unwrap_or_else(|e| panic!("{e}"));
        let (ok, said) = sslib_verify(dir.path(), &env.to_json(), &[key], 1);
        assert!(
            ok,
            "securesystemslib rejected our {} envelope: {said}",
            key.algorithm()
        );
        assert!(said.contains(key.key_id().as_str()), "{said}");

        // The same envelope with one payload byte changed must fail there too.
        let mut tampered = env.payload().to_vec();
        tampered[10] ^= 1;
        let mut json: serde_json::Value =
            serde_json::from_slice(&env.to_json()).unwrap_or_default();
        json["payload"] = hex_to_b64(&tampered).into();
        let (ok, said) = sslib_verify(dir.path(), json.to_string().as_bytes(), &[key], 1);
        assert!(
            !ok,
            "securesystemslib accepted a tampered {} envelope: {said}",
            key.algorithm()
        );
    }
    // One envelope, three signers, threshold three.
    let refs: Vec<&dyn SigningKey> = keys.iter().map(|k| k as &dyn SigningKey).collect();
    let env = Envelope::sign(PAYLOAD_TYPE, STATEMENT, &refs).unwrap_or_else(|e| panic!("{e}"));
    let (ok, said) = sslib_verify(dir.path(), &env.to_json(), &refs, 3);
    assert!(ok, "multi-signature envelope rejected: {said}");
}

fn hex_to_b64(bytes: &[u8]) -> String {
    // Built through our own envelope writer: standard padded base64.
    let json = Envelope::unsigned("t", bytes).to_json();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap_or_default();
    v["payload"].as_str().unwrap_or_default().to_owned()
}

fn sslib_sign(
    dir: &std::path::Path,
    schemes: &[&str],
) -> (Vec<u8>, Vec<VerifyingKey>, Vec<String>) {
    write(dir, "payload", STATEMENT);
    write(dir, "payload_type", PAYLOAD_TYPE.as_bytes());
    write(dir, "schemes", schemes.join(" ").as_bytes());
    let out = oracle(&[&"sign", &dir], b"");
    assert!(
        out.status.success(),
        "securesystemslib signing failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let envelope = std::fs::read(dir.join("envelope.json")).unwrap_or_else(|e| panic!("{e}"));
    let listed: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("keys.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_default();
    let mut keys = Vec::new();
    let mut their_ids = Vec::new();
    for k in listed.as_array().cloned().unwrap_or_default() {
        let alg: Algorithm = k["scheme"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let key = VerifyingKey::from_pem(k["pem"].as_str().unwrap_or_default())
            .and_then(|v| v.with_algorithm(alg))
            .unwrap_or_else(|e| panic!("their {alg} key: {e}"));
        keys.push(key);
        their_ids.push(k["keyid"].as_str().unwrap_or_default().to_owned());
    }
    (envelope, keys, their_ids)
}

#[test]
fn securesystemslib_envelopes_verify_here() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for (alg, scheme) in SCHEMES {
        let (json, keys, their_ids) = sslib_sign(dir.path(), &[scheme]);
        let env = Envelope::from_json(&json, &EnvelopeLimits::default())
            .unwrap_or_else(|e| panic!("{scheme}: {e}"));
        // Their key ids are not ours: they are only hints, and verification still finds the key.
        assert_eq!(env.signatures()[0].keyid(), their_ids[0]);
        assert_ne!(their_ids[0], keys[0].key_id().as_str());
        let policy = VerificationPolicy::new(keys.clone(), 1, Some(PAYLOAD_TYPE))
            .unwrap_or_else(|e| panic!("{e}"));
        let verified = env
            .verify(&policy)
            .unwrap_or_else(|e| panic!("their {scheme} envelope: {e}"));
        assert_eq!(verified.keys()[0].algorithm, alg);
        assert_eq!(verified.payload(), STATEMENT);
    }
    let schemes: Vec<&str> = SCHEMES.iter().map(|(_, s)| *s).collect();
    let (json, keys, _) = sslib_sign(dir.path(), &schemes);
    let env =
        Envelope::from_json(&json, &EnvelopeLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    let policy =
        VerificationPolicy::new(keys, 3, Some(PAYLOAD_TYPE)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        env.verify(&policy)
            .map(|v| v.keys().len())
            .unwrap_or_else(|e| panic!("{e}")),
        3
    );
}
