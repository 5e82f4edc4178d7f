//! DPoP and mTLS sender constraints: the tamper suite for proofs, and the authenticator.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use stellaops_crypto::{Algorithm, SigningKey as _, SoftwareKey};
use stellaops_poe::thumbprint::certificate_thumbprint;
use stellaops_poe::{
    AuthRequest, Authenticator, Binding, Denial, DpopNonces, DpopPolicy, DpopVerifier, FixedClock,
    OpTokPolicy, OpTokVerifier, Reason,
};

struct Fixture {
    authority: SoftwareKey,
    client: DpopClient,
    clock: Arc<FixedClock>,
    auth: Authenticator,
}

fn fixture_with(nonces: Option<DpopNonces>) -> Fixture {
    let authority = key(Algorithm::EcdsaP256Sha256);
    let clock = clock();
    let optok = OpTokVerifier::new(
        OpTokPolicy::new(ISSUER),
        jwks(&[("k1", authority.public_key())]),
        clock.clone(),
    );
    let dpop = DpopVerifier::new(DpopPolicy::default(), nonces, clock.clone());
    Fixture {
        authority,
        client: DpopClient::new(Algorithm::EcdsaP256Sha256),
        clock,
        auth: Authenticator::new(optok, dpop),
    }
}

fn fixture() -> Fixture {
    fixture_with(None)
}

impl Fixture {
    fn token(&self) -> String {
        token(&self.authority, "k1", &claims(Some(&self.client.jkt)))
    }

    fn request<'a>(&self, token: &'a str, proof: Option<&'a str>) -> AuthRequest<'a> {
        AuthRequest {
            access_token: token,
            dpop_proof: proof,
            method: METHOD,
            uri: URI,
            client_certificate: None,
            tenant: TENANT,
        }
    }

    fn auth(&self, token: &str, proof: Option<&str>) -> Result<Binding, Denial> {
        self.auth
            .authenticate(&self.request(token, proof))
            .map(|c| c.binding)
    }

    /// Authenticate with a proof whose claims `edit` changed.
    fn with_claims(&self, edit: impl FnOnce(&mut Value)) -> Reason {
        let tok = self.token();
        let mut c = self.client.claims(&tok, "p-1");
        edit(&mut c);
        let proof = self.client.proof_with(&c);
        self.auth(&tok, Some(&proof))
            .expect_err("must be denied")
            .reason
    }
}

#[test]
fn a_good_proof_binds_the_caller() {
    let f = fixture();
    let tok = f.token();
    let proof = f.client.proof(&tok, "p-1");
    let caller = f.auth.authenticate(&f.request(&tok, Some(&proof))).unwrap();
    assert_eq!(
        caller.binding,
        Binding::Dpop {
            jkt: f.client.jkt.clone()
        }
    );
    assert_eq!(caller.token.subject, "svc:scanner-7");
}

#[test]
fn every_algorithm_works_for_proofs() {
    for alg in Algorithm::ALL {
        let mut f = fixture();
        f.client = DpopClient::new(alg);
        let tok = f.token();
        let proof = f.client.proof(&tok, "p-1");
        f.auth(&tok, Some(&proof))
            .unwrap_or_else(|d| panic!("{alg}: {d}"));
    }
}

/// Issue 20 ("check and settle"): the replay window's end is computed without overflow, so a
/// huge `max_age` keeps replays out instead of wrapping their expiry into the past.
#[test]
fn a_huge_max_age_does_not_overflow_the_replay_window() {
    let f = fixture();
    let dpop = DpopVerifier::new(
        DpopPolicy {
            max_age: Duration::from_secs(u64::MAX),
            ..DpopPolicy::default()
        },
        None,
        f.clock.clone(),
    );
    let optok = OpTokVerifier::new(
        OpTokPolicy::new(ISSUER),
        jwks(&[("k1", f.authority.public_key())]),
        f.clock.clone(),
    );
    let auth = Authenticator::new(optok, dpop);
    let tok = f.token();
    let proof = f.client.proof(&tok, "p-huge");
    assert!(auth.authenticate(&f.request(&tok, Some(&proof))).is_ok());
    f.clock.advance(Duration::from_secs(90));
    assert_eq!(
        auth.authenticate(&f.request(&tok, Some(&proof)))
            .unwrap_err()
            .reason,
        Reason::DpopReplay
    );
}

#[test]
fn replayed_jti() {
    let f = fixture();
    let tok = f.token();
    let proof = f.client.proof(&tok, "p-1");
    assert!(f.auth(&tok, Some(&proof)).is_ok());
    assert_eq!(
        f.auth(&tok, Some(&proof)).unwrap_err().reason,
        Reason::DpopReplay
    );
    // A fresh proof with the same jti is a replay too.
    let again = f.client.proof(&tok, "p-1");
    assert_eq!(
        f.auth(&tok, Some(&again)).unwrap_err().reason,
        Reason::DpopReplay
    );
}

