#!/usr/bin/env bash
# Create .venv with the pinned Python oracles (securesystemslib, rfc8785) the tests compare against.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
"$venv/bin/python" -c 'import securesystemslib, rfc8785, openapi_spec_validator; print("python oracles: securesystemslib", securesystemslib.__version__)'
