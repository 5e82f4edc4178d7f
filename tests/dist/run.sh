#!/usr/bin/env bash
# Installs what scripts/release.sh put in DIST the way each ecosystem's users do, outside the
# repository and with no Rust toolchain on PATH, and uses it:
#   checksums   sha256sum -c SHA256SUMS
#   C           the tarball unpacked into a prefix; a program built with only
#               `pkg-config --cflags --libs stellaops_signer`, linked dynamically (SONAME checked)
#               and statically
#   CLI         dist/cli/stella with an empty environment; the verification commands of
#               provenance/VERIFY.md run as printed (stella, securesystemslib)
#   Go          a temporary module that requires git.stella-ops.org/stellaops/signer/bindings/go
#               from a module proxy made of dist/go, linked through pkg-config; it also checks the
#               provenance with in-toto's SLSA v1 validator
#   Python      the wheel into a fresh venv (no index); the sdist builds a wheel (this one needs Rust)
#   Node        the two npm tarballs into an empty project (--offline); CJS and ESM
# Usage: tests/dist/run.sh [DIST]   (default ./dist). Any failure fails the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dist="$(cd "${1:-$root/dist}" && pwd)"
work=$(mktemp -d -t stellaops-dist.XXXXXX)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
pub="$dist/provenance/release.pub"
provenance="$dist/provenance/provenance.intoto.dsse.json"
say() { printf '\n--- dist: %s\n' "$*"; }

# securesystemslib runs VERIFY.md's Python block: the pinned oracles' venv (.venv), made here when
# this script runs on its own rather than after scripts/test.sh.
"$root/scripts/setup-python.sh" >/dev/null

# PATH without any directory that holds cargo or rustc: what a user of a binary artifact has.
rust_path=$PATH
clean_path=
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -x "$d/cargo" ] || [ -x "$d/rustc" ] || [ -x "$d/rustup" ] && continue
  clean_path="${clean_path:+$clean_path:}$d"
done
export PATH=$clean_path
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
  echo "dist: a Rust toolchain is still on PATH" >&2
  exit 1
fi

