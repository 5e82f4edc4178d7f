//! The `stella` binary: exit codes, one-line errors, atomic output, default key, every command.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}")),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {name}: {e}"));
        p
    }

    fn stella(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        self.stella_with_stdin(args, None)
    }

    fn stella_with_stdin(
        &self,
        args: &[&dyn AsRef<std::ffi::OsStr>],
        stdin: Option<&[u8]>,
    ) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stella"));
        cmd.args(args.iter().map(|a| a.as_ref()))
            .env("STELLA_HOME", self.path("home"))
            .env_remove("STELLA_PASSPHRASE")
            .env_remove("RUST_BACKTRACE")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn stella: {e}"));
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            use std::io::Write;
            pipe.write_all(bytes)
                .unwrap_or_else(|e| panic!("stdin: {e}"));
        }
        child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait: {e}"))
    }

    fn keygen(&self, alg: &str, name: &str) -> (PathBuf, PathBuf) {
        let key = self.path(name);
        let out = self.stella(&[
            &"key",
            &"generate",
            &"--alg",
            &alg,
            &"--bits",
            &"2048",
            &"--out",
            &key,
        ]);
        assert_ok(&out);
        (key.clone(), PathBuf::from(format!("{}.pub", key.display())))
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn assert_ok(o: &Output) {
    assert_eq!(code(o), 0, "stderr: {}", stderr(o));
}

/// Exit code `want`, exactly one line on stderr, never a panic or backtrace.
fn assert_fails(o: &Output, want: i32) {
    assert_eq!(code(o), want, "stdout: {} stderr: {}", stdout(o), stderr(o));
    let err = stderr(o);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err:?}"
    );
    assert!(err.starts_with("stella: "), "{err:?}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace") && !err.contains("internal error"),
        "{err:?}"
    );
}

#[test]
fn generate_show_sign_verify_for_every_algorithm() -> TestResult {
    let env = Env::new();
    let payload = env.write("payload.txt", b"hello dsse");
    for alg in [
        "es256",
        "es384",
        "ed25519",
        "rsa-pss-sha256",
        "rsa-pkcs1-sha256",
    ] {
        let (key, public) = env.keygen(alg, &format!("{alg}.key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&key)?.permissions().mode() & 0o777,
                0o600,
                "{alg} key mode"
            );
        }
        assert!(std::fs::read_to_string(&key)?.contains("PRIVATE KEY"));
        assert!(std::fs::read_to_string(&public)?.contains("BEGIN PUBLIC KEY"));
        let show = env.stella(&[&"key", &"show", &public]);
        assert_ok(&show);
        assert!(
            stdout(&show).contains(&format!("algorithm: {alg}")),
            "{alg}: {}",
            stdout(&show)
        );
        let show_private = env.stella(&[&"key", &"show", &"--json", &key]);
        assert_ok(&show_private);
        let doc: serde_json::Value = serde_json::from_slice(&show_private.stdout)?;
        assert_eq!(doc["kind"], "private");
        assert_eq!(doc["keyid"].as_str().map(str::len), Some(64));

        let envelope = env.path(&format!("{alg}.dsse.json"));
        assert_ok(&env.stella(&[
            &"sign",
            &"--key",
            &key,
            &"--payload-type",
            &"text/plain",
            &"--out",
            &envelope,
            &payload,
        ]));
        let verify = env.stella(&[
            &"verify",
            &"--key",
            &public,
            &"--payload-type",
            &"text/plain",
            &envelope,
        ]);
        assert_ok(&verify);
        assert!(
            stdout(&verify).contains("verified: 1 of 1"),
            "{}",
            stdout(&verify)
        );
    }
    Ok(())
}

