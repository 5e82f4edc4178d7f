#!/usr/bin/env bash
# Fails when a face built alone (the C ABI, the Python wheel, the Node addon) would resolve a
# dependency with other features than `cargo test --workspace` does: such a dependency, and
# everything above it, is compiled a second time (minutes on CI). The fix is printed: add the
# missing features to workspace-hack/Cargo.toml. Takes seconds; no build.
set -euo pipefail
cd "$(dirname "$0")/.."
features() {
  # One line per package and feature set; a package built for two sides (host and target) may
  # show twice.
  cargo tree --locked "$@" -f '{p} [{f}]' --prefix none --no-dedupe |
    sed -e 's/ (\*)$//' -e 's/ (proc-macro)$//' | LC_ALL=C sort -u
}
workspace=$(mktemp)
face=$(mktemp)
trap 'rm -f "$workspace" "$face"' EXIT
features --workspace -e normal,build,dev >"$workspace"
status=0
# Each face as its test build makes it (with the FIDO2 software authenticator its tests use).
for package in stellaops-signer-ffi stellaops-signer-python stellaops-signer-node; do
  features -p "$package" --features fido2-software -e normal,build >"$face"
  # The face itself is compiled for its artifact anyway; only its dependencies must match.
  drift=$(LC_ALL=C comm -13 "$workspace" "$face" | grep -v "^$package " || true)
  if [ -n "$drift" ]; then
    status=1
    echo "$package resolves these differently from the workspace (its features here; see the workspace's with cargo tree --workspace -e features -i NAME):" >&2
    echo "$drift" | sed 's/^/  /' >&2
  fi
done
[ "$status" -eq 0 ] && echo "build reuse: the faces resolve every dependency as the workspace does"
exit "$status"
