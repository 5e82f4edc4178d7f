#!/usr/bin/env bash
# Build the wheel the way a user installs it (pip install ./bindings/python in a fresh venv),
# then run the pytest suite and mypy --strict over it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
venv="$root/target/python-binding-venv"
python3 -m venv --clear "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q -r bindings/python/requirements-test.txt
# STELLAOPS_BINDINGS_PROFILE=dev (scripts/test.sh) builds the wheel with the dev profile, reusing
# the test suite's build; a user's pip install builds the release one.
# The test wheel turns on the FIDO2 software authenticator (the FIDO2 tests need it; the wheel that
# ships leaves it out).
MATURIN_PEP517_ARGS="--profile ${STELLAOPS_BINDINGS_PROFILE:-release} --features fido2-software" "$venv/bin/pip" install -q ./bindings/python
"$venv/bin/python" -c 'import stellaops_signer, sys; print("installed stellaops_signer", stellaops_signer.__version__, "on", sys.version.split()[0])'
"$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests
"$venv/bin/python" -m mypy --strict --config-file bindings/python/mypy.ini --no-incremental bindings/python/tests
