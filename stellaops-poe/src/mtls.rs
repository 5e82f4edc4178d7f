//! Certificate-bound tokens (RFC 8705 §3): the token's `cnf.x5t#S256` must be the SHA-256
//! thumbprint of the client certificate the TLS layer authenticated.
//!
//! This crate does not terminate TLS; the embedding service passes the DER certificate its TLS
//! stack verified. Comparing thumbprints is all that is left, and it is done here so every face
//! does it the same way.

use crate::thumbprint::certificate_thumbprint;
use crate::{Denial, Reason};

/// Check that `client_certificate` (DER) is the certificate `expected_x5t_s256` names.
///
/// # Errors
/// `mtls.missing` without a certificate, `mtls.thumbprint` when it is another one.
pub fn check_binding(
    expected_x5t_s256: &str,
    client_certificate: Option<&[u8]>,
) -> Result<(), Denial> {
    let Some(der) = client_certificate else {
        return Err(Denial::new(
            Reason::MtlsMissing,
            "token is certificate-bound but no client certificate was presented",
        ));
    };
    if certificate_thumbprint(der) != expected_x5t_s256 {
        return Err(Denial::new(
            Reason::MtlsThumbprint,
            "client certificate is not the one the token is bound to",
        ));
    }
    Ok(())
}
