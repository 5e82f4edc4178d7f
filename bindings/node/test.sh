#!/usr/bin/env bash
# Build @stellaops/signer with the napi-rs CLI (locked by package-lock.json), fail if the
# generated index.d.ts / index.js differ from the committed ones, then run node --test.
set -euo pipefail
cd "$(dirname "$0")"
# npm ci refuses this lock file (npm 11 drops the other platforms' optional packages of
# @napi-rs/cli from it and then calls it out of sync); npm install keeps the locked versions.
npm install --no-audit --no-fund --loglevel=error
# STELLAOPS_BINDINGS_PROFILE=dev (scripts/test.sh) builds the addon with the dev profile, reusing the
# test suite's build; a user's build is the release one.
# (napi-rs looks for a --profile dev build in target/<triple>/dev; Cargo writes it to .../debug,
# where napi-rs looks when no profile is named.)
# The test build turns on the FIDO2 software authenticator (the FIDO2 tests need it; the addon
# that ships leaves it out).
if [ "${STELLAOPS_BINDINGS_PROFILE:-release}" = dev ]; then
  npx napi build --platform --features fido2-software
else
  npx napi build --platform --profile "${STELLAOPS_BINDINGS_PROFILE:-release}" --features fido2-software
fi
if ! git diff --quiet -- index.d.ts index.js; then
  git --no-pager diff --stat -- index.d.ts index.js
  echo "bindings/node: the generated index.d.ts / index.js changed; commit the new ones" >&2
  exit 1
fi
node --test test/
