#!/usr/bin/env bash
# The cost of the C ABI and the Go binding, in one run: the same operations at the Rust level
# (criterion), through the C ABI (a C timing loop), and from Go (the binding beside
# go-securesystemslib and crypto/ecdsa). Writes benches/results-ffi.md; takes ~2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-ffi
mkdir -p "$out"
cargo build -q -p stellaops-signer-ffi --release --locked
cc -std=c11 -O2 -Wall -Wextra -Werror -I include benches/c/ffi_overhead.c \
  target/release/libstellaops_signer.a -lpthread -ldl -lm -o "$out/ffi_overhead"
"$out/ffi_overhead" >"$out/c.txt"
cargo bench -q -p stellaops-benches --bench ffi_overhead -- --warm-up-time 1 \
  --measurement-time "${MEASURE_SECONDS:-3}" --noplot >"$out/criterion.txt" 2>&1
(cd bindings/go && go test -tags stellaops_inrepo -run '^$' -bench . -benchtime "${GO_BENCHTIME:-2s}" ./signer) >"$out/go.txt"
python3 benches/peers/ffi_report.py "$out" | tee benches/results-ffi.md
