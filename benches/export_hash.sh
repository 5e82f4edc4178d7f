#!/usr/bin/env bash
# Exports at disk speed (issue 24): a 10,000-file, 2 GB export (EXPORT_FILES files of
# EXPORT_FILE_BYTES each) signed and verified by `stella export` (hashing on every core, one
# streaming buffer per worker) beside sha256sum over the same files (one process, one core) and
# OpenSSL's one-core SHA-256 speed, in one run; peak memory of each stella run. The data is made
# once into target/bench-export (pseudo-random, ~2 GB) and read from the page cache (warmed
# first): the figures are hashing, not the disk. Writes benches/results-export.md. A few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}
cargo build -q --profile bench --locked -p stellaops-cli
exec python3 benches/export_hash.py "target/$CARGO_BUILD_TARGET/release/stella"
