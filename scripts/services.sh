#!/usr/bin/env bash
# Start or stop the real servers the tests talk to, all on loopback:
#   SoftHSM2 (PKCS#11) with a token initialised in DIR, keys made with pkcs11-tool;
#   local-kms (nsmithuk/local-kms, from its Go module) for the AWS KMS API;
#   OpenBao in dev mode with the transit engine;
#   Redis, for quota state shared by several signers;
#   three OCI registries for scanner-release signatures: Debian's docker-registry (distribution
#   2.8, no Referrers API: the tag-schema fallback), once open and once with `auth: token` (its
#   token service is tests/services/registry-token, which says why it is ours), and
#   go-containerregistry's registry with the Referrers API (tests/services/ocireg; zot, the usual
#   choice, is refused by the Go proxy here);
#   a local Sigstore instance for keyless signing: OIDC issuer, Fulcio, CT log and Rekor v1 in one
#   process (tests/services/sigstore_local.py says why a stand-in, and what it follows);
#   the real Sigstore servers, built from their Go modules once per machine: Fulcio (a file CA,
#   trusting the stand-in's OIDC issuer, which plays a CI system's token minting), TesseraCT (a
#   static CT log, Fulcio's SCTs), the timestamp authority (RFC 3161, in-memory signer) and
#   Rekor v2 (rekor-tiles, POSIX storage; a static file server plays the bucket its readers
#   fetch tiles from) and Rekor v1 (rekor-server on Trillian's log server and signer, storing in
#   a private MariaDB from Debian); tests/services/sigstore_trust.py writes their trusted root and
#   signing config. cosign v3.1.3 is built the same way (it is a client, not a server: the tests
#   run it).
#
#   scripts/services.sh start DIR   # writes DIR/services.env; `source` it before the tests
#   scripts/services.sh stop DIR
#
# Anything that fails to install or start fails this script, loudly; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)

