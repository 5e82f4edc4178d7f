#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 20: the smoke run of the test suite).
# Longer on demand: SECONDS_PER_TARGET=3600 fuzz/run.sh
# Works on a stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")"
secs="${SECONDS_PER_TARGET:-20}"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
targets=$(cargo fuzz list)
cargo fuzz build -O
for t in $targets; do
  mkdir -p "corpus/$t"
  # Work in a scratch copy so the committed seeds stay small; crashes land in artifacts/ and fail.
  work=$(mktemp -d)
  cp -r "corpus/$t/." "$work/"
  echo "fuzz: $t for ${secs}s"
  cargo fuzz run -O "$t" "$work" -- -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=0 2>&1 | tail -n 3
  rm -rf "$work"
done
echo "fuzz: all targets ran clean"
