#!/usr/bin/env bash
# One run, side by side: stellaops-signer (criterion), aws-lc-rs (criterion), OpenSSL (`openssl
# speed`), securesystemslib and rfc8785 (Python). Writes benches/results.md; takes ~6 minutes.
#   benches/compare.sh            # full
#   QUICK=1 benches/compare.sh    # shorter measurement, noisier
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-python.sh >/dev/null
out=target/bench-peers
mkdir -p "$out"
measure=${QUICK:+1}
measure=${measure:-3}
cargo run -q -p stellaops-benches --example write_statements -- "$out" 2>/dev/null || true
cargo bench -q -p stellaops-benches --features aws-lc -- --warm-up-time 1 --measurement-time "$measure" --noplot >"$out/criterion.txt" 2>&1
openssl speed -seconds "$measure" ecdsap256 ecdsap384 ed25519 rsa2048 >"$out/openssl.txt" 2>/dev/null
.venv/bin/python benches/peers/securesystemslib_bench.py "$out" >"$out/securesystemslib.json"
.venv/bin/python benches/peers/report.py "$out" | tee benches/results.md
