#!/usr/bin/env bash
# Whole-process figures for benches/compare.sh, as JSON on stdout:
#   stella sign of a 1 KiB payload (median of 50 runs) beside `openssl dgst -sign` on the same key
#   (the closest peer here: cosign's Go module cannot be fetched on this network), and the peak
#   memory of `stella attest` over a 1 MiB and a 1 GiB artifact (streaming: it must stay flat).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build -q --release -p stellaops-cli --locked
stella=target/release/stella
"$stella" key generate --alg es256 --out "$work/key.pem" 2>/dev/null
head -c 1024 /dev/urandom >"$work/payload"
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}' >"$work/sbom.json"
head -c $((1 << 20)) /dev/urandom >"$work/small.bin"
truncate -s 1G "$work/big.bin" # sparse: the disk is not the measurement
python3 - "$stella" "$work" <<'PY'
import json, statistics, subprocess, sys, time
stella, work = sys.argv[1], sys.argv[2]

def median_ms(cmd, runs=50):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)

def peak(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M %e", *cmd], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    kb, secs = r.stderr.strip().splitlines()[-1].split()
    return int(kb) / 1024, float(secs)

res = {
    "stella_sign_ms": median_ms([stella, "sign", "--key", f"{work}/key.pem", "--payload-type",
                                 "text/plain", f"{work}/payload"]),
    "openssl_dgst_sign_ms": median_ms(["openssl", "dgst", "-sha256", "-sign", f"{work}/key.pem",
                                       "-out", f"{work}/sig", f"{work}/payload"]),
}
for name in ("small", "big"):
    mb, secs = peak([stella, "attest", "--key", f"{work}/key.pem", "--predicate-type", "cyclonedx",
                     "--predicate", f"{work}/sbom.json", "--out", f"{work}/att.json", f"{work}/{name}.bin"])
    res[f"attest_{name}_peak_mib"] = mb
    res[f"attest_{name}_seconds"] = secs
print(json.dumps(res))
PY
