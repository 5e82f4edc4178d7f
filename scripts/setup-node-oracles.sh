#!/usr/bin/env bash
# Install the pinned Node oracles (sigstore-js: @sigstore/verify) the tests verify our bundles with.
set -euo pipefail
cd "$(dirname "$0")/../tests/node"
npm ci --no-audit --no-fund --silent
node -e 'console.log("node oracles: @sigstore/verify", require("./node_modules/@sigstore/verify/package.json").version)'
