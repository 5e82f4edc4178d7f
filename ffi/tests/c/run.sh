#!/usr/bin/env bash
# Build libstellaops_signer, compile the C test against the committed header, and run it three
# ways: against the shared library, under valgrind (0 errors, no definitely lost bytes), and as an
# AddressSanitizer + UBSan build against the static library. Also compiles the header as C++.
# Any failure fails the run; a missing tool is an error, not a skip.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
profile="${PROFILE:-release}"
out="$root/target/c-tests"
mkdir -p "$out"

for tool in cc c++ valgrind openssl python3 curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done

# The test build: with the FIDO2 software authenticator, which the shipped library leaves out.
cargo build -p stellaops-signer-ffi --locked --profile "$profile" --features fido2-software --quiet
# Cargo puts the dev profile's output in target/debug, and a build for an explicit target
# (CARGO_BUILD_TARGET, as scripts/test.sh sets) one level deeper.
if [ "$profile" = dev ]; then dir=debug; else dir="$profile"; fi
lib="$root/target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}$dir"

# Keys made by another implementation: an RSA-2048 PKCS#8 key and an encrypted P-256 key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/rsa.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
  openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:correct-horse -out "$out/ec-enc.pem"
args=("$out/rsa.pem" "$out/ec-enc.pem" correct-horse "$out/pipeline" "$out/sigstore" "$out/fido2")
# A pipeline configuration and requests whose tokens and proofs pyca/cryptography minted; made
# afresh before each run, since DPoP proofs are only good for a minute.
# STELLAOPS_PYTHON (services.env) has pyca/cryptography; plain python3 may not.
# Sigstore: the local instance scripts/services.sh started (Fulcio, Rekor, an OIDC issuer that
# mints tokens), its trusted root, signer settings and policies as JSON, and an artifact. Made
# afresh before each run too, for a fresh identity token.
: "${STELLAOPS_TEST_SIGSTORE:?start the servers: scripts/services.sh start DIR; source DIR/services.env}"
sigstore_fixture() {
  local d="$out/sigstore" url=$STELLAOPS_TEST_SIGSTORE
  rm -rf "$d" && mkdir -p "$d"
  cp "$STELLAOPS_TEST_SIGSTORE_DIR/trusted_root.json" "$d/"
  curl -sf "$url/oidc/token?email=c-abi@stellaops.local" >"$d/token"
  printf '{"fulcio_url":"%s","rekor_url":"%s","oidc_issuer":"%s/oidc","trusted_root":"%s"}' \
    "$url" "$url" "$url" "$d/trusted_root.json" >"$d/keyless.json"
  printf '{"rekor_url":"%s","trusted_root":"%s"}' "$url" "$d/trusted_root.json" >"$d/keyful.json"
  printf '{"certificate_identity":"c-abi@stellaops.local","certificate_oidc_issuer":"%s/oidc"}' \
    "$url" >"$d/policy.json"
  printf '{"certificate_identity_regexp":"someone-else@.*","certificate_oidc_issuer":"%s/oidc"}' \
    "$url" >"$d/policy-other.json"
  printf 'the release tarball\n' >"$d/app.tar.gz"
  printf 'not the release tarball\n' >"$d/other.tar.gz"
  sha256sum "$d/app.tar.gz" | cut -c1-64 | tr -d '\n' >"$d/app.sha256"
}
# FIDO2: the credential file and software authenticator of tests/vectors/fido2/ (signing rewrites
# the authenticator's state, so each run gets a fresh copy).
fido2_fixture() {
  rm -rf "$out/fido2" && mkdir -p "$out/fido2"
  cp tests/vectors/fido2/credential.json tests/vectors/fido2/authenticator.json "$out/fido2/"
}
pipeline_fixture() {
  rm -rf "$out/pipeline" && "${STELLAOPS_PYTHON:-python3}" scripts/pipeline_fixture.py "$out/pipeline"
  sigstore_fixture
  fido2_fixture
}

# The shared vectors, as a C header.
python3 ffi/tests/c/vectors_to_c.py "$out/vectors.h"

warnings=(-std=c11 -Wall -Wextra -Wpedantic -Werror -Wconversion -Wno-sign-conversion)
libs=(-lpthread -ldl -lm)

