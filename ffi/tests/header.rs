//! The committed header is exactly what the pinned cbindgen makes of the code.

use std::path::Path;

#[test]
fn committed_header_matches_a_fresh_generation() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../include/stellaops_signer.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cbindgen.toml: {e}"));
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen: {e}"));
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    if std::env::var_os("STELLAOPS_BLESS").is_some() {
        std::fs::write(&header, &fresh).unwrap_or_else(|e| panic!("{}: {e}", header.display()));
        return;
    }
    let committed = std::fs::read(&header).unwrap_or_else(|e| panic!("{}: {e}", header.display()));
    if committed != fresh {
        let committed = String::from_utf8_lossy(&committed);
        let fresh = String::from_utf8_lossy(&fresh);
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/stellaops_signer.h differs from the code (first at line {}):\n  committed: {:?}\n  generated: {:?}\n\
             Regenerate with STELLAOPS_BLESS=1 cargo test -p stellaops-signer-ffi --test header, \
             and remember that published items must not change.",
            first + 1,
            committed.lines().nth(first).unwrap_or("<end>"),
            fresh.lines().nth(first).unwrap_or("<end>")
        );
    }
}
