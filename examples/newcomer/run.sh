#!/usr/bin/env bash
# Run the three newcomer tasks (sign an attestation, verify 2-of-3, verify a Sigstore bundle
# offline) in every face and in the peers' libraries, on the same inputs, and print how many
# lines each takes: the non-blank, non-comment lines between "task: NAME" and "end task".
# Needs: the local Sigstore instance (scripts/services.sh; STELLAOPS_TEST_SIGSTORE*), the test
# build of the library (target/<triple>/debug, as scripts/test.sh leaves it), the wheel's venv
# (bindings/python/test.sh), the oracles' venv (.venv) and node_modules (tests/node), and the
# Node addon (bindings/node/test.sh). Any program that fails fails the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${STELLAOPS_TEST_SIGSTORE:?start the servers: scripts/services.sh start DIR; source DIR/services.env}"
triple="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
lib="$root/target/$triple/debug"
[ -f "$lib/libstellaops_signer.a" ] || { echo "run.sh: build the library first (cargo build -p stellaops-signer-ffi)" >&2; exit 1; }
ours_py="$root/target/python-binding-venv/bin/python"
peers_py="$root/.venv/bin/python"
for tool in "$ours_py" "$peers_py"; do
  [ -x "$tool" ] || { echo "run.sh: $tool is missing (bindings/python/test.sh, scripts/setup-python.sh)" >&2; exit 1; }
done

work="$root/target/newcomer"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
for name in key a b c; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.pem" 2>/dev/null
  openssl pkey -in "$name.pem" -pubout -out "$name.pub"
done
printf 'the release tarball\n' > app.tar.gz
cat > predicate.json <<'JSON'
{"buildDefinition":{"buildType":"https://stellaops.local/build/v1","externalParameters":{}},"runDetails":{"builder":{"id":"https://stellaops.local/builder"}}}
JSON
"$ours_py" "$here/fixture.py"

export CGO_CFLAGS="-I$root/include" CGO_LDFLAGS="$lib/libstellaops_signer.a -ldl -lm -lpthread"
(cd "$here/go" && go build -tags stellaops_external -o "$work/go-stellaops" ./stellaops && go build -o "$work/go-peers" ./peers)
cc -std=c11 -Wall -Wextra -Werror -I "$root/include" "$here/c/stellaops.c" "$lib/libstellaops_signer.a" \
  -lpthread -ldl -lm -o "$work/c-stellaops"

run() { echo "--- $1"; shift; "$@"; }
run "python: stellaops_signer" "$ours_py" "$here/python/stellaops.py"
run "python: securesystemslib + sigstore-python" "$peers_py" "$here/python/peers.py"
run "go: the binding" ./go-stellaops
run "go: go-securesystemslib + sigstore-go" ./go-peers
run "node: @stellaops/signer" node "$here/node/stellaops.mjs"
run "node: node:crypto + sigstore-js" node "$here/node/peers.mjs"
run "c: the C ABI" ./c-stellaops

# Lines per task: non-blank, not only a comment, between the markers.
count() {
  awk -v task="$2" '
    $0 ~ "task: " task "( \\*/)?$" { inside = 1; next }
    inside && /end task/ { inside = 0 }
    inside && !/^[[:space:]]*$/ && !/^[[:space:]]*(#|\/\/|\/\*)/ { n++ }
    END { print n + 0 }' "$1"
}
echo
echo "| face | library | attest | 2-of-3 | bundle |"
echo "|---|---|---|---|---|"
row() {
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$(count "$3" attest)" "$(count "$3" threshold)" "$(count "$3" bundle)"
}
row Python stellaops_signer "$here/python/stellaops.py"
row Python "securesystemslib + sigstore-python" "$here/python/peers.py"
row Go "the binding" "$here/go/stellaops/main.go"
row Go "go-securesystemslib + sigstore-go" "$here/go/peers/main.go"
row Node "@stellaops/signer" "$here/node/stellaops.mjs"
row Node "node:crypto + sigstore-js" "$here/node/peers.mjs"
row C "the C ABI" "$here/c/stellaops.c"
