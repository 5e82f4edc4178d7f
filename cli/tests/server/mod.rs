//! A `stella serve` process for tests: a configuration directory (Authority and licensing JWKS,
//! an entitlement, a signing key, TLS certificates made with OpenSSL for the server and a client),
//! the server started on a free port, and HTTPS clients (ureq, with and without a client
//! certificate), with tokens and DPoP proofs from `minted`.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use stellaops_signer::{Algorithm, SoftwareKey};

use crate::minted::{self, write_jwks, ISSUER};

pub const EXTERNAL: &str = "https://signer.stella.test";
pub const SIGN: &str = "/api/v1/signer/sign/dsse";
pub const ALLOWED_RELEASE: &str =
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed (the TLS certificates are made with it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for localhost/127.0.0.1 and a client certificate, all P-256.
fn make_certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=stella test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &ca);
    for (name, cn, ext) in [
        (
            "server",
            "localhost",
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
        ),
        (
            "client",
            "svc-exporter",
            "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
        ),
        (
            "other",
            "svc-other",
            "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
        ),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        let mut req = vec!["req"];
        req.extend(ec);
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let subj = format!("/CN={cn}");
        req.extend(["-keyout", &key, "-out", &csr, "-subj", &subj]);
        openssl(dir, &req);
        let pem = format!("{name}.pem");
        let ext = format!("{name}.ext");
        openssl(
            dir,
            &[
                "x509", "-req", "-in", &csr, "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", &pem, "-days", "2", "-extfile", &ext,
            ],
        );
        let der = format!("{name}.der");
        openssl(dir, &["x509", "-in", &pem, "-outform", "DER", "-out", &der]);
    }
}

/// The configuration directory and the keys behind it.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub authority: SoftwareKey,
    pub licensing: SoftwareKey,
    pub client: SoftwareKey,
    pub signer: SoftwareKey,
}

impl Setup {
    /// Everything for `stella serve`, with `server_extra` appended to the `[server]` section and
    /// `extra` after the rest.
    pub fn new(server_extra: &str, extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let authority = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        let licensing = SoftwareKey::generate(Algorithm::Ed25519).unwrap();
        let client = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        let signer = SoftwareKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        write_jwks(&d.join("authority-jwks.json"), "a1", &authority);
        write_jwks(&d.join("licensing-jwks.json"), "lic", &licensing);
        std::fs::create_dir(d.join("entitlements")).unwrap();
        std::fs::write(
            d.join("signer.pem"),
            signer.to_pkcs8_pem().unwrap().as_bytes(),
        )
        .unwrap();
        make_certificates(d);
        std::fs::write(
            d.join("signer.toml"),
            format!(
                r#"
[server]
listen = "127.0.0.1:0"
external_url = "{EXTERNAL}"
certificate = "server.pem"
private_key = "server.key"
client_ca = "ca.pem"
max_body_bytes = 65536
{server_extra}

[authority]
issuer = "{ISSUER}"
jwks = "authority-jwks.json"

[entitlement]
source = "documents"
documents = "entitlements"
licensing_jwks = "licensing-jwks.json"

[quotas]
store = "memory"
default = {{ max_artifact_bytes = 1000000 }}

[release]
allowlist = ["{ALLOWED_RELEASE}"]

[keys]
uri = "signer.pem"

[audit]
path = "audit.jsonl"
{extra}
"#
            ),
        )
        .unwrap();
        let s = Setup {
            dir,
            authority,
            licensing,
            client,
            signer,
        };
        s.entitle("acme");
        s
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    fn entitle(&self, tenant: &str) {
        let doc = minted::entitlement(&self.licensing, tenant, &["signer.sign"]);
        std::fs::write(self.path(&format!("entitlements/{tenant}.jws")), doc).unwrap();
    }

    /// An access token for `tenant` with confirmation `cnf`.
    pub fn token(&self, tenant: &str, jti: &str, cnf: Value) -> String {
        minted::token(&self.authority, tenant, jti, cnf)
    }

    /// A token bound to the client's DPoP key.
    pub fn dpop_token(&self, jti: &str) -> String {
        self.token("acme", jti, minted::dpop_cnf(&self.client))
    }

    /// A token bound to the certificate in `<name>.der`.
    pub fn mtls_token(&self, jti: &str, name: &str) -> String {
        let der = self.read(&format!("{name}.der"));
        let x5t = URL_SAFE_NO_PAD.encode(Sha256::digest(der));
        self.token("acme", jti, json!({"x5t#S256": x5t}))
    }

    /// A DPoP proof for `method` on `htu`, bound to `token`.
    pub fn proof(&self, token: &str, method: &str, htu: &str, jti: &str) -> String {
        minted::proof(&self.client, token, method, htu, jti)
    }

    /// Write `<name>` as a copy of `signer.toml` with its audit log at `audit` and `extra`
    /// appended (another instance of a fleet, or another replay store).
    pub fn variant(&self, name: &str, audit: &str, extra: &str) {
        let config = String::from_utf8(self.read("signer.toml"))
            .unwrap()
            .replace("path = \"audit.jsonl\"", &format!("path = \"{audit}\""));
        std::fs::write(self.path(name), format!("{config}\n{extra}\n")).unwrap();
    }

    /// Start `stella serve` on this configuration.
    pub fn serve(&self) -> Served {
        self.serve_with("signer.toml")
    }

    /// Start `stella serve` on the configuration file `name` in the directory.
    pub fn serve_with(&self, name: &str) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stella"));
        command.args(["serve", "--config"]).arg(self.path(name));
        self.serve_by(name, command)
    }