echo "--- header compiles as C++"
c++ -std=c++17 -Wall -Wextra -Werror -fsyntax-only -x c++ -include stdio.h -I include \
  - <<<'#include "stellaops_signer.h"
int main() { return stellaops_abi_version() >= STELLAOPS_SIGNER_ABI_VERSION ? 0 : 1; }'

# The shared library as users get it: installed under a prefix (its SONAME,
# libstellaops_signer.so.0, is a file there), found by rpath.
rm -rf "$out/prefix"
scripts/install-c.sh "$out/prefix" "$lib" >/dev/null
shared="$out/prefix/lib"

echo "--- against the shared library"
cc "${warnings[@]}" -O1 -g -I include -I "$out" ffi/tests/c/test_ffi.c -L "$shared" -Wl,-rpath,"$shared" \
  -lstellaops_signer "${libs[@]}" -o "$out/test_ffi_shared"
pipeline_fixture
"$out/test_ffi_shared" "${args[@]}"

echo "--- under valgrind"
pipeline_fixture
valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite "$out/test_ffi_shared" "${args[@]}"

echo "--- AddressSanitizer + UBSan, static library"
cc "${warnings[@]}" -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
  -fno-sanitize-recover=all -I include -I "$out" ffi/tests/c/test_ffi.c "$lib/libstellaops_signer.a" \
  "${libs[@]}" -o "$out/test_ffi_asan"
pipeline_fixture
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$out/test_ffi_asan" "${args[@]}"

# Signers and verifiers from callbacks, with GOST R 34.10-2012 from OpenSSL's gost engine: an
# algorithm the library does not implement. The envelope is then checked by openssl itself over
# the PAE (dsse_pae.py rebuilds it from the envelope), not by this library.
echo "--- GOST R 34.10-2012 through callbacks (OpenSSL gost engine)"
gost=(-engine gost)
openssl engine gost -t >/dev/null 2>&1 || { echo "run.sh: the OpenSSL gost engine is required (libengine-gost-openssl)" >&2; exit 1; }
mkdir -p "$out/gost"
openssl genpkey "${gost[@]}" -algorithm gost2012_256 -pkeyopt paramset:A -out "$out/gost/private.pem" 2>/dev/null
openssl pkey "${gost[@]}" -in "$out/gost/private.pem" -pubout -out "$out/gost/public.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/gost/ec.pem" 2>/dev/null
gost_args=("$out/gost/private.pem" "$out/gost/public.pem" "$out/gost/ec.pem" "$out/gost")
cc "${warnings[@]}" -O1 -g -I include ffi/tests/c/test_gost.c -L "$shared" -Wl,-rpath,"$shared" \
  -lstellaops_signer -lcrypto "${libs[@]}" -o "$out/test_gost_shared"
cc "${warnings[@]}" -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
  -fno-sanitize-recover=all -I include ffi/tests/c/test_gost.c "$lib/libstellaops_signer.a" \
  -lcrypto "${libs[@]}" -o "$out/test_gost_asan"
check_gost_envelope() {
  rm -f "$out/gost/gost.dsse.json" "$out"/gost/*.bin
  "$@" "${gost_args[@]}"
  n=$(python3 ffi/tests/c/dsse_pae.py "$out/gost/gost.dsse.json" "$out/gost")
  [ "$n" = 1 ] || { echo "run.sh: the GOST envelope has $n signatures, want 1" >&2; exit 1; }
  openssl dgst "${gost[@]}" -md_gost12_256 -verify "$out/gost/public.pem" \
    -signature "$out/gost/sig-0.bin" "$out/gost/pae.bin" 2>/dev/null | grep -qx 'Verified OK' ||
    { echo "run.sh: openssl does not verify the GOST envelope" >&2; exit 1; }
  echo "openssl dgst -md_gost12_256 -verify: Verified OK"
}
check_gost_envelope "$out/test_gost_shared"
check_gost_envelope valgrind --quiet --error-exitcode=99 --leak-check=full \
  --errors-for-leak-kinds=definite --show-leak-kinds=definite "$out/test_gost_shared"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 check_gost_envelope "$out/test_gost_asan"

echo "C tests: all three runs clean"
