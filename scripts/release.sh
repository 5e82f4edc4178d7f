#!/usr/bin/env bash
# Builds every installable artifact into dist/, from this checkout:
#   dist/c/stellaops-signer-V-TRIPLE.tar.gz   the C library under a prefix (lib/libstellaops_signer.so.V
#                                             with its SONAME, the .a, include/, lib/pkgconfig/)
#   dist/cli/stella-V-TRIPLE                  the CLI (AWS-LC linked in; needs only the C library)
#   dist/python/*.whl, *.tar.gz               the manylinux abi3 wheel and the sdist
#   dist/npm/*.tgz                            @stellaops/signer and @stellaops/signer-linux-x64-gnu
#   dist/crates/*.crate                       every publishable crate (cargo package, verified)
#   dist/go/                                  the Go module as a module proxy serves it (GOPROXY
#                                             layout: @v/list, .info, .mod, .zip), for a mirror
#   dist/debug/*.debug                        the debug info stripped from the native files
#   dist/SHA256SUMS                           every file above
#   dist/provenance/                          SLSA provenance v1 about every file, signed (see below)
# Native files ship stripped; their debug info is beside them in dist/debug/, linked by
# .gnu_debuglink.
#
# Environment:
#   STELLAOPS_RELEASE_PROFILE  cargo profile (default release; the test suite uses dev to reuse its
#                              build: same packaging, unoptimized code)
#   STELLAOPS_RELEASE_KEY      the key that signs the provenance (a path or key URI that stella
#                              reads); default: a fresh ECDSA P-256 key in dist/provenance/, which
#                              proves the flow but not who released (a real release names its key)
#   DIST                       output directory (default ./dist; emptied first)
#   SOURCE_DATE_EPOCH          timestamps inside archives (default: the commit's time)
#   STELLAOPS_RELEASE_ALLOW_DIRTY=1  package uncommitted changes (trying the script out only)
#   STELLAOPS_RELEASE_VERIFY_CRATES=0  cargo package --no-verify (the test suite's time budget)
#   STELLAOPS_SEMVER_BASELINE  the git revision whose public Rust API this release must not break
#                              (default: the newest v* tag); STELLAOPS_RELEASE_SEMVER=0 skips it
# Python build tools (maturin, auditwheel) come from PyPI into target/release-venv, pinned in
# scripts/release-requirements.txt; the npm tarballs use the napi-rs CLI locked in bindings/node.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
profile="${STELLAOPS_RELEASE_PROFILE:-release}"
dist="${DIST:-$root/dist}"
triple="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
# napi-rs always builds for an explicit --target, so everything does (one build tree).
export CARGO_BUILD_TARGET="$triple"
case "$profile" in
  dev) out_dir=debug ;;
  *) out_dir="$profile" ;;
esac
build="$root/target/$triple/$out_dir"
# The workspace's packages, read once: the version and the publishable crates come from here.
metadata=$(cargo metadata --no-deps --format-version 1 --locked)
version=$(python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "stellaops-signer"))' <<<"$metadata")
commit=$(git rev-parse HEAD)
# Not exported while cargo runs: build scripts that watch SOURCE_DATE_EPOCH would rebuild.
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
started=$SECONDS
step() { printf '\n==> release: %s   [%ds]\n' "$*" $((SECONDS - started)); }
# Strips a native file in place and moves its debug info to dist/debug/NAME.debug.
strip_into_debug() {
  local file=$1 name
  name=$(basename "$file")
  objcopy --only-keep-debug "$file" "$dist/debug/$name.debug"
  strip --strip-unneeded "$file"
  (cd "$dist/debug" && objcopy --add-gnu-debuglink="$name.debug" "$file")
}
size_of() { stat -c %s "$1"; }

work=$(mktemp -d -t stellaops-release.XXXXXX)
trap 'rm -rf "$work"' EXIT
rm -rf "$dist"
mkdir -p "$dist"/{c,cli,python,npm,crates,go,debug,provenance}
# Absolute from here on: some steps run in other directories.
dist=$(cd "$dist" && pwd)
sizes="$work/sizes.tsv"
: >"$sizes"

