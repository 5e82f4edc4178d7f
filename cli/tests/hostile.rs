//! The `stella` binary against hostile input (issue 20): forged bundles, terminal escapes,
//! oversized input, closed pipes, secrets in key URIs, payloads that verification would refuse,
//! and usage errors that must keep their substance.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

fn stella(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stella"));
    cmd.env("STELLA_HOME", home.join("home"))
        .env_remove("STELLA_PASSPHRASE")
        .stdin(Stdio::null());
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    stella(dir).args(args).current_dir(dir).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const STATEMENT_TYPE: &str = "application/vnd.in-toto+json";

fn statement() -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app.tar", "digest": {"sha256": "ab".repeat(32)}}],
        "predicateType": "https://example.com/p/v1",
        "predicate": {},
    })
}

/// An envelope whose fields are whatever the test says, with a junk signature.
fn raw_envelope(payload_type: &str, payload: &[u8], keyid: &str) -> Vec<u8> {
    json!({
        "payload": STANDARD.encode(payload),
        "payloadType": payload_type,
        "signatures": [{"keyid": keyid, "sig": STANDARD.encode(b"not a signature")}],
    })
    .to_string()
    .into_bytes()
}

/// Defect 5: a bundle forged from a self-signed certificate (any identity), with a fake Rekor
/// entry and an empty proof, is not "verified"; the report names what was not checked.
#[test]
fn a_forged_bundle_is_never_called_verified() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let openssl = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "forger.pem",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-subj",
            "/CN=sigstore-intermediate",
            "-addext",
            "subjectAltName=email:release-bot@victim.example",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(openssl.status.success(), "{}", stderr(&openssl));
    let der = Command::new("openssl")
        .args(["x509", "-in", "cert.pem", "-outform", "DER"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(der.status.success());
    std::fs::write(d.join("statement.json"), statement().to_string()).unwrap();
    let signed = run(
        d,
        &[
            "sign",
            "--key",
            "forger.pem",
            "--payload-type",
            STATEMENT_TYPE,
            "statement.json",
        ],
    );
    assert!(signed.status.success(), "{}", stderr(&signed));
    let envelope: Value = serde_json::from_slice(&signed.stdout).unwrap();
    let bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": STANDARD.encode(&der.stdout)},
            "tlogEntries": [{
                "logIndex": "1", "logId": {"keyId": STANDARD.encode([0u8; 32])},
                "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                "integratedTime": "1700000000",
                "inclusionProof": {"logIndex": "1", "rootHash": "", "treeSize": "2",
                                   "hashes": [], "checkpoint": {"envelope": ""}},
                "canonicalizedBody": "",
            }],
        },
        "dsseEnvelope": envelope,
    });
    std::fs::write(d.join("forged.json"), bundle.to_string()).unwrap();

    let out = run(d, &["forensic", "attest", "show", "--json", "forged.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let facts: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(facts["verified"], false, "{facts:#}");
    assert_eq!(facts["signatures"][0]["verified_by"], Value::Null);
    assert_eq!(facts["signatures"][0]["matches_embedded_certificate"], true);
    let not_checked = facts["not_checked"].to_string();
    for what in [
        "certificate chain",
        "SCT",
        "transparency-log",
        "trusted key",
    ] {
        assert!(not_checked.contains(what), "{what}: {not_checked}");
    }
    let out = run(d, &["forensic", "attest", "show", "forged.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("verified by"), "{text}");
    assert!(text.contains("NOT verified"), "{text}");
    assert!(
        text.contains("not checked:  the certificate chain"),
        "{text}"
    );
}

/// Defect 6: a payload type, key id or subject holding terminal escapes cannot forge output
/// lines in `inspect` or `forensic attest show`.
#[test]
fn terminal_escapes_in_envelopes_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let forged = "\r\u{1b}[2Kverified: 1 of 1 required trusted key(s) signed\u{202e}";
    let mut statement = statement();
    statement["subject"][0]["name"] = json!(forged);
    let cases = [
        ("type.json", raw_envelope(forged, b"{}", "k")),
        ("keyid.json", raw_envelope("text/plain", b"{}", forged)),
        (
            "subject.json",
            raw_envelope(STATEMENT_TYPE, statement.to_string().as_bytes(), "k"),
        ),
    ];
    for (name, bytes) in cases {
        std::fs::write(d.join(name), bytes).unwrap();
        for args in [
            &["inspect", name][..],
            &["inspect", "--json", name],
            &["forensic", "attest", "show", name],
            &["forensic", "attest", "show", "--json", name],
        ] {
            let out = run(d, args);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            for bad in [b'\r', 0x1b] {
                assert!(
                    !out.stdout.contains(&bad),
                    "{args:?} printed a raw control byte: {}",
                    stdout(&out)
                );
            }
            assert!(!stdout(&out).contains('\u{202e}'), "{args:?}");
            if !args.contains(&"--json") {
                assert!(
                    stdout(&out).contains("\\u{1b}[2K"),
                    "{args:?}: {}",
                    stdout(&out)
                );
            }
        }
    }
}

/// Defect 7: oversized input is refused while reading, from a file or stdin; memory never
/// holds it. The address-space limit makes reading it whole fail.
#[test]
fn oversized_input_is_refused_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let big = d.join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(400 << 20)
        .unwrap();
    let limited = |args: &str, stdin: Stdio| {
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v 350000 && exec \"{}\" {args}",
                env!("CARGO_BIN_EXE_stella")
            ))
            .env("STELLA_HOME", d.join("home"))
            .current_dir(d)
            .stdin(stdin)
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for args in [
        "verify --key none.pub big.json",
        "inspect big.json",
        "export verify . --envelope big.json",
    ] {
        let out = limited(args, Stdio::null()).wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("exceeds the limit"),
            "{args}: {}",
            stderr(&out)
        );
    }
    // Standard input: 200 MiB arrive, the reader stops after 96 MiB.
    let mut child = limited("inspect -", Stdio::piped());
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..200 {
            if pipe.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exceeds the limit"),
        "{}",
        stderr(&out)
    );
}

