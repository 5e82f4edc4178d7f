#!/usr/bin/env bash
# Checks that no publishable library crate breaks the public Rust API it had at git revision
# BASELINE beyond what its version allows (cargo-semver-checks' lints):
#   scripts/semver-check.sh BASELINE
# Why not `cargo semver-checks --workspace --baseline-rev`: that builds rustdoc for every crate
# twice in a target directory of its own per crate, so AWS-LC and every other dependency compile
# sixteen times (about two hours on two cores). Here both trees share one target directory:
# dependencies compile once, and cargo-semver-checks compares the rustdoc JSON files we hand it.
# Features: all of them, on both sides (cargo-semver-checks' own default; no crate here has an
# `unstable` one). Binary-only crates (stellaops-cli) have no Rust API to break and are skipped,
# as are crates that did not exist at BASELINE (nothing to break yet); both are reported.
# SEMVER_CRATES="a b" checks only those crates.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
baseline=${1:?usage: scripts/semver-check.sh BASELINE (a git revision)}
git rev-parse --verify --quiet "$baseline^{commit}" >/dev/null ||
  { echo "semver-check: $baseline is not a commit here" >&2; exit 2; }
command -v cargo-semver-checks >/dev/null ||
  { echo "semver-check: cargo-semver-checks is missing (cargo install --locked cargo-semver-checks)" >&2; exit 1; }
work="$root/target/semver"
export CARGO_TARGET_DIR="$work/target"
triple="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_BUILD_TARGET="$triple"
docs="$CARGO_TARGET_DIR/$triple/doc"
# rustdoc's JSON output is unstable: RUSTC_BOOTSTRAP lets the stable toolchain write it (what
# cargo-semver-checks itself does).
export RUSTC_BOOTSTRAP=1

# Publishable crates of a tree with a library target, as "name lib_name" lines.
libraries() {
  cargo metadata --no-deps --format-version 1 --locked --manifest-path "$1/Cargo.toml" |
    python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p.get("publish") == []:
        continue
    libs = [t["name"] for t in p["targets"] if "lib" in t["kind"]]
    print(p["name"], libs[0] if libs else "-")'
}
# Writes the rustdoc JSON of crate $2 (library $3) in tree $1 to $4.
rustdoc_json() {
  (cd "$1" && cargo rustdoc --quiet --locked -p "$2" --lib --all-features -- \
    -Z unstable-options --output-format json)
  cp "$docs/$3.json" "$4"
}

rm -rf "$work/baseline-src" "$work/json"
mkdir -p "$work/baseline-src" "$work/json"
git archive --format=tar "$baseline" | tar -x -C "$work/baseline-src"
declare -A in_baseline
while read -r name lib; do in_baseline[$name]=$lib; done < <(libraries "$work/baseline-src")

checked=() skipped=()
only=" ${SEMVER_CRATES:-} "
while read -r name lib; do
  if [ "$only" != "  " ] && [[ "$only" != *" $name "* ]]; then
    continue
  fi
  if [ "$lib" = - ]; then
    skipped+=("$name (no library)")
    continue
  fi
  if [ -z "${in_baseline[$name]:-}" ] || [ "${in_baseline[$name]}" = - ]; then
    skipped+=("$name (no library at $baseline)")
    continue
  fi
  echo "semver-check: $name: rustdoc at $baseline and now"
  rustdoc_json "$work/baseline-src" "$name" "${in_baseline[$name]}" "$work/json/$name.baseline.json"
  rustdoc_json "$root" "$name" "$lib" "$work/json/$name.current.json"
  cargo semver-checks check-release \
    --baseline-rustdoc "$work/json/$name.baseline.json" \
    --current-rustdoc "$work/json/$name.current.json"
  checked+=("$name")
done < <(libraries "$root")
echo "semver-check: ${#checked[@]} crates keep their API against $baseline: ${checked[*]}"
for s in "${skipped[@]}"; do echo "semver-check: not checked: $s"; done
