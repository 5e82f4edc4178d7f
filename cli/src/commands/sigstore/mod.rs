//! Sigstore bundles: `stella attest --keyless` / `--sigstore-bundle`, `stella verify --bundle`, and
//! cosign's commands (`sign-blob`, `attest-blob`, `verify-blob`, `verify-blob-attestation`).
//! They need the `sigstore` feature (on by default); a build without it (`scripts/demo.sh`:
//! software keys only) compiles no Sigstore, TLS or HTTP client and answers these flags with a
//! usage error that says so.

#[cfg(feature = "sigstore")]
mod attest;
#[cfg(feature = "sigstore")]
mod cosign;
#[cfg(not(feature = "sigstore"))]
mod disabled;
#[cfg(feature = "sigstore")]
mod rekor;
#[cfg(feature = "sigstore")]
mod verify;

#[cfg(feature = "sigstore")]
pub(crate) use attest::{keyful, keyless};
#[cfg(feature = "sigstore")]
pub(crate) use cosign::{attest_blob, sign_blob, verify_blob, verify_blob_attestation};
#[cfg(not(feature = "sigstore"))]
pub(crate) use disabled::{
    attest_blob, keyful, keyless, rekor_consistency, sign_blob, verify, verify_blob,
    verify_blob_attestation,
};
#[cfg(feature = "sigstore")]
pub(crate) use rekor::consistency as rekor_consistency;
#[cfg(feature = "sigstore")]
pub(crate) use verify::verify;

/// The one key a Sigstore bundle is signed with: a bundle holds one signature.
pub(crate) fn one_key(
    mut keys: Vec<stellaops_signer::OpenedKey>,
) -> Result<stellaops_signer::OpenedKey, crate::Failure> {
    match (keys.pop(), keys.pop()) {
        (Some(key), None) => Ok(key),
        _ => Err(crate::Failure::Usage(
            "a Sigstore bundle holds one signature: give exactly one --key (sign once per key \
             for more)"
                .into(),
        )),
    }
}
