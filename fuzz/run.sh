#!/usr/bin/env bash
# Run every fuzz target for SECONDS_PER_TARGET each (default 20), instrumented: the targets in
# fuzz/ and the C ABI's target in ffi/fuzz/ (which shares fuzz/target, so the two builds share
# their dependencies).
#   Longer on demand: SECONDS_PER_TARGET=3600 fuzz/run.sh
#   JOBS=N runs N targets at a time (one core each; default 1). Use it only on otherwise idle
#   cores: an hour shared with other work is not an hour of fuzzing.
#   BUILD=dev builds unoptimized (what scripts/test.sh does: the optimized instrumented build
#   takes minutes longer than the few seconds of fuzzing it would speed up); default optimized.
#   REPLAY_ONLY=1 only replays every corpus input, no mutation.
#   REPLAY_FIRST=1 replays every corpus input first (-runs=0), then fuzzes SECONDS_PER_TARGET from
#   the seeds alone: with a large corpus, libFuzzer's own replay can use up a short time limit
#   before any mutation (what scripts/test.sh uses, so every target really fuzzes in CI).
#   TARGETS="a b" runs only those.
#   CPU_SECONDS_PER_TARGET=3600 stops each target once its fuzzing process has used that much CPU
#   time (utime + stime from /proc, checked every 10 s; SIGUSR1 makes libFuzzer stop cleanly and
#   print its final stats), however long that takes on the wall clock: an hour of a core, even on
#   cores shared with other work (run it at nice 19 so the other work keeps the priority).
# Corpora: corpus/<target>/seed-* (hand-written seeds) plus corpus/<target>.tar.xz (what the long
# runs learned, minimized); both are unpacked into a scratch directory for each run, so libFuzzer
# replays every one of them before it mutates.
# KEEP_CORPUS=1 merges a run's findings into corpus/<target>.tar.xz with libFuzzer's -merge=1
# (only inputs that add coverage), so the committed corpus stays small.
# Works on a stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")"
fuzz=$(pwd)
secs="${SECONDS_PER_TARGET:-20}"
jobs="${JOBS:-1}"
keep="${KEEP_CORPUS:-0}"
if [ "${BUILD:-release}" = dev ]; then
  build=(--dev)
else
  build=(-O)
fi
cpu_secs="${CPU_SECONDS_PER_TARGET:-}"
if [ "${REPLAY_ONLY:-0}" = 1 ]; then
  limit=(-runs=0)
elif [ -n "$cpu_secs" ]; then
  # The wall-clock limit only guards against a fuzzer that gets no CPU at all for a day.
  limit=(-max_total_time=86400)
else
  limit=(-max_total_time="$secs")
