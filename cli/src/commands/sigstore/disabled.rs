//! The Sigstore flags in a `stella` built without the `sigstore` feature: each one says so.

use stellaops_signer::{AllowList, OpenedKey, Outcome, Statement};

use crate::cli::{
    AttestBlobArgs, KeylessArgs, RekorConsistencyArgs, SignBlobArgs, VerifyArgs, VerifyBlobArgs,
    VerifyBlobAttestationArgs,
};
use crate::Failure;

fn disabled() -> Failure {
    Failure::Usage(
        "this stella was built without Sigstore support (cargo feature `sigstore`, on by \
         default): keyless signing, --sigstore-bundle, verify --bundle and the cosign commands are not \
         available"
            .into(),
    )
}

/// `stella attest --keyless`: not built in.
pub(crate) fn keyless(_: &KeylessArgs, _: Statement, _: AllowList) -> Result<Outcome, Failure> {
    Err(disabled())
}

/// `stella attest --sigstore-bundle`: not built in.
pub(crate) fn keyful(
    _: &KeylessArgs,
    _: OpenedKey,
    _: Statement,
    _: AllowList,
) -> Result<Outcome, Failure> {
    Err(disabled())
}

/// `stella verify --bundle`: not built in.
pub(crate) fn verify(_: &VerifyArgs) -> Result<(), Failure> {
    Err(disabled())
}

/// `stella sign-blob`: not built in.
pub(crate) fn sign_blob(_: &SignBlobArgs) -> Result<(), Failure> {
    Err(disabled())
}

/// `stella attest-blob`: not built in.
pub(crate) fn attest_blob(_: &AttestBlobArgs) -> Result<(), Failure> {
    Err(disabled())
}

/// `stella verify-blob`: not built in.
pub(crate) fn verify_blob(_: &VerifyBlobArgs) -> Result<(), Failure> {
    Err(disabled())
}

/// `stella verify-blob-attestation`: not built in.
pub(crate) fn verify_blob_attestation(_: &VerifyBlobAttestationArgs) -> Result<(), Failure> {
    Err(disabled())
}

/// `stella rekor consistency`: not built in.
pub(crate) fn rekor_consistency(_: &RekorConsistencyArgs) -> Result<(), Failure> {
    Err(disabled())
}