    /// Start the server with `command` (which runs `stella serve` on the configuration file
    /// `name`, in a wrapper or with another environment), once it says it listens.
    pub fn serve_by(&self, name: &str, mut command: Command) -> Served {
        let log = format!("{name}.log");
        let stderr = std::fs::File::create(self.path(&log)).unwrap();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(addr) = line
            .strip_prefix("listening on https://")
            .and_then(|r| r.split_whitespace().next())
        else {
            let _ = child.kill();
            panic!(
                "stella serve did not start: {line:?}; log: {}",
                String::from_utf8_lossy(&self.read(&log))
            );
        };
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        Served {
            child,
            port,
            ca: self.read("ca.pem"),
        }
    }

    /// Write `<name>` as `signer.toml` with each `(from, to)` replaced (a section's setting
    /// changed) and its audit log at `audit`.
    pub fn edited(&self, name: &str, audit: &str, edits: &[(&str, &str)]) {
        let mut config = String::from_utf8(self.read("signer.toml"))
            .unwrap()
            .replace("path = \"audit.jsonl\"", &format!("path = \"{audit}\""));
        for (from, to) in edits {
            assert!(config.contains(from), "{from:?} is not in signer.toml");
            config = config.replace(from, to);
        }
        std::fs::write(self.path(name), config).unwrap();
    }

    /// `stella audit verify --json` on the log `name`: it must verify; its summary.
    pub fn audit_verify(&self, name: &str) -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_stella"))
            .args(["audit", "verify", "--json"])
            .arg(self.path(name))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `GET /readyz` of `served`, from a client without a certificate: the status and the body.
    pub fn readiness(&self, served: &Served) -> (u16, Value) {
        let mut response = self.agent(None).get(served.url("/readyz")).call().unwrap();
        (
            response.status().as_u16(),
            response.body_mut().read_json().unwrap(),
        )
    }

    /// An HTTPS client that trusts the test CA, presenting `<client>.pem` when given.
    pub fn agent(&self, client: Option<&str>) -> ureq::Agent {
        use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};
        let ca = Certificate::from_pem(&self.read("ca.pem")).unwrap();
        let mut tls = TlsConfig::builder().root_certs(RootCerts::new_with_certs(&[ca]));
        if let Some(name) = client {
            let cert = Certificate::from_pem(&self.read(&format!("{name}.pem"))).unwrap();
            let key = PrivateKey::from_pem(&self.read(&format!("{name}.key"))).unwrap();
            tls = tls.client_cert(Some(ClientCert::new_with_certs(&[cert], key)));
        }
        ureq::Agent::config_builder()
            .tls_config(tls.build())
            .http_status_as_error(false)
            .build()
            .into()
    }
}

/// A running `stella serve`; killed when dropped.
pub struct Served {
    pub child: Child,
    pub port: u16,
    pub ca: Vec<u8>,
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    /// Send SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The readiness check `name` in a `/readyz` body (`null` when there is none).
pub fn check<'a>(ready: &'a Value, name: &str) -> &'a Value {
    ready["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["name"] == name))
        .unwrap_or(&Value::Null)
}

/// A response's status, headers we look at, and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The problem's code, asserting that this is an RFC 9457 problem document.
    pub fn problem(&self) -> &str {
        assert_eq!(self.content_type, "application/problem+json", "{self:?}");
        assert_eq!(self.body["status"], self.status, "{self:?}");
        let code = self.body["code"].as_str().unwrap();
        assert_eq!(
            self.body["type"],
            format!("https://stella-ops.org/problems/signer/{code}"),
            "{self:?}"
        );
        code
    }
}

pub fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = response.unwrap();
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let content_type = headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let text = response.body_mut().read_to_string().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        headers,
        body,
        text,
    }
}

/// A statement request body: a VEX predicate about one artifact.
pub fn statement_body() -> String {
    json!({
        "predicate_type": "vex",
        "predicate": {"statements": []},
        "subjects": [{"name": "app.tar", "digest": {"sha256": hex::encode(Sha256::digest(b"app"))}}],
        "artifact_bytes": 3,
    })
    .to_string()
}

/// What a raw TLS connection got back: the bytes until the server closed or went quiet for
/// `quiet`, and how long that took.
pub struct Raw {
    pub text: String,
    pub took: std::time::Duration,
}

impl Raw {
    /// The status code of the first response line, if one came.
    pub fn status(&self) -> Option<u16> {
        self.text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|r| r.get(..3))
            .and_then(|c| c.parse().ok())
    }
}

impl Served {
    /// Send `parts` over one TLS connection (no client certificate), pausing `pause` between
    /// them, then read until the server closes the connection or nothing comes for 5 s.
    pub fn raw(&self, parts: &[&[u8]], pause: std::time::Duration) -> Raw {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, ServerName};
        use std::io::{Read, Write};
        use std::sync::Arc;

        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&self.ca) {
            roots.add(cert.unwrap()).unwrap();
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let connection = rustls::ClientConnection::new(
            Arc::new(config),
            ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let tcp = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        let started = std::time::Instant::now();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                std::thread::sleep(pause);
            }
            if tls.write_all(part).and_then(|()| tls.flush()).is_err() {
                break;
            }
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        Raw {
            text: String::from_utf8_lossy(&got).into_owned(),
            took: started.elapsed(),
        }
    }

    /// The server's resident memory in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }
}