fi
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="$fuzz/target"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
# Each target as DIR:NAME, DIR being the cargo-fuzz project's parent (fuzz/ is its own).
all_targets() {
  cargo fuzz list | sed 's|^|.:|'
  (cd ../ffi && cargo fuzz list --fuzz-dir fuzz | sed 's|^|../ffi:|')
}
targets=${TARGETS:-$(all_targets | tr '\n' ' ')}
cargo fuzz build "${build[@]}"
(cd ../ffi && cargo fuzz build --fuzz-dir fuzz "${build[@]}")
logs=$(mktemp -d)
# Sends SIGUSR1 to target $1's fuzzing process once it has used $cpu_secs of CPU time; prints the
# CPU seconds it saw last. Returns when the process is gone.
watch_cpu() {
  local t=$1 pid="" ticks used=0
  ticks=$(getconf CLK_TCK)
  for _ in $(seq 60); do
    # cargo-fuzz starts it as target/<triple>/<profile>/<target>, relative to the fuzz project.
    pid=$(pgrep -n -f "(^|/)target/[^ ]*/(release|debug)/$t( |$)" || true)
    [ -n "$pid" ] && break
    sleep 5
  done
  if [ -z "$pid" ]; then
    echo "fuzz: $t: found no fuzzing process to watch; it runs until -max_total_time" >&2
    return 0
  fi
  while [ -r "/proc/$pid/stat" ]; do
    # Fields 14 and 15 (utime, stime) counted after the ")" that ends the command name.
    used=$(sed 's/.*) //' "/proc/$pid/stat" | awk -v hz="$ticks" '{ print int(($12 + $13) / hz) }') || break
    if [ "$used" -ge "$cpu_secs" ]; then
      kill -USR1 "$pid" 2>/dev/null || true
      break
    fi
    sleep 10
  done
  echo "fuzz: $t: ${used} s of CPU"
}
run_one() {
  local spec=$1 dir t corpus work
  case "$spec" in
    *:*) dir=${spec%%:*} t=${spec#*:} ;;
    *) dir=. t=$spec ;;
  esac
  if [ "$dir" = . ]; then corpus="$fuzz/corpus/$t"; else corpus="$fuzz/$dir/fuzz/corpus/$t"; fi
  mkdir -p "$corpus"
  # Work in a scratch copy so the committed seeds stay small; crashes land in artifacts/ and fail.
  work=$(mktemp -d)
  cp -r "$corpus/." "$work/"
  if [ -f "$corpus.tar.xz" ]; then tar -xJf "$corpus.tar.xz" -C "$work"; fi
  echo "fuzz: $t: ${limit[*]}"
  local run=(cargo fuzz run)
  [ "$dir" = . ] || run=(cargo fuzz run --fuzz-dir fuzz)
  local from="$work"
  if [ "${REPLAY_FIRST:-0}" = 1 ] && [ "${REPLAY_ONLY:-0}" != 1 ]; then
    if ! (cd "$fuzz/$dir" && "${run[@]}" "${build[@]}" "$t" "$work" -- -runs=0 -rss_limit_mb=2048 \
      >"$logs/$t.replay.log" 2>&1); then
      tail -n 30 "$logs/$t.replay.log"
      echo "fuzz: $t FAILED replaying its corpus; the crashing input is in $dir/fuzz/artifacts/$t/" >&2
      rm -rf "$work"
      return 1
    fi
    grep -E "^Done" "$logs/$t.replay.log" | sed "s/^/fuzz: $t: replay: /" || true
    from=$(mktemp -d)
    cp -r "$corpus/." "$from/"
  fi
  local watcher=""
  if [ -n "$cpu_secs" ] && [ "${REPLAY_ONLY:-0}" != 1 ]; then
    watch_cpu "$t" &
    watcher=$!
  fi
  local ok=0
  (cd "$fuzz/$dir" && "${run[@]}" "${build[@]}" "$t" "$from" -- "${limit[@]}" -rss_limit_mb=2048 \
    -print_final_stats=1 >"$logs/$t.log" 2>&1) || ok=$?
  [ -z "$watcher" ] || wait "$watcher" || true
  if [ "$ok" = 0 ]; then
    [ "$from" = "$work" ] || rm -rf "$from"
    grep -E "^stat::number_of_executed_units|^Done|INITED" "$logs/$t.log" | sed "s/^/fuzz: $t: /" || true
    if [ "$keep" = 1 ]; then
      local min
      min=$(mktemp -d)
      (cd "$fuzz/$dir" && "${run[@]}" "${build[@]}" "$t" "$min" "$work" -- -merge=1 >"$logs/$t.merge.log" 2>&1)
      # Deterministic archive: sorted names, fixed owner and time, so equal corpora are equal bytes.
      (cd "$min" && find . -type f -printf '%P\n' | LC_ALL=C sort |
        tar --owner=0 --group=0 --numeric-owner --mtime=@0 -cJf - -T -) >"$corpus.tar.xz"
      echo "fuzz: $t: $corpus.tar.xz holds $(find "$min" -type f | wc -l) inputs"
      rm -rf "$min"
    fi
    rm -rf "$work"
  else
    tail -n 30 "$logs/$t.log"
    echo "fuzz: $t FAILED; the crashing input is in $dir/fuzz/artifacts/$t/ (fuzz/artifacts/$t/ for fuzz/)" >&2
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
