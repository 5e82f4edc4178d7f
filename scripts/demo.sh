#!/usr/bin/env bash
# The main job, for a newcomer: sign and verify a real CycloneDX SBOM with the embedded default key.
# The default key is created once under $STELLA_HOME (default: ~/.config/stellaops).
# It builds only what it uses: stella with software keys (no HSM, KMS, Vault, FIDO2, Redis or
# registry clients: `--no-default-features`), with the test suite's build settings, so that
# scripts/test.sh afterwards reuses the dependencies it compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/build-env.sh
source scripts/build-env.sh
cargo build --quiet --locked -p stellaops-cli --no-default-features
stella=target/$CARGO_BUILD_TARGET/debug/stella
out=target/demo
mkdir -p "$out"
sbom=examples/sbom/hello-app.cdx.json
artifact=examples/hello-app/app.py

echo "== sign the SBOM itself (payloadType application/vnd.cyclonedx+json)"
"$stella" sign --payload-type application/vnd.cyclonedx+json --out "$out/sbom.dsse.json" "$sbom"
"$stella" verify --payload-type application/vnd.cyclonedx+json "$out/sbom.dsse.json"

echo "== attest the application with the SBOM as predicate (in-toto Statement v1)"
"$stella" attest --predicate-type cyclonedx --predicate "$sbom" --out "$out/sbom.intoto.dsse.json" "$artifact"
"$stella" verify --payload-type application/vnd.in-toto+json --artifact "$artifact" "$out/sbom.intoto.dsse.json"
"$stella" inspect "$out/sbom.intoto.dsse.json"
echo "== done: envelopes in $out/"
