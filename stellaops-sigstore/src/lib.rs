//! Sigstore: keyless signing into bundles, and bundles verified offline.
//!
//! [`KeylessSigner`] signs a DSSE envelope with an ephemeral key that Fulcio certifies for an
//! OIDC identity, logs it in Rekor, and returns a Sigstore bundle v0.3 in canonical JSON (see
//! the `keyless` module's notes).
//!
//! [`KeyfulSigner`] does the same with one of our keys: the bundle's verification material is a
//! public-key hint, and Rekor records the public key as the entry's verifier.
//!
//! A bundle (`application/vnd.dev.sigstore.bundle*+json`, v0.1 to v0.3) carries a DSSE envelope
//! or a message signature, the signing certificate (keyless) or a public-key hint (keyful), and
//! the Rekor entry with its inclusion proof and/or signed entry timestamp. [`verify_bundle`]
//! checks all of it against a Sigstore `trusted_root.json` — the same file cosign,
//! sigstore-python and sigstore-js use, and the one an Offline Kit ships — and against the
//! identity the caller requires, with no network access: the verifier below it (the Sigstore
//! project's `sigstore-verify`, built without its TUF and HTTP features) has no client to make
//! one.
//!
//! What is checked, in the verifier's order: the bundle's shape; for keyless bundles the
//! certificate chain to a trusted Fulcio CA at signing time, the code-signing EKU, the embedded
//! SCT against the trusted CT logs, and the identity and OIDC issuer; the transparency-log
//! entry (inclusion proof against a signed checkpoint, or the signed entry timestamp of older
//! bundles) against the trusted Rekor keys valid at integrated time; the signature (DSSE PAE or
//! message); and that the log entry and the artifact (or its digest) are the ones signed.

#![forbid(unsafe_code)]

mod bundle;
mod certificate_chain;
mod error;
mod fulcio;
mod http;
mod identity;
mod keyful;
mod keyless;
pub mod monitor;
mod pinned;
pub mod public_good;
mod rekor;
mod signing_config;
mod timestamps;
mod token;
pub mod tsa;
mod verify;

pub use bundle::{
    BundleSigner, SignedBundle, SignedMessage, BUNDLE_V03_MEDIA_TYPE, MAX_BLOB_BYTES,
};
pub use error::{Error, Result};
pub use identity::{Identity, IdentityPattern};
pub use keyful::{KeyfulConfig, KeyfulSigner};
pub use keyless::{EphemeralKey, KeylessConfig, KeylessSigner};
pub use public_good::PUBLIC_GOOD_AS_OF;
pub use rekor::RekorVersion;
pub use signing_config::SigningServices;
pub use timestamps::MAX_TIMESTAMPS;
pub use token::{
    IdentityToken, AMBIENT_TOKEN_FILE, GITHUB_ACTIONS_TOKEN_ENV, GITHUB_ACTIONS_URL_ENV,
    SIGSTORE_AUDIENCE, SIGSTORE_TOKEN_ENV, TOKEN_ENV, TOKEN_FILE_ENV,
};
pub use verify::{
    verify_bundle, verify_bundle_with, BundleArtifact, BundleVerification, OwnedArtifact, Signer,
    TrustedRoot, VerifyOptions,
};
