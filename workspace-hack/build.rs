//! Empty: the build script exists so that `syn`, a build dependency, joins the host side's
//! feature resolution (see Cargo.toml).
fn main() {}
