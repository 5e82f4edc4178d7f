#!/usr/bin/env bash
# What the signing pipeline costs over a bare envelope signature: one criterion run of
# benches/benches/pipeline.rs, tabulated into benches/results-pipeline.md. ~2 minutes after the
# build; needs no servers (quotas in memory, audit in a temporary file).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -q -p stellaops-benches --bench pipeline -- --warm-up-time 1 \
  --measurement-time "${MEASURE_SECONDS:-5}" --noplot >target/bench-pipeline.txt 2>&1 ||
  { cat target/bench-pipeline.txt; exit 1; }
python3 benches/peers/pipeline_report.py | tee benches/results-pipeline.md