#[test]
fn replay_is_exact_under_concurrency() {
    let f = Arc::new(fixture());
    let tok = f.token();
    let proof = f.client.proof(&tok, "p-race");
    let barrier = Arc::new(Barrier::new(64));
    let handles: Vec<_> = (0..64)
        .map(|_| {
            let (f, tok, proof, barrier) = (f.clone(), tok.clone(), proof.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                f.auth(&tok, Some(&proof)).is_ok()
            })
        })
        .collect();
    let passed = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(
        passed, 1,
        "exactly one of 64 racing uses of one proof gets through"
    );
}

#[test]
fn missing_proof() {
    let f = fixture();
    assert_eq!(
        f.auth(&f.token(), None).unwrap_err().reason,
        Reason::DpopMissing
    );
}

#[test]
fn wrong_htu() {
    let f = fixture();
    assert_eq!(
        f.with_claims(|c| c["htu"] = json!("https://signer.stella.test/api/v1/verify")),
        Reason::DpopHtu
    );
    assert_eq!(
        f.with_claims(|c| c["htu"] = json!("https://evil.test/api/v1/sign")),
        Reason::DpopHtu
    );
}

#[test]
fn htu_ignores_query_and_fragment() {
    let f = fixture();
    let tok = f.token();
    let proof = f.client.proof(&tok, "p-q");
    let mut req = f.request(&tok, Some(&proof));
    req.uri = "https://signer.stella.test/api/v1/sign?tenant=acme#x";
    assert!(f.auth.authenticate(&req).is_ok());
}

#[test]
fn wrong_htm() {
    let f = fixture();
    assert_eq!(f.with_claims(|c| c["htm"] = json!("GET")), Reason::DpopHtm);
    assert_eq!(f.with_claims(|c| c["htm"] = json!("post")), Reason::DpopHtm);
}

#[test]
fn wrong_ath() {
    let f = fixture();
    assert_eq!(
        f.with_claims(|c| c["ath"] = json!(ath("another token"))),
        Reason::DpopAth
    );
    assert_eq!(
        f.with_claims(|c| {
            c.as_object_mut().unwrap().remove("ath");
        }),
        Reason::DpopAth
    );
}

#[test]
fn iat_outside_the_window() {
    let f = fixture();
    assert_eq!(
        f.with_claims(|c| c["iat"] = json!(NOW - 61)),
        Reason::DpopIat
    );
    assert_eq!(
        f.with_claims(|c| c["iat"] = json!(NOW + 6)),
        Reason::DpopIat
    );
    assert_eq!(
        f.with_claims(|c| {
            c.as_object_mut().unwrap().remove("iat");
        }),
        Reason::DpopIat
    );
}

#[test]
fn a_proof_ages_out() {
    let f = fixture();
    let tok = f.token();
    let proof = f.client.proof(&tok, "p-late");
    f.clock.advance(Duration::from_secs(61));
    assert_eq!(
        f.auth(&tok, Some(&proof)).unwrap_err().reason,
        Reason::DpopIat
    );
}

#[test]
fn missing_jti() {
    let f = fixture();
    assert_eq!(
        f.with_claims(|c| {
            c.as_object_mut().unwrap().remove("jti");
        }),
        Reason::DpopMalformed
    );
}

#[test]
fn proof_from_another_key() {
    let f = fixture();
    let tok = f.token();
    let thief = DpopClient::new(Algorithm::EcdsaP256Sha256);
    let proof = thief.proof(&tok, "p-1");
    assert_eq!(
        f.auth(&tok, Some(&proof)).unwrap_err().reason,
        Reason::DpopThumbprint
    );
}

#[test]
fn changed_claim_in_the_proof() {
    let f = fixture();
    let tok = f.token();
    let proof = f.client.proof(&tok, "p-1");
    let mut other = f.client.claims(&tok, "p-1");
    other["htu"] = json!("https://signer.stella.test/api/v1/other");
    assert_eq!(
        f.auth(&tok, Some(&swap_payload(&proof, &other)))
            .unwrap_err()
            .reason,
        Reason::DpopSignature
    );
    assert_eq!(
        f.auth(&tok, Some(&flip_signature(&proof)))
            .unwrap_err()
            .reason,
        Reason::DpopSignature
    );
}

#[test]
fn wrong_typ() {
    let f = fixture();
    let tok = f.token();
    let c = f.client.claims(&tok, "p-1");
    for header in [
        json!({"typ": "JWT", "jwk": Value::Object(f.client.jwk.clone())}),
        json!({"jwk": Value::Object(f.client.jwk.clone())}),
    ] {
        let proof = jwt(&f.client.key, header, &c);
        assert_eq!(
            f.auth(&tok, Some(&proof)).unwrap_err().reason,
            Reason::DpopType
        );
    }
}

#[test]
fn alg_none_proof() {
    let f = fixture();
    let tok = f.token();
    let header =
        json!({"typ": "dpop+jwt", "alg": "none", "jwk": Value::Object(f.client.jwk.clone())});
    let proof = raw_jws(&header, &f.client.claims(&tok, "p-1"), b"");
    assert_eq!(
        f.auth(&tok, Some(&proof)).unwrap_err().reason,
        Reason::DpopAlgorithm
    );
}

