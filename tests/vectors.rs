//! The shared vectors in `tests/vectors/`, which the Go (C ABI), Python and Node suites run too.

use base64::Engine as _;
use serde_json::Value;
use stellaops_signer::canon::{canonicalize, Limits, Mode};
use stellaops_signer::dsse::pae;
use stellaops_signer::keys::{load_signing_key, load_verifying_key};
use stellaops_signer::{verify, EnvelopeLimits, SigningKey, VerificationPolicy, VerifyingKey};

fn load(name: &str) -> Vec<Value> {
    let path = stellaops_tests::workspace()
        .join("tests/vectors")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {v}"))
}

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn public_keys() -> Vec<(String, VerifyingKey)> {
    load("keys.json")
        .iter()
        .map(|k| {
            (
                s(k, "name").to_owned(),
                load_verifying_key(s(k, "public_pem").as_bytes()).unwrap_or_else(|e| panic!("{e}")),
            )
        })
        .collect()
}

#[test]
fn keys_load_with_their_ids() {
    let keys = load("keys.json");
    assert_eq!(keys.len(), 5);
    for k in &keys {
        let private = load_signing_key(s(k, "private_pem").as_bytes(), None).unwrap();
        assert_eq!(private.key_id().to_string(), s(k, "key_id"));
        assert_eq!(private.algorithm().name(), s(k, "algorithm"));
        let public = load_verifying_key(s(k, "public_pem").as_bytes()).unwrap();
        assert_eq!(public.key_id().to_string(), s(k, "key_id"));
    }
}

#[test]
fn pae_bytes() {
    for case in load("pae.json") {
        let got = pae(s(&case, "payload_type"), &b64(s(&case, "payload_b64")));
        assert_eq!(got, b64(s(&case, "pae_b64")), "{case}");
    }
}

#[test]
fn canonical_forms() {
    let cases = load("canonical.json");
    assert!(cases.len() >= 10);
    for case in &cases {
        for (mode, key) in [(Mode::Jcs, "jcs"), (Mode::Olpc, "olpc")] {
            let got = canonicalize(s(case, "input").as_bytes(), mode, &Limits::default());
            match (case.get(key), case.get(format!("{key}_error").as_str())) {
                (Some(Value::String(want)), None) => {
                    assert_eq!(String::from_utf8(got.unwrap()).unwrap(), *want, "{case}")
                }
                (None, Some(Value::String(code))) => {
                    let err = stellaops_signer::Error::from(got.unwrap_err());
                    assert_eq!(err.code().name(), code, "{case}");
                }
                _ => panic!("vector needs {key} or {key}_error: {case}"),
            }
        }
    }
}

#[test]
fn envelopes_verify_or_fail_with_their_code() {
    let keys = public_keys();
    let cases = load("envelopes.json");
    assert!(cases.iter().filter(|c| c["expect"] == "ok").count() >= 5);
    assert!(cases.iter().filter(|c| c["expect"] != "ok").count() >= 8);
    for case in &cases {
        let trusted: Vec<VerifyingKey> = case["trusted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                keys.iter()
                    .find(|(name, _)| n == name.as_str())
                    .unwrap()
                    .1
                    .clone()
            })
            .collect();
        let threshold = case["threshold"].as_u64().unwrap() as usize;
        let result = VerificationPolicy::new(trusted, threshold, case["payload_type"].as_str())
            .map_err(stellaops_signer::Error::from)
            .and_then(|policy| {
                verify(
                    s(case, "envelope").as_bytes(),
                    &policy,
                    &[],
                    &EnvelopeLimits::default(),
                )
            });
        match (s(case, "expect"), result) {
            ("ok", Ok(v)) => assert!(v.keys.len() >= threshold, "{case}"),
            ("ok", Err(e)) => panic!("{}: {e}", s(case, "name")),
            (code, Ok(_)) => panic!("{}: verified, expected {code}", s(case, "name")),
            (code, Err(e)) => assert_eq!(e.code().name(), code, "{}: {e}", s(case, "name")),
        }
    }
}
