#!/usr/bin/env bash
# The last step of scripts/release.sh: SHA256SUMS over dist/, then, signed with our own stella,
#   dist/provenance/SHA256SUMS.dsse.json            SHA256SUMS as a DSSE envelope (text/plain)
#   dist/provenance/provenance.intoto.dsse.json     an in-toto statement, SLSA provenance v1,
#                                                   about every file in SHA256SUMS and SHA256SUMS
#   dist/provenance/release.pub                     the public key that verifies both
#   dist/provenance/VERIFY.md                       the commands a user runs to check them
# The provenance predicate goes through stella attest, so the typed SLSA v1 model
# (stellaops_predicates::slsa) checks it before anything is signed.
# Usage: scripts/release-provenance.sh DIST STELLA COMMIT PROFILE
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist=$(cd "$1" && pwd)
stella=$2
commit=$3
profile=$4
started_on=${STELLAOPS_RELEASE_STARTED_ON:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
work=$(mktemp -d -t stellaops-provenance.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dist/provenance"

cd "$dist"
# Every file but the provenance itself, by relative path, sorted bytewise.
find . -type f ! -path './provenance/*' ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort >"$work/files"
xargs -d '\n' sha256sum <"$work/files" >SHA256SUMS

key=${STELLAOPS_RELEASE_KEY:-}
if [ -z "$key" ]; then
  key="$work/release-key.pem"
  "$stella" key generate --alg es256 --out "$key" >/dev/null
  echo "release-provenance: no STELLAOPS_RELEASE_KEY; signed with a fresh key (proves the flow, not who released)"
  cp "$key.pub" provenance/release.pub
else
  # The public half of the named key, in the form every verifier reads (SPKI PEM).
  "$stella" key show --json "$key" |
    python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["publicKeyPem"])' >provenance/release.pub ||
    { echo "release-provenance: cannot read the public key of STELLAOPS_RELEASE_KEY" >&2; exit 1; }
fi

repo=$(sed -n 's/^repository = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)
version_of() { "$@" 2>/dev/null | head -1 || echo unknown; }
python3 - "$work/predicate.json" "$repo" "$commit" "$profile" "$started_on" \
  "$(version_of rustc --version)" "$(version_of cargo --version)" "$(version_of node --version)" \
  "$(version_of python3 --version)" "$(sha256sum SIZES.txt 2>/dev/null | cut -d' ' -f1)" <<'PY'
import json, os, sys, time
out, repo, commit, profile, started, rustc, cargo, node, python, sizes = sys.argv[1:]
predicate = {
    "buildDefinition": {
        "buildType": repo + "/release/v1",
        "externalParameters": {
            "command": "scripts/release.sh",
            "source": {"uri": "git+" + repo, "commit": commit},
            "profile": profile,
        },
        "internalParameters": {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "")},
        "resolvedDependencies": [
            {"uri": "git+" + repo + "@" + commit, "digest": {"gitCommit": commit}},
        ],
    },
    "runDetails": {
        "builder": {
            "id": repo + "/scripts/release.sh",
            "version": {"rustc": rustc, "cargo": cargo, "node": node, "python": python},
        },
        "metadata": {
            "invocationId": commit + "-" + str(os.getpid()),
            "startedOn": started,
            "finishedOn": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    },
}
if sizes:
    predicate["runDetails"]["byproducts"] = [{"name": "SIZES.txt", "digest": {"sha256": sizes}}]
json.dump(predicate, open(out, "w"), indent=2, sort_keys=True)
PY

mapfile -t files <"$work/files"
"$stella" attest --key "$key" --predicate-type slsa-provenance --predicate "$work/predicate.json" \
  --policy-mode reject --out provenance/provenance.intoto.dsse.json "${files[@]}" SHA256SUMS
"$stella" sign --key "$key" --payload-type text/plain --out provenance/SHA256SUMS.dsse.json SHA256SUMS

example=$(grep -m1 '^c/' "$work/files" || head -1 "$work/files")
cat >provenance/VERIFY.md <<EOF
# Verifying this release

Every file in this directory tree is listed in \`SHA256SUMS\`; \`provenance/\` holds, signed by the
key in \`provenance/release.pub\`:

- \`SHA256SUMS.dsse.json\`: \`SHA256SUMS\` in a DSSE envelope (payload type \`text/plain\`);
- \`provenance.intoto.dsse.json\`: an in-toto statement with SLSA provenance v1
  (\`https://slsa.dev/provenance/v1\`) about every file and \`SHA256SUMS\`, from commit \`$commit\`.

From the top of the release directory:

\`\`\`sh
sha256sum -c SHA256SUMS

# stella (any build of it; this release's is cli/stella-*)
stella verify --key provenance/release.pub --payload-type text/plain provenance/SHA256SUMS.dsse.json
stella verify --key provenance/release.pub --type slsa-provenance --artifact $example provenance/provenance.intoto.dsse.json

# cosign (no transparency log: the envelope is checked against the key alone)
cosign verify-blob-attestation --key provenance/release.pub --insecure-ignore-tlog \\
  --type https://slsa.dev/provenance/v1 --signature provenance/provenance.intoto.dsse.json $example

# securesystemslib (Python): our key id is the SHA-256 of the key's SPKI (DER)
python3 - <<'PY'
import hashlib, json
from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
pub = serialization.load_pem_public_key(open("provenance/release.pub", "rb").read())
spki = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
key = SSlibKey.from_crypto(pub, keyid=hashlib.sha256(spki).hexdigest())
sums = Envelope.from_dict(json.load(open("provenance/SHA256SUMS.dsse.json")))
sums.verify([key], 1)
assert sums.payload == open("SHA256SUMS", "rb").read(), "the signed SHA256SUMS is not this one"
Envelope.from_dict(json.load(open("provenance/provenance.intoto.dsse.json"))).verify([key], 1)
print("securesystemslib: SHA256SUMS and the provenance verified")
PY
\`\`\`
EOF
echo "release-provenance: SHA256SUMS ($(wc -l <SHA256SUMS) files) and provenance signed; see provenance/VERIFY.md"
