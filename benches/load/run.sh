#!/usr/bin/env bash
# The service load test (benches/load/run.py): builds `stella` and the credentials example with
# the bench profile (the in-process criterion bench shares the build), installs the load
# generators if missing (wrk from Debian, oha 1.16 from crates.io into target/tools), runs the
# in-process pipeline bench, then the load runs. ~15 minutes after the build. Writes
# benches/results-load.md and benches/results-pipeline.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_BUILD_TARGET=x86_64-unknown-linux-gnu
command -v wrk >/dev/null || { sudo -n true 2>/dev/null && SUDO=sudo || SUDO=; $SUDO apt-get install -y wrk; }
if [ -z "${OHA:-}" ] && ! command -v oha >/dev/null && [ ! -x target/tools/bin/oha ]; then
  cargo install --locked --version 1.16.0 --root target/tools oha
fi
[ -n "${OHA:-}" ] || command -v oha >/dev/null || export OHA="$PWD/target/tools/bin/oha"
cargo build -q --profile bench --locked -p stellaops-cli
cargo build -q --profile bench --locked -p stellaops-benches --example load_credentials
MEASURE_SECONDS="${MEASURE_SECONDS:-5}" benches/pipeline_compare.sh >/dev/null
exec python3 benches/load/run.py