stop() {
  for pidfile in "$dir"/*.pid; do
    [ -e "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

case "$action" in
  stop) stop; exit 0 ;;
  start) ;;
  *) usage ;;
esac

stop # a previous run's servers in the same DIR

# --- tools ---------------------------------------------------------------------------------
need_apt=()
command -v softhsm2-util >/dev/null || need_apt+=(softhsm2)
command -v pkcs11-tool >/dev/null || need_apt+=(opensc)
command -v curl >/dev/null || need_apt+=(curl)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v docker-registry >/dev/null || need_apt+=(docker-registry)
command -v mariadbd >/dev/null || need_apt+=(mariadb-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
module=""
for candidate in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
  [ -f "$candidate" ] && { module=$candidate; break; }
done
[ -n "$module" ] || { echo "libsofthsm2.so not found after installing softhsm2" >&2; exit 1; }

venv=$root/target/services-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp=$venv/.requirements
if ! cmp -s tests/services/requirements.txt "$stamp"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/services/requirements.txt
  cp tests/services/requirements.txt "$stamp"
fi

free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for NAME URL LOG: poll until the URL answers at all (any HTTP status), 60 s at most.
wait_for() {
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "$2"; then return 0; fi
    sleep 0.5
  done
  echo "$1 did not start; its log:" >&2
  cat "$3" >&2
  exit 1
}

# --- SoftHSM2 ------------------------------------------------------------------------------
hsm=$dir/softhsm
rm -rf "$hsm" && mkdir -p "$hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$hsm/tokens" >"$hsm/softhsm2.conf"
export SOFTHSM2_CONF=$hsm/softhsm2.conf
pin=246810
softhsm2-util --init-token --free --label stellaops --so-pin 13579135 --pin "$pin" >/dev/null
p11() { pkcs11-tool --module "$module" --token-label stellaops --login --pin "$pin" "$@" >/dev/null; }
p11 --keypairgen --key-type EC:prime256v1 --label p256 --id 01
p11 --keypairgen --key-type EC:secp384r1 --label p384 --id 02
p11 --keypairgen --key-type rsa:2048 --label rsa --id 03
p11 --keypairgen --key-type EC:edwards25519 --label ed25519 --id 04
printf '%s\n' "$pin" >"$hsm/pin"

# --- local-kms (AWS KMS API) ---------------------------------------------------------------
# nsmithuk/local-kms, built from its Go module once per machine (target/services-bin; ~40 s cold,
# the Go module cache makes later builds seconds). It implements the KMS JSON protocol itself,
# MessageType=DIGEST included; keys live in a fresh data directory per run.
local_kms_version=v0.0.0-20260228092603-2a5e92d09ab6
mkdir -p target/services-bin
if [ "$(cat target/services-bin/local-kms.version 2>/dev/null)" != "$local_kms_version" ]; then
  GOBIN="$root/target/services-bin" go install "github.com/nsmithuk/local-kms@$local_kms_version"
  echo "$local_kms_version" >target/services-bin/local-kms.version
fi
kms_port=$(free_port)
# local-kms listens on every interface (it has no bind-address setting); the tests reach it on
# 127.0.0.1 only.
PORT=$kms_port KMS_REGION=us-east-1 KMS_ACCOUNT_ID=111122223333 KMS_DATA_PATH="$dir/local-kms" \
  KMS_SEED_PATH="$dir/local-kms-seed.yaml" target/services-bin/local-kms >"$dir/local-kms.log" 2>&1 &
echo $! >"$dir/local-kms.pid"
wait_for "local-kms" "http://127.0.0.1:$kms_port/" "$dir/local-kms.log"
export AWS_ACCESS_KEY_ID=stellaops-test AWS_SECRET_ACCESS_KEY=stellaops-test AWS_REGION=us-east-1
"$venv/bin/python" - "$kms_port" <<'EOF'
import sys
import boto3

kms = boto3.client("kms", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
for alias, spec in [("p256", "ECC_NIST_P256"), ("p384", "ECC_NIST_P384"), ("rsa", "RSA_2048")]:
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec=spec, Description=f"stellaops test {alias}")
    kms.create_alias(AliasName=f"alias/stellaops-{alias}", TargetKeyId=key["KeyMetadata"]["KeyId"])
# A key that cannot sign, for the refusal test.
key = kms.create_key(KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")
kms.create_alias(AliasName="alias/stellaops-encrypt", TargetKeyId=key["KeyMetadata"]["KeyId"])
EOF

# --- OpenBao (Vault transit API) -----------------------------------------------------------
bao_port=$(free_port)
bao_token=stellaops-test-root
"$venv/bin/bao" server -dev -dev-root-token-id="$bao_token" -dev-listen-address="127.0.0.1:$bao_port" \
  -dev-no-store-token >"$dir/openbao.log" 2>&1 &
echo $! >"$dir/openbao.pid"
wait_for "OpenBao" "http://127.0.0.1:$bao_port/v1/sys/health" "$dir/openbao.log"
export VAULT_ADDR=http://127.0.0.1:$bao_port VAULT_TOKEN=$bao_token
bao() { "$venv/bin/bao" "$@" >/dev/null; }
bao secrets enable transit
bao write -f transit/keys/p256 type=ecdsa-p256
bao write -f transit/keys/p384 type=ecdsa-p384
bao write -f transit/keys/ed25519 type=ed25519
bao write -f transit/keys/rsa type=rsa-2048
bao write -f transit/keys/rotating type=ecdsa-p256
bao write -f transit/keys/aes type=aes256-gcm96

# --- Redis (shared quota state) -------------------------------------------------------------
redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
  --dir "$dir" >"$dir/redis.log" 2>&1 &
echo $! >"$dir/redis.pid"
for _ in $(seq 1 120); do
  redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break
  sleep 0.5
done
redis-cli -p "$redis_port" ping | grep -q PONG || { echo "redis did not start:" >&2; cat "$dir/redis.log" >&2; exit 1; }

# --- OCI registries (scanner release signatures) -------------------------------------------
distribution_port=$(free_port)
mkdir -p "$dir/registry"
cat >"$dir/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$distribution_port
YML
docker-registry serve "$dir/registry.yml" >"$dir/docker-registry.log" 2>&1 &
echo $! >"$dir/docker-registry.pid"
wait_for "docker-registry" "http://127.0.0.1:$distribution_port/v2/" "$dir/docker-registry.log"

mkdir -p target/services-bin
(cd tests/services/ocireg && go build -o "$root/target/services-bin/ocireg" .)
(cd tests/services/registry-token && go build -o "$root/target/services-bin/registry-token" .)

# The same registry with token authentication: anyone may pull under public/, the user below
# may push and pull everywhere (tests/services/registry-token).
token_port=$(free_port)
registry_user="alice:$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
target/services-bin/registry-token -addr "127.0.0.1:$token_port" -cert-out "$dir/registry-token.pem" \
  -issuer stellaops-test-token -service stellaops-registry -user "$registry_user" \
  >"$dir/registry-token.log" 2>&1 &
echo $! >"$dir/registry-token.pid"
wait_for "registry-token" "http://127.0.0.1:$token_port/token?service=stellaops-registry" "$dir/registry-token.log"
authed_port=$(free_port)
mkdir -p "$dir/registry-authed"
cat >"$dir/registry-authed.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/registry-authed
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$authed_port
auth:
  token:
    realm: http://127.0.0.1:$token_port/token
    service: stellaops-registry
    issuer: stellaops-test-token
    rootcertbundle: $dir/registry-token.pem
YML
docker-registry serve "$dir/registry-authed.yml" >"$dir/docker-registry-authed.log" 2>&1 &
echo $! >"$dir/docker-registry-authed.pid"
wait_for "docker-registry (token auth)" "http://127.0.0.1:$authed_port/v2/" "$dir/docker-registry-authed.log"
ocireg_port=$(free_port)
target/services-bin/ocireg "127.0.0.1:$ocireg_port" >"$dir/ocireg.log" 2>&1 &
echo $! >"$dir/ocireg.pid"
wait_for "ocireg" "http://127.0.0.1:$ocireg_port/v2/" "$dir/ocireg.log"

sigstore_port=$(free_port)
"$venv/bin/python" tests/services/sigstore_local.py "$sigstore_port" "$dir/sigstore" >"$dir/sigstore.log" 2>&1 &
echo $! >"$dir/sigstore.pid"
wait_for "Sigstore stand-in" "http://127.0.0.1:$sigstore_port/api/v1/log" "$dir/sigstore.log"

# --- the real Sigstore servers ----------------------------------------------------------------
# Each built once per machine into target/services-bin (stamped with its version; the Go module
# and build caches make a rebuild seconds). `go install pkg@version` resolves each server's own
# module graph, as its release does.
go_server() { # NAME PACKAGE VERSION
  if [ "$(cat "target/services-bin/$1.version" 2>/dev/null)" != "$3" ]; then
    local tmp
    tmp=$(mktemp -d)
    GOBIN=$tmp go install "$2@$3"
    mv "$tmp"/* "target/services-bin/$1"
    rmdir "$tmp"
    echo "$3" >"target/services-bin/$1.version"
  fi
}
go_server fulcio github.com/sigstore/fulcio v1.8.8
go_server tesseract-posix github.com/transparency-dev/tesseract/cmd/tesseract/posix v0.1.1
go_server timestamp-server github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server v2.1.3
go_server rekor-server-posix github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix v2.3.0
# Rekor v1 and the Trillian log it stores entries in (Rekor v1.5.4 pins Trillian v1.7.3).
go_server trillian-log-server github.com/google/trillian/cmd/trillian_log_server v1.7.3
go_server trillian-log-signer github.com/google/trillian/cmd/trillian_log_signer v1.7.3
go_server rekor-server github.com/sigstore/rekor/cmd/rekor-server v1.5.4
# cosign, the peer the suite checks both ways (scripts/cosign-interop.sh, cli/tests/cosign.rs).
go_server cosign github.com/sigstore/cosign/v3/cmd/cosign v3.1.3

real=$dir/sigstore-real
rm -rf "$real" && mkdir -p "$real"
# Fulcio's file CA: a P-256 root whose key is an encrypted PKCS#8 file, as fileca requires.
openssl ecparam -name prime256v1 -genkey -noout -out "$real/fulcio-ca.key" 2>/dev/null
openssl req -x509 -new -key "$real/fulcio-ca.key" -sha256 -days 30 \
  -subj "/O=StellaOps test/CN=Fulcio test root" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$real/fulcio-ca.pem" 2>/dev/null
fulcio_pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$real/fulcio-ca.key" -passout "pass:$fulcio_pass" \
  -out "$real/fulcio-ca.enc.key"
rm "$real/fulcio-ca.key"
# The CT log's key (P-256, as static CT requires) and Rekor v2's checkpoint key (Ed25519).
openssl ecparam -name prime256v1 -genkey -noout -out "$real/ct.key" 2>/dev/null
openssl ec -in "$real/ct.key" -pubout -out "$real/ct.pub" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$real/rekor.key"
openssl pkey -in "$real/rekor.key" -pubout -out "$real/rekor.pub"
ct_origin=ct.stellaops.test

ct_port=$(free_port)
target/services-bin/tesseract-posix -private_key "$real/ct.key" -origin "$ct_origin" \
  -storage_dir "$real/ct-log" -roots_pem_file "$real/fulcio-ca.pem" \
  -http_endpoint "127.0.0.1:$ct_port" -checkpoint_interval 500ms -batch_max_age 50ms \
  >"$dir/tesseract.log" 2>&1 &
echo $! >"$dir/tesseract.pid"
wait_for "TesseraCT" "http://127.0.0.1:$ct_port/ct/v1/get-roots" "$dir/tesseract.log"

issuer=http://127.0.0.1:$sigstore_port/oidc
printf '{"OIDCIssuers": {"%s": {"IssuerURL": "%s", "ClientID": "sigstore", "Type": "email"}}}\n' \
  "$issuer" "$issuer" >"$real/fulcio.json"
fulcio_port=$(free_port)
target/services-bin/fulcio serve --ca fileca --fileca-cert "$real/fulcio-ca.pem" \
  --fileca-key "$real/fulcio-ca.enc.key" --fileca-key-passwd "$fulcio_pass" --fileca-watch=false \
  --ct-log-url "http://127.0.0.1:$ct_port/" --ct-log-public-key-path "$real/ct.pub" \
  --ct-log-origin "$ct_origin" --config-path "$real/fulcio.json" --log_type prod \
  --host 127.0.0.1 --port "$fulcio_port" --grpc-host 127.0.0.1 --grpc-port "$(free_port)" \
  --metrics-port "$(free_port)" >"$dir/fulcio.log" 2>&1 &
echo $! >"$dir/fulcio.pid"
wait_for "Fulcio" "http://127.0.0.1:$fulcio_port/api/v2/configuration" "$dir/fulcio.log"

tsa_port=$(free_port)
target/services-bin/timestamp-server serve --host 127.0.0.1 --port "$tsa_port" \
  --timestamp-signer memory --disable-ntp-monitoring >"$dir/timestamp-server.log" 2>&1 &
echo $! >"$dir/timestamp-server.pid"
wait_for "timestamp authority" "http://127.0.0.1:$tsa_port/api/v1/timestamp/certchain" "$dir/timestamp-server.log"
curl -sf "http://127.0.0.1:$tsa_port/api/v1/timestamp/certchain" >"$real/tsa-chain.pem"

rekor2_port=$(free_port)
# The checkpoint origin is the log's host name, as for the public-good
# log2025-1.rekor.sigstore.dev: sigstore-go verifies the checkpoint as signed by the base URL's
# host name (no port), and sigstore-js accepts a signature only from a log whose base URL
# contains the signature's name.
rekor_origin=127.0.0.1
target/services-bin/rekor-server-posix serve --storage-dir "$real/rekor-log" \
  --signer-filepath "$real/rekor.key" --hostname "$rekor_origin" \
  --http-address 127.0.0.1 --http-port "$rekor2_port" --grpc-address 127.0.0.1 \
  --grpc-port "$(free_port)" --http-metrics-port "$(free_port)" \
  --checkpoint-interval 200ms --batch-max-age 20ms >"$dir/rekor-v2.log" 2>&1 &
echo $! >"$dir/rekor-v2.pid"
wait_for "Rekor v2" "http://127.0.0.1:$rekor2_port/api/v2/log/entries" "$dir/rekor-v2.log"
# rekor-tiles serves writes; its readers fetch the checkpoint and tiles from the storage, which a
# deployment serves statically (a bucket behind a CDN). Here a static file server over the
# POSIX storage directory plays that part, for the log monitor's tests.
tiles_port=$(free_port)
"$venv/bin/python" -m http.server "$tiles_port" --bind 127.0.0.1 --directory "$real/rekor-log" \
  >"$dir/rekor-v2-tiles.log" 2>&1 &
echo $! >"$dir/rekor-v2-tiles.pid"
wait_for "Rekor v2 tiles" "http://127.0.0.1:$tiles_port/" "$dir/rekor-v2-tiles.log"

# Rekor v1: a private MariaDB (no grant tables: loopback only, one throwaway database), Trillian's
# schema from its module, Trillian's log server and signer (the signer integrates queued leaves
# every 100 ms), and rekor-server, which makes its tree on first start, signs checkpoints and
# signed entry timestamps with a file key (P-256) and keeps its search index in the same database.
mariadb_port=$(free_port)
mkdir -p "$dir/mariadb"
rm -rf "$dir/mariadb/data"
mariadb-install-db --no-defaults --datadir="$dir/mariadb/data" --user="$(id -un)" \
  --auth-root-authentication-method=normal --skip-test-db >"$dir/mariadb-install.log" 2>&1
mariadbd --no-defaults --datadir="$dir/mariadb/data" --user="$(id -un)" --port="$mariadb_port" \
  --bind-address=127.0.0.1 --socket="$dir/mariadb/sock" --skip-grant-tables \
  --pid-file="$dir/mariadb/pid" >"$dir/mariadb.log" 2>&1 &
echo $! >"$dir/mariadb.pid"
for _ in $(seq 1 120); do
  mariadb --no-defaults -h 127.0.0.1 -P "$mariadb_port" -u root -e 'select 1' >/dev/null 2>&1 && break
  sleep 0.5
done
mariadb --no-defaults -h 127.0.0.1 -P "$mariadb_port" -u root -e 'create database trillian' ||
  { echo "MariaDB did not start; its log:" >&2; cat "$dir/mariadb.log" >&2; exit 1; }
trillian_dir=$(go mod download -json github.com/google/trillian@v1.7.3 | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
mariadb --no-defaults -h 127.0.0.1 -P "$mariadb_port" -u root trillian \
  <"$trillian_dir/storage/mysql/schema/storage.sql"
dsn="root@tcp(127.0.0.1:$mariadb_port)/trillian?parseTime=true&interpolateParams=true"
trillian_port=$(free_port)
trillian_http=$(free_port)
target/services-bin/trillian-log-server --quota_system=noop --storage_system=mysql --mysql_uri="$dsn" \
  --rpc_endpoint="127.0.0.1:$trillian_port" --http_endpoint="127.0.0.1:$trillian_http" \
  --alsologtostderr >"$dir/trillian-log-server.log" 2>&1 &
echo $! >"$dir/trillian-log-server.pid"
wait_for "Trillian log server" "http://127.0.0.1:$trillian_http/healthz" "$dir/trillian-log-server.log"
signer_http=$(free_port)
target/services-bin/trillian-log-signer --quota_system=noop --storage_system=mysql --mysql_uri="$dsn" \
  --rpc_endpoint="127.0.0.1:$(free_port)" --http_endpoint="127.0.0.1:$signer_http" \
  --force_master --sequencer_interval=100ms --alsologtostderr >"$dir/trillian-log-signer.log" 2>&1 &
echo $! >"$dir/trillian-log-signer.pid"
wait_for "Trillian log signer" "http://127.0.0.1:$signer_http/healthz" "$dir/trillian-log-signer.log"
openssl ecparam -name prime256v1 -genkey -noout -out "$real/rekor-v1.key" 2>/dev/null
openssl ec -in "$real/rekor-v1.key" -pubout -out "$real/rekor-v1.pub" 2>/dev/null
rekor1_port=$(free_port)
target/services-bin/rekor-server serve --trillian_log_server.address=127.0.0.1 \
  --trillian_log_server.port="$trillian_port" --rekor_server.address=127.0.0.1 \
  --port="$rekor1_port" --rekor_server.hostname=127.0.0.1 \
  --rekor_server.signer="$real/rekor-v1.key" --search_index.storage_provider=mysql \
  --search_index.mysql.dsn="$dsn" >"$dir/rekor-v1.log" 2>&1 &
echo $! >"$dir/rekor-v1.pid"
wait_for "Rekor v1" "http://127.0.0.1:$rekor1_port/api/v1/log" "$dir/rekor-v1.log"
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$rekor1_port/api/v1/log" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$rekor1_port/api/v1/log" >/dev/null ||
  { echo "Rekor v1 does not answer; its log:" >&2; cat "$dir/rekor-v1.log" >&2; exit 1; }

"$venv/bin/python" tests/services/sigstore_trust.py "$real" \
  --standin "$dir/sigstore/trusted_root.json" --issuer "$issuer" \
  --fulcio "http://127.0.0.1:$fulcio_port" --ct "http://127.0.0.1:$ct_port" \
  --tsa "http://127.0.0.1:$tsa_port" --rekor-v1 "http://127.0.0.1:$rekor1_port" \
  --rekor-v2 "http://127.0.0.1:$rekor2_port" --rekor-v2-origin "$rekor_origin"

cat >"$dir/services.env" <<EOF
# Written by scripts/services.sh; source it before running the key-backend tests.
export STELLAOPS_SERVICES=$dir
export SOFTHSM2_CONF=$SOFTHSM2_CONF
export STELLAOPS_PKCS11_MODULE=$module
export STELLAOPS_TEST_PKCS11_PIN_FILE=$hsm/pin
export AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
export AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export AWS_REGION=$AWS_REGION
export STELLAOPS_TEST_KMS_ENDPOINT=127.0.0.1:$kms_port
export VAULT_ADDR=$VAULT_ADDR
export VAULT_TOKEN=$VAULT_TOKEN
export STELLAOPS_TEST_BAO=$venv/bin/bao
export STELLAOPS_TEST_REDIS=redis://127.0.0.1:$redis_port/
export STELLAOPS_TEST_REGISTRY_TAGS=http://127.0.0.1:$distribution_port
export STELLAOPS_TEST_REGISTRY_REFERRERS=http://127.0.0.1:$ocireg_port
export STELLAOPS_TEST_REGISTRY_AUTHED=http://127.0.0.1:$authed_port
export STELLAOPS_TEST_REGISTRY_REALM=http://127.0.0.1:$token_port/token
export STELLAOPS_TEST_REGISTRY_USER=$registry_user
export STELLAOPS_PYTHON=$venv/bin/python
export STELLAOPS_TEST_SIGSTORE=http://127.0.0.1:$sigstore_port
export STELLAOPS_TEST_SIGSTORE_DIR=$dir/sigstore
export STELLAOPS_TEST_FULCIO=http://127.0.0.1:$fulcio_port
export STELLAOPS_TEST_TSA=http://127.0.0.1:$tsa_port
export STELLAOPS_TEST_REKOR_V2=http://127.0.0.1:$rekor2_port
export STELLAOPS_TEST_REKOR_V1=http://127.0.0.1:$rekor1_port
export STELLAOPS_TEST_REKOR_V2_TILES=http://127.0.0.1:$tiles_port
export STELLAOPS_TEST_SIGSTORE_REAL_DIR=$real
export STELLAOPS_TEST_COSIGN=$root/target/services-bin/cosign
EOF
echo "services up: SoftHSM2 token 'stellaops', KMS (local-kms) on 127.0.0.1:$kms_port, OpenBao on $VAULT_ADDR,"
echo "  Redis on 127.0.0.1:$redis_port, docker-registry on :$distribution_port (token auth: :$authed_port),"
echo "  ocireg on :$ocireg_port,"
echo "  Sigstore stand-in (OIDC, Fulcio, Rekor) on :$sigstore_port; Fulcio on :$fulcio_port, TesseraCT on :$ct_port,"
echo "  timestamp authority on :$tsa_port, Rekor v2 on :$rekor2_port (tiles on :$tiles_port),"
echo "  Rekor v1 on :$rekor1_port (Trillian on :$trillian_port, MariaDB on :$mariadb_port); env in $dir/services.env"
