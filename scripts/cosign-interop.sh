#!/usr/bin/env bash
# cosign against stella, both ways, on the local Sigstore instance (scripts/services.sh):
#   our keyless bundle  -> cosign verify-blob-attestation (accepted; another identity or artifact refused)
#   cosign attest-blob  -> stella verify --bundle (accepted; another identity refused)
#   cosign sign-blob    -> stella verify --bundle (accepted)
#   our keyful bundles (es256, ed25519, rsa-pkcs1) and envelopes -> cosign verify-blob-attestation --key
#   cosign attest-blob --key -> stella verify --bundle --key
#   our release provenance (scripts/release.sh) -> the cosign command its VERIFY.md prints
# cosign v3.1.3 comes from scripts/services.sh (built from the Go module proxy into
# target/services-bin once per machine, ~5 minutes on 2 cores cold). scripts/test.sh runs this
# with the servers it already started ($STELLAOPS_SERVICES set); alone, it starts its own. Any
# unexpected outcome fails. The same against the real Fulcio, TSA and Rekor v2:
# cli/tests/cosign.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup-python.sh >/dev/null
cargo build -q -p stellaops-cli --locked
stella=$root/target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}debug/stella

if [ -n "${STELLAOPS_SERVICES:-}" ]; then
  services=$STELLAOPS_SERVICES
else
  services=$(mktemp -d -t stellaops-cosign.XXXXXX)
  trap '"$root/scripts/services.sh" stop "$services"' EXIT
  scripts/services.sh start "$services" >/dev/null
  # shellcheck source=/dev/null
  source "$services/services.env"
fi
cosign=$STELLAOPS_TEST_COSIGN
url=$STELLAOPS_TEST_SIGSTORE
root_json=$STELLAOPS_TEST_SIGSTORE_DIR/trusted_root.json
issuer=$url/oidc
work=$(mktemp -d -p "$services" cosign-work.XXXXXX)
cd "$work"
printf 'the release tarball\n' >app.tar.gz
printf 'not the release tarball\n' >other.tar.gz
printf '%s' '{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}' >provenance.json
"$root/.venv/bin/python" -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["signingConfig"], open("signing_config.json","w"))' \
  "$STELLAOPS_TEST_SIGSTORE_DIR/trust_config.json"
token() { curl -sf "$issuer/token?email=$1"; }
slsa=https://slsa.dev/provenance/v1

failures=0
expect() { # expect accept|refuse LABEL COMMAND...
  local want=$1 label=$2
  shift 2
  if "$@" >"$work/last.log" 2>&1; then got=accept; else got=refuse; fi
  if [ "$got" = "$want" ]; then
    printf '  ok    %-8s %s\n' "$got" "$label"
  else
    printf '  FAIL  %-8s %s (expected %s)\n' "$got" "$label" "$want"
    sed 's/^/        /' "$work/last.log" | tail -n 5
    failures=$((failures + 1))
  fi
}
cosign_verify() { # BUNDLE IDENTITY ARTIFACT
  "$cosign" verify-blob-attestation --bundle "$1" --trusted-root "$root_json" \
    --certificate-identity "$2" --certificate-oidc-issuer "$issuer" --type "$slsa" "$3"
}
stella_verify() { # BUNDLE IDENTITY ARTIFACT
  "$stella" verify --bundle "$1" --trusted-root "$root_json" \
    --certificate-identity "$2" --certificate-oidc-issuer "$issuer" --artifact "$3"
}

echo "cosign $("$cosign" version 2>&1 | sed -n 's/^GitVersion: *//p') against stella, on $url"
STELLAOPS_OIDC_TOKEN=$(token stella@stellaops.local) "$stella" attest --keyless \
  --fulcio-url "$url" --rekor-url "$url" --predicate-type "$slsa" --predicate provenance.json \
  --out stella.sigstore.json app.tar.gz 2>/dev/null
expect accept "stella attest --keyless bundle in cosign verify-blob-attestation" \
  cosign_verify stella.sigstore.json stella@stellaops.local app.tar.gz
expect refuse "... for another identity" cosign_verify stella.sigstore.json other@stellaops.local app.tar.gz
expect refuse "... for another artifact" cosign_verify stella.sigstore.json stella@stellaops.local other.tar.gz

token cosign@stellaops.local >token.txt
"$cosign" attest-blob --yes --signing-config signing_config.json --trusted-root "$root_json" \
  --identity-token token.txt --predicate provenance.json --type "$slsa" \
  --bundle cosign-attest.sigstore.json app.tar.gz >/dev/null 2>&1
expect accept "cosign attest-blob bundle in stella verify --bundle" \
  stella_verify cosign-attest.sigstore.json cosign@stellaops.local app.tar.gz
expect refuse "... for another identity" stella_verify cosign-attest.sigstore.json other@stellaops.local app.tar.gz
# Not ours to fix, recorded so that a change shows: cosign 3.1.3 writes in-toto Statement v0.1,
# which sigstore-python 4.5.1 refuses (its statement model takes v1 only); stella reads both.
expect refuse "cosign attest-blob bundle in sigstore-python (Statement v0.1, refused by it)" \
  "$root/.venv/bin/sigstore" --trust-config "$STELLAOPS_TEST_SIGSTORE_DIR/trust_config.json" verify identity \
  --offline --bundle cosign-attest.sigstore.json --cert-identity cosign@stellaops.local \
  --cert-oidc-issuer "$issuer" app.tar.gz

token cosign@stellaops.local >token.txt
"$cosign" sign-blob --yes --signing-config signing_config.json --trusted-root "$root_json" \
  --identity-token token.txt --bundle cosign-blob.sigstore.json app.tar.gz >/dev/null 2>&1
