#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
pub mod files;
#[cfg(any(feature = "pkcs11", feature = "awskms", feature = "hashivault"))]
mod public;
mod uri;

#[cfg(feature = "pkcs11")]
pub mod pkcs11;

pub use error::{Error, Result};
pub use uri::{
    AwsKmsUri, Fido2Device, Fido2Uri, KeyUri, KeylessUri, Pkcs11Uri, TokenSource, VaultUri,
};

// The blocking HTTPS client the remote backends share (no feature of its own: a feature that
// is only a part would not build alone).
#[cfg(any(feature = "awskms", feature = "hashivault"))]
mod http;

#[cfg(feature = "awskms")]
pub mod awskms;

#[cfg(feature = "hashivault")]
pub mod hashivault;

#[cfg(feature = "fido2")]
pub mod fido2;
#[cfg(feature = "fido2-hid")]
mod fido2_hid;
#[cfg(feature = "fido2-hid")]
pub use fido2_hid::HidAuthenticator;
#[cfg(feature = "fido2-software")]
mod fido2_software;
#[cfg(feature = "fido2-software")]
pub use fido2_software::SoftwareAuthenticator;
mod registry;
mod resolve;

pub use registry::{parse_time, KeyEntry, KeyRegistry, KeyStatus, Selector, TenantKey};
pub use resolve::{available_backends, open, open_str, OpenOptions, PinPrompt};
