//! `stella serve` end to end over real TLS: a real HTTPS client (ureq on rustls) with
//! certificates made by OpenSSL, DPoP proofs checked against the request as it arrived, tokens
//! bound to the client certificate of the TLS session, RFC 9457 problems for every refusal, the
//! audit chain of what was served, and SIGTERM draining in-flight requests.

// Every test here runs `stella serve`, which only a build with the `serve` feature has.
#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod minted;
mod server;

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use server::{answer, statement_body, Setup, ALLOWED_RELEASE, EXTERNAL, SIGN};
use stellaops_signer::{Envelope, EnvelopeLimits, SigningKey, VerificationPolicy};

fn verify_envelope(setup: &Setup, envelope: &Value) {
    let envelope =
        Envelope::from_json(envelope.to_string().as_bytes(), &EnvelopeLimits::default()).unwrap();
    let policy = VerificationPolicy::new([setup.signer.public_key().clone()], 1, None).unwrap();
    envelope.verify(&policy).unwrap();
}

fn post(agent: &ureq::Agent, url: &str, headers: &[(&str, &str)], body: &str) -> server::Answer {
    let mut request = agent.post(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request.send(body))
}

#[test]
fn the_api_over_tls_with_dpop_and_mtls_bound_callers() {
    let setup = Setup::new("", "");
    let served = setup.serve();
    let dpop_client = setup.agent(None);
    let sign = served.url(SIGN);
    let htu = format!("{EXTERNAL}{SIGN}");

    // A DPoP-bound caller: the proof's htm and htu are checked against this request.
    let token = setup.dpop_token("t1");
    let proof = setup.proof(&token, "POST", &htu, "p1");
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let headers = [
        ("authorization", format!("DPoP {token}")),
        ("dpop", proof.clone()),
        ("x-stellaops-tenant", "acme".into()),
        ("content-type", "application/json".into()),
        ("traceparent", traceparent.into()),
    ];
    let h: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let a = post(&dpop_client, &sign, &h, &statement_body());
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.content_type, "application/json");
    assert_eq!(a.body["binding"], "dpop");
    assert_eq!(a.body["tenant"], "acme");
    assert_eq!(a.body["issuer_mode"], "software");
    assert_eq!(a.body["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(a.body["key_id"], setup.signer.key_id().to_string());
    assert!(a.body["bundle_digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    verify_envelope(&setup, &a.body["envelope"]);
    // And securesystemslib accepts what the service signed.
    let scratch = tempfile::tempdir().unwrap();
    let (verified, said) = stellaops_tests::sslib_verify(
        scratch.path(),
        a.body["envelope"].to_string().as_bytes(),
        &[&setup.signer],
        1,
    );
    assert!(
        verified,
        "securesystemslib refused the served envelope: {said}"
    );
    // Answers to check against the OpenAPI document's schemas at the end.
    let mut documented = vec![json!({"schema": "Outcome", "instance": a.body})];

    // The same proof again: a replay.
    let a = post(&dpop_client, &sign, &h, &statement_body());
    assert_eq!((a.status, a.problem()), (401, "dpop.replay"));
    documented.push(json!({"schema": "Problem", "instance": a.body}));
    let challenge = a.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with("DPoP error=\"invalid_dpop_proof\""),
        "{challenge}"
    );
    assert_eq!(a.body["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");

    // A proof made for another path, and one made for GET: refused by what the request is.
    for (method, target, jti, code) in [
        (
            "POST",
            format!("{EXTERNAL}/api/v1/signer/sign/export"),
            "p2",
            "dpop.htu",
        ),
        (
            "POST",
            format!("https://elsewhere.example{SIGN}"),
            "p3",
            "dpop.htu",
        ),
        ("GET", htu.clone(), "p4", "dpop.htm"),
    ] {
        let proof = setup.proof(&token, method, &target, jti);
        let a = post(
            &dpop_client,
            &sign,
            &[
                ("authorization", &format!("DPoP {token}")),
                ("dpop", &proof),
                ("x-stellaops-tenant", "acme"),
                ("content-type", "application/json"),
            ],
            &statement_body(),
        );
        assert_eq!((a.status, a.problem()), (401, code), "{method} {target}");
    }

    // A certificate-bound caller: the binding is the TLS session's certificate.
    let mtls_client = setup.agent(Some("client"));
    let token = setup.mtls_token("t2", "client");
    let auth = format!("Bearer {token}");
    let mtls_headers = [
        ("authorization", auth.as_str()),
        ("x-stellaops-tenant", "acme"),
        ("content-type", "application/json"),
    ];
    let a = post(&mtls_client, &sign, &mtls_headers, &statement_body());
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["binding"], "mtls");
    verify_envelope(&setup, &a.body["envelope"]);
    // The same token over a session without a certificate, and over one with another
    // certificate (which the CA also issued).
    let a = post(&dpop_client, &sign, &mtls_headers, &statement_body());
    assert_eq!((a.status, a.problem()), (401, "mtls.missing"));
    let a = post(
        &setup.agent(Some("other")),
        &sign,
        &mtls_headers,
        &statement_body(),
    );
    assert_eq!((a.status, a.problem()), (401, "mtls.thumbprint"));

    // No credentials: the challenge without an error.
    let a = post(
        &dpop_client,
        &sign,
        &[
            ("x-stellaops-tenant", "acme"),
            ("content-type", "application/json"),
        ],
        &statement_body(),
    );
    assert_eq!((a.status, a.problem()), (401, "optok.missing"));
    assert!(a
        .header("www-authenticate")
        .unwrap()
        .starts_with("DPoP algs="));

    // Transport refusals, each with its code.
    let a = post(&mtls_client, &sign, &mtls_headers[..2], &statement_body());
    assert_eq!((a.status, a.problem()), (415, "unsupported_media_type"));
    let token3 = setup.mtls_token("t3", "client");
    let auth3 = format!("Bearer {token3}");
    let h3 = [
        ("authorization", auth3.as_str()),
        ("x-stellaops-tenant", "acme"),
        ("content-type", "application/json"),
    ];
    let a = post(
        &mtls_client,
        &sign,
        &h3,
        r#"{"predicate_type": "vex", "predicate_type": "x"}"#,
    );
    assert_eq!((a.status, a.problem()), (400, "duplicate_key"));
    let a = post(&mtls_client, &sign, &h3, "{");
    assert_eq!(a.status, 400);
    let a = post(&mtls_client, &sign, &mtls_headers[1..], &statement_body());
    assert_eq!((a.status, a.problem()), (401, "optok.missing"));
    let a = post(
        &mtls_client,
        &sign,
        &[
            ("authorization", &auth3),
            ("content-type", "application/json"),
        ],
        "{}",
    );
    assert_eq!((a.status, a.problem()), (400, "invalid_argument"));
    let a = answer(mtls_client.get(served.url("/nope")).call());
    assert_eq!((a.status, a.problem()), (404, "not_found"));
    let a = answer(mtls_client.get(&sign).call());
    assert_eq!((a.status, a.problem()), (405, "method_not_allowed"));

    // Export signing: the manifest (RFC 8785) and its envelope.
    let manifest = json!({
        "exportId": "exp-1", "tenant": "acme", "createdAt": "2026-12-03T00:00:00Z",
        "files": [{"path": "a.txt", "size": 3,
                   "digest": {"sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"abc"))}}],
    });
    let token4 = setup.mtls_token("t4", "client");
    let auth4 = format!("Bearer {token4}");
    let a = post(
        &mtls_client,
        &served.url("/api/v1/signer/sign/export"),
        &[
            ("authorization", &auth4),
            ("x-stellaops-tenant", "acme"),
            ("content-type", "application/json"),
        ],
        &json!({"manifest": manifest}).to_string(),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["manifest"]["exportId"], "exp-1");
    verify_envelope(&setup, &a.body["envelope"]);
    documented.push(json!({"schema": "Outcome", "instance": a.body}));

    // The release verdict, for an authenticated caller.
    let token5 = setup.mtls_token("t5", "client");
    let auth5 = format!("Bearer {token5}");
    for (digest, trusted) in [
        (ALLOWED_RELEASE.to_owned(), true),
        (format!("sha256:{}", "b".repeat(64)), false),
    ] {
        let a = answer(
            mtls_client
                .get(served.url(&format!("/api/v1/signer/verify/referrers?digest={digest}")))
                .header("authorization", &auth5)
                .header("x-stellaops-tenant", "acme")
                .call(),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["trusted"], trusted, "{}", a.text);
        documented.push(json!({"schema": "ReleaseVerdict", "instance": a.body}));
    }
    let a = answer(
        mtls_client
            .get(served.url("/api/v1/signer/verify/referrers?digest=latest"))
            .header("authorization", &auth5)
            .header("x-stellaops-tenant", "acme")
            .call(),
    );
    assert_eq!((a.status, a.problem()), (400, "invalid_digest"));

    // Health, readiness (the key signs, the quota store and the audit log answer), metrics.
    let a = answer(mtls_client.get(served.url("/healthz")).call());
    assert_eq!((a.status, &a.body["status"]), (200, &json!("ok")));
    let a = answer(mtls_client.get(served.url("/readyz")).call());
    assert_eq!(a.status, 200, "{}", a.text);
    let names: Vec<&str> = a.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["keys", "quota_store", "audit", "poe_source"]);
    documented.push(json!({"schema": "Readiness", "instance": a.body}));
    let mut metrics = String::new();
    mtls_client
        .get(served.url("/metrics"))
        .call()
        .unwrap()
        .body_mut()
        .as_reader()
        .read_to_string(&mut metrics)
        .unwrap();
    for name in [
        "stellaops_signer_http_requests_total{route=\"sign_dsse\",status=\"200\"}",
        "stellaops_signer_sign_seconds",
        "stellaops_signer_denials_total",
    ] {
        assert!(
            metrics.contains(name),
            "{name} missing from /metrics:\n{metrics}"
        );
    }

    // Every pipeline decision above is in the audit chain, which verifies.
    let summary = setup.audit_verify("audit.jsonl");
    assert!(summary["records"].as_u64().unwrap() >= 9, "{summary}");

    // openapi-spec-validator accepts docs/openapi.json, and openapi-schema-validator finds each
    // answer above to be what the document says it is.
    let lines: String = documented.iter().map(|d| format!("{d}\n")).collect();
    let out = stellaops_tests::oracle(
        &[
            &"openapi",
            &concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"),
        ],
        lines.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict, json!({"document": "valid", "instances_failed": 0}));
}

/// A reader that gives half the body, waits, then the rest: a request in flight when SIGTERM
/// comes.
struct Slow {
    body: Vec<u8>,
    at: usize,
    paused: bool,
}

impl Read for Slow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let half = self.body.len() / 2;
        if self.at == half && !self.paused {
            self.paused = true;
            std::thread::sleep(Duration::from_millis(1500));
        }
        let end = if self.at < half {
            half
        } else {
            self.body.len()
        };
        let n = (end - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.body[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn sigterm_drains_in_flight_requests_and_exits_zero() {
    let setup = Setup::new("drain_timeout_seconds = 10", "");
    let mut served = setup.serve();
    let token = setup.mtls_token("t1", "client");
    let agent = setup.agent(Some("client"));
    let url = served.url(SIGN);
    let body = statement_body().into_bytes();
    let len = body.len().to_string();
    let in_flight = std::thread::spawn(move || {
        answer(
            agent
                .post(&url)
                .header("authorization", format!("Bearer {token}"))
                .header("x-stellaops-tenant", "acme")
                .header("content-type", "application/json")
                .header("content-length", len)
                .send(ureq::SendBody::from_owned_reader(Slow {
                    body,
                    at: 0,
                    paused: false,
                })),
        )
    });
    std::thread::sleep(Duration::from_millis(500));
    let terminated = Instant::now();
    served.terminate();
    // New connections are refused once the listener is closed.
    std::thread::sleep(Duration::from_millis(300));
    let refused = setup
        .agent(Some("client"))
        .get(served.url("/healthz"))
        .call();
    assert!(
        refused.is_err(),
        "a new connection was served after SIGTERM"
    );
    let a = in_flight.join().unwrap();
    assert_eq!(
        a.status, 200,
        "the in-flight request was not finished: {}",
        a.text
    );
    verify_envelope(&setup, &a.body["envelope"]);
    let status = served.child.wait().unwrap();
    assert!(status.success(), "stella serve exited {status}");
    assert!(terminated.elapsed() < Duration::from_secs(10));
    // Its record is in the chain, which verifies.
    let summary = setup.audit_verify("audit.jsonl");
    assert_eq!(summary["records"], 1, "{summary}");
}

fn problem_code(raw: &server::Raw) -> Value {
    let body = raw.text.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str::<Value>(body).map_or(Value::Null, |v| v["code"].clone())
}

#[test]
fn hostile_requests_are_refused_with_their_codes_and_the_service_stays_up() {
    let setup = Setup::new("", "");
    // Short timeouts for the slow clients; the flood below goes to a server with the defaults
    // (an idle keep-alive connection outlives a 1 s header timeout only by luck on busy cores).
    let strict = String::from_utf8(setup.read("signer.toml"))
        .unwrap()
        .replace(
            "max_body_bytes = 65536",
            "max_body_bytes = 65536\nbody_timeout_seconds = 1\nheader_timeout_seconds = 1",
        );
    std::fs::write(setup.path("strict.toml"), strict).unwrap();
    let served = setup.serve_with("strict.toml");
    let head = |extra: &str| {
        format!(
            "POST {SIGN} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer x\r\n\
             x-stellaops-tenant: acme\r\ncontent-type: application/json\r\n{extra}\r\n"
        )
    };
    let pause = Duration::from_millis(2500);

    // A declared body over the limit: refused before a byte of it is read.
    let r = served.raw(&[head("content-length: 70000\r\n").as_bytes()], pause);
    assert_eq!(
        (r.status(), problem_code(&r)),
        (Some(413), json!("too_large")),
        "{}",
        r.text
    );
    // An undeclared (chunked) body over the limit: cut off at the limit.
    let chunk = format!("{:x}\r\n{}\r\n", 70_000, "a".repeat(70_000));
    let r = served.raw(
        &[
            head("transfer-encoding: chunked\r\n").as_bytes(),
            chunk.as_bytes(),
        ],
        Duration::ZERO,
    );
    assert_eq!(
        (r.status(), problem_code(&r)),
        (Some(413), json!("too_large")),
        "{}",
        r.text
    );
    // A body that stops coming: 408 after the body timeout (1 s), not a held connection.
    let r = served.raw(
        &[head("content-length: 100\r\n").as_bytes(), b"{\"a\":"],
        pause,
    );
    assert_eq!(
        (r.status(), problem_code(&r)),
        (Some(408), json!("request_timeout")),
        "{}",
        r.text
    );
    assert!(r.took < Duration::from_secs(4), "{:?}", r.took);
    // A head that never ends (slowloris): the connection is closed after the header timeout.
    let r = served.raw(
        &[b"POST /api/v1/signer/sign/dsse HTTP/1.1\r\nhost: local"],
        pause,
    );
    assert!(r.took < Duration::from_secs(4), "{:?}: {}", r.took, r.text);
    assert!(r.status().is_none_or(|s| s == 408), "{}", r.text);
    // A head over the limit (16 KiB): 431.
    let r = served.raw(
        &[head(&format!("x-big: {}\r\n", "b".repeat(20_000))).as_bytes()],
        Duration::ZERO,
    );
    assert_eq!(r.status(), Some(431), "{}", r.text);

    // Ten thousand hostile requests on keep-alive connections: each refused with its code.
    drop(served);
    let served = setup.serve();
    let agent = setup.agent(None);
    let sign = served.url(SIGN);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(&str, Vec<u8>, &str, u16, &str)> = vec![
        (
            "application/json",
            b"{".to_vec(),
            "Bearer x",
            400,
            "malformed_json",
        ),
        (
            "application/json",
            br#"{"a":1,"a":2}"#.to_vec(),
            "Bearer x",
            400,
            "duplicate_key",
        ),
        (
            "application/json",
            deep.into_bytes(),
            "Bearer x",
            400,
            "too_deep",
        ),
        (
            "application/json",
            b"{\"a\":\"\xff\xfe\"}".to_vec(),
            "Bearer x",
            400,
            "invalid_unicode",
        ),
        (
            "text/plain",
            statement_body().into_bytes(),
            "Bearer x",
            415,
            "unsupported_media_type",
        ),
        (
            "application/json",
            statement_body().into_bytes(),
            "Bearer x.y.z",
            401,
            "optok.malformed",
        ),
        (
            "application/json",
            statement_body().into_bytes(),
            "Basic dXNlcjpwYXNz",
            401,
            "optok.missing",
        ),
    ];
    let rss_before = served.rss_kib();
    let started = Instant::now();
    for i in 0..10_000 {
        let (ct, body, auth, status, code) = &cases[i % cases.len()];
        let a = answer(
            agent
                .post(&sign)
                .header("content-type", *ct)
                .header("authorization", *auth)
                .header("x-stellaops-tenant", "acme")
                .send(&body[..]),
        );
        assert_eq!(
            (a.status, a.problem()),
            (*status, *code),
            "request {i}: {}",
            a.text
        );
    }
    let took = started.elapsed();
    let rss_after = served.rss_kib();
    let a = answer(agent.get(served.url("/healthz")).call());
    assert_eq!(a.status, 200);
    // Bounded memory: what ten thousand refusals leave behind is not proportional to them.
    assert!(
        rss_after < rss_before + 64 * 1024,
        "resident memory grew from {rss_before} KiB to {rss_after} KiB"
    );
    eprintln!("10,000 hostile requests in {took:?}; RSS {rss_before} -> {rss_after} KiB");
}

#[test]
fn the_openapi_document_matches_the_live_routes() {
    let doc: Value = serde_json::from_slice(
        &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> = stellaops_server::ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    routes.sort();
    assert_eq!(
        documented, routes,
        "docs/openapi.json and the server's routes differ"
    );

    // And the live server serves exactly those: each documented operation reaches its handler
    // (neither 404 nor 405), the other method on each path is 405, other paths 404.
    let setup = Setup::new("", "");
    let served = setup.serve();
    let agent = setup.agent(None);
    for (method, path) in &documented {
        let url = served.url(path);
        let (hit, other) = match method.as_str() {
            "GET" => (
                answer(agent.get(&url).call()),
                answer(
                    agent
                        .post(&url)
                        .header("content-type", "application/json")
                        .send("{}"),
                ),
            ),
            "POST" => (
                answer(
                    agent
                        .post(&url)
                        .header("content-type", "application/json")
                        .send("{}"),
                ),
                answer(agent.get(&url).call()),
            ),
            m => panic!("undocumented method {m}"),
        };
        assert!(
            ![404, 405].contains(&hit.status),
            "{method} {path}: {}",
            hit.status
        );
        assert_eq!(
            (other.status, other.problem()),
            (405, "method_not_allowed"),
            "{path}"
        );
    }
    let a = answer(agent.get(served.url("/api/v1/signer/sign")).call());
    assert_eq!((a.status, a.problem()), (404, "not_found"));
    // Every problem the API sends is the documented Problem schema.
    let required: Vec<&str> = doc["components"]["schemas"]["Problem"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for name in required {
        assert!(
            a.body.get(name).is_some(),
            "problem lacks {name}: {}",
            a.text
        );
    }
}

fn redis_url() -> String {
    std::env::var("STELLAOPS_TEST_REDIS").unwrap_or_else(|_| {
        panic!("STELLAOPS_TEST_REDIS is not set: start Redis with scripts/services.sh (scripts/test.sh does)")
    })
}

fn audit_records(setup: &Setup, name: &str) -> Vec<Value> {
    String::from_utf8(setup.read(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["record"].clone())
        .collect()
}

#[test]
fn a_fleet_sharing_redis_refuses_a_proof_replayed_at_another_instance() {
    let redis = redis_url();
    let shared = format!("[dpop]\nreplay_store = \"redis\"\nredis_url = \"{redis}\"");
    let setup = Setup::new("", "");
    setup.variant("a.toml", "audit-a.jsonl", &shared);
    setup.variant("b.toml", "audit-b.jsonl", &shared);
    let (a, b) = (setup.serve_with("a.toml"), setup.serve_with("b.toml"));
    let agent = setup.agent(None);
    let htu = format!("{EXTERNAL}{SIGN}");
    let send = |served: &server::Served, token: &str, proof: &str| {
        post(
            &agent,
            &served.url(SIGN),
            &[
                ("authorization", &format!("DPoP {token}")),
                ("dpop", proof),
                ("x-stellaops-tenant", "acme"),
                ("content-type", "application/json"),
            ],
            &statement_body(),
        )
    };
    let token = setup.dpop_token("t1");
    let proof = setup.proof(&token, "POST", &htu, "fleet-p1");
    let first = send(&a, &token, &proof);
    assert_eq!(first.status, 200, "{}", first.text);
    // The same proof at the other instance: it shares the replay store, not the process.
    let again = send(&b, &token, &proof);
    assert_eq!((again.status, again.problem()), (401, "dpop.replay"));
    // A fresh proof is fine at either.
    let fresh = send(&b, &token, &setup.proof(&token, "POST", &htu, "fleet-p2"));
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    // Each instance keeps its own chain, and each verifies.
    for (log, decisions) in [
        ("audit-a.jsonl", vec!["allowed"]),
        ("audit-b.jsonl", vec!["denied", "allowed"]),
    ] {
        setup.audit_verify(log);
        let got: Vec<Value> = audit_records(&setup, log)
            .iter()
            .map(|r| r["decision"].clone())
            .collect();
        assert_eq!(
            got,
            decisions.iter().map(|d| json!(d)).collect::<Vec<_>>(),
            "{log}"
        );
    }

    // Redis unreachable: proofs are refused (they could be replayed elsewhere), and audited...
    let down = "[dpop]\nreplay_store = \"redis\"\nredis_url = \"redis://127.0.0.1:1/\"";
    setup.variant("down.toml", "audit-down.jsonl", down);
    let served = setup.serve_with("down.toml");
    let r = send(
        &served,
        &token,
        &setup.proof(&token, "POST", &htu, "fleet-p3"),
    );
    assert_eq!((r.status, r.problem()), (503, "dpop.store"));
    assert_eq!(r.header("retry-after"), Some("5"));
    let records = audit_records(&setup, "audit-down.jsonl");
    assert_eq!(
        (&records[0]["decision"], &records[0]["reason"]),
        (&json!("denied"), &json!("dpop.store"))
    );
    // ...unless the configuration fails open, which signs and says so in the record.
    let open = format!("{down}\nreplay_fail_open = true");
    setup.variant("open.toml", "audit-open.jsonl", &open);
    let served = setup.serve_with("open.toml");
    let r = send(
        &served,
        &token,
        &setup.proof(&token, "POST", &htu, "fleet-p4"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let records = audit_records(&setup, "audit-open.jsonl");
    assert_eq!(records[0]["decision"], "allowed");
    assert!(
        records[0]["replay_fail_open"]
            .as_str()
            .unwrap()
            .starts_with("redis replay store:"),
        "{}",
        records[0]
    );
}

/// Group commit under load, then `kill -9`: every request the service answered 200 has its
/// `allowed` record in the log (a response leaves only once its record is on disk), the chain
/// verifies up to at most a torn tail, and a restarted service reopens the log (cutting the tail
/// and recording the cut) and serves again.
#[test]
fn kill_9_under_load_loses_no_acknowledged_record() {
    let setup = Setup::new("", "");
    let served = setup.serve();
    let token = setup.mtls_token("t-k9", "client");
    let url = served.url(SIGN);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let callers: Vec<_> = (0..16)
        .map(|c| {
            let (agent, token, url, stop) = (
                setup.agent(Some("client")),
                token.clone(),
                url.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                let mut refused = 0u32;
                for i in 0u64.. {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let trace = format!("{:04x}{:028x}", c + 1, i + 1);
                    let traceparent = format!("00-{trace}-00f067aa0ba902b7-01");
                    // Acknowledged means a 200 whose whole body arrived; the kill shows as
                    // connection errors, which end the caller.
                    let sent = agent
                        .post(&url)
                        .header("authorization", format!("Bearer {token}"))
                        .header("x-stellaops-tenant", "acme")
                        .header("content-type", "application/json")
                        .header("traceparent", traceparent)
                        .send(statement_body())
                        .and_then(|mut r| {
                            let status = r.status().as_u16();
                            r.body_mut().read_to_string().map(|text| (status, text))
                        });
                    match sent {
                        Ok((200, text)) if text.contains(&trace) => acknowledged.push(trace),
                        Ok((status, text)) => panic!("{status}: {text}"),
                        Err(_) => {
                            refused += 1;
                            if refused > 3 {
                                break;
                            }
                        }
                    }
                }
                acknowledged
            })
        })
        .collect();
    // Let the load run, then kill without warning while requests are in flight.
    std::thread::sleep(Duration::from_millis(1500));
    let mut served = served;
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let acknowledged: Vec<String> = callers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(
        acknowledged.len() >= 16,
        "too little load to prove anything: {} answers",
        acknowledged.len()
    );

    let summary = setup.audit_verify("audit.jsonl");
    let records = audit_records_complete(&setup, "audit.jsonl");
    eprintln!(
        "{} answered, {} records, torn tail {}",
        acknowledged.len(),
        records.len(),
        summary["torn_tail"]
    );
    assert_eq!(summary["records"], records.len());
    let logged: std::collections::HashSet<&str> = records
        .iter()
        .filter(|r| r["decision"] == "allowed")
        .filter_map(|r| r["trace_id"].as_str())
        .collect();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|t| !logged.contains(t.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged requests have no record: {missing:?}",
        missing.len(),
        acknowledged.len()
    );

    // Restart on the same log: it opens, and the next request is served and recorded.
    let served = setup.serve();
    let r = sign_with_certificate(&setup.agent(Some("client")), &served, &token);
    assert_eq!(r.status, 200, "{}", r.text);
    drop(served);
    let after = setup.audit_verify("audit.jsonl");
    assert_eq!(after["torn_tail"], Value::Null);
    let torn = !summary["torn_tail"].is_null();
    assert_eq!(
        after["records"].as_u64().unwrap(),
        records.len() as u64 + 1 + u64::from(torn),
        "{summary} then {after}"
    );
}

/// A sign request from a certificate-bound caller (`agent` presents the certificate `token`
/// is bound to).
fn sign_with_certificate(
    agent: &ureq::Agent,
    served: &server::Served,
    token: &str,
) -> server::Answer {
    post(
        agent,
        &served.url(SIGN),
        &[
            ("authorization", &format!("Bearer {token}")),
            ("x-stellaops-tenant", "acme"),
            ("content-type", "application/json"),
        ],
        &statement_body(),
    )
}

/// The records of the complete lines of the log `name` (a torn last line is left out).
fn audit_records_complete(setup: &Setup, name: &str) -> Vec<Value> {
    String::from_utf8_lossy(&setup.read(name))
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["record"].clone())
        .collect()
}

/// Anchored chain heads: two instances publish their heads to Redis and witness each other's
/// in their own logs. A log cut short still verifies as a chain, but not against its anchors,
/// and the instance refuses to start on it.
#[test]
fn a_fleet_anchors_its_chain_heads_so_a_cut_log_shows() {
    let redis = redis_url();
    let prefix = format!("stellaops-test-{}-{}:", std::process::id(), minted::now());
    let anchored = |name: &str| {
        format!(
            "instance = \"{name}\"\nanchor_store = \"redis\"\nanchor_redis_url = \"{redis}\"\n\
             anchor_prefix = \"{prefix}\"\nanchor_interval_seconds = 1"
        )
    };
    let setup = Setup::new("", "");
    // The [audit] section is last in the file: the settings land in it.
    setup.variant("a.toml", "audit-a.jsonl", &anchored("a"));
    setup.variant("b.toml", "audit-b.jsonl", &anchored("b"));
    let (a, b) = (setup.serve_with("a.toml"), setup.serve_with("b.toml"));
    let token = setup.mtls_token("t-anchor", "client");
    let agent = setup.agent(Some("client"));
    let sign = |served: &server::Served| {
        let r = sign_with_certificate(&agent, served, &token);
        assert_eq!(r.status, 200, "{}", r.text);
    };
    for _ in 0..3 {
        sign(&a);
        sign(&b);
    }
    // Two rounds each, so each has seen the other's head; then the final round at shutdown.
    std::thread::sleep(Duration::from_millis(2500));
    let (_, ready) = setup.readiness(&a);
    assert_eq!(
        server::check(&ready, "audit_anchor")["ready"],
        json!(true),
        "{ready}"
    );
    for served in [&a, &b] {
        served.terminate();
    }
    let (mut a, mut b) = (a, b);
    assert!(a.child.wait().unwrap().success() && b.child.wait().unwrap().success());

    let stella = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_stella"))
            .args(args)
            .current_dir(setup.path(""))
            .output()
            .unwrap()
    };
    let check_a = |expect_ok: bool| {
        let out = stella(&[
            "audit",
            "verify",
            "--json",
            "--instance",
            "a",
            "--anchors",
            &redis,
            "--anchor-prefix",
            &prefix,
            "--witness",
            "audit-b.jsonl",
            "audit-a.jsonl",
        ]);
        assert_eq!(
            out.status.code(),
            Some(if expect_ok { 0 } else { 1 }),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let out = check_a(true);
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Redis's head of a, and b's anchor records of a.
    assert!(
        verdict["anchors_checked"].as_u64().unwrap() >= 2,
        "{verdict}"
    );
    let witnessed: Vec<Value> = audit_records(&setup, "audit-b.jsonl")
        .into_iter()
        .filter(|r| r["decision"] == "anchor")
        .collect();
    assert!(
        witnessed.iter().any(|r| r["anchor"]["instance"] == "a"),
        "b never witnessed a: {witnessed:?}"
    );

    // Cut a's last two records: still a valid chain on its own, not against the anchors.
    let text = String::from_utf8(setup.read("audit-a.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cut: String = lines[..lines.len() - 2]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(setup.path("audit-a.jsonl"), cut).unwrap();
    setup.audit_verify("audit-a.jsonl");
    let out = check_a(false);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("cut off the end"), "{said}");
    // Instance a refuses to start, saying `why`.
    let refuses = |why: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_stella"))
            .args(["serve", "--config"])
            .arg(setup.path("a.toml"))
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && said.contains(why),
            "{:?}: {said}",
            out.status
        );
    };
    // Not on the cut log (appending would hide the cut).
    refuses("cut off the end");
    // Nor on no log at all: a deleted log would otherwise start a fresh chain under its name.
    std::fs::remove_file(setup.path("audit-a.jsonl")).unwrap();
    refuses("deleted or moved");
    assert!(!setup.path("audit-a.jsonl").exists());
}

/// A refusal that needs no body (404, 405, 415) still reads the body it was sent, within the
/// limits, so the connection survives: closing it with bytes unread makes the kernel reset it,
/// and the reset can destroy the answer before the client reads it (seen as "Peer
/// disconnected"). Two requests on one connection: the refusal, then a request that is served.
#[test]
fn refusals_read_the_body_so_the_connection_and_the_answer_survive() {
    let setup = Setup::new("", "");
    let served = setup.serve();
    for (first, status) in [
        (
            "POST /healthz HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            "405",
        ),
        (
            "POST /nowhere HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            "404",
        ),
        (
            "POST /api/v1/signer/sign/dsse HTTP/1.1\r\nhost: localhost\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello",
            "415",
        ),
    ] {
        let then = "GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n";
        let raw = served.raw(
            &[format!("{first}{then}").as_bytes()],
            Duration::from_millis(0),
        );
        let statuses: Vec<&str> = raw
            .text
            .match_indices("HTTP/1.1 ")
            .map(|(i, _)| &raw.text[i + 9..i + 12])
            .collect();
        assert_eq!(statuses, [status, "200"], "{}", raw.text);
    }
}
