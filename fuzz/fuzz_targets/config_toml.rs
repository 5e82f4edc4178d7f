//! The TOML configurations (tenant key registry, signing pipeline): any file is refused with a
//! typed error or loads, never a panic.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use stellaops_signer::{KeyRegistry, SignerPipeline};

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("config.toml", data);
    let _ = KeyRegistry::load(&path);
    let _ = SignerPipeline::from_config_file(&path);
});
