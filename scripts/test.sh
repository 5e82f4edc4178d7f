#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what it needs, then runs formatting, lints,
# every Rust test (unit, Wycheproof, property, CLI, interop with securesystemslib/rfc8785/OpenSSL),
# the C ABI tests (plain, valgrind, ASan), the Go binding's tests with -race (go-securesystemslib
# interop), the Python wheel (pip install in a fresh venv, pytest, mypy --strict, securesystemslib
# interop) and the Node package (napi build, node --test), all on the shared vectors in
# tests/vectors/, with every key backend against a real server (scripts/services.sh), keyless
# signing against the real Sigstore servers (Fulcio, TesseraCT, timestamp authority, Rekor v2,
# Rekor v1 on Trillian and MariaDB) and a local stand-in kept for fault injection (checked by
# sigstore-python, sigstore-js and cosign), then
# cargo-deny (advisories offline, from ../shared/data), and every fuzz target: its corpus replayed
# and a few seconds of fuzzing each (ASan). .ci/run calls
# exactly this. A missing tool fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
# Each step says how long the run has taken so far and how much the build trees hold, so a slow
# or disk-hungry step shows up in the CI log (a CI run once died of a full disk in the build).
step() {
  local used
  used=$(du -sh target fuzz/target 2>/dev/null | awk '{printf "%s%s %s", sep, $2, $1; sep=", "}' || true)
  printf '\n==> %s   [%dm%02ds elapsed; %s]\n' "$*" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "${used:-no build trees yet}"
}

# The build settings the demo shares (scripts/build-env.sh says why each).
# shellcheck source=scripts/build-env.sh
source scripts/build-env.sh