step "C library ($profile)"
# Each face builds in its own cargo invocation: features are resolved per invocation, so the
# CLI's demonstration features never reach the library (scripts/check-shipped-features.sh).
cargo build --locked --profile "$profile" -p stellaops-signer-ffi
c_name="stellaops-signer-$version-$triple"
prefix="$work/c/$c_name"
echo "libstellaops_signer.so (as built)	$(size_of "$build/libstellaops_signer.so")" >>"$sizes"
echo "libstellaops_signer.a (as built)	$(size_of "$build/libstellaops_signer.a")" >>"$sizes"
scripts/install-c.sh "$prefix" "$build"
real=$(basename "$(readlink -f "$prefix/lib/libstellaops_signer.so")")
strip_into_debug "$prefix/lib/$real"
strip --strip-debug "$prefix/lib/libstellaops_signer.a"
cp LICENSE "$prefix/"
echo "$real (stripped)	$(size_of "$prefix/lib/$real")" >>"$sizes"
echo "libstellaops_signer.a (debug info stripped)	$(size_of "$prefix/lib/libstellaops_signer.a")" >>"$sizes"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -C "$work/c" -cf - "$c_name" | gzip -n >"$dist/c/$c_name.tar.gz"

step "CLI ($profile)"
cargo build --locked --profile "$profile" -p stellaops-cli
cli="$dist/cli/stella-$version-$triple"
install -m 0755 "$build/stella" "$cli"
echo "stella (as built)	$(size_of "$cli")" >>"$sizes"
strip_into_debug "$cli"
echo "stella (stripped)	$(size_of "$cli")" >>"$sizes"
# What it needs at run time: the C library and the loader only (AWS-LC is linked in).
needed=$(objdump -p "$cli" | awk '$1 == "NEEDED" { print $2 }' | sort | tr '\n' ' ')
echo "stella needs: $needed"
for lib in $needed; do
  case "$lib" in
    libc.so.6 | libm.so.6 | libgcc_s.so.1 | ld-linux-x86-64.so.2 | libdl.so.2 | libpthread.so.0) ;;
    *) echo "release: the CLI needs $lib, which a fresh machine may lack" >&2; exit 1 ;;
  esac
done

step "Python wheel (manylinux, abi3) and sdist"
venv="$root/target/release-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r scripts/release-requirements.txt
# The oldest manylinux policy this machine's glibc (2.36) can build for without another sysroot:
# Rust's std and AWS-LC bind dlopen/pthread symbols of GLIBC_2.34 (manylinux_2_34: Debian 12,
# Ubuntu 22.04, RHEL 9 and later). maturin refuses the wheel if a symbol needs more.
manylinux=manylinux_2_34
"$venv/bin/maturin" build --locked --profile "$profile" --strip --compatibility "$manylinux" \
  -m bindings/python/Cargo.toml --out "$dist/python" --quiet
