//! OIDC identity tokens for keyless signing: where they come from and what they claim.
//!
//! The token is not verified here: Fulcio verifies it (signature, issuer, audience, expiry)
//! before it certifies anything. What is read from it, unverified, is what the signer needs to
//! ask for the certificate and to fail early: the issuer, the identity Fulcio will certify (the
//! email claim, else the subject) and the expiry.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// The environment variable holding a token.
pub const TOKEN_ENV: &str = "STELLAOPS_OIDC_TOKEN";
/// The environment variable naming a file that holds a token.
pub const TOKEN_FILE_ENV: &str = "STELLAOPS_OIDC_TOKEN_FILE";
/// Where cosign and Kubernetes projected service-account tokens put an ambient token.
pub const AMBIENT_TOKEN_FILE: &str = "/var/run/sigstore/cosign/oidc-token";
/// The token cosign and sigstore-python read from the environment, and where GitLab CI
/// (`id_tokens:` with `aud: sigstore`) and Buildkite (`buildkite-agent oidc request-token
/// --audience sigstore`) put one.
pub const SIGSTORE_TOKEN_ENV: &str = "SIGSTORE_ID_TOKEN";
/// GitHub Actions' token service URL (set for jobs with `permissions: id-token: write`).
pub const GITHUB_ACTIONS_URL_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
/// The bearer credential for [`GITHUB_ACTIONS_URL_ENV`].
pub const GITHUB_ACTIONS_TOKEN_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// The audience Fulcio expects, asked of CI token services.
pub const SIGSTORE_AUDIENCE: &str = "sigstore";

/// Tokens larger than this are refused (real ones are a few kilobytes).
const MAX_TOKEN: usize = 64 * 1024;

/// An OIDC identity token (a JWT), with its claims read but not verified.
pub struct IdentityToken {
    jwt: Zeroizing<String>,
    issuer: String,
    subject: String,
    email: Option<String>,
    expires_at: i64,
}

impl std::fmt::Debug for IdentityToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself: it is a bearer credential.
        f.debug_struct("IdentityToken")
            .field("issuer", &self.issuer)
            .field("identity", &self.identity())
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    exp: i64,
    #[serde(default)]
    email: Option<String>,
}

