//! The Sigstore flags in a `stella` built without the `sigstore` feature: each one says so.

use stellaops_signer::{AllowList, OpenedKey, Outcome, Statement};

use crate::cli::{KeylessArgs, VerifyArgs};
use crate::Failure;

fn disabled() -> Failure {
    Failure::Usage(
        "this stella was built without Sigstore support (cargo feature `sigstore`, on by \
         default): keyless signing, --sigstore-bundle and verify --bundle are not available"
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