#[test]
fn private_key_in_the_header_is_refused() {
    let f = fixture();
    let tok = f.token();
    let private: Value = serde_json::from_str(&f.client.key.to_jwk().unwrap()).unwrap();
    let proof = jwt(
        &f.client.key,
        json!({"typ": "dpop+jwt", "jwk": private}),
        &f.client.claims(&tok, "p-1"),
    );
    assert_eq!(
        f.auth(&tok, Some(&proof)).unwrap_err().reason,
        Reason::DpopJwk
    );
}

#[test]
fn no_jwk_header() {
    let f = fixture();
    let tok = f.token();
    let proof = jwt(
        &f.client.key,
        json!({"typ": "dpop+jwt"}),
        &f.client.claims(&tok, "p-1"),
    );
    assert_eq!(
        f.auth(&tok, Some(&proof)).unwrap_err().reason,
        Reason::DpopJwk
    );
}

#[test]
fn server_nonce() {
    let nonces = DpopNonces::new(Duration::from_secs(300)).unwrap();
    let f = fixture_with(Some(nonces));
    let tok = f.token();
    assert_eq!(f.with_claims(|_| {}), Reason::DpopNonce, "no nonce");
    assert_eq!(
        f.with_claims(|c| c["nonce"] = json!("made-up")),
        Reason::DpopNonce
    );
    let nonce = f.auth.dpop().current_nonce().unwrap();
    let mut c = f.client.claims(&tok, "p-n1");
    c["nonce"] = json!(nonce);
    assert!(f.auth(&tok, Some(&f.client.proof_with(&c))).is_ok());
    // Two periods later the nonce is gone (proof iat moved along, so only the nonce fails).
    f.clock.advance(Duration::from_secs(601));
    let mut c = f.client.claims(&tok, "p-n2");
    c["iat"] = json!(NOW + 601);
    c["nonce"] = json!(nonce);
    let reason = f
        .auth(&tok, Some(&f.client.proof_with(&c)))
        .unwrap_err()
        .reason;
    assert!(
        matches!(reason, Reason::DpopNonce | Reason::OptokExpired),
        "{reason}"
    );
}

#[test]
fn bearer_tokens_need_explicit_permission() {
    let f = fixture();
    let bearer = token(&f.authority, "k1", &claims(None));
    assert_eq!(
        f.auth(&bearer, None).unwrap_err().reason,
        Reason::OptokUnbound
    );
    let authority = key(Algorithm::Ed25519);
    let clock = clock();
    let open = Authenticator::new(
        OpTokVerifier::new(
            OpTokPolicy::new(ISSUER),
            jwks(&[("k1", authority.public_key())]),
            clock.clone(),
        ),
        DpopVerifier::new(DpopPolicy::default(), None, clock),
    )
    .allow_bearer(true);
    let bearer = token(&authority, "k1", &claims(None));
    let caller = open.authenticate(&f.request(&bearer, None)).unwrap();
    assert_eq!(caller.binding, Binding::Bearer);
}

/// A real self-signed P-256 client certificate (`openssl req -x509 -newkey ec ... -outform DER`).
/// Only its SHA-256 is compared here: the TLS layer verified the certificate itself.
const CLIENT_CERT: &[u8] = include_bytes!("data/client-cert.der");

#[test]
fn mtls_bound_token() {
    let f = fixture();
    let mut c = claims(None);
    c["cnf"] = json!({"x5t#S256": certificate_thumbprint(CLIENT_CERT)});
    let tok = token(&f.authority, "k1", &c);
    let mut req = f.request(&tok, None);
    assert_eq!(
        f.auth.authenticate(&req).unwrap_err().reason,
        Reason::MtlsMissing
    );
    let other = [CLIENT_CERT, b"x"].concat();
    req.client_certificate = Some(&other);
    assert_eq!(
        f.auth.authenticate(&req).unwrap_err().reason,
        Reason::MtlsThumbprint
    );
    req.client_certificate = Some(CLIENT_CERT);
    let caller = f.auth.authenticate(&req).unwrap();
    assert_eq!(
        caller.binding,
        Binding::Mtls {
            x5t_s256: certificate_thumbprint(CLIENT_CERT)
        }
    );
}

#[test]
fn token_bound_to_both_needs_both() {
    let f = fixture();
    let mut c = claims(Some(&f.client.jkt));
    c["cnf"]["x5t#S256"] = json!(certificate_thumbprint(CLIENT_CERT));
    let tok = token(&f.authority, "k1", &c);
    let proof = f.client.proof(&tok, "p-both");
    let mut req = f.request(&tok, Some(&proof));
    assert_eq!(
        f.auth.authenticate(&req).unwrap_err().reason,
        Reason::MtlsMissing
    );
    let proof = f.client.proof(&tok, "p-both-2");
    req.dpop_proof = Some(&proof);
    req.client_certificate = Some(CLIENT_CERT);
    assert_eq!(
        f.auth.authenticate(&req).unwrap().binding.name(),
        "dpop+mtls"
    );
}
