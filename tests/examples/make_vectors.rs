//! Writes the shared test vectors in `tests/vectors/` that every face (Rust, C/Go, Python, Node)
//! runs. Keys in `keys.json` are kept when present, so regenerating does not churn them; the
//! other files are rebuilt from them. Run: `cargo run -p stellaops-tests --example make_vectors`.
//! Review the diff: a changed expectation is a wire-format change.

use std::path::Path;

use base64::Engine as _;
use serde_json::{json, Value};
use stellaops_signer::canon::{canonicalize, Limits, Mode};
use stellaops_signer::dsse::pae;
use stellaops_signer::{Algorithm, Authority, Envelope, Outcome, SigningKey, SoftwareKey};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn main() {
    let dir = stellaops_tests::workspace().join("tests/vectors");
    let keys = load_or_make_keys(&dir);
    write(&dir, "pae.json", &pae_vectors());
    write(&dir, "canonical.json", &canonical_vectors());
    write(&dir, "envelopes.json", &envelope_vectors(&keys));
}

fn write(dir: &Path, name: &str, value: &Value) {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| panic!("{e}"));
    text.push('\n');
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
}

fn load_or_make_keys(dir: &Path) -> Vec<(String, SoftwareKey)> {
    let path = dir.join("keys.json");
    let entries: Vec<Value> = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}")),
        Err(_) => {
            let made: Vec<Value> = Algorithm::ALL
                .iter()
                .map(|alg| {
                    let key = SoftwareKey::generate_with_rsa_bits(*alg, 2048)
                        .unwrap_or_else(|e| panic!("{e}"));
                    json!({
                        "name": alg.name(),
                        "algorithm": alg.name(),
                        "private_pem": key.to_pkcs8_pem().unwrap_or_else(|e| panic!("{e}")).as_str(),
                        "public_pem": key.public_key().to_spki_pem().unwrap_or_else(|e| panic!("{e}")),
                        "key_id": key.key_id().to_string(),
                    })
                })
                .collect();
            write(dir, "keys.json", &Value::Array(made.clone()));
            made
        }
    };
    entries
        .iter()
        .map(|e| {
            let pem = e["private_pem"].as_str().unwrap_or_default();
            let key = SoftwareKey::from_pem(pem, None).unwrap_or_else(|err| panic!("{err}"));
            assert_eq!(
                key.key_id().to_string(),
                e["key_id"].as_str().unwrap_or_default()
            );
            (e["name"].as_str().unwrap_or_default().to_owned(), key)
        })
        .collect()
}

fn pae_vectors() -> Value {
    let cases: &[(&str, &[u8])] = &[
        ("http://example.com/HelloWorld", b"hello world"),
        ("", b""),
        ("application/vnd.in-toto+json", b"{\"_type\":\"x\"}"),
        ("t\u{e9}xt/\u{1F600}", "caf\u{e9}".as_bytes()),
        ("bin", &[0, 255, 10, 13, 32]),
    ];
    Value::Array(
        cases
            .iter()
            .map(|(t, p)| json!({"payload_type": t, "payload_b64": b64(p), "pae_b64": b64(&pae(t, p))}))
            .collect(),
    )
}