impl IdentityToken {
    /// Read a JWT's claims. Whitespace around the token (a trailing newline in a file) is ignored.
    ///
    /// # Errors
    /// [`Error::Token`] for anything that is not a three-part JWT with `iss`, `sub` and `exp`.
    pub fn parse(token: &str) -> Result<Self> {
        let token = token.trim();
        if token.len() > MAX_TOKEN {
            return Err(Error::Token(format!(
                "the token is {} bytes, more than the {MAX_TOKEN} accepted",
                token.len()
            )));
        }
        let mut parts = token.split('.');
        let (Some(_), Some(claims), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::Token(
                "not a JWT (three dot-separated parts)".to_owned(),
            ));
        };
        let claims = URL_SAFE_NO_PAD
            .decode(claims)
            .map_err(|e| Error::Token(format!("claims are not base64url: {e}")))?;
        let claims: Claims =
            serde_json::from_slice(&claims).map_err(|e| Error::Token(format!("claims: {e}")))?;
        Ok(IdentityToken {
            jwt: Zeroizing::new(token.to_owned()),
            issuer: claims.iss,
            subject: claims.sub,
            email: claims.email.filter(|e| !e.is_empty()),
            expires_at: claims.exp,
        })
    }

    /// Read a token from a file.
    ///
    /// # Errors
    /// [`Error::Io`], or as [`IdentityToken::parse`].
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let text = Zeroizing::new(text);
        Self::parse(&text)
    }

    /// The token from the environment, as the Sigstore clients find it, in this order:
    /// [`TOKEN_ENV`]; the file [`TOKEN_FILE_ENV`] names; [`SIGSTORE_TOKEN_ENV`] (cosign's and
    /// sigstore-python's variable, which GitLab CI and Buildkite fill); GitHub Actions' token
    /// service ([`GITHUB_ACTIONS_URL_ENV`] with [`GITHUB_ACTIONS_TOKEN_ENV`], asked for audience
    /// [`SIGSTORE_AUDIENCE`]); the ambient file [`AMBIENT_TOKEN_FILE`].
    ///
    /// # Errors
    /// [`Error::Token`] when none is there (listing what was tried), when GitHub's service
    /// refuses or answers nonsense; as [`IdentityToken::parse`].
    pub fn from_environment() -> Result<Self> {
        if let Some(token) = env_text(TOKEN_ENV)? {
            return Self::parse(&token);
        }
        if let Some(path) = std::env::var_os(TOKEN_FILE_ENV) {
            return Self::from_file(&PathBuf::from(path));
        }
        if let Some(token) = env_text(SIGSTORE_TOKEN_ENV)? {
            return Self::parse(&token);
        }
        if let Some(url) = env_text(GITHUB_ACTIONS_URL_ENV)? {
            let bearer = env_text(GITHUB_ACTIONS_TOKEN_ENV)?.ok_or_else(|| {
                Error::Token(format!(
                    "{GITHUB_ACTIONS_URL_ENV} is set but {GITHUB_ACTIONS_TOKEN_ENV} is not: give \
                     the job `permissions: id-token: write`"
                ))
            })?;
            return Self::from_github_actions(&url, &bearer, Duration::from_secs(30));
        }
        let ambient = Path::new(AMBIENT_TOKEN_FILE);
        if ambient.is_file() {
            return Self::from_file(ambient);
        }
        Err(Error::Token(format!(
            "no identity token: tried {TOKEN_ENV}, {TOKEN_FILE_ENV}, {SIGSTORE_TOKEN_ENV} (GitLab \
             CI, Buildkite), GitHub Actions ({GITHUB_ACTIONS_URL_ENV} and \
             {GITHUB_ACTIONS_TOKEN_ENV}) and the file {AMBIENT_TOKEN_FILE}"
        )))
    }

    /// Ask GitHub Actions' token service (`url`, the runner's
    /// [`ACTIONS_ID_TOKEN_REQUEST_URL`](GITHUB_ACTIONS_URL_ENV)) for a token with audience
    /// `sigstore`, authenticated with `bearer`. The URL must be `https://` (or `http://` to a
    /// loopback host): the bearer credential never travels in the clear.
    ///
    /// # Errors
    /// [`Error::Token`] for an unusable URL, a refusal or an answer without a token.
    pub fn from_github_actions(url: &str, bearer: &str, timeout: Duration) -> Result<Self> {
        let mut url = stellaops_http::base_url(url)
            .map_err(|e| Error::Token(format!("{GITHUB_ACTIONS_URL_ENV}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("audience", SIGSTORE_AUDIENCE);
        let what = "GitHub Actions token service";
        let response = stellaops_http::agent(timeout)
            .get(url.as_str())
            .header("Authorization", &format!("bearer {bearer}"))
            .header("Accept", "application/json")
            .call()
            .map_err(|e| Error::Token(format!("{what}: {e}")))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_TOKEN as u64)
            .read_to_vec()
            .map_err(|e| Error::Token(format!("{what}: reading the answer: {e}")))?;
        let body = Zeroizing::new(body);
        if status != 200 {
            return Err(Error::Token(format!("{what} answered HTTP {status}")));
        }
        #[derive(serde::Deserialize)]
        struct Answer<'a> {
            value: &'a str,
        }
        let answer: Answer<'_> = serde_json::from_slice(&body)
            .map_err(|e| Error::Token(format!("{what}: the answer has no token: {e}")))?;
        Self::parse(answer.value)
    }

    /// The `iss` claim.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The identity Fulcio certifies and the proof of possession signs: the `email` claim when
    /// there is one, else `sub`.
    pub fn identity(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.subject)
    }

    /// The `exp` claim (seconds since the Unix epoch).
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// Refuse a token that has expired by `now` (seconds since the Unix epoch).
    ///
    /// # Errors
    /// [`Error::Token`].
    pub fn check_unexpired(&self, now: i64) -> Result<()> {
        if self.expires_at <= now {
            return Err(Error::Token(format!(
                "the identity token expired {} s ago",
                now - self.expires_at
            )));
        }
        Ok(())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.jwt
    }
}

/// A variable's text, if set (not UTF-8 is an error: tokens are ASCII).
fn env_text(name: &str) -> Result<Option<Zeroizing<String>>> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(value) => value
            .into_string()
            .map(|v| Some(Zeroizing::new(v)))
            .map_err(|_| Error::Token(format!("{name} is not valid UTF-8"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "eyJhbGciOiJFUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn reads_issuer_identity_and_expiry() {
        let t = IdentityToken::parse(&format!(
            "{}\n",
            jwt(r#"{"iss":"https://issuer","sub":"u1","exp":100,"email":"a@b"}"#)
        ))
        .unwrap();
        assert_eq!(t.issuer(), "https://issuer");
        assert_eq!(t.identity(), "a@b");
        assert!(t.check_unexpired(99).is_ok());
        assert!(matches!(t.check_unexpired(100), Err(Error::Token(_))));
        let no_email =
            IdentityToken::parse(&jwt(r#"{"iss":"https://issuer","sub":"u1","exp":100}"#)).unwrap();
        assert_eq!(no_email.identity(), "u1");
        assert!(
            !format!("{no_email:?}").contains("eyJ"),
            "Debug shows the token"
        );
    }

    #[test]
    fn refuses_what_is_not_a_token() {
        for bad in [
            String::new(),
            "a.b".to_owned(),
            "a.b.c.d".to_owned(),
            "a.!!!.c".to_owned(),
            jwt(r#"{"iss":"x","exp":1}"#),
            jwt("[]"),
            "a".repeat(MAX_TOKEN + 1),
        ] {
            assert!(
                matches!(IdentityToken::parse(&bad), Err(Error::Token(_))),
                "{bad:.40}"
            );
        }
    }
}
