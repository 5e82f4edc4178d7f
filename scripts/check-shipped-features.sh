#!/usr/bin/env bash
# Fails when what ships carries a test feature: the C library, the wheel and the Node addon as a
# user builds them (default features; the wheel with maturin's extension-module) must not contain
# the FIDO2 software authenticator (`fido2-software`: private keys in a file) or its crates, no
# matter what workspace-hack or the test suite turn on. Prints each offending package and
# feature. Takes seconds; no build. (The CLI keeps the authenticator for demonstrations.)
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for spec in stellaops-signer-ffi: stellaops-signer-python:extension-module stellaops-signer-node:; do
  package=${spec%%:*}
  features=${spec#*:}
  tree=$(cargo tree --locked -p "$package" ${features:+--features "$features"} -e normal,build \
    -f '{p} [{f}]' --prefix none --no-dedupe | sed -e 's/ (\*)$//' | LC_ALL=C sort -u)
  offending=$(grep -E 'fido2-software|^passkey-authenticator ' <<<"$tree" || true)
  if [ -n "$offending" ]; then
    status=1
    echo "$package ships a test feature (cargo tree -e features -p $package):" >&2
    echo "$offending" | sed 's/^/  /' >&2
  else
    echo "$package: no test feature ($(wc -l <<<"$tree") packages checked)"
  fi
done
exit "$status"
