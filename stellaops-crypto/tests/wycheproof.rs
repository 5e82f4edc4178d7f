//! Wycheproof vectors through the public `VerifyingKey` API, for every algorithm we verify.
//!
//! `Valid` must verify, `Invalid` must fail; `Acceptable` (legacy encodings, weak parameters) may
//! go either way and is counted. Every test set listed here runs in full.

use stellaops_crypto::{Algorithm, VerifyingKey};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Tally {
    run: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, set: &str, tc: usize, expected: &TestResult, verified: bool) {
        self.run += 1;
        match (expected, verified) {
            (TestResult::Valid, true) | (TestResult::Invalid, false) => {}
            (TestResult::Acceptable, true) => self.acceptable_accepted += 1,
            (TestResult::Acceptable, false) => self.acceptable_rejected += 1,
            (e, v) => self
                .failures
                .push(format!("{set} tc {tc}: expected {e:?}, verified={v}")),
        }
    }

    fn check(self, min_run: usize) {
        assert!(
            self.failures.is_empty(),
            "{} failures: {:#?}",
            self.failures.len(),
            self.failures
        );
        assert!(self.run >= min_run, "only {} vectors ran", self.run);
        eprintln!("{self:?}");
    }
}

fn load_key(der: &[u8], alg: Algorithm) -> Option<VerifyingKey> {
    VerifyingKey::from_spki_der(der)
        .and_then(|k| k.with_algorithm(alg))
        .ok()
}

#[test]
fn ecdsa_p256_and_p384() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let mut tally = Tally::default();
    for (name, alg) in [
        (TestName::EcdsaSecp256r1Sha256, Algorithm::EcdsaP256Sha256),
        (TestName::EcdsaSecp384r1Sha384, Algorithm::EcdsaP384Sha384),
    ] {
        let set = TestSet::load(name).unwrap_or_else(|e| panic!("load {name:?}: {e:?}"));
        for group in set.test_groups {
            let key = load_key(&group.der, alg);
            for t in group.tests {
                let ok = key
                    .as_ref()
                    .is_some_and(|k| k.verify(&t.msg, &t.sig).is_ok());
                tally.record(&format!("{name:?}"), t.tc_id, &t.result, ok);
            }
        }
    }
    tally.check(400);
}

#[test]
fn ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap_or_else(|e| panic!("load: {e:?}"));
    let mut tally = Tally::default();
    for group in set.test_groups {
        let key = load_key(&group.der, Algorithm::Ed25519);
        for t in group.tests {
            let ok = key
                .as_ref()
                .is_some_and(|k| k.verify(&t.msg, &t.sig).is_ok());
            tally.record("ed25519", t.tc_id, &t.result, ok);
        }
    }
    tally.check(100);
}

#[test]
fn rsa_pkcs1_sha256() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut tally = Tally::default();
    for name in [
        TestName::Rsa2048Sha256,
        TestName::Rsa3072Sha256,
        TestName::Rsa4096Sha256,
    ] {
        let set = TestSet::load(name).unwrap_or_else(|e| panic!("load {name:?}: {e:?}"));
        for group in set.test_groups {
            let key = load_key(&group.der, Algorithm::RsaPkcs1Sha256);
            for t in group.tests {
                let ok = key
                    .as_ref()
                    .is_some_and(|k| k.verify(&t.msg, &t.sig).is_ok());
                tally.record(&format!("{name:?}"), t.tc_id, &t.result, ok);
            }
        }
    }
    tally.check(200);
}

/// PSS in both modes: strict (the group's salt length) must match Wycheproof exactly. The
/// any-salt-length mode our envelopes use (securesystemslib's `PSS.AUTO`) must match it too, except
/// for the vectors that are invalid *only* because the signer chose another salt length (comment
/// "s_len changed to N"): those are genuine signatures and must verify there.
#[test]
fn rsa_pss_sha256_strict_and_any_salt() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut strict = Tally::default();
    let mut any = Tally::default();
    let mut salt_changed = 0;
    for name in [
        TestName::RsaPss2048Sha256Mgf1SaltLen0,
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
    ] {
        let set = TestSet::load(name).unwrap_or_else(|e| panic!("load {name:?}: {e:?}"));
        for group in set.test_groups {
            let key = load_key(&group.der, Algorithm::RsaPssSha256);
            for t in group.tests {
                let s = key.as_ref().is_some_and(|k| {
                    k.verify_rsa_pss_with_salt_len(&t.msg, &t.sig, group.salt_size)
                        .is_ok()
                });
                strict.record(&format!("{name:?}"), t.tc_id, &t.result, s);
                let a = key
                    .as_ref()
                    .is_some_and(|k| k.verify(&t.msg, &t.sig).is_ok());
                let expected_any = if t.comment.starts_with("s_len changed to") {
                    salt_changed += 1;
                    TestResult::Valid
                } else {
                    t.result
                };
                any.record(&format!("{name:?}"), t.tc_id, &expected_any, a);
            }
        }
    }
    assert_eq!(
        salt_changed, 22,
        "the salt-length vectors of these four sets"
    );
    strict.check(100);
    any.check(100);
}
