#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 20), optimized and instrumented.
# Longer on demand: SECONDS_PER_TARGET=3600 fuzz/run.sh
# JOBS=N runs N targets at a time (one core each; default 1). Use it only on otherwise idle cores:
# an hour shared with other work is not an hour of fuzzing.
# Corpora: corpus/<target>/seed-* (hand-written seeds) plus corpus/<target>.tar.xz (what the long
# runs learned, minimized); both are unpacked into a scratch directory for each run.
# KEEP_CORPUS=1 merges a run's findings into corpus/<target>.tar.xz with libFuzzer's -merge=1
# (only inputs that add coverage), so the committed corpus stays small.
# REPLAY_ONLY=1 (what scripts/test.sh runs) builds unoptimized and only replays every corpus input,
# no mutation: the regression check for what the long runs found, in ~3 minutes instead of ~6
# (the optimized instrumented build alone takes 4-5 minutes on 2 cores).
# Works on a stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")"
secs="${SECONDS_PER_TARGET:-20}"
jobs="${JOBS:-1}"
keep="${KEEP_CORPUS:-0}"
if [ "${REPLAY_ONLY:-0}" = 1 ]; then
  build=(--dev)
  limit=(-runs=0)
else
  build=(-O)
  limit=(-max_total_time="$secs")
fi
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
targets=$(cargo fuzz list)
cargo fuzz build "${build[@]}"
logs=$(mktemp -d)
run_one() {
  local t=$1 work
  mkdir -p "corpus/$t"
  # Work in a scratch copy so the committed seeds stay small; crashes land in artifacts/ and fail.
  work=$(mktemp -d)
  cp -r "corpus/$t/." "$work/"
  if [ -f "corpus/$t.tar.xz" ]; then tar -xJf "corpus/$t.tar.xz" -C "$work"; fi
  echo "fuzz: $t: ${limit[*]}"
  if cargo fuzz run "${build[@]}" "$t" "$work" -- "${limit[@]}" -rss_limit_mb=2048 \
    -print_final_stats=1 >"$logs/$t.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^Done|INITED" "$logs/$t.log" | sed "s/^/fuzz: $t: /" || true
    if [ "$keep" = 1 ]; then
      local min
      min=$(mktemp -d)
      cargo fuzz run "${build[@]}" "$t" "$min" "$work" -- -merge=1 >"$logs/$t.merge.log" 2>&1
      # Deterministic archive: sorted names, fixed owner and time, so equal corpora are equal bytes.
      (cd "$min" && find . -type f -printf '%P\n' | LC_ALL=C sort |
        tar --owner=0 --group=0 --numeric-owner --mtime=@0 -cJf - -T -) >"corpus/$t.tar.xz"
      echo "fuzz: $t: corpus/$t.tar.xz holds $(find "$min" -type f | wc -l) inputs"
      rm -rf "$min"
    fi
    rm -rf "$work"
  else
    tail -n 30 "$logs/$t.log"
    echo "fuzz: $t FAILED; the crashing input is in fuzz/artifacts/$t/" >&2
    rm -rf "$work"
    return 1
  fi
}
status=0
running=0
for t in $targets; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
[ "$status" -eq 0 ] || exit 1
echo "fuzz: all targets ran clean"
