//! The licensing service's introspection endpoint, served by a real HTTP server on loopback,
//! and the outage cache in front of it.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use stellaops_poe::{
    EntitlementSource, FixedClock, IntrospectionSource, PoeEvaluator, PoePolicy, PoeState, Reason,
    SourceError,
};

/// What the licensing server answers for a tenant.
#[derive(Clone)]
enum Answer {
    Json(u16, String),
    Raw(u16, &'static str),
}

/// Each request's tenant and `Authorization` header, as the server saw them.
type RequestLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

struct Licensing {
    server: Option<Arc<tiny_http::Server>>,
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    requests: RequestLog,
    thread: Option<JoinHandle<()>>,
    url: String,
}

impl Licensing {
    fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind loopback"));
        let port = server.server_addr().to_ip().expect("ip listener").port();
        let answers: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let requests: RequestLog = Arc::default();
        let thread = {
            let (server, answers, requests) = (server.clone(), answers.clone(), requests.clone());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let auth = request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("Authorization"))
                        .map(|h| h.value.as_str().to_owned());
                    let tenant = serde_json::from_str::<Value>(&body)
                        .ok()
                        .and_then(|v| v["tenant"].as_str().map(String::from))
                        .unwrap_or_default();
                    let ok_path = request.url() == "/license/introspect"
                        && *request.method() == tiny_http::Method::Post;
                    requests.lock().unwrap().push((tenant.clone(), auth));
                    let answer = if ok_path {
                        answers.lock().unwrap().get(&tenant).cloned()
                    } else {
                        None
                    };
                    let (status, text) = match answer {
                        Some(Answer::Json(s, t)) => (s, t),
                        Some(Answer::Raw(s, t)) => (s, t.to_owned()),
                        None => (404, String::from("{\"error\":\"unknown\"}")),
                    };
                    let response = tiny_http::Response::from_string(text)
                        .with_status_code(status)
                        .with_header(
                            tiny_http::Header::from_bytes(
                                &b"Content-Type"[..],
                                &b"application/json"[..],
                            )
                            .unwrap(),
                        );
                    let _ = request.respond(response);
                }
            })
        };
        Licensing {
            server: Some(server),
            answers,
            requests,
            thread: Some(thread),
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    fn answer(&self, tenant: &str, answer: Answer) {
        self.answers.lock().unwrap().insert(tenant.into(), answer);
    }

    /// Stop serving and close the listening socket (dropping the last `Server` closes it), so
    /// clients get "connection refused", as from a licensing service that is down.
    fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.unblock();
            if let Some(t) = self.thread.take() {
                t.join().unwrap();
            }
            drop(server);
        }
    }
}

impl Drop for Licensing {
    fn drop(&mut self) {
        self.stop();
    }
}

fn introspection(url: &str) -> IntrospectionSource {
    IntrospectionSource::new(url, Duration::from_secs(5))
        .unwrap()
        .with_bearer("licensing-client-token")
}

fn active() -> String {
    let mut c = doc_claims();
    c["active"] = json!(true);
    c.to_string()
}

#[test]
fn introspection_answers() {
    let server = Licensing::start();
    server.answer(TENANT, Answer::Json(200, active()));
    server.answer(
        "sleepy",
        Answer::Json(200, json!({"active": false}).to_string()),
    );
    server.answer("broken", Answer::Raw(500, "oops"));
    server.answer("proxy", Answer::Raw(200, "<html>gateway</html>"));
    let source = introspection(&server.url);

    let e = source.fetch(TENANT).unwrap();
    assert_eq!(
        (e.plan.as_str(), e.license_id.as_str()),
        ("enterprise", "lic-0042")
    );
    match source.fetch("sleepy") {
        Err(SourceError::Denied(d)) => assert_eq!(d.reason, Reason::PoeInactive),
        other => panic!("{other:?}"),
    }
    match source.fetch("nobody") {
        Err(SourceError::Denied(d)) => assert_eq!(d.reason, Reason::PoeMissing),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        source.fetch("broken"),
        Err(SourceError::Unavailable(_))
    ));
    assert!(matches!(
        source.fetch("proxy"),
        Err(SourceError::Unavailable(_))
    ));
    let seen = server.requests.lock().unwrap().clone();
    assert_eq!(seen[0].0, TENANT);
    assert_eq!(seen[0].1.as_deref(), Some("Bearer licensing-client-token"));
}

#[test]
fn introspection_refuses_clear_text_off_loopback() {
    assert!(
        IntrospectionSource::new("http://licensing.example:8080", Duration::from_secs(1)).is_err()
    );
    assert!(IntrospectionSource::new("ftp://127.0.0.1/", Duration::from_secs(1)).is_err());
    assert!(IntrospectionSource::new("https://licensing.example", Duration::from_secs(1)).is_ok());
    assert!(IntrospectionSource::new("http://[::1]:9", Duration::from_secs(1)).is_ok());
}