#[test]
fn verification_failures_exit_1_with_one_line() -> TestResult {
    let env = Env::new();
    let (key, public) = env.keygen("ed25519", "a.key");
    let (_, other_public) = env.keygen("es256", "b.key");
    let payload = env.write("p.txt", b"payload");
    let envelope = env.path("e.json");
    assert_ok(&env.stella(&[
        &"sign",
        &"--key",
        &key,
        &"--payload-type",
        &"text/plain",
        &"--out",
        &envelope,
        &payload,
    ]));

    assert_fails(
        &env.stella(&[&"verify", &"--key", &other_public, &envelope]),
        1,
    );
    assert_fails(
        &env.stella(&[
            &"verify",
            &"--key",
            &public,
            &"--payload-type",
            &"application/json",
            &envelope,
        ]),
        1,
    );

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&envelope)?)?;
    let mut tampered = json.clone();
    tampered["payload"] = serde_json::Value::String("cGF5bG9hZCE=".into());
    let tampered_path = env.write("t.json", tampered.to_string().as_bytes());
    assert_fails(
        &env.stella(&[&"verify", &"--key", &public, &tampered_path]),
        1,
    );
    Ok(())
}

#[test]
fn bad_usage_and_bad_input_exit_2_with_one_line_or_the_parsers_usage() -> TestResult {
    let env = Env::new();
    let (key, public) = env.keygen("es256", "k.key");
    let garbage = env.write("garbage.json", b"{\"payload\":");
    let dup = env.write(
        "dup.json",
        br#"{"payload":"","payload":"","payloadType":"t","signatures":[]}"#,
    );
    let not_a_key = env.write("notakey.pem", b"hello");
    let cases: Vec<Vec<&dyn AsRef<std::ffi::OsStr>>> = vec![
        vec![&"frobnicate"],
        vec![&"sign", &"--payload-type"],
        vec![&"verify", &"--key", &public, &"/nonexistent/envelope.json"],
        vec![&"verify", &"--key", &public, &garbage],
        vec![&"verify", &"--key", &public, &dup],
        vec![&"verify", &"--key", &not_a_key, &dup],
        vec![&"verify", &"--key", &public, &"--threshold", &"2", &dup],
        vec![
            &"sign",
            &"--key",
            &not_a_key,
            &"--payload-type",
            &"t",
            &garbage,
        ],
        vec![&"key", &"generate", &"--alg", &"es512", &"--out", &"x"],
        vec![&"key", &"generate", &"--alg", &"es256", &"--out", &key],
        vec![
            &"attest",
            &"--key",
            &key,
            &"--predicate-type",
            &"sbomm",
            &"--predicate",
            &garbage,
            &garbage,
        ],
        vec![&"canon", &garbage],
    ];
    for args in cases {
        let out = env.stella(&args);
        let err = stderr(&out);
        if err.contains("For more information, try '--help'.") {
            // The argument parser's own error: its whole message (with the usage line of the
            // subcommand when it has one), exit 2 (issue 20, defect 12).
            assert_eq!(code(&out), 2, "{err}");
            assert!(err.starts_with("error: "), "{err:?}");
            assert!(!err.contains("panicked"), "{err:?}");
        } else {
            assert_fails(&out, 2);
        }
    }
    Ok(())
}