fn canonical_vectors() -> Value {
    let inputs: &[(&str, &str)] = &[
        (
            "object key order by utf-16 code units",
            r#"{"b":1,"a":2,"\u00e9":3,"\ud83d\ude00":4,"\uff61":5}"#,
        ),
        (
            "rfc 8785 numbers",
            r#"[1e1, -0, 0.0000001, 1e21, 333333333.33333329, 4.50, 2e-3, 1E30]"#,
        ),
        ("cvss float", r#"{"score": 9.80, "vector": "AV:N"}"#),
        ("escapes", r#"["\u0000\u001f\"\\\/\b\f\n\r\t", "\u2028"]"#),
        (
            "nested and whitespace",
            "{ \"z\" : [ true , false , null ] ,\n \"a\" : { } }",
        ),
        (
            "big integer exact in double",
            "[9007199254740992, -9007199254740991]",
        ),
        ("duplicate key", r#"{"a":1,"a":2}"#),
        ("lone surrogate", r#"["\ud800"]"#),
        ("number out of range", "[1e400]"),
        ("malformed", r#"{"a":"#),
        ("trailing comma", "[1,]"),
    ];
    Value::Array(
        inputs
            .iter()
            .map(|(name, input)| {
                let mut case = json!({"name": name, "input": input});
                for (mode, key) in [(Mode::Jcs, "jcs"), (Mode::Olpc, "olpc")] {
                    match canonicalize(input.as_bytes(), mode, &Limits::default()) {
                        Ok(out) => {
                            case[key] = Value::String(String::from_utf8(out).unwrap_or_default())
                        }
                        Err(e) => {
                            let code = stellaops_signer::Error::from(e).code();
                            case[format!("{key}_error")] = Value::String(code.name().to_owned());
                        }
                    }
                }
                case
            })
            .collect(),
    )
}

fn envelope_vectors(keys: &[(String, SoftwareKey)]) -> Value {
    let key = |name: &str| -> &SoftwareKey {
        &keys
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name}"))
            .1
    };
    let mut cases = Vec::new();
    let mut add = |name: &str,
                   envelope: String,
                   trusted: &[&str],
                   threshold: usize,
                   payload_type: Option<&str>,
                   expect: &str| {
        cases.push(json!({
            "name": name,
            "envelope": envelope,
            "trusted": trusted,
            "threshold": threshold,
            "payload_type": payload_type,
            "expect": expect,
        }));
    };
    let text = |e: &Envelope| String::from_utf8(e.to_json()).unwrap_or_default();
    for (name, _) in keys {
        let env = sign("text/plain", b"hello vectors".to_vec(), &[key(name)])
            .unwrap_or_else(|e| panic!("{e}"));
        add(
            &format!("{name} signs"),
            text(&env),
            &[name],
            1,
            Some("text/plain"),
            "ok",
        );
    }
    let all: Vec<&dyn SigningKey> = ["es256", "ed25519", "rsa-pss-sha256"]
        .iter()
        .map(|n| key(n) as &dyn SigningKey)
        .collect();
    let multi = sign("application/json", b"{}".to_vec(), &all).unwrap_or_else(|e| panic!("{e}"));
    add(
        "three signatures, threshold 3",
        text(&multi),
        &["rsa-pss-sha256", "ed25519", "es256"],
        3,
        None,
        "ok",
    );
    add(
        "three signatures, two trusted, threshold 2",
        text(&multi),
        &["es384", "ed25519", "es256"],
        2,
        None,
        "ok",
    );
    add(
        "three signatures, threshold above the trusted that signed",
        text(&multi),
        &["es384", "ed25519", "es256"],
        3,
        None,
        "verification_failed",
    );
    let single = sign("text/plain", b"hello vectors".to_vec(), &[key("es256")])
        .unwrap_or_else(|e| panic!("{e}"));
    add(
        "wrong key",
        text(&single),
        &["es384"],
        1,
        None,
        "verification_failed",
    );
    add(
        "payload type mismatch",
        text(&single),
        &["es256"],
        1,
        Some("application/json"),
        "payload_type_mismatch",
    );
    add(
        "threshold zero",
        text(&single),
        &["es256"],
        0,
        None,
        "invalid_policy",
    );
    let tampered = text(&single).replace(&b64(b"hello vectors"), &b64(b"hello vectorz"));
    add(
        "tampered payload",
        tampered,
        &["es256"],
        1,
        None,
        "verification_failed",
    );
    add(
        "tampered payload type",
        text(&single).replace("text/plain", "text/plaim"),
        &["es256"],
        1,
        None,
        "verification_failed",
    );
    add(
        "duplicate key",
        r#"{"payload":"","payload":"","payloadType":"x","signatures":[]}"#.to_owned(),
        &["es256"],
        1,
        None,
        "duplicate_key",
    );
    add(
        "bad base64",
        r#"{"payload":"%%%","payloadType":"x","signatures":[{"sig":"AA=="}]}"#.to_owned(),
        &["es256"],
        1,
        None,
        "invalid_base64",
    );
    add(
        "missing payload",
        r#"{"payloadType":"x","signatures":[]}"#.to_owned(),
        &["es256"],
        1,
        None,
        "invalid_envelope",
    );
    add(
        "no signatures",
        r#"{"payload":"","payloadType":"x","signatures":[]}"#.to_owned(),
        &["es256"],
        1,
        None,
        "verification_failed",
    );
    add(
        "malformed json",
        "{\"payload\":".to_owned(),
        &["es256"],
        1,
        None,
        "malformed_json",
    );
    add(
        "in-toto type with a non-statement payload",
        text(
            &sign(
                "application/vnd.in-toto+json",
                b"{}".to_vec(),
                &[key("ed25519")],
            )
            .unwrap_or_else(|e| panic!("{e}")),
        ),
        &["ed25519"],
        1,
        None,
        "invalid_statement",
    );
    Value::Array(cases)
}

/// Sign `payload` as `payload_type` with every key, through the facade's authority.
fn sign(
    payload_type: &str,
    payload: Vec<u8>,
    keys: &[&dyn SigningKey],
) -> stellaops_signer::Result<Envelope> {
    Authority::keys(keys)
        .sign_payload(payload_type, payload)
        .map(Outcome::into_envelope)
}
