#!/usr/bin/env bash
# Every feature of every shipped crate builds and lints alone (what `cargo hack --each-feature
# --no-dev-deps` does): for each workspace package that is not test scaffolding (tests, benches,
# workspace-hack), clippy with no default features and then with each of its features alone.
# The list comes from `cargo metadata`, so a new feature is checked the day it is added.
set -euo pipefail
cd "$(dirname "$0")/.."
plan=$(cargo metadata --locked --no-deps --format-version 1 | python3 -c '
import json, sys
skip = {"stellaops-tests", "stellaops-benches", "workspace-hack"}
for p in json.load(sys.stdin)["packages"]:
    if p["name"] in skip:
        continue
    print(p["name"], "-")
    for f in sorted(p["features"]):
        if f != "default":
            print(p["name"], f)
')
count=0
while read -r package feature; do
  if [ "$feature" = - ]; then
    cargo clippy -q --locked -p "$package" --no-default-features -- -D warnings
  else
    cargo clippy -q --locked -p "$package" --no-default-features --features "$feature" -- -D warnings
  fi
  count=$((count + 1))
done <<<"$plan"
echo "each feature alone: $count clippy runs clean"
