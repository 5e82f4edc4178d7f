//! Multi-signature, threshold and strict-parsing behaviour of envelopes.

use stellaops_dsse::stellaops_crypto::{Algorithm, SigningKey, SoftwareKey, VerifyingKey};
use stellaops_dsse::{Envelope, EnvelopeLimits, Error, Signature, VerificationPolicy};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Recognises the expected error.
type ErrorCheck = fn(&Error) -> bool;
const T: &str = "application/vnd.in-toto+json";

fn keys(n: usize) -> Vec<SoftwareKey> {
    let algs = [
        Algorithm::EcdsaP256Sha256,
        Algorithm::Ed25519,
        Algorithm::EcdsaP384Sha384,
    ];
    (0..n)
        .map(|i| SoftwareKey::generate(algs[i % algs.len()]).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn pubs(keys: &[SoftwareKey]) -> Vec<VerifyingKey> {
    keys.iter().map(|k| k.public_key().clone()).collect()
}

fn with_signatures(payload: &[u8], sigs: Vec<Signature>) -> Envelope {
    // Rebuild through JSON so tests exercise the parser as a verifier would.
    let mut json = format!(
        r#"{{"payload":"{}","payloadType":"{T}","signatures":["#,
        b64(payload)
    );
    let parts: Vec<String> = sigs
        .iter()
        .map(|s| format!(r#"{{"keyid":"{}","sig":"{}"}}"#, s.keyid(), b64(s.sig())))
        .collect();
    json.push_str(&parts.join(","));
    json.push_str("]}");
    Envelope::from_json(json.as_bytes(), &EnvelopeLimits::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn b64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn two_of_three_with_one_bad_signature_passes_and_names_the_keys() -> TestResult {
    let k = keys(3);
    let env = Envelope::sign(T, b"payload", &[&k[0], &k[1], &k[2]])?;
    let mut sigs = env.signatures().to_vec();
    let mut broken = sigs[1].sig().to_vec();
    broken[10] ^= 0xff;
    sigs[1] = Signature::new(sigs[1].keyid(), broken);
    let env = with_signatures(b"payload", sigs);
    let policy = VerificationPolicy::new(pubs(&k), 2, Some(T))?;
    let verified = env.verify(&policy)?;
    let ids: Vec<_> = verified.keys().iter().map(|v| v.key_id.clone()).collect();
    assert_eq!(ids, vec![k[0].key_id().clone(), k[2].key_id().clone()]);
    assert_eq!(verified.keys()[1].signature_index, 2);
    // Three required: only two good.
    let policy3 = VerificationPolicy::new(pubs(&k), 3, Some(T))?;
    assert!(matches!(
        env.verify(&policy3),
        Err(Error::VerificationFailed {
            verified: 2,
            required: 3
        })
    ));
    Ok(())
}

#[test]
fn one_key_signing_many_times_counts_once() -> TestResult {
    let k = keys(2);
    let env = Envelope::sign(T, b"p", &[&k[0], &k[0], &k[0]])?;
    let policy = VerificationPolicy::new(pubs(&k), 2, Some(T))?;
    assert!(matches!(
        env.verify(&policy),
        Err(Error::VerificationFailed {
            verified: 1,
            required: 2
        })
    ));
    Ok(())
}

#[test]
fn listing_a_trusted_key_twice_does_not_lower_the_bar() -> TestResult {
    let k = keys(1);
    let same = vec![k[0].public_key().clone(), k[0].public_key().clone()];
    assert!(matches!(
        VerificationPolicy::new(same, 2, Some(T)),
        Err(Error::InvalidPolicy(_))
    ));
    Ok(())
}

#[test]
fn unknown_missing_and_lying_keyids_are_only_hints() -> TestResult {
    let k = keys(2);
    let env = Envelope::sign(T, b"p", &[&k[0], &k[1]])?;
    let s = env.signatures();
    // Swapped keyids: each signature claims the other key.
    let lying = with_signatures(
        b"p",
        vec![
            Signature::new(s[1].keyid(), s[0].sig().to_vec()),
            Signature::new(s[0].keyid(), s[1].sig().to_vec()),
        ],
    );
    let unknown = with_signatures(
        b"p",
        vec![
            Signature::new("nobody", s[0].sig().to_vec()),
            Signature::new("", s[1].sig().to_vec()),
        ],
    );
    let policy = VerificationPolicy::new(pubs(&k), 2, Some(T))?;
    assert_eq!(lying.verify(&policy)?.keys().len(), 2);
    assert_eq!(unknown.verify(&policy)?.keys().len(), 2);
    // A keyid naming a trusted key does not make an untrusted signature count.
    let stranger = keys(1);
    let forged = Envelope::sign(T, b"p", &[&stranger[0]])?;
    let forged = with_signatures(
        b"p",
        vec![Signature::new(
            k[0].key_id().as_str(),
            forged.signatures()[0].sig().to_vec(),
        )],
    );
    assert!(matches!(
        forged.verify(&VerificationPolicy::new(pubs(&k), 1, Some(T))?),
        Err(Error::VerificationFailed { verified: 0, .. })
    ));
    Ok(())
}

#[test]
fn payload_type_is_checked_and_any_must_be_explicit() -> TestResult {
    let k = keys(1);
    let env = Envelope::sign("text/plain", b"p", &[&k[0]])?;
    let strict = VerificationPolicy::new(pubs(&k), 1, Some(T))?;
    assert!(matches!(
        env.verify(&strict),
        Err(Error::PayloadTypeMismatch { .. })
    ));
    let any = VerificationPolicy::new(pubs(&k), 1, None)?;
    assert_eq!(env.verify(&any)?.payload_type(), "text/plain");
    Ok(())
}

#[test]
fn invalid_policies_are_refused() {
    let k = keys(2);
    assert!(matches!(
        VerificationPolicy::new(Vec::new(), 1, None),
        Err(Error::InvalidPolicy(_))
    ));
    assert!(matches!(
        VerificationPolicy::new(pubs(&k), 0, None),
        Err(Error::InvalidPolicy(_))
    ));
    assert!(matches!(
        VerificationPolicy::new(pubs(&k), 3, None),
        Err(Error::InvalidPolicy(_))
    ));
}

#[test]
fn signing_with_no_keys_is_an_error() {
    assert!(matches!(
        Envelope::sign(T, b"p", &[]),
        Err(Error::NoSigningKeys)
    ));
}

#[test]
fn serialization_is_canonical_with_keyid_always_present() -> TestResult {
    let k = keys(1);
    let env = Envelope::sign(T, b"hi", &[&k[0]])?;
    let json = env.to_json();
    let text = std::str::from_utf8(&json)?;
    assert!(text.starts_with(
        r#"{"payload":"aGk=","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":""#
    ));
    let canon =
        stellaops_dsse::canon::canonicalize(&json, Default::default(), &Default::default())?;
    assert_eq!(canon, json, "envelope json is already rfc 8785 canonical");
    assert_eq!(Envelope::from_json(&json, &EnvelopeLimits::default())?, env);
    let unsigned = Envelope::unsigned(T, b"x");
    let mut e2 = unsigned.clone();
    e2.add_signatures(&[&k[0]])?;
    let sigless = Envelope::from_json(
        br#"{"payload":"eA","payloadType":"t","signatures":[{"sig":"AA"}]}"#,
        &EnvelopeLimits::default(),
    )?;
    assert!(std::str::from_utf8(&sigless.to_json())?.contains(r#"{"keyid":"","sig":"AA=="}"#));
    Ok(())
}

#[test]
fn both_base64_alphabets_padded_or_not_are_read() -> TestResult {
    let limits = EnvelopeLimits::default();
    for payload in ["-_-_Pj8=", "-_-_Pj8", "+/+/Pj8=", "+/+/Pj8"] {
        let json = format!(r#"{{"payload":"{payload}","payloadType":"t","signatures":[]}}"#);
        assert_eq!(
            Envelope::from_json(json.as_bytes(), &limits)?.payload(),
            &[0xfb, 0xff, 0xbf, 0x3e, 0x3f]
        );
    }
    for bad in ["-_+/", "aGk=\\n", "a", "aGk!", "aGl="] {
        let json = format!(r#"{{"payload":"{bad}","payloadType":"t","signatures":[]}}"#);
        assert!(
            matches!(
                Envelope::from_json(json.as_bytes(), &limits),
                Err(Error::InvalidBase64("payload"))
            ),
            "{bad:?}"
        );
    }
    Ok(())
}

#[test]
fn malformed_envelopes_are_typed_errors() {
    let limits = EnvelopeLimits::default();
    let cases: &[(&str, ErrorCheck)] = &[
        (
            r#"{"payload":"","payload":"","payloadType":"t","signatures":[]}"#,
            |e| matches!(e, Error::DuplicateKey(k) if k == "payload"),
        ),
        (r#"{"payloadType":"t","signatures":[]}"#, |e| {
            matches!(
                e,
                Error::Field {
                    field: "payload",
                    ..
                }
            )
        }),
        (r#"{"payload":"","signatures":[]}"#, |e| {
            matches!(
                e,
                Error::Field {
                    field: "payloadType",
                    ..
                }
            )
        }),
        (r#"{"payload":"","payloadType":"t"}"#, |e| {
            matches!(
                e,
                Error::Field {
                    field: "signatures",
                    ..
                }
            )
        }),
        (r#"{"payload":1,"payloadType":"t","signatures":[]}"#, |e| {
            matches!(
                e,
                Error::Field {
                    field: "payload",
                    ..
                }
            )
        }),
        (
            r#"{"payload":"","payloadType":"t","signatures":[{}]}"#,
            |e| matches!(e, Error::Field { field: "sig", .. }),
        ),
        (
            r#"{"payload":"","payloadType":"t","signatures":[{"sig":"AA","keyid":5}]}"#,
            |e| matches!(e, Error::Field { field: "keyid", .. }),
        ),
        (
            r#"{"payload":"","payloadType":"t","signatures":[7]}"#,
            |e| {
                matches!(
                    e,
                    Error::Field {
                        field: "signatures",
                        ..
                    }
                )
            },
        ),
        (r#"[]"#, |e| {
            matches!(
                e,
                Error::Field {
                    field: "envelope",
                    ..
                }
            )
        }),
        (
            r#"{"payload":"","payloadType":"t","signatures":[]} x"#,
            |e| matches!(e, Error::Syntax(_)),
        ),
        (
            "{\"payload\":\"\",\"payloadType\":\"\\ud800\",\"signatures\":[]}",
            |e| matches!(e, Error::LoneSurrogate),
        ),
    ];
    for (json, check) in cases {
        match Envelope::from_json(json.as_bytes(), &limits) {
            Err(e) => assert!(check(&e), "{json}: unexpected {e:?}"),
            Ok(env) => panic!("{json}: parsed as {env:?}"),
        }
    }
    assert!(matches!(
        Envelope::from_json(b"{\"payload\":\"\xff\"}", &limits),
        Err(Error::InvalidUtf8)
    ));
}

#[test]
fn limits_are_enforced_before_work() -> TestResult {
    let k = keys(1);
    let big = Envelope::sign(T, vec![b'a'; 4096], &[&k[0]])?.to_json();
    let small_payload = EnvelopeLimits {
        max_payload_bytes: 1024,
        ..EnvelopeLimits::default()
    };
    assert!(matches!(
        Envelope::from_json(&big, &small_payload),
        Err(Error::TooLarge { limit: 1024, .. })
    ));
    let small_json = EnvelopeLimits {
        max_envelope_bytes: 100,
        ..EnvelopeLimits::default()
    };
    assert!(matches!(
        Envelope::from_json(&big, &small_json),
        Err(Error::TooLarge { limit: 100, .. })
    ));
    let many = Envelope::sign(T, b"p", &[&k[0], &k[0], &k[0]])?;
    let two = EnvelopeLimits {
        max_signatures: 2,
        ..EnvelopeLimits::default()
    };
    assert!(matches!(
        Envelope::from_json(&many.to_json(), &two),
        Err(Error::TooManySignatures { limit: 2, found: 3 })
    ));
    let policy = VerificationPolicy::new(pubs(&k), 1, Some(T))?.with_max_signatures(2);
    assert!(matches!(
        many.verify(&policy),
        Err(Error::TooManySignatures { .. })
    ));
    let deep = format!(
        r#"{{"payload":"","payloadType":"t","signatures":[],"x":{}{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    assert!(matches!(
        Envelope::from_json(deep.as_bytes(), &EnvelopeLimits::default()),
        Err(Error::TooDeep { limit: 128 })
    ));
    Ok(())
}

#[derive(Debug)]
struct FailingKey(VerifyingKey);

impl SigningKey for FailingKey {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }
    fn public_key(&self) -> &VerifyingKey {
        &self.0
    }
    fn try_sign(&self, _: &[u8]) -> stellaops_dsse::stellaops_crypto::Result<Vec<u8>> {
        Err(stellaops_dsse::stellaops_crypto::Error::Backend {
            backend: "test",
            source: "token removed".into(),
        })
    }
}

#[test]
fn a_failing_key_leaves_no_partial_envelope() -> TestResult {
    let k = keys(1);
    let failing = FailingKey(k[0].public_key().clone());
    let mut env = Envelope::sign(T, b"p", &[&k[0]])?;
    let before = env.clone();
    let err = env.add_signatures(&[&k[0], &failing]);
    assert!(matches!(err, Err(Error::Signing { .. })));
    assert_eq!(env, before, "nothing was added");
    Ok(())
}

/// Issue 20, defect 2: the result indexes the caller's list, duplicates included, so a rule
/// "key #k must have signed" cannot be fooled by a key listed twice.
#[test]
fn verified_keys_index_the_callers_list_and_every_position_of_a_duplicate() -> TestResult {
    let k = keys(2);
    let a = k[0].public_key().clone();
    let a_as_jwk = VerifyingKey::from_jwk(&a.to_jwk()?)?;
    let b = k[1].public_key().clone();
    let trusted = vec![a.clone(), a_as_jwk.clone(), b.clone()];
    let policy = VerificationPolicy::new(trusted.clone(), 1, Some(T))?;
    assert_eq!(policy.keys().len(), 3);
    assert_eq!(policy.distinct_keys(), 2);

    // Signed by B only: B is position 2, not 1.
    let env = Envelope::sign(T, b"p", &[&k[1]])?;
    let v = env.verify(&policy)?;
    assert_eq!(v.keys().len(), 1);
    assert_eq!(v.keys()[0].policy_index, 2);
    assert_eq!(v.keys()[0].positions, vec![2]);
    assert_eq!(&v.keys()[0].key_id, b.key_id());

    // Signed by A: both listings of A, positions 0 and 1.
    let env = Envelope::sign(T, b"p", &[&k[0]])?;
    let v = env.verify(&policy)?;
    assert_eq!(v.keys()[0].policy_index, 0);
    assert_eq!(v.keys()[0].positions, vec![0, 1]);

    // A listed twice is still one key for the threshold.
    assert!(matches!(
        VerificationPolicy::new(vec![a, a_as_jwk], 2, Some(T)),
        Err(Error::InvalidPolicy(_))
    ));
    Ok(())
}

/// Issue 20, defect 8: one RSA key pinned to both paddings accepts either, in either order, and
/// names only the listing whose padding signed.
#[test]
fn one_rsa_key_pinned_to_two_paddings_accepts_both_in_any_order() -> TestResult {
    let pss = SoftwareKey::generate(Algorithm::RsaPssSha256)?;
    let pkcs1 = SoftwareKey::from_pkcs8_der(&pss.to_pkcs8_der()?)?
        .with_algorithm(Algorithm::RsaPkcs1Sha256)?;
    let pinned_pss = pss
        .public_key()
        .clone()
        .with_algorithm(Algorithm::RsaPssSha256)?;
    let pinned_pkcs1 = pss
        .public_key()
        .clone()
        .with_algorithm(Algorithm::RsaPkcs1Sha256)?;
    for (signer, alg) in [
        (&pss, Algorithm::RsaPssSha256),
        (&pkcs1, Algorithm::RsaPkcs1Sha256),
    ] {
        let env = Envelope::sign(T, b"p", &[signer])?;
        for order in [
            vec![pinned_pkcs1.clone(), pinned_pss.clone()],
            vec![pinned_pss.clone(), pinned_pkcs1.clone()],
        ] {
            let policy = VerificationPolicy::new(order.clone(), 1, Some(T))?;
            let v = env.verify(&policy)?;
            assert_eq!(v.keys()[0].algorithm, alg);
            let expected = order.iter().position(|k| k.algorithm() == alg);
            assert_eq!(
                v.keys()[0].positions,
                expected.into_iter().collect::<Vec<_>>()
            );
        }
    }
    Ok(())
}
