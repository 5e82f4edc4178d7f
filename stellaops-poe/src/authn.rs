//! Authentication: the access token plus the proof of its sender constraint.

use crate::{mtls, Denial, DpopVerifier, OpTok, OpTokVerifier, Reason};

/// What the embedding service knows about one request.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuthRequest<'a> {
    /// The access token (without the `DPoP ` or `Bearer ` scheme word).
    pub access_token: &'a str,
    /// The `DPoP` header's proof, if one came.
    pub dpop_proof: Option<&'a str>,
    /// The HTTP method of the request (for DPoP `htm`).
    pub method: &'a str,
    /// The full request URI (for DPoP `htu`).
    pub uri: &'a str,
    /// The DER client certificate the TLS layer verified, if any.
    pub client_certificate: Option<&'a [u8]>,
    /// The tenant the caller asks to sign for.
    pub tenant: &'a str,
}

/// How the caller proved the token is theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// No sender constraint (only when bearer tokens are allowed).
    Bearer,
    /// A DPoP proof signed by the key with this thumbprint.
    Dpop {
        /// The key thumbprint.
        jkt: String,
    },
    /// An mTLS client certificate with this thumbprint.
    Mtls {
        /// The certificate thumbprint.
        x5t_s256: String,
    },
    /// Both a DPoP proof and an mTLS certificate (a token bound to both).
    DpopAndMtls {
        /// The key thumbprint.
        jkt: String,
        /// The certificate thumbprint.
        x5t_s256: String,
    },
}

impl Binding {
    /// `bearer`, `dpop`, `mtls` or `dpop+mtls`, for audit records.
    pub fn name(&self) -> &'static str {
        match self {
            Binding::Bearer => "bearer",
            Binding::Dpop { .. } => "dpop",
            Binding::Mtls { .. } => "mtls",
            Binding::DpopAndMtls { .. } => "dpop+mtls",
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    /// The verified token.
    pub token: OpTok,
    /// How it was bound to the caller.
    pub binding: Binding,
    /// Set when the DPoP replay store failed and the proof was accepted under fail-open
    /// ([`DpopProof::replay_fail_open`](crate::DpopProof::replay_fail_open)).
    pub replay_fail_open: Option<String>,
}

/// Token verification plus sender-constraint checks.
#[derive(Debug)]
pub struct Authenticator {
    optok: OpTokVerifier,
    dpop: DpopVerifier,
    allow_bearer: bool,
}

impl Authenticator {
    /// Sender-constrained tokens only: a token without `cnf` is refused (`optok.unbound`).
    pub fn new(optok: OpTokVerifier, dpop: DpopVerifier) -> Self {
        Authenticator {
            optok,
            dpop,
            allow_bearer: false,
        }
    }

    /// Also accept unbound bearer tokens. Anyone who sees such a token can sign with it until it
    /// expires; use only where the transport already authenticates the caller.
    pub fn allow_bearer(mut self, allow: bool) -> Self {
        self.allow_bearer = allow;
        self
    }

    /// The DPoP verifier (for its server nonce).
    pub fn dpop(&self) -> &DpopVerifier {
        &self.dpop
    }

    /// Authenticate `request`.
    ///
    /// # Errors
    /// A [`Denial`] from the token check, then from the binding checks.
    pub fn authenticate(&self, request: &AuthRequest<'_>) -> Result<Caller, Denial> {
        let token = self.optok.verify(request.access_token, request.tenant)?;
        let cnf = &token.confirmation;
        let mut replay_fail_open = None;
        let jkt = match &cnf.jkt {
            Some(jkt) => {
                let proof = request.dpop_proof.ok_or_else(|| {
                    Denial::new(
                        Reason::DpopMissing,
                        "token is DPoP-bound but no DPoP proof was presented",
                    )
                })?;
                replay_fail_open = self
                    .dpop
                    .verify(
                        proof,
                        request.method,
                        request.uri,
                        request.access_token,
                        jkt,
                    )?
                    .replay_fail_open;
                Some(jkt.clone())
            }
            None => None,
        };
        let x5t = match &cnf.x5t_s256 {
            Some(x5t) => {
                mtls::check_binding(x5t, request.client_certificate)?;
                Some(x5t.clone())
            }
            None => None,
        };
        let binding = match (jkt, x5t) {
            (Some(jkt), Some(x5t_s256)) => Binding::DpopAndMtls { jkt, x5t_s256 },
            (Some(jkt), None) => Binding::Dpop { jkt },
            (None, Some(x5t_s256)) => Binding::Mtls { x5t_s256 },
            (None, None) if self.allow_bearer => Binding::Bearer,
            (None, None) => {
                return Err(Denial::new(
                    Reason::OptokUnbound,
                    "bearer tokens are not accepted: the token has no cnf",
                ))
            }
        };
        Ok(Caller {
            token,
            binding,
            replay_fail_open,
        })
    }
}
