//! `stella serve` when what it depends on fails: Redis killed under load, the licensing
//! service down, the key backend (OpenBao) down, the audit log's disk full. Each is refused with
//! its code, nothing is signed without its audit record, and the service recovers when the part
//! comes back. Real Redis and OpenBao processes owned by each test (so it can kill them); the
//! licensing service is a small HTTP stand-in, since the real one is StellaOps' own service.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod minted;
mod server;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use server::{statement_body, Setup, SIGN};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One sign request from the certificate-bound client: status, problem code, trace id.
fn sign(agent: &ureq::Agent, url: &str, token: &str) -> (u16, String, String) {
    let mut response = agent
        .post(url)
        .header("authorization", format!("Bearer {token}"))
        .header("x-stellaops-tenant", "acme")
        .header("content-type", "application/json")
        .send(statement_body())
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    let code = body["code"].as_str().unwrap_or("").to_owned();
    let trace = body["trace_id"].as_str().unwrap_or("").to_owned();
    (status, code, trace)
}

/// The audit records of `name`, after `stella audit verify` accepted the chain with no torn
/// tail (a refused or failed request must never leave half a line).
fn verified_records(setup: &Setup, name: &str) -> Vec<Value> {
    let summary = setup.audit_verify(name);
    assert_eq!(summary["torn_tail"], Value::Null, "{summary}");
    String::from_utf8(setup.read(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["record"].clone())
        .collect()
}

/// Every request answered 200 has its `allowed` record.
fn every_answer_recorded(records: &[Value], answered: &[String]) {
    let allowed: HashSet<&str> = records
        .iter()
        .filter(|r| r["decision"] == "allowed")
        .filter_map(|r| r["trace_id"].as_str())
        .collect();
    for trace in answered {
        assert!(allowed.contains(trace.as_str()), "{trace} has no record");
    }
}

fn redis(port: u16) -> Child {
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed (scripts/services.sh installs it)");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "redis did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// What one caller saw: the phase, the status, the problem code, the trace id.
type Seen = (u8, u16, String, String);

/// Redis killed while eight callers sign: refused with `quota.store` (fail closed) while it is
/// down, served again once it is back; with `fail_open`, admitted and the record says so.
#[test]
fn redis_killed_under_load_refuses_then_recovers() {
    let port = free_port();
    let mut store = redis(port);
    let setup = Setup::new("", "");
    let url = format!("redis://127.0.0.1:{port}/");
    let quotas = format!("store = \"redis\"\nredis_url = \"{url}\"");
    // Limits that need the store on every request (a plan with only a size limit never asks it).
    let limits = (
        "default = { max_artifact_bytes = 1000000 }",
        "default = { max_artifact_bytes = 1000000, requests_per_second = 100000.0, \
         burst = 100000, max_concurrent = 1000 }",
    );
    setup.edited(
        "closed.toml",
        "audit-closed.jsonl",
        &[("store = \"memory\"", &quotas), limits],
    );
    let open = format!("{quotas}\nfail_open = true");
    setup.edited(
        "open.toml",
        "audit-open.jsonl",
        &[("store = \"memory\"", &open), limits],
    );
    let (closed, open) = (
        setup.serve_with("closed.toml"),
        setup.serve_with("open.toml"),
    );
    let token = setup.mtls_token("t-redis", "client");

    // Phase 0: Redis up; 1: killed; 2: back.
    let phase = Arc::new(Mutex::new(0u8));
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let (agent, token, phase, stop, seen) = (
                setup.agent(Some("client")),
                token.clone(),
                phase.clone(),
                stop.clone(),
                seen.clone(),
            );
            let url = closed.url(SIGN);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let p = *phase.lock().unwrap();
                    let (status, code, trace) = sign(&agent, &url, &token);
                    seen.lock().unwrap().push((p, status, code, trace));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    store.kill().unwrap();
    store.wait().unwrap();
    // Requests sent while the phase changes can land on either side of it: count from a
    // moment after.
    std::thread::sleep(Duration::from_millis(100));
    *phase.lock().unwrap() = 1;
    std::thread::sleep(Duration::from_millis(800));
    // Fail-open, meanwhile: admitted, and the record names the store failure.
    let agent = setup.agent(Some("client"));
    let (status, _, trace) = sign(&agent, &open.url(SIGN), &token);
    assert_eq!(status, 200);
    *phase.lock().unwrap() = 3;
    let mut store = redis(port);
    std::thread::sleep(Duration::from_millis(700));
    *phase.lock().unwrap() = 2;
    std::thread::sleep(Duration::from_millis(700));
    stop.store(true, Ordering::Relaxed);
    for c in callers {
        c.join().unwrap();
    }
    store.kill().unwrap();
    store.wait().unwrap();

    let seen = seen.lock().unwrap();
    let count = |p: u8, status: u16, code: &str| {
        seen.iter()
            .filter(|(q, s, c, _)| *q == p && *s == status && c == code)
            .count()
    };
    let in_phase = |p: u8| seen.iter().filter(|(q, ..)| *q == p).count();
    assert!(count(0, 200, "") > 0, "nothing signed before the kill");
    let summary = |p: u8| {
        let mut by: std::collections::BTreeMap<(u16, &str), usize> = Default::default();
        for (_, s, c, _) in seen.iter().filter(|(q, ..)| *q == p) {
            *by.entry((*s, c.as_str())).or_default() += 1;
        }
        format!("{by:?}")
    };
    assert_eq!(count(1, 503, "quota.store"), in_phase(1), "{}", summary(1));
    assert!(in_phase(1) > 0, "no request while Redis was down");
    assert!(
        count(2, 200, "") > 0,
        "nothing signed after Redis came back"
    );
    assert_eq!(
        count(2, 200, ""),
        in_phase(2),
        "not every request after recovery signed"
    );
    let answered: Vec<String> = seen
        .iter()
        .filter(|(_, s, ..)| *s == 200)
        .map(|(.., t)| t.clone())
        .collect();
    let records = verified_records(&setup, "audit-closed.jsonl");
    every_answer_recorded(&records, &answered);
    let store_denials = records
        .iter()
        .filter(|r| r["reason"] == "quota.store")
        .count();
    assert!(store_denials >= count(1, 503, "quota.store"));

    let records = verified_records(&setup, "audit-open.jsonl");
    let admitted = records
        .iter()
        .find(|r| r["trace_id"] == trace.as_str())
        .unwrap();
    assert_eq!(admitted["decision"], "allowed");
    assert!(
        admitted["quota_fail_open"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{admitted}"
    );
}

/// A licensing service stand-in: answers every introspection with an active entitlement
/// until stopped; then the port refuses connections.
struct Licensing {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Licensing {
    fn start() -> Licensing {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let tenant =
                    serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null)["tenant"].clone();
                let claims = json!({"active": true, "tid": tenant, "plan": "team",
                    "features": ["signer.sign"], "license_id": "lic-1",
                    "iat": minted::now() - 60, "exp": minted::now() + 86_400})
                .to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{claims}",
                    claims.len()
                );
            }
        });
        Licensing {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

/// The licensing service goes down: the cached entitlement serves within its TTL (`cached`),
/// then requests are refused with `poe.stale`.
#[test]
fn licensing_down_serves_from_cache_then_refuses_stale() {
    let mut licensing = Licensing::start();
    let setup = Setup::new("", "");
    let source = format!(
        "source = \"introspection\"\nurl = \"http://127.0.0.1:{}\"\ncache_ttl_seconds = 2",
        licensing.port
    );
    setup.edited(
        "poe.toml",
        "audit-poe.jsonl",
        &[(
            "source = \"documents\"\ndocuments = \"entitlements\"\nlicensing_jwks = \"licensing-jwks.json\"",
            &source,
        )],
    );
    let served = setup.serve_with("poe.toml");
    let token = setup.mtls_token("t-poe", "client");
    let agent = setup.agent(Some("client"));
    let (status, ..) = sign(&agent, &served.url(SIGN), &token);
    assert_eq!(status, 200);
    licensing.stop();
    let (status, _, cached) = sign(&agent, &served.url(SIGN), &token);
    assert_eq!(status, 200, "not served from the cache within its TTL");
    // /readyz reports the source down but stays ready: the cache serves.
    let (status, ready) = setup.readiness(&served);
    assert_eq!(status, 200);
    let poe = server::check(&ready, "poe_source");
    assert_eq!(
        (&poe["ready"], &poe["required"]),
        (&json!(false), &json!(false)),
        "{ready}"
    );
    std::thread::sleep(Duration::from_millis(2500));
    let (status, code, _) = sign(&agent, &served.url(SIGN), &token);
    assert_eq!((status, code.as_str()), (503, "poe.stale"));
    let records = verified_records(&setup, "audit-poe.jsonl");
    let states: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["poe_state"].as_str().unwrap_or("-"),
                r["reason"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![("fresh", "-"), ("cached", "-"), ("-", "poe.stale")],
        "{records:?}"
    );
    assert!(records[1]["trace_id"] == cached.as_str());
}

/// The key backend (a real OpenBao dev server, transit key) goes down: requests are refused
/// with 503 and a backend code, `/readyz` turns 503 with the `keys` check failing.
#[test]
fn openbao_down_refuses_with_a_backend_code_and_readyz_fails() {
    let bao = std::env::var("STELLAOPS_TEST_BAO")
        .expect("STELLAOPS_TEST_BAO is not set: scripts/services.sh installs OpenBao");
    let port = free_port();
    let addr = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(&bao)
        .args(["server", "-dev", "-dev-root-token-id=fault-root"])
        .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let cli = |args: &[&str]| {
        let started = Instant::now();
        loop {
            let out = Command::new(&bao)
                .args(args)
                .env("BAO_ADDR", &addr)
                .env("VAULT_ADDR", &addr)
                .env("BAO_TOKEN", "fault-root")
                .env("VAULT_TOKEN", "fault-root")
                .output()
                .unwrap();
            if out.status.success() {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "bao {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    cli(&["secrets", "enable", "transit"]);
    cli(&["write", "-f", "transit/keys/fault", "type=ecdsa-p256"]);

    let setup = Setup::new("", "");
    setup.edited(
        "bao.toml",
        "audit-bao.jsonl",
        &[("uri = \"signer.pem\"", "uri = \"hashivault://fault\"")],
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_stella"));
    command
        .args(["serve", "--config"])
        .arg(setup.path("bao.toml"))
        .env("VAULT_ADDR", &addr)
        .env("VAULT_TOKEN", "fault-root");
    let served = setup.serve_by("bao.toml", command);
    let token = setup.mtls_token("t-bao", "client");
    let agent = setup.agent(Some("client"));
    let (status, ..) = sign(&agent, &served.url(SIGN), &token);
    assert_eq!(status, 200);

    server.kill().unwrap();
    server.wait().unwrap();
    let (status, code, _) = sign(&agent, &served.url(SIGN), &token);
    assert_eq!(status, 503, "{code}");
    assert!(code.starts_with("backend_"), "{code}");
    let (status, ready) = setup.readiness(&served);
    assert_eq!(status, 503);
    // The reason (the backend's error) is withheld from the unauthenticated probe and logged.
    let keys = server::check(&ready, "keys");
    assert_eq!(
        (&keys["ready"], &keys["detail"]),
        (&json!(false), &json!("reason withheld: see the server log")),
        "{ready}"
    );
    let log = String::from_utf8_lossy(&setup.read("bao.toml.log")).into_owned();
    assert!(
        log.lines()
            .any(|l| l.contains("readiness check failing") && l.contains("check=keys")),
        "{log}"
    );
    let records = verified_records(&setup, "audit-bao.jsonl");
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(records[1]["decision"], "error");
}

/// The audit log's file system is full (here: a file size limit the server runs under, so its
/// appends fail as on a full disk): signing stops with `audit_failed`, `/readyz` fails, and the
/// log is a verifiable chain of exactly the answered requests, with no half-written line.
#[test]
fn a_full_disk_stops_signing_with_audit_failed_and_leaves_no_partial_record() {
    // An operator who wants the reasons on /readyz itself.
    let setup = Setup::new("readyz_detail = true", "");
    // 64 blocks of 512 bytes (dash's unit): a few dozen records.
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 64; exec \"$0\" serve --config \"$1\"")
        .arg(env!("CARGO_BIN_EXE_stella"))
        .arg(setup.path("signer.toml"));
    let served = setup.serve_by("signer.toml", command);
    let token = setup.mtls_token("t-disk", "client");
    let agent = setup.agent(Some("client"));
    let mut answered = Vec::new();
    let mut failed = 0;
    for _ in 0..500 {
        let (status, code, trace) = sign(&agent, &served.url(SIGN), &token);
        match status {
            200 => answered.push(trace),
            503 if code == "audit_failed" => {
                failed += 1;
                if failed == 3 {
                    break;
                }
            }
            other => panic!("{other} {code}"),
        }
    }
    assert_eq!(failed, 3, "the log never filled up");
    assert!(answered.len() >= 10, "{} answered", answered.len());
    let (status, ready) = setup.readiness(&served);
    assert_eq!(status, 503);
    let audit = server::check(&ready, "audit");
    assert_eq!(audit["ready"], false, "{ready}");
    let detail = audit["detail"].as_str().unwrap();
    assert!(
        detail.contains("audit.jsonl") && !detail.contains("withheld"),
        "{ready}"
    );
    drop(served);
    let records = verified_records(&setup, "audit.jsonl");
    assert_eq!(
        records.len(),
        answered.len(),
        "a refused request left a record"
    );
    every_answer_recorded(&records, &answered);
}