"$venv/bin/maturin" sdist -m bindings/python/Cargo.toml --out "$dist/python"
wheel=$(ls "$dist"/python/*.whl)
"$venv/bin/auditwheel" show "$wheel" | tee "$work/auditwheel.txt"
grep -q "consistent with the following platform tag: \"${manylinux}_x86_64\"" "$work/auditwheel.txt" ||
  grep -q "\"${manylinux}_x86_64\"" "$work/auditwheel.txt" ||
  { echo "release: auditwheel does not place the wheel in $manylinux" >&2; exit 1; }
echo "$(basename "$wheel")	$(size_of "$wheel")" >>"$sizes"

step "npm: @stellaops/signer and its platform package"
node_dir="$work/npm"
mkdir -p "$node_dir/main"
(
  cd bindings/node
  npm install --no-audit --no-fund --loglevel=error
  # The addon without the test-only FIDO2 software authenticator; index.js/index.d.ts are the
  # committed ones (the test build checks that they match the code), so none is written here.
  if [ "$profile" = dev ]; then
    npx napi build --platform --no-js --dts "$node_dir/unused.d.ts" -o "$node_dir" >/dev/null
  else
    npx napi build --platform --no-js --dts "$node_dir/unused.d.ts" -o "$node_dir" --profile "$profile" >/dev/null
  fi
)
addon="$node_dir/stellaops-signer.linux-x64-gnu.node"
[ -f "$addon" ] || { echo "release: napi build left no $addon" >&2; exit 1; }
echo "stellaops-signer.linux-x64-gnu.node (as built)	$(size_of "$addon")" >>"$sizes"
cp -r bindings/node/npm/linux-x64-gnu "$node_dir/platform"
mv "$addon" "$node_dir/platform/"
strip_into_debug "$node_dir/platform/$(basename "$addon")"
echo "stellaops-signer.linux-x64-gnu.node (stripped)	$(size_of "$node_dir/platform/$(basename "$addon")")" >>"$sizes"
cp bindings/node/index.js bindings/node/index.mjs bindings/node/index.d.ts "$node_dir/main/"
# The published package.json: the platform packages as optional dependencies (what napi-rs's
# pre-publish step adds), no build scripts or development dependencies.
node -e '
  const fs = require("fs");
  const [src, platformSrc, dst] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(src, "utf8"));
  const platform = JSON.parse(fs.readFileSync(platformSrc, "utf8"));
  delete pkg.devDependencies;
  delete pkg.scripts;
  pkg.files = ["index.js", "index.mjs", "index.d.ts"];
  pkg.optionalDependencies = { [platform.name]: pkg.version };
  if (platform.version !== pkg.version) throw new Error(`${platform.name} is ${platform.version}, not ${pkg.version}`);
  fs.writeFileSync(dst, JSON.stringify(pkg, null, 2) + "\n");
' bindings/node/package.json bindings/node/npm/linux-x64-gnu/package.json "$node_dir/main/package.json"
(cd "$node_dir/main" && npm pack --silent --pack-destination "$dist/npm" >/dev/null)
(cd "$node_dir/platform" && npm pack --silent --pack-destination "$dist/npm" >/dev/null)
for t in "$dist"/npm/*.tgz; do echo "$(basename "$t")	$(size_of "$t")" >>"$sizes"; done

step "Go module: $(sed -n 's/^module //p' bindings/go/go.mod) v$version (module proxy layout)"
python3 scripts/go-module-zip.py bindings/go "v$version" "$epoch" "$dist/go"

step "Rust crates: cargo package (each one built from its package, in dependency order)"
publishable=$(python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p.get("publish") != []:
        print(p["name"])' <<<"$metadata")
args=()
for p in $publishable; do args+=(-p "$p"); done
dirty=()
# A release comes from a commit; STELLAOPS_RELEASE_ALLOW_DIRTY=1 packages uncommitted work (for
# trying the script out; the provenance then names a commit that is not what was built).
[ "${STELLAOPS_RELEASE_ALLOW_DIRTY:-0}" = 1 ] && dirty=(--allow-dirty)
verify=()
# STELLAOPS_RELEASE_VERIFY_CRATES=0 packages without compiling each package (the test suite).
[ "${STELLAOPS_RELEASE_VERIFY_CRATES:-1}" = 0 ] && verify=(--no-verify)
cargo package --locked "${dirty[@]}" "${verify[@]}" "${args[@]}"
for p in $publishable; do
  cp "target/package/$p-$version.crate" "$dist/crates/"
done

step "Rust API: cargo semver-checks against the previous release"
# The previous release is the newest v* tag (or STELLAOPS_SEMVER_BASELINE, any git revision).
# Without one (the first release) there is nothing to compare with, and the script says so.
baseline="${STELLAOPS_SEMVER_BASELINE:-$(git describe --tags --abbrev=0 --match 'v*' 2>/dev/null || true)}"
if [ "${STELLAOPS_RELEASE_SEMVER:-1}" = 0 ]; then
  echo "semver-checks: not run (STELLAOPS_RELEASE_SEMVER=0)"
elif [ -z "$baseline" ]; then
  echo "semver-checks: no earlier release (no v* tag): the first release has no API to break"
else
  # Every publishable library crate, against its API at $baseline.
  scripts/semver-check.sh "$baseline"
fi

step "sizes (bytes)"
column -t -s $'\t' "$sizes" | tee "$dist/SIZES.txt"

step "SHA256SUMS and signed provenance"
SOURCE_DATE_EPOCH=$epoch scripts/release-provenance.sh "$dist" "$cli" "$commit" "$profile"
echo
echo "dist/ is ready ($((SECONDS - started)) s)."