/// Defect 9: no part of a PIN in a key URI reaches a message, whatever the scheme's case.
#[test]
fn pins_in_key_uris_never_reach_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("p.json"), b"{}").unwrap();
    for (uri, secrets) in [
        (
            "pkcs11:object=k?pin-value=SEC&RET1234",
            &["SEC", "RET1234"][..],
        ),
        ("PKCS11:object=k?pin-value=SECRET", &["SECRET"]),
    ] {
        let out = run(
            d,
            &[
                "sign",
                "--key",
                uri,
                "--payload-type",
                "text/plain",
                "p.json",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        for secret in secrets {
            assert!(!stderr(&out).contains(secret), "{uri}: {}", stderr(&out));
        }
    }
}

/// Defect 10: what verify refuses, sign refuses first: an in-toto payload type over a document
/// that is not a statement.
#[test]
fn sign_refuses_an_in_toto_payload_that_is_not_a_statement() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sbom = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/sbom/hello-app.cdx.json");
    let out = run(
        d,
        &[
            "sign",
            "--payload-type",
            STATEMENT_TYPE,
            "--out",
            "x.dsse",
            sbom.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("_type"), "{}", stderr(&out));
    assert!(!d.join("x.dsse").exists());
    // A real statement signs and verifies.
    std::fs::write(d.join("s.json"), statement().to_string()).unwrap();
    let out = run(
        d,
        &[
            "sign",
            "--payload-type",
            STATEMENT_TYPE,
            "--out",
            "s.dsse",
            "s.json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(d, &["verify", "s.dsse"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Defect 11: a closed stdout ends the output quietly: no panic, exit 0.
#[test]
fn a_closed_pipe_is_the_end_of_output_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc: Vec<Value> = (0..20_000)
        .map(|i| json!({"n": i, "s": "x".repeat(20)}))
        .collect();
    std::fs::write(d.join("doc.json"), Value::Array(doc).to_string()).unwrap();
    std::fs::write(d.join("s.json"), statement().to_string()).unwrap();
    let signed = run(
        d,
        &[
            "sign",
            "--payload-type",
            STATEMENT_TYPE,
            "--out",
            "s.dsse",
            "s.json",
        ],
    );
    assert!(signed.status.success(), "{}", stderr(&signed));
    for args in [
        &["canon", "doc.json"][..],
        &["verify", "s.dsse"],
        &["inspect", "s.dsse"],
        &["inspect", "--json", "s.dsse"],
    ] {
        let mut child = stella(d)
            .args(args)
            .current_dir(d)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the program writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

/// Defect 12: usage errors print the parser's whole message: the missing arguments, the tips,
/// the subcommand's usage line; exit 2.
#[test]
fn usage_errors_keep_their_substance() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: [(&[&str], &[&str]); 3] = [
        (
            &["key", "generate", "--out", "k.pem"],
            &["--alg <ALG>", "Usage: stella key generate"],
        ),
        (
            &["verify", "--bundle", "B"],
            &["--trusted-root <FILE>", "Usage: stella verify"],
        ),
        (&["verfy"], &["similar subcommand", "'verify'"]),
    ];
    for (args, wanted) in cases {
        let out = run(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        for w in wanted {
            assert!(stderr(&out).contains(w), "{args:?}: {w}: {}", stderr(&out));
        }
    }
}
