#!/usr/bin/env bash
# One run, side by side: stellaops-signer (criterion), aws-lc-rs (criterion), OpenSSL (`openssl
# speed`), Go crypto, Node crypto, securesystemslib and rfc8785 (Python), whole-process stella sign
# and attest peak memory. Writes benches/results.md; takes ~12 minutes.
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
# Our benches twice: the pure-Rust backend (RustCrypto, base64 crate) with the aws-lc-rs reference,
# then the default build (AWS-LC backend, base64-simd) for the signature and envelope groups.
cargo bench -q -p stellaops-benches --no-default-features --features aws-lc --bench signer --bench aws_lc_reference -- --warm-up-time 1 --measurement-time "$measure" --noplot >"$out/criterion.txt" 2>&1
cargo bench -q -p stellaops-benches --bench signer -- 'signature-aws-lc|envelope-aws-lc' --warm-up-time 1 --measurement-time "$measure" --noplot >>"$out/criterion.txt" 2>&1
(cd benches/peers/gocrypto && go run .) >"$out/go.json"
node benches/peers/node_crypto_bench.mjs >"$out/node.json"
benches/whole_process.sh "$out" >"$out/process.json"
openssl speed -seconds "$measure" ecdsap256 ecdsap384 ed25519 rsa2048 >"$out/openssl.txt" 2>/dev/null
.venv/bin/python benches/peers/securesystemslib_bench.py "$out" >"$out/securesystemslib.json"
.venv/bin/python benches/peers/report.py "$out" | tee benches/results.md