expect accept "cosign sign-blob bundle in stella verify --bundle" \
  stella_verify cosign-blob.sigstore.json cosign@stellaops.local app.tar.gz
expect refuse "... for another artifact" stella_verify cosign-blob.sigstore.json cosign@stellaops.local other.tar.gz

# Keyful: our keys, our bundles (public-key hint, Rekor dsse entry) and plain envelopes.
cosign_verify_key() { # BUNDLE KEY ARTIFACT
  "$cosign" verify-blob-attestation --bundle "$1" --trusted-root "$root_json" --key "$2" \
    --type "$slsa" "$3"
}
"$stella" key generate --alg es256 --out stranger.key >/dev/null 2>&1
for alg in es256 ed25519 rsa-pkcs1-sha256; do
  "$stella" key generate --alg "$alg" --bits 2048 --out "$alg.key" >/dev/null 2>&1
  "$stella" attest --key "$alg.key" --sigstore-bundle --rekor-url "$url" --predicate-type "$slsa" \
    --predicate provenance.json --out "$alg.sigstore.json" app.tar.gz 2>/dev/null
  expect accept "stella attest --sigstore-bundle ($alg) in cosign verify-blob-attestation --key" \
    cosign_verify_key "$alg.sigstore.json" "$alg.key.pub" app.tar.gz
  expect refuse "... with another key" cosign_verify_key "$alg.sigstore.json" stranger.key.pub app.tar.gz
  expect refuse "... for another artifact" cosign_verify_key "$alg.sigstore.json" "$alg.key.pub" other.tar.gz
done
# A plain envelope, not logged: cosign reads it with its (deprecated) --signature flag and must
# be told to skip the log. Multi-signed: cosign accepts either key.
"$stella" attest --key es256.key --key ed25519.key --predicate-type "$slsa" \
  --predicate provenance.json --out envelope.json app.tar.gz 2>/dev/null
cosign_verify_envelope() { # KEY ARTIFACT
  "$cosign" verify-blob-attestation --signature envelope.json --insecure-ignore-tlog --key "$1" \
    --type "$slsa" "$2"
}
expect accept "stella attest envelope (es256 + ed25519) in cosign --key es256" cosign_verify_envelope es256.key.pub app.tar.gz
expect accept "... in cosign --key ed25519" cosign_verify_envelope ed25519.key.pub app.tar.gz
expect refuse "... with another key" cosign_verify_envelope stranger.key.pub app.tar.gz
expect refuse "... for another artifact" cosign_verify_envelope es256.key.pub other.tar.gz

# cosign's own keyful bundle (its key, logged in the same Rekor) in stella verify --key.
COSIGN_PASSWORD= "$cosign" generate-key-pair --output-key-prefix cosign >/dev/null 2>&1
COSIGN_PASSWORD= "$cosign" attest-blob --yes --key cosign.key --signing-config signing_config.json \
  --trusted-root "$root_json" --predicate provenance.json --type "$slsa" \
  --bundle cosign-keyful.sigstore.json app.tar.gz >/dev/null 2>&1
stella_verify_key() { # BUNDLE KEY ARTIFACT
  "$stella" verify --bundle "$1" --trusted-root "$root_json" --key "$2" --artifact "$3"
}
expect accept "cosign attest-blob --key bundle in stella verify --bundle --key" \
  stella_verify_key cosign-keyful.sigstore.json cosign.pub app.tar.gz
expect refuse "... with another key" stella_verify_key cosign-keyful.sigstore.json stranger.key.pub app.tar.gz
expect refuse "... for another artifact" stella_verify_key cosign-keyful.sigstore.json cosign.pub other.tar.gz

# Our own release provenance (scripts/release.sh; the test suite leaves one in target/dist), with
# the cosign command its VERIFY.md prints, run as printed.
dist=$root/target/dist
if [ ! -f "$dist/provenance/VERIFY.md" ]; then
  (cd "$root" && STELLAOPS_RELEASE_PROFILE=dev STELLAOPS_RELEASE_VERIFY_CRATES=0 STELLAOPS_RELEASE_SEMVER=0 DIST=target/dist scripts/release.sh >/dev/null)
fi
printed=$(awk '/^cosign verify-blob-attestation/ { line = $0; while (line ~ /\\$/) { sub(/\\$/, "", line); getline more; line = line more } print line }' "$dist/provenance/VERIFY.md")
[ -n "$printed" ] || { echo "cosign interop: VERIFY.md prints no cosign command" >&2; exit 1; }
release_artifact=$(awk '{ print $NF }' <<<"$printed")
release_verify() { # KEY ARTIFACT
  (cd "$dist" && "$cosign" verify-blob-attestation --key "$1" --insecure-ignore-tlog \
    --type https://slsa.dev/provenance/v1 --signature provenance/provenance.intoto.dsse.json "$2")
}
[ "$printed" = "cosign verify-blob-attestation --key provenance/release.pub --insecure-ignore-tlog   --type https://slsa.dev/provenance/v1 --signature provenance/provenance.intoto.dsse.json $release_artifact" ] ||
  { echo "cosign interop: VERIFY.md's cosign command changed; update this check: $printed" >&2; exit 1; }
expect accept "the release provenance (dist/provenance) in cosign, as VERIFY.md prints it" \
  release_verify provenance/release.pub "$release_artifact"
expect refuse "... with another key" release_verify "$work/stranger.key.pub" "$release_artifact"
expect refuse "... for a file that is not in the release" release_verify provenance/release.pub "$work/other.tar.gz"

[ "$failures" -eq 0 ] || { echo "cosign interop: $failures unexpected outcome(s)"; exit 1; }
echo "cosign interop: all as expected"