#[test]
fn outputs_are_atomic() -> TestResult {
    let env = Env::new();
    let (key, _) = env.keygen("es256", "k.key");
    let payload = env.write("p.txt", b"payload");
    // A failing sign leaves an existing output untouched.
    let out = env.write("out.json", b"previous content");
    let bad_key = env.write(
        "bad.key",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    assert_fails(
        &env.stella(&[
            &"sign",
            &"--key",
            &bad_key,
            &"--payload-type",
            &"t",
            &"--out",
            &out,
            &payload,
        ]),
        2,
    );
    assert_eq!(std::fs::read(&out)?, b"previous content");
    // Output into a missing directory creates nothing.
    let missing = env.path("nodir/out.json");
    assert_fails(
        &env.stella(&[
            &"sign",
            &"--key",
            &key,
            &"--payload-type",
            &"t",
            &"--out",
            &missing,
            &payload,
        ]),
        2,
    );
    assert!(!missing.exists());
    // A success replaces it whole, and leaves no temporary files behind.
    assert_ok(&env.stella(&[
        &"sign",
        &"--key",
        &key,
        &"--payload-type",
        &"t",
        &"--out",
        &out,
        &payload,
    ]));
    assert!(std::fs::read(&out)?.starts_with(b"{\"payload\""));
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".stella-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    Ok(())
}

#[test]
fn default_key_is_created_once_and_announced() -> TestResult {
    let env = Env::new();
    let payload = env.write("p.txt", b"payload");
    let first = env.stella(&[
        &"sign",
        &"--payload-type",
        &"t",
        &"--out",
        &env.path("1.json"),
        &payload,
    ]);
    assert_ok(&first);
    assert!(
        stderr(&first).contains("created and used the default key"),
        "{}",
        stderr(&first)
    );
    let second = env.stella(&[
        &"sign",
        &"--payload-type",
        &"t",
        &"--out",
        &env.path("2.json"),
        &payload,
    ]);
    assert_ok(&second);
    assert!(stderr(&second).contains("using the default key"));
    let id = |s: &str| {
        s.split_whitespace()
            .find(|w| w.len() == 64)
            .map(str::to_owned)
    };
    assert_eq!(
        id(&stderr(&first)),
        id(&stderr(&second)),
        "the same key both times"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("home/default.key"))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let verify = env.stella(&[&"verify", &env.path("2.json")]);
    assert_ok(&verify);
    assert!(stderr(&verify).contains("trusting the default key"));
    Ok(())
}

#[test]
fn multi_signature_and_threshold() -> TestResult {
    let env = Env::new();
    let (k1, p1) = env.keygen("es256", "1.key");
    let (k2, p2) = env.keygen("ed25519", "2.key");
    let (_, p3) = env.keygen("es384", "3.key");
    let payload = env.write("p.txt", b"two signers");
    let e = env.path("e.json");
    assert_ok(&env.stella(&[
        &"sign",
        &"--key",
        &k1,
        &"--key",
        &k2,
        &"--payload-type",
        &"t",
        &"--out",
        &e,
        &payload,
    ]));
    let ok = env.stella(&[
        &"verify",
        &"--key",
        &p1,
        &"--key",
        &p2,
        &"--key",
        &p3,
        &"--threshold",
        &"2",
        &e,
    ]);
    assert_ok(&ok);
    assert!(stdout(&ok).contains("verified: 2 of 2"));
    assert_fails(
        &env.stella(&[
            &"verify",
            &"--key",
            &p1,
            &"--key",
            &p2,
            &"--key",
            &p3,
            &"--threshold",
            &"3",
            &e,
        ]),
        1,
    );
    Ok(())
}

#[test]
fn attest_and_verify_artifacts() -> TestResult {
    let env = Env::new();
    let (key, public) = env.keygen("es256", "k.key");
    let artifact = env.write("app.tar", b"the artifact");
    let other = env.write("other.tar", b"another artifact");
    let predicate = env.write(
        "pred.json",
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","score":9.8}"#,
    );
    let e = env.path("att.json");
    let attest = env.stella(&[
        &"attest",
        &"--key",
        &key,
        &"--predicate-type",
        &"cyclonedx",
        &"--predicate",
        &predicate,
        &"--sha512",
        &"--out",
        &e,
        &artifact,
    ]);
    assert_ok(&attest);
    let ok = env.stella(&[&"verify", &"--key", &public, &"--artifact", &artifact, &e]);
    assert_ok(&ok);
    assert!(
        stdout(&ok).contains("artifact:") && stdout(&ok).contains("\"app.tar\""),
        "{}",
        stdout(&ok)
    );
    assert_fails(
        &env.stella(&[&"verify", &"--key", &public, &"--artifact", &other, &e]),
        1,
    );
    // cosign's --type: a short name or the URI; another type fails verification (exit 1).
    assert_ok(&env.stella(&[&"verify", &"--key", &public, &"--type", &"cyclonedx", &e]));
    assert_ok(&env.stella(&[
        &"verify",
        &"--key",
        &public,
        &"--type",
        &"https://cyclonedx.org/bom",
        &e,
    ]));
    let wrong = env.stella(&[&"verify", &"--key", &public, &"--type", &"vex", &e]);
    assert_fails(&wrong, 1);
    assert!(
        stderr(&wrong).contains("predicate type"),
        "{}",
        stderr(&wrong)
    );
    assert_fails(
        &env.stella(&[&"verify", &"--key", &public, &"--type", &"no-such-type", &e]),
        2,
    );

    let inspect = env.stella(&[&"inspect", &"--json", &e]);
    assert_ok(&inspect);
    let doc: serde_json::Value = serde_json::from_slice(&inspect.stdout)?;
    assert_eq!(
        doc["statement"]["predicateType"],
        "https://cyclonedx.org/bom"
    );
    assert_eq!(
        doc["statement"]["subjects"][0]["digest"]
            .as_object()
            .map(|o| o.len()),
        Some(2)
    );

    // A custom predicate type warns by default and is refused in reject mode.
    let custom = env.stella(&[
        &"attest",
        &"--key",
        &key,
        &"--predicate-type",
        &"https://example.com/custom/v1",
        &"--predicate",
        &predicate,
        &artifact,
    ]);
    assert_ok(&custom);
    assert!(stderr(&custom)
        .contains("is not in the StellaOps catalog; signed because enforcement is \"warn\""));
    let rejected = env.stella(&[
        &"attest",
        &"--key",
        &key,
        &"--predicate-type",
        &"https://example.com/custom/v1",
        &"--policy-mode",
        &"reject",
        &"--predicate",
        &predicate,
        &artifact,
    ]);
    // A type the allow-list rejects is a policy denial (exit 1, reason predicate.not_allowed),
    // the same whether local keys or the pipeline were to sign (issue 21).
    assert_fails(&rejected, 1);
    assert!(stderr(&rejected).contains("predicate.not_allowed"));
    Ok(())
}

#[test]
fn v0_1_statements_from_the_wild_verify_with_artifacts() -> TestResult {
    use system_sha512::sha512_hex;
    let env = Env::new();
    let (key, public) = env.keygen("es256", "k.key");
    let artifact = env.write("left-pad-1.3.0.tgz", b"npm tarball bytes");
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v0.1","subject":[{{"name":"pkg:npm/left-pad@1.3.0","digest":{{"sha512":"{}"}}}}],"predicateType":"https://slsa.dev/provenance/v0.2","predicate":{{"buildType":"https://github.com/npm/cli/gha/v2"}}}}"#,
        sha512_hex(&artifact)
    );
    let payload = env.write("statement.json", statement.as_bytes());
    let e = env.path("e.json");
    assert_ok(&env.stella(&[
        &"sign",
        &"--key",
        &key,
        &"--payload-type",
        &"application/vnd.in-toto+json",
        &"--out",
        &e,
        &payload,
    ]));
    let ok = env.stella(&[&"verify", &"--key", &public, &"--artifact", &artifact, &e]);
    assert_ok(&ok);
    assert!(stdout(&ok).contains("Statement/v0.1"), "{}", stdout(&ok));
    Ok(())
}