#[test]
fn outage_is_bridged_by_the_cache_within_its_ttl() {
    let mut server = Licensing::start();
    server.answer(TENANT, Answer::Json(200, active()));
    let clock: Arc<FixedClock> = clock();
    let policy = PoePolicy {
        cache_ttl: Duration::from_secs(600),
        ..PoePolicy::default()
    };
    let poe = PoeEvaluator::new(Box::new(introspection(&server.url)), policy, clock.clone());
    assert_eq!(poe.evaluate(TENANT).unwrap().state, PoeState::Fresh);

    // The licensing service returns errors: the cached entitlement stands in, and says how old.
    server.answer(TENANT, Answer::Raw(503, "maintenance"));
    clock.advance(Duration::from_secs(120));
    let outcome = poe.evaluate(TENANT).unwrap();
    assert_eq!(
        outcome.state,
        PoeState::Cached {
            age: Duration::from_secs(120)
        }
    );
    assert_eq!(outcome.entitlement.unwrap().license_id, "lic-0042");

    // The service is gone altogether (connection refused): still the cache, until the TTL.
    server.stop();
    clock.advance(Duration::from_secs(400));
    assert_eq!(
        poe.evaluate(TENANT).unwrap().state,
        PoeState::Cached {
            age: Duration::from_secs(520)
        }
    );
    clock.advance(Duration::from_secs(81));
    let denial = poe.evaluate(TENANT).unwrap_err();
    assert_eq!(denial.reason, Reason::PoeStale);
    assert!(denial.detail.contains("601 s old"), "{}", denial.detail);

    // Another tenant never fetched: nothing to fall back on.
    assert_eq!(
        poe.evaluate("globex").unwrap_err().reason,
        Reason::PoeUnavailable
    );
}

#[test]
fn a_no_answer_clears_the_cache() {
    let server = Licensing::start();
    server.answer(TENANT, Answer::Json(200, active()));
    let poe = PoeEvaluator::new(
        Box::new(introspection(&server.url)),
        PoePolicy::default(),
        clock(),
    );
    assert!(poe.evaluate(TENANT).is_ok());
    server.answer(
        TENANT,
        Answer::Json(200, json!({"active": false}).to_string()),
    );
    assert_eq!(
        poe.evaluate(TENANT).unwrap_err().reason,
        Reason::PoeInactive
    );
    server.answer(TENANT, Answer::Raw(503, "down"));
    assert_eq!(
        poe.evaluate(TENANT).unwrap_err().reason,
        Reason::PoeUnavailable,
        "a revoked license is not revived by the outage cache"
    );
}

#[test]
fn a_cached_entitlement_still_expires() {
    let server = Licensing::start();
    let mut c = doc_claims();
    c["exp"] = json!(NOW + 60);
    server.answer(TENANT, Answer::Json(200, c.to_string()));
    let clock: Arc<FixedClock> = clock();
    let poe = PoeEvaluator::new(
        Box::new(introspection(&server.url)),
        PoePolicy::default(),
        clock.clone(),
    );
    assert!(poe.evaluate(TENANT).is_ok());
    server.answer(TENANT, Answer::Raw(503, "down"));
    clock.advance(Duration::from_secs(61));
    assert_eq!(poe.evaluate(TENANT).unwrap_err().reason, Reason::PoeExpired);
}

#[test]
fn a_refresh_interval_reuses_the_entitlement_and_then_asks_again() {
    let server = Licensing::start();
    server.answer(TENANT, Answer::Json(200, active()));
    let clock: Arc<FixedClock> = clock();
    let policy = PoePolicy {
        refresh_interval: Duration::from_secs(60),
        ..PoePolicy::default()
    };
    let poe = PoeEvaluator::new(Box::new(introspection(&server.url)), policy, clock.clone());
    for _ in 0..5 {
        assert_eq!(poe.evaluate(TENANT).unwrap().state, PoeState::Fresh);
    }
    assert_eq!(
        server.requests.lock().unwrap().len(),
        1,
        "asked once in the interval"
    );
    // Revoked meanwhile: noticed at the next refresh, not before.
    server.answer(
        TENANT,
        Answer::Json(200, json!({"active": false}).to_string()),
    );
    clock.advance(Duration::from_secs(59));
    assert!(poe.evaluate(TENANT).is_ok());
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        poe.evaluate(TENANT).unwrap_err().reason,
        Reason::PoeInactive
    );
    assert_eq!(server.requests.lock().unwrap().len(), 2);
}
