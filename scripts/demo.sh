#!/usr/bin/env bash
# The main job, for a newcomer: sign and verify a real CycloneDX SBOM with the embedded default key.
# The default key is created once under $STELLA_HOME (default: ~/.config/stellaops).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p stellaops-cli
stella=target/debug/stella
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
