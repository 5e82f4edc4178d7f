//! The DSSE protocol test vectors (secure-systems-lab/dsse `testvectors/vectors.json`): two Ed25519
//! keys from RFC 8032 seeds, the expected PAE bytes, and whether a verifier must accept.

use pkcs8::EncodePublicKey;
use stellaops_dsse::stellaops_crypto::VerifyingKey;
use stellaops_dsse::{pae, Envelope, EnvelopeLimits, Error, VerificationPolicy};

const SEED_A: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const PUB_A: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const SEED_B: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
const PUB_B: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

const STATEMENT_B64: &str = "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==";
const SIG_A: &str =
    "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==";
const SIG_B: &str =
    "c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==";
const INTOTO: &str = "application/vnd.in-toto+json";
const PAE_STATEMENT: &str = "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d";

fn key(seed: &str, public: &str) -> VerifyingKey {
    let seed: [u8; 32] = hex::decode(seed)
        .ok()
        .and_then(|s| s.try_into().ok())
        .unwrap_or([0; 32]);
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    assert_eq!(
        hex::encode(signing.verifying_key().as_bytes()),
        public,
        "seed derives the listed public key"
    );
    let der = signing
        .verifying_key()
        .to_public_key_der()
        .map(|d| d.into_vec())
        .unwrap_or_default();
    VerifyingKey::from_spki_der(&der).unwrap_or_else(|e| panic!("spki: {e}"))
}

struct Vector {
    id: &'static str,
    payload: &'static str,
    payload_type: &'static str,
    sigs: &'static [(&'static str, Option<&'static str>)],
    trusted: &'static [char],
    threshold: usize,
    supported: &'static [&'static str],
    pae_hex: &'static str,
    accept: bool,
}

const VECTORS: &[Vector] = &[
    Vector { id: "single-signature", payload: STATEMENT_B64, payload_type: INTOTO, sigs: &[(SIG_A, Some("A"))], trusted: &['A'], threshold: 1, supported: &[INTOTO], pae_hex: PAE_STATEMENT, accept: true },
    Vector {
        id: "url-safe-base64",
        payload: "-_-_Pj8=",
        payload_type: INTOTO,
        sigs: &[("P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==", Some("A"))],
        trusted: &['A'],
        threshold: 1,
        supported: &[INTOTO],
        pae_hex: "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f",
        accept: true,
    },
    Vector { id: "payload-type-swapped", payload: STATEMENT_B64, payload_type: "application/vnd.example.other+json", sigs: &[(SIG_A, Some("A"))], trusted: &['A'], threshold: 1, supported: &[INTOTO, "application/vnd.example.other+json"], pae_hex: "", accept: false },
    Vector {
        id: "non-ascii-payload-type",
        payload: STATEMENT_B64,
        payload_type: "application/vnd.exämple+json",
        sigs: &[("xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==", Some("A"))],
        trusted: &['A'],
        threshold: 1,
        supported: &["application/vnd.exämple+json"],
        pae_hex: "445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d",
        accept: true,
    },
    Vector {
        id: "empty-payload",
        payload: "",
        payload_type: INTOTO,
        sigs: &[("gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==", Some("A"))],
        trusted: &['A'],
        threshold: 1,
        supported: &[INTOTO],
        pae_hex: "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020",
        accept: true,
    },
    Vector {
        id: "empty-payload-type",
        payload: STATEMENT_B64,
        payload_type: "",
        sigs: &[("iC3q/+3Rm0+lpAJRueDmDh15PnwCfxKmS0NAfKsbv+zgulXQC/WM9trc+j1XEqlwDIg/vf/uNfebeD6sxInrDg==", Some("A"))],
        trusted: &['A'],
        threshold: 1,
        supported: &[INTOTO],
        pae_hex: "445353457631203020203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d",
        accept: false,
    },
    Vector { id: "threshold-two-distinct-keys", payload: STATEMENT_B64, payload_type: INTOTO, sigs: &[(SIG_A, Some("A")), (SIG_B, Some("B"))], trusted: &['A', 'B'], threshold: 2, supported: &[INTOTO], pae_hex: PAE_STATEMENT, accept: true },
    Vector { id: "threshold-two-one-key-twice", payload: STATEMENT_B64, payload_type: INTOTO, sigs: &[(SIG_A, Some("A")), (SIG_A, Some("A"))], trusted: &['A', 'B'], threshold: 2, supported: &[INTOTO], pae_hex: PAE_STATEMENT, accept: false },
    Vector { id: "threshold-two-without-keyids", payload: STATEMENT_B64, payload_type: INTOTO, sigs: &[(SIG_A, None), (SIG_B, None)], trusted: &['A', 'B'], threshold: 2, supported: &[INTOTO], pae_hex: PAE_STATEMENT, accept: true },
];

fn envelope_json(v: &Vector) -> String {
    let sigs: Vec<String> = v
        .sigs
        .iter()
        .map(|(sig, keyid)| match keyid {
            Some(k) => format!(r#"{{"sig":"{sig}","keyid":"{k}"}}"#),
            None => format!(r#"{{"sig":"{sig}"}}"#),
        })
        .collect();
    format!(
        r#"{{"payload":"{}","payloadType":"{}","signatures":[{}]}}"#,
        v.payload,
        v.payload_type,
        sigs.join(",")
    )
}

/// A verifier that supports a set of payload types: the envelope's must be one of them.
fn verify(v: &Vector, env: &Envelope) -> Result<(), Error> {
    let keys = v.trusted.iter().map(|c| {
        if *c == 'A' {
            key(SEED_A, PUB_A)
        } else {
            key(SEED_B, PUB_B)
        }
    });
    let keys: Vec<_> = keys.collect();
    if !v.supported.contains(&env.payload_type()) {
        return Err(Error::PayloadTypeMismatch {
            expected: v.supported.join("|"),
            found: env.payload_type().into(),
        });
    }
    let policy = VerificationPolicy::new(keys, v.threshold, Some(env.payload_type()))?;
    env.verify(&policy).map(|_| ())
}

#[test]
fn every_spec_vector() {
    for v in VECTORS {
        let env = Envelope::from_json(envelope_json(v).as_bytes(), &EnvelopeLimits::default())
            .unwrap_or_else(|e| panic!("{}: parse: {e}", v.id));
        if !v.pae_hex.is_empty() {
            assert_eq!(
                hex::encode(pae(env.payload_type(), env.payload())),
                v.pae_hex,
                "{}: pae",
                v.id
            );
        }
        let result = verify(v, &env);
        assert_eq!(result.is_ok(), v.accept, "{}: {result:?}", v.id);
    }
}

#[test]
fn the_swapped_type_fails_on_the_signature_too_when_the_verifier_supports_both() {
    // Even a verifier accepting both types must reject: the signature covers the other type.
    let v = &VECTORS[2];
    let env = Envelope::from_json(envelope_json(v).as_bytes(), &EnvelopeLimits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let policy =
        VerificationPolicy::new([key(SEED_A, PUB_A)], 1, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        env.verify(&policy),
        Err(Error::VerificationFailed {
            verified: 0,
            required: 1
        })
    ));
}
