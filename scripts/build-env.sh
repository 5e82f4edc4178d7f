# Sourced by scripts/test.sh and scripts/demo.sh: one set of build settings, so that the test
# suite reuses what the demo compiled (and both reuse what the faces compile).
# shellcheck shell=bash
# CI builds every tree once, so incremental caches only cost disk. The ~70 test binaries link
# everything statically; with debug info (ours, std's, AWS-LC's C code) each is ~95 MB, without
# it ~30 MB. A failed assertion still names file:line (that comes from the panic location, not
# from DWARF); only backtraces lose line numbers. The release builds the bindings' tests load
# use thin-local LTO and parallel codegen here instead of the shipped profile's cross-crate LTO
# with one codegen unit: same code, built minutes faster.
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=0
export CARGO_PROFILE_TEST_DEBUG=0
export CARGO_PROFILE_DEV_STRIP=debuginfo
export CARGO_PROFILE_TEST_STRIP=debuginfo
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
# One build serves the tests and every face. napi-rs always builds for an explicit --target, and
# Cargo keeps such a build apart from a plain one, so everything builds for the host's triple.
# The faces depend on workspace-hack, which makes them resolve features as the workspace does
# (scripts/check-build-reuse.sh, below, keeps it so), and build with the dev profile.
CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET
export STELLAOPS_BINDINGS_PROFILE=dev
