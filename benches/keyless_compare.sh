#!/usr/bin/env bash
# Keyless against keyful signing latency, in one run: our keyful ES256 envelope, our keyless
# bundle (with and without the offline verification after signing) and sigstore-python's keyless
# signing, against the same local Sigstore instance (scripts/services.sh starts it). Writes
# benches/results-keyless.md; takes ~2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
services=$(mktemp -d -t stellaops-bench-services.XXXXXX)
trap 'scripts/services.sh stop "$services"' EXIT
scripts/services.sh start "$services"
scripts/setup-python.sh >/dev/null
# shellcheck source=/dev/null
source "$services/services.env"
cargo bench -q -p stellaops-benches --bench keyless -- --warm-up-time 1 \
  --measurement-time "${MEASURE_SECONDS:-10}" --noplot >target/bench-keyless.txt 2>&1 ||
  { cat target/bench-keyless.txt; exit 1; }
.venv/bin/python benches/peers/sigstore_python_keyless.py "$STELLAOPS_TEST_SIGSTORE" \
  "$STELLAOPS_TEST_SIGSTORE_DIR/trust_config.json" "${MEASURE_SECONDS:-10}" >target/bench-keyless-python.json
python3 benches/peers/keyless_report.py target/bench-keyless-python.json | tee benches/results-keyless.md
