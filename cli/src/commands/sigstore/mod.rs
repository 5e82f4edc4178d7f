//! Sigstore bundles: `stella attest --keyless` / `--sigstore-bundle` and `stella verify --bundle`.
//! They need the `sigstore` feature (on by default); a build without it (`scripts/demo.sh`:
//! software keys only) compiles no Sigstore, TLS or HTTP client and answers these flags with a
//! usage error that says so.

#[cfg(feature = "sigstore")]
mod attest;
#[cfg(not(feature = "sigstore"))]
mod disabled;
#[cfg(feature = "sigstore")]
mod verify;

#[cfg(feature = "sigstore")]
pub(crate) use attest::{keyful, keyless};
#[cfg(not(feature = "sigstore"))]
pub(crate) use disabled::{keyful, keyless, verify};
#[cfg(feature = "sigstore")]
pub(crate) use verify::verify;