say "crate packages: a readme, the license, no path dependency"
for crate in "$dist"/crates/*.crate; do
  name=$(basename "$crate" .crate)
  listing=$(tar -tzf "$crate")
  grep -qx "$name/README.md" <<<"$listing" && grep -qx "$name/LICENSE" <<<"$listing" ||
    { echo "dist: $name lacks README.md or LICENSE" >&2; exit 1; }
  tar -xzOf "$crate" "$name/Cargo.toml" | python3 -c '
import sys, tomllib
manifest = tomllib.loads(sys.stdin.read())
tables = [manifest.get(k, {}) for k in ("dependencies", "build-dependencies")]
tables += [t.get(k, {}) for t in manifest.get("target", {}).values() for k in ("dependencies", "build-dependencies")]
bad = [n for t in tables for n, d in t.items() if isinstance(d, dict) and "path" in d]
sys.exit(f"dist: {sys.argv[1]} still has path dependencies: {bad}" if bad else 0)' "$name"
done
echo "$(ls "$dist"/crates/*.crate | wc -l) crates: each with README.md and LICENSE, no path dependency"

say "checksums"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS && echo "SHA256SUMS: $(wc -l <SHA256SUMS) files match")

say "C: pkg-config against an unpacked prefix"
# A fixed place, for the Go build below (see GOCACHE there).
unpacked="$root/target/dist-prefix"
rm -rf "$unpacked" && mkdir -p "$unpacked"
tar -xzf "$dist"/c/stellaops-signer-*.tar.gz -C "$unpacked"
prefix=$(echo "$unpacked"/stellaops-signer-*)
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion stellaops_signer)" = "$version" ]
soname=$(objdump -p "$prefix/lib/libstellaops_signer.so.$version" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libstellaops_signer.so.${version%%.*}" ] || { echo "dist: SONAME is '$soname'" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "$here/c/main.c" $(pkg-config --cflags --libs stellaops_signer) -o "$work/c-dynamic"
needed=$(objdump -p "$work/c-dynamic" | awk '$1 == "NEEDED" && /stellaops/ { print $2 }')
[ "$needed" = "$soname" ] || { echo "dist: the program needs '$needed', not the SONAME $soname" >&2; exit 1; }
LD_LIBRARY_PATH="$prefix/lib" "$work/c-dynamic" "$version" "$pub" "$provenance"
# Static: the archive and the system libraries pkg-config lists as private.
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "$here/c/main.c" $(pkg-config --cflags stellaops_signer) \
  "$prefix/lib/libstellaops_signer.a" $(pkg-config --static --libs-only-l stellaops_signer | sed 's/-lstellaops_signer//') \
  -o "$work/c-static"
if objdump -p "$work/c-static" | grep -q 'NEEDED.*stellaops'; then
  echo "dist: the static program still needs the shared library" >&2
  exit 1
fi
"$work/c-static" "$version" "$pub" "$provenance"

say "CLI: dist/cli/stella with an empty environment"
stella=$(echo "$dist"/cli/stella-*)
[ "$(env -i "$stella" --version)" = "stella $version" ]
env -i HOME="$work/home" "$stella" key generate --alg ed25519 --out "$work/cli.pem" >/dev/null 2>&1
printf 'payload\n' >"$work/payload"
env -i HOME="$work/home" "$stella" sign --key "$work/cli.pem" --payload-type text/plain --out "$work/cli.dsse.json" "$work/payload"
env -i HOME="$work/home" "$stella" verify --key "$work/cli.pem.pub" --payload-type text/plain "$work/cli.dsse.json"

say "the verification commands of provenance/VERIFY.md, as printed"
verify_md="$dist/provenance/VERIFY.md"
# The stella lines run with this release's CLI; the Python block with securesystemslib (.venv).
grep '^stella verify' "$verify_md" | sed "s|^stella |\"$stella\" |" >"$work/verify-stella.sh"
[ "$(wc -l <"$work/verify-stella.sh")" = 2 ] || { echo "dist: VERIFY.md lost its stella commands" >&2; exit 1; }
(cd "$dist" && sha256sum --quiet -c SHA256SUMS && bash -euo pipefail "$work/verify-stella.sh")
awk '/^python3 - <<.PY.$/ { inside = 1; next } inside && /^PY$/ { inside = 0 } inside' "$verify_md" >"$work/verify.py"
[ -s "$work/verify.py" ] || { echo "dist: VERIFY.md lost its securesystemslib block" >&2; exit 1; }
(cd "$dist" && "$root/.venv/bin/python" "$work/verify.py")
# A provenance signed by another key is refused by the same commands.
(cd "$dist" && ! "$stella" verify --key "$work/cli.pem.pub" --type slsa-provenance provenance/provenance.intoto.dsse.json 2>/dev/null)

say "Go: a module outside the repository requires the binding from dist/go"
module=$(sed -n 's/^module //p' "$root/bindings/go/go.mod")
gomodcache=$(go env GOMODCACHE)
# The module cache keeps what it extracted once; forget any earlier copy of this version.
chmod -R u+w "$gomodcache/$module@v$version" "$gomodcache/cache/download/$module" 2>/dev/null || true
rm -rf "$gomodcache/$module@v$version" "$gomodcache/cache/download/$module"
mkdir -p "$work/go" && cp "$here/go/main.go" "$work/go/"
(
  cd "$work/go"
  export GOPROXY="file://$dist/go,$(go env GOPROXY)" GONOSUMDB="${module%%/*}" GOFLAGS=-mod=mod
  # Its own build cache: Go's keeps the -L path pkg-config gave when the binding was compiled
  # (the pkg-config output is not part of its key), so a cache shared with other builds could
  # link against another prefix.
  export GOCACHE="$root/target/dist-gocache"
  go mod init example.com/distcheck >/dev/null 2>&1
  go get "$module@v$version" github.com/in-toto/attestation@v1.2.0 >/dev/null 2>&1 ||
    { go get "$module@v$version" github.com/in-toto/attestation@v1.2.0; exit 1; }
  go mod tidy >/dev/null 2>&1 || go mod tidy
  go build -o distcheck .
  echo "the Go program (dynamically linked through pkg-config): $(stat -c %s distcheck) bytes"
  LD_LIBRARY_PATH="$prefix/lib" ./distcheck "$pub" "$provenance"
)

say "Python: the wheel in a fresh venv, no index"
wheel=$(echo "$dist"/python/*.whl)
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --no-index --disable-pip-version-check "$wheel"
(cd "$work" && "$work/venv/bin/python" "$here/python/smoke.py" "$version" "$pub" "$provenance")

say "Node: the two tarballs into an empty project, offline"
mkdir -p "$work/node"
(
  cd "$work/node"
  npm init -y >/dev/null
  npm install --offline --no-audit --no-fund --loglevel=error "$dist"/npm/*.tgz
  [ -f node_modules/@stellaops/signer-linux-x64-gnu/stellaops-signer.linux-x64-gnu.node ]
  [ ! -e node_modules/@stellaops/signer/stellaops-signer.linux-x64-gnu.node ]
  cp "$here"/node/smoke.* .
  node smoke.cjs "$version" "$pub" "$provenance"
  node smoke.mjs "$pub" "$provenance"
)

say "Python: the sdist builds a wheel (needs Rust: PATH has it again)"
sdist=$(echo "$dist"/python/*.tar.gz)
# STELLAOPS_RELEASE_PROFILE=dev (the test suite) builds it with the test build's profile and target
# directory, so only our own crates compile again.
(
  export PATH=$rust_path
  if [ "${STELLAOPS_RELEASE_PROFILE:-release}" = dev ]; then
    export MATURIN_PEP517_ARGS="--profile dev" CARGO_TARGET_DIR="$root/target"
  fi
  "$work/venv/bin/pip" wheel -q --no-deps --disable-pip-version-check -w "$work/from-sdist" "$sdist"
)
built=$(echo "$work"/from-sdist/*.whl)
case "$(basename "$built")" in
  stellaops_signer-"$version"-cp39-abi3-*.whl) echo "the sdist built $(basename "$built")" ;;
  *) echo "dist: the sdist built $(basename "$built")" >&2; exit 1 ;;
esac
python3 -m venv "$work/venv-sdist"
"$work/venv-sdist/bin/pip" install -q --no-index --disable-pip-version-check "$built"
(cd "$work" && "$work/venv-sdist/bin/python" "$here/python/smoke.py" "$version" "$pub" "$provenance")

echo
echo "dist: every artifact installed and worked outside the repository"
