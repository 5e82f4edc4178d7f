//! The OCI distribution token protocol against a stand-in registry and token service on
//! loopback (tiny_http): a `401` with a Bearer challenge is answered with a token fetched from
//! the realm, anonymously or with Basic credentials, the token is reused while it lasts, and
//! refused credentials are reported. The same against Debian's docker-registry run with
//! `auth: token` is in `release.rs`; this one controls what the real registry cannot (token
//! fetch counts, quoted challenge parameters).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use stellaops_poe::oci::{OciRegistry, ReferrersVia, RegistryCredentials};

const DIGEST: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

struct Stand {
    url: String,
    token_requests: Arc<AtomicUsize>,
    _server: Arc<tiny_http::Server>,
}

/// A registry whose referrers endpoint wants `Bearer <accept>`, and its token realm, which
/// gives `accept` for the Basic credentials `alice:pw` (or to anyone when `anonymous`).
fn stand(accept: &'static str, anonymous: bool) -> Stand {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let token_requests = Arc::new(AtomicUsize::new(0));
    let (s, count, realm) = (
        server.clone(),
        token_requests.clone(),
        format!("{url}/token"),
    );
    std::thread::spawn(move || {
        for request in s.incoming_requests() {
            let auth = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.as_str().to_owned());
            let path = request.url().to_owned();
            let respond = |status: u16, body: String, challenge: bool| {
                let mut r = tiny_http::Response::from_string(body).with_status_code(status);
                if challenge {
                    let value = format!(
                        r#"Bearer realm="{realm}",service="stand-registry",scope="repository:stellaops/scanner:pull""#
                    );
                    r = r.with_header(
                        tiny_http::Header::from_bytes(&b"WWW-Authenticate"[..], value.as_bytes())
                            .unwrap(),
                    );
                }
                r
            };
            let response = if path.starts_with("/token?") {
                count.fetch_add(1, Ordering::SeqCst);
                let scoped = path.contains("service=stand-registry")
                    && path.contains("scope=repository%3Astellaops%2Fscanner%3Apull");
                let alice = format!("Basic {}", STANDARD.encode("alice:pw"));
                if scoped && (anonymous || auth.as_deref() == Some(alice.as_str())) {
                    respond(
                        200,
                        format!(r#"{{"token":"{accept}","expires_in":300}}"#),
                        false,
                    )
                } else {
                    respond(401, String::from("{}"), false)
                }
            } else if auth.as_deref() == Some(&format!("Bearer {accept}")) {
                respond(
                    200,
                    String::from(r#"{"schemaVersion":2,"manifests":[]}"#),
                    false,
                )
            } else {
                respond(
                    401,
                    String::from(r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#),
                    true,
                )
            };
            let _ = request.respond(response);
        }
    });
    Stand {
        url,
        token_requests,
        _server: server,
    }
}

fn registry(url: &str) -> OciRegistry {
    OciRegistry::new(url, "stellaops/scanner", Duration::from_secs(5)).unwrap()
}

#[test]
fn an_anonymous_token_is_fetched_once_and_reused() {
    let stand = stand("anon-token", true);
    let r = registry(&stand.url);
    for _ in 0..3 {
        let (manifests, via) = r.referrers(DIGEST).unwrap();
        assert_eq!((manifests.len(), via), (0, ReferrersVia::Api));
    }
    assert_eq!(stand.token_requests.load(Ordering::SeqCst), 1);
}

#[test]
fn credentials_are_sent_to_the_realm_and_refused_ones_are_reported() {
    let stand = stand("alice-token", false);
    let r = registry(&stand.url).with_credentials(RegistryCredentials::new("alice", "pw"));
    r.referrers(DIGEST).unwrap();
    let anonymous = registry(&stand.url).referrers(DIGEST).unwrap_err();
    assert!(
        anonymous.contains("answered 401 to an anonymous request"),
        "{anonymous}"
    );
    let wrong = registry(&stand.url)
        .with_credentials(RegistryCredentials::new("alice", "nope"))
        .referrers(DIGEST)
        .unwrap_err();
    assert!(
        wrong.contains("answered 401 to the configured credentials") && !wrong.contains("nope"),
        "{wrong}"
    );
}
