#!/usr/bin/env bash
# Installs the C library, already built by cargo, under a prefix:
#   PREFIX/lib/libstellaops_signer.so.X.Y.Z, .so.X (the SONAME) and .so (links)
#   PREFIX/lib/libstellaops_signer.a
#   PREFIX/include/stellaops_signer.h
#   PREFIX/lib/pkgconfig/stellaops_signer.pc
# Usage: scripts/install-c.sh PREFIX [BUILD_DIR]
#   BUILD_DIR: where cargo left the libraries (default target/release; the release script passes
#   its own). Build first: cargo build --release --locked -p stellaops-signer-ffi
# STRIP=1 strips both libraries (the shared one keeps only its dynamic symbols, the static one
# its symbols but no debug info) and writes the shared library's debug info beside the prefix as
# PREFIX/lib/debug/libstellaops_signer.so.X.Y.Z.debug, linked by .gnu_debuglink.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:?usage: scripts/install-c.sh PREFIX [BUILD_DIR]}"
build="${2:-$root/target/release}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
major=${version%%.*}
abi=$(sed -n 's/^#define STELLAOPS_SIGNER_ABI_VERSION \([0-9]*\)$/\1/p' "$root/include/stellaops_signer.h")
[ -n "$version" ] && [ -n "$abi" ] || { echo "install-c: cannot read the version or the ABI version" >&2; exit 1; }
for f in libstellaops_signer.so libstellaops_signer.a; do
  [ -f "$build/$f" ] || { echo "install-c: no $build/$f; build it first (cargo build -p stellaops-signer-ffi)" >&2; exit 1; }
done
soname=$(objdump -p "$build/libstellaops_signer.so" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libstellaops_signer.so.$major" ] ||
  { echo "install-c: the built library's SONAME is '$soname', not libstellaops_signer.so.$major" >&2; exit 1; }
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
real="libstellaops_signer.so.$version"
install -m 0755 "$build/libstellaops_signer.so" "$prefix/lib/$real"
install -m 0644 "$build/libstellaops_signer.a" "$prefix/lib/libstellaops_signer.a"
ln -sfn "$real" "$prefix/lib/libstellaops_signer.so.$major"
ln -sfn "libstellaops_signer.so.$major" "$prefix/lib/libstellaops_signer.so"
install -m 0644 "$root/include/stellaops_signer.h" "$prefix/include/stellaops_signer.h"
repo=$(sed -n 's/^repository = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
sed -e "s|@VERSION@|$version|" -e "s|@ABI@|$abi|" -e "s|@URL@|$repo|" \
  "$root/ffi/stellaops_signer.pc.in" >"$prefix/lib/pkgconfig/stellaops_signer.pc"
if [ "${STRIP:-0}" = 1 ]; then
  mkdir -p "$prefix/lib/debug"
  objcopy --only-keep-debug "$prefix/lib/$real" "$prefix/lib/debug/$real.debug"
  strip --strip-unneeded "$prefix/lib/$real"
  (cd "$prefix/lib" && objcopy --add-gnu-debuglink="debug/$real.debug" "$real")
  strip --strip-debug "$prefix/lib/libstellaops_signer.a"
fi
echo "installed libstellaops_signer $version (ABI $abi, SONAME $soname) under $prefix"
