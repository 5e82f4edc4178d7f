#!/usr/bin/env bash
# Envelope signing latency per key backend, in one run: software, SoftHSM2 (PKCS#11), the KMS
# server (local-kms) and OpenBao transit, all on loopback. Starts the servers with
# scripts/services.sh, writes benches/results-backends.md; takes ~2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
services=$(mktemp -d -t stellaops-bench-services.XXXXXX)
trap 'scripts/services.sh stop "$services"' EXIT
scripts/services.sh start "$services"
# shellcheck source=/dev/null
source "$services/services.env"
cargo bench -q -p stellaops-benches --bench key_backends -- --warm-up-time 1 \
  --measurement-time "${MEASURE_SECONDS:-3}" --noplot >target/bench-backends.txt 2>&1 ||
  { cat target/bench-backends.txt; exit 1; }
python3 benches/peers/backends_report.py | tee benches/results-backends.md