step "tools"
need_apt=()
command -v openssl >/dev/null || need_apt+=(openssl)
command -v sha512sum >/dev/null || need_apt+=(coreutils)
python3 -c 'import venv' 2>/dev/null || need_apt+=(python3-venv)
command -v valgrind >/dev/null || need_apt+=(valgrind)
command -v cc >/dev/null && command -v c++ >/dev/null || need_apt+=(build-essential)
# The fido2-hid feature's hidapi build (ctap-hid-fido2) links libudev.
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
pkg-config --exists libudev 2>/dev/null || need_apt+=(libudev-dev)
# The C test of caller-supplied signers signs with GOST R 34.10-2012 through OpenSSL's engine.
[ -f /usr/include/openssl/evp.h ] || need_apt+=(libssl-dev)
openssl engine gost -t >/dev/null 2>&1 || need_apt+=(libengine-gost-openssl)
# The C ABI's baseline check (scripts/abi-check.sh) uses libabigail.
command -v abidiff >/dev/null || need_apt+=(abigail-tools)
# promtool checks and unit-tests the alert rules in docs/ops (cli/tests/ops.rs).
command -v promtool >/dev/null || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
command -v cargo-deny >/dev/null || cargo install --locked cargo-deny
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
scripts/setup-python.sh
command -v go >/dev/null || { echo "go is required for the Go binding's tests" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required for the Node package's tests" >&2; exit 1; }
scripts/setup-node-oracles.sh

step "format"
cargo fmt --all -- --check

step "the faces reuse the test build (workspace-hack matches the workspace's features), and what ships carries no test feature"
scripts/check-build-reuse.sh
scripts/check-shipped-features.sh

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "every feature of every shipped crate builds and lints alone (the list generated from cargo metadata, as cargo hack --each-feature), and the facade's tests with none"
scripts/each-feature.sh
cargo clippy -q --locked -p stellaops-signer --no-default-features --all-targets -- -D warnings

step "servers on loopback: SoftHSM2 (PKCS#11), local-kms (AWS KMS API), OpenBao (transit), Redis, docker-registry (open and with token auth), ocireg (OCI referrers), the Sigstore stand-in, Fulcio, TesseraCT, the timestamp authority, Rekor v2 (its tiles served), Rekor v1 on Trillian and MariaDB (and cosign built)"
services_dir=$(mktemp -d -t stellaops-services.XXXXXX)
trap 'scripts/services.sh stop "$services_dir"' EXIT
scripts/services.sh start "$services_dir"
# shellcheck source=/dev/null
source "$services_dir/services.env"

step "tests (signature backend: AWS-LC, the default)"
cargo test --workspace --locked
# The USB HID transport for FIDO2 security keys is not a default feature (it needs libudev); its
# own tests run here. No security key is attached to CI: they prove the errors, not a device.
cargo test -q --locked -p stellaops-keys --features fido2-hid --lib fido2_hid

step "tests again on the pure-Rust RustCrypto backend: crypto (Wycheproof), dsse, predicates, poe (JWS), interop"
cargo test --locked -p stellaops-crypto -p stellaops-dsse -p stellaops-predicates -p stellaops-poe -p stellaops-tests --no-default-features

# Nothing later runs the Rust test binaries; give their space back.
find "target/$CARGO_BUILD_TARGET/debug/deps" -maxdepth 1 -type f -perm -u+x ! -name '*.so' -delete

# The C, Go, Python and Node steps build the faces with the dev profile, whose dependencies
# (optimized, see Cargo.toml) the test steps already built.
step "C ABI: header drift is checked by the Rust tests; now the C program, plain, valgrind, ASan"
PROFILE=dev ffi/tests/c/run.sh

step "Go binding: gofmt, vet, go test -race (includes go-securesystemslib interop)"
(
  cargo build -q -p stellaops-signer-ffi --locked --features fido2-software
  root=$(pwd)
  cd bindings/go
  unformatted=$(gofmt -l .)
  [ -z "$unformatted" ] || { echo "gofmt needed: $unformatted" >&2; exit 1; }
  # stellaops_external: link the library named here (the dev build) instead of target/release.
  export CGO_CFLAGS="-I$root/include"
  export CGO_LDFLAGS="$root/target/$CARGO_BUILD_TARGET/debug/libstellaops_signer.a -ldl -lm -lpthread"
  go vet -tags stellaops_external ./...
  go test -tags stellaops_external -race -count=1 ./...
)

step "Python binding: pip install ./bindings/python in a fresh venv, pytest, mypy --strict"
bindings/python/test.sh

step "Node binding: napi build, generated index.d.ts/index.js drift, node --test"
bindings/node/test.sh

step "examples: the three newcomer tasks in every face and in the peers' libraries, run, lines counted"
examples/newcomer/run.sh

step "C ABI against its committed baseline (abidiff + prototypes); a removed or changed function must fail"
scripts/abi-check.sh
(
  broken=$(mktemp -d)
  trap 'rm -rf "$broken"' EXIT
  cp ffi/abi/* "$broken/"
  sed -i 's/^uint32_t stellaops_abi_version(void)$/uint64_t stellaops_abi_version(void)/' "$broken/prototypes.txt"
  if ABI_BASELINE_DIR=$broken scripts/abi-check.sh >/dev/null 2>&1; then
    echo "abi-check accepted a changed prototype" >&2
    exit 1
  fi
  cp ffi/abi/prototypes.txt "$broken/"
  sed -i "s|<elf-symbol name='stellaops_abi_version'|<elf-symbol name='stellaops_retired' type='func-type' binding='global-binding' visibility='default-visibility' is-defined='yes'/><elf-symbol name='stellaops_abi_version'|" \
    "$broken/libstellaops_signer.abi.xml"
  if ABI_BASELINE_DIR=$broken scripts/abi-check.sh >/dev/null 2>&1; then
    echo "abi-check accepted a removed function" >&2
    exit 1
  fi
  echo "abi-check refuses a changed prototype and a removed symbol"
)

step "release artifacts (scripts/release.sh with the test build's profile), each installed outside the repository with no Rust toolchain on PATH"
# The crate packages are not compiled here (--no-verify: five minutes of rebuilding every crate
# from its package), and cargo-semver-checks does not run (rustdoc of every crate twice); a real
# release does both.
STELLAOPS_RELEASE_PROFILE=dev STELLAOPS_RELEASE_VERIFY_CRATES=0 STELLAOPS_RELEASE_SEMVER=0 DIST=target/dist scripts/release.sh
STELLAOPS_RELEASE_PROFILE=dev tests/dist/run.sh target/dist

step "cosign v3.1.3 both ways against the local Sigstore instance: our bundles and envelopes in cosign, cosign's bundles in stella, the release provenance as VERIFY.md prints it"
scripts/cosign-interop.sh

step "docs (broken intra-doc links fail)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked --quiet

step "cargo deny: bans, licenses, sources"
cargo deny --locked check bans licenses sources

step "cargo deny: advisories, offline, against the RustSec snapshot in ../shared/data"
# The advisory database is a git repository on GitHub, which this network cannot reach; the team
# keeps a git bundle of it in ../shared/data. cargo-deny reads a database from
# DB-PATH/<name>-<hash of its URL>; --offline stops it from fetching. Every feature's crates are
# checked (metadata with --all-features), not only the default build's.
advisory_bundle=../shared/data/rustsec-advisory-db.bundle
[ -f "$advisory_bundle" ] || { echo "no RustSec advisory database at $advisory_bundle" >&2; exit 1; }
advisory_dir=$(mktemp -d -t stellaops-advisories.XXXXXX)
git clone -q "$advisory_bundle" "$advisory_dir/advisory-db-3157b0e258782691"
echo "RustSec snapshot: $(git -C "$advisory_dir/advisory-db-3157b0e258782691" log -1 --format='commit %h of %cs')," \
  "$(find "$advisory_dir/advisory-db-3157b0e258782691/crates" -name '*.md' | wc -l) advisories"
awk -v db="$advisory_dir" '{ print } /^\[advisories\]/ {
  print "db-path = \"" db "\""; print "db-urls = [\"https://github.com/rustsec/advisory-db\"]" }' \
  deny.toml >"$advisory_dir/deny.toml"
cargo metadata --all-features --format-version 1 --locked >"$advisory_dir/metadata.json"
cargo deny --offline --metadata-path "$advisory_dir/metadata.json" --config "$advisory_dir/deny.toml" \
  check advisories
rm -rf "$advisory_dir"

step "fuzz: every target (fuzz/ and the C ABI's in ffi/fuzz/) built with AddressSanitizer, unoptimized; every corpus input replayed, then ${FUZZ_SECONDS:-10} s of mutation each, two at a time"
BUILD=dev REPLAY_FIRST=1 SECONDS_PER_TARGET="${FUZZ_SECONDS:-10}" JOBS=2 fuzz/run.sh

step "done: all checks passed"