/// SHA-512 through the binary under test would be circular; use the system's `sha512sum`.
mod system_sha512 {
    use std::path::Path;

    pub(super) fn sha512_hex(path: &Path) -> String {
        let out = std::process::Command::new("sha512sum")
            .arg(path)
            .output()
            .unwrap_or_else(|e| panic!("sha512sum: {e}"));
        assert!(out.status.success(), "sha512sum failed");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

#[test]
fn stdin_inputs_and_canon() -> TestResult {
    let env = Env::new();
    let (key, public) = env.keygen("ed25519", "k.key");
    let signed = env.stella_with_stdin(
        &[&"sign", &"--key", &key, &"--payload-type", &"t", &"-"],
        Some(b"from stdin"),
    );
    assert_ok(&signed);
    let verified =
        env.stella_with_stdin(&[&"verify", &"--key", &public, &"-"], Some(&signed.stdout));
    assert_ok(&verified);

    let doc = env.write("doc.json", br#"{"b": [1, 2.50, 1e3], "a": "\u00e9"}"#);
    let jcs = env.stella(&[&"canon", &doc]);
    assert_ok(&jcs);
    assert_eq!(stdout(&jcs), "{\"a\":\"é\",\"b\":[1,2.5,1000]}");
    let olpc_float = env.stella(&[&"canon", &"--olpc", &doc]);
    assert_fails(&olpc_float, 2);
    let ints = env.write("ints.json", br#"{"b": 1, "a": "x"}"#);
    let olpc = env.stella(&[&"canon", &"--olpc", &ints]);
    assert_ok(&olpc);
    assert_eq!(stdout(&olpc), r#"{"a":"x","b":1}"#);
    Ok(())
}

#[test]
fn encrypted_keys_need_the_passphrase_env() -> TestResult {
    let env = Env::new();
    let key = env.path("enc.key");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stella"));
    let out = cmd
        .args(["key", "generate", "--alg", "es256", "--encrypt", "--out"])
        .arg(&key)
        .env("STELLA_PASSPHRASE", "hunter2")
        .output()?;
    assert_ok(&out);
    assert!(std::fs::read_to_string(&key)?.contains("ENCRYPTED PRIVATE KEY"));
    let payload = env.write("p.txt", b"x");
    let without = env.stella(&[&"sign", &"--key", &key, &"--payload-type", &"t", &payload]);
    assert_fails(&without, 2);
    assert!(stderr(&without).contains("STELLA_PASSPHRASE"));
    let with = Command::new(env!("CARGO_BIN_EXE_stella"))
        .args(["sign", "--payload-type", "t", "--key"])
        .arg(&key)
        .arg(&payload)
        .env("STELLA_PASSPHRASE", "hunter2")
        .output()?;
    assert_ok(&with);
    Ok(())
}

/// `--key` and `key show` take key URIs: sign with an HSM key and a Vault key at once (the
/// servers come from scripts/services.sh, as for tests/backends.rs), show the public keys, and
/// verify the two-signature envelope with threshold 2.
#[test]
fn keys_by_uri_sign_and_show() -> TestResult {
    let need = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run `scripts/services.sh start DIR` and source DIR/services.env")
        })
    };
    let pin_file = need("STELLAOPS_TEST_PKCS11_PIN_FILE");
    need("VAULT_ADDR");
    let hsm = format!("pkcs11:token=stellaops;object=p256?pin-source={pin_file}");
    let vault = "hashivault://ed25519";
    let env = Env::new();
    let payload = env.write("payload.json", br#"{"a":1}"#);
    let envelope = env.path("envelope.json");
    let out = env.stella(&[
        &"sign",
        &"--key",
        &hsm,
        &"--key",
        &vault,
        &"--payload-type",
        &"application/json",
        &"--out",
        &envelope,
        &payload,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut publics = Vec::new();
    for (i, uri) in [hsm.as_str(), vault].into_iter().enumerate() {
        let shown = env.stella(&[&"key", &"show", &"--json", &uri]);
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&shown.stdout)?;
        assert_eq!(doc["kind"], if i == 0 { "pkcs11" } else { "hashivault" });
        let pem = doc["publicKeyPem"].as_str().unwrap_or_default();
        publics.push(env.write(&format!("public{i}.pem"), pem.as_bytes()));
    }
    let verified = env.stella(&[
        &"verify",
        &"--key",
        &publics[0],
        &"--key",
        &publics[1],
        &"--threshold",
        &"2",
        &envelope,
    ]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );

    // A wrong PIN is a usage error (exit 2) that names the cause and never shows the PIN.
    let wrong = env.stella(&[
        &"key",
        &"show",
        &"pkcs11:token=stellaops;object=p256?pin-value=97531",
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        said.contains("rejected the pin") && !said.contains("97531"),
        "{said}"
    );
    Ok(())
}

/// `--tenant` signs with the tenant's active key from the key configuration; `verify
/// --key-config` distrusts a revoked key for signatures made at or after its revocation.
#[test]
fn tenant_keys_and_revocation() -> TestResult {
    let env = Env::new();
    let (active, active_public) = env.keygen("es256", "active.pem");
    let (revoked, public) = env.keygen("ed25519", "revoked.pem");
    let revoked_id = {
        let shown = env.stella(&[&"key", &"show", &"--json", &revoked]);
        let doc: serde_json::Value = serde_json::from_slice(&shown.stdout)?;
        doc["keyid"].as_str().unwrap_or_default().to_owned()
    };
    let config = env.write(
        "keys.toml",
        format!(
            "[[tenant]]\nid = \"acme\"\n\
             [[tenant.key]]\nuri = \"file:{}\"\nstatus = \"active\"\n\
             [[tenant.key]]\nuri = \"file:{}\"\nkey_id = \"{revoked_id}\"\nstatus = \"revoked\"\n\
             revoked_at = \"2026-06-01T00:00:00Z\"\nreason = \"laptop stolen\"\n",
            active.display(),
            revoked.display()
        )
        .as_bytes(),
    );
    let payload = env.write("p.txt", b"hello");

    // The tenant's key signs; the envelope verifies under the active key's public half.
    let by_tenant = env.path("tenant.json");
    assert_ok(&env.stella(&[
        &"sign",
        &"--tenant",
        &"acme",
        &"--key-config",
        &config,
        &"--payload-type",
        &"text/plain",
        &"--out",
        &by_tenant,
        &payload,
    ]));
    assert_ok(&env.stella(&[
        &"verify",
        &"--key",
        &active_public,
        &"--key-config",
        &config,
        &by_tenant,
    ]));
    let unknown = env.stella(&[
        &"sign",
        &"--tenant",
        &"nobody",
        &"--key-config",
        &config,
        &"--payload-type",
        &"text/plain",
        &payload,
    ]);
    assert_eq!(
        unknown.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
    let no_config = env.stella(&[
        &"sign",
        &"--tenant",
        &"acme",
        &"--payload-type",
        &"t",
        &payload,
    ]);
    assert_eq!(no_config.status.code(), Some(2));

    // A signature by the revoked key: trusted only when made before the revocation.
    let by_revoked = env.path("revoked.json");
    assert_ok(&env.stella(&[
        &"sign",
        &"--key",
        &revoked,
        &"--payload-type",
        &"text/plain",
        &"--out",
        &by_revoked,
        &payload,
    ]));
    let verify_at = |at: Option<&str>| {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"verify", &"--key", &public, &"--key-config", &config];
        let flag = "--signed-at";
        if let Some(t) = &at {
            args.push(&flag);
            args.push(t);
        }
        args.push(&by_revoked);
        env.stella(&args)
    };
    assert_ok(&verify_at(Some("2026-05-31T23:00:00Z")));
    for at in [
        Some("2026-06-01T00:00:00Z"),
        Some("2026-07-01T12:00:00+02:00"),
        None,
    ] {
        let out = verify_at(at);
        assert_eq!(out.status.code(), Some(1), "signed at {at:?} was trusted");
        assert!(String::from_utf8_lossy(&out.stderr).contains("laptop stolen"));
    }
    let bad_time = verify_at(Some("last tuesday"));
    assert_eq!(bad_time.status.code(), Some(2));
    Ok(())
}
