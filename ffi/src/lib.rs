#![doc = include_str!("../README.md")]
// The C names (`stellaops_key`, `stellaops_status`) are the ABI; Rust naming does not apply.
#![allow(non_camel_case_types)]

mod algorithm;
mod args;
mod attest;
mod buffer;
mod caller;
mod canon;
mod catalog;
mod documents;
mod envelope;
mod export;
mod guard;
mod key;
mod log;
mod pipeline;
mod registry;
mod sigstore;
mod status;
mod verifying_key;
mod version;

pub use algorithm::*;
pub use attest::*;
pub use buffer::*;
pub use caller::*;
pub use canon::*;
pub use catalog::*;
pub use documents::*;
pub use envelope::*;
pub use export::*;
pub use guard::stellaops_last_error_message;
pub use key::*;
pub use log::*;
pub use pipeline::*;
pub use registry::*;
pub use sigstore::*;
pub use status::*;
pub use verifying_key::*;
pub use version::*;
