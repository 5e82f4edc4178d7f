//! The Node addon behind `@stellaops/signer`: a thin translation of the `stellaops-signer` facade.

mod attest;
mod caller;
mod canon;
mod documents;
mod envelope;
mod errors;
mod export;
mod input;
mod keys;
mod logging;
mod pipeline;
mod registry;
mod sigstore;
mod task;

pub use attest::*;
pub use caller::*;
pub use canon::*;
pub use documents::*;
pub use envelope::*;
pub use export::*;
pub use keys::*;
pub use logging::*;
pub use pipeline::*;
pub use registry::*;
pub use sigstore::*;
pub use task::Job;
