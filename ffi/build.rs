//! Gives the shared library its SONAME on ELF platforms.
//!
//! The SONAME carries the ABI's major version (`libstellaops_signer.so.0`), not the crate's full
//! version: the header promises that a published function, constant or code never changes, so
//! every 0.x release links against programs built for an earlier one. It changes only with a
//! break, which `scripts/abi-check.sh` refuses unless the major version moves too.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    if matches!(
        os.as_str(),
        "linux" | "freebsd" | "netbsd" | "openbsd" | "dragonfly"
    ) {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libstellaops_signer.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
