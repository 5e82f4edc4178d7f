#!/usr/bin/env python3
"""Load test of `stella serve` on loopback with real HTTP load generators, beside the in-process
pipeline, in one run: oha (client certificates) for mTLS-bound callers, wrk with dpop.lua for
DPoP-bound callers (a fresh proof per request, minted before the run). One and two instances
(the fleet shares quotas and DPoP proof ids in Redis), durable audit on and off, 1 and 64
concurrent callers; keyful ES256 throughout. Writes benches/results-load.md.

benches/load/run.sh builds what it needs and runs this. The load generator shares the machine's
cores with the server(s): the figures are for both on one box.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "target" / "x86_64-unknown-linux-gnu" / "release"
STELLA = RELEASE / "stella"
CREDENTIALS = RELEASE / "examples" / "load_credentials"
OHA = os.environ.get("OHA", "oha")
WRK = os.environ.get("WRK", "wrk")
SECONDS = int(os.environ.get("LOAD_SECONDS", "10"))
SIGN = "/api/v1/signer/sign/dsse"
EXTERNAL = "https://signer.stella.test"
# The in-process bench's statement: the same VEX predicate about one artifact.
PREDICATE = {
    "author": "stella-ops",
    "statements": [
        {
            "vulnerability": "CVE-2026-1234",
            "products": ["pkg:oci/app@sha256:5f3b"],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
        }
    ],
}
BODY = {
    "predicate_type": "stella.ops/vex@v1",
    "predicate": PREDICATE,
    "subjects": [{"name": "app.tar", "digest": {"sha256": "5f3b" * 16}}],
    "artifact_bytes": 1024,
}


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def certificates(d: Path):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
         "-subj", "/CN=load CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"], cwd=d)
    for name, cn, ext in [
        ("server", "localhost",
         "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
        ("client", "svc-exporter", "extendedKeyUsage=clientAuth\n"),
    ]:
        (d / f"{name}.ext").write_text(ext)
        run(["openssl", "req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
             "-subj", f"/CN={cn}"], cwd=d)
        run(["openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext"],
            cwd=d)
        run(["openssl", "x509", "-in", f"{name}.pem", "-outform", "DER", "-out", f"{name}.der"],
            cwd=d)


def config(d: Path, name: str, *, sync: bool, redis: str | None, limits: str = "",
           instance: str = "") -> Path:
    fleet = ""
    if redis:
        fleet = (f'[dpop]\nmax_age_seconds = 300\nreplay_store = "redis"\n'
                 f'redis_url = "{redis}"\n')
    else:
        fleet = "[dpop]\nmax_age_seconds = 300\nreplay_capacity = 1000000\n"
    quotas = f'store = "redis"\nredis_url = "{redis}"' if redis else 'store = "memory"'
    text = f"""
[server]
listen = "127.0.0.1:0"
external_url = "{EXTERNAL}"
certificate = "server.pem"
private_key = "server.key"
client_ca = "ca.pem"

[authority]
issuer = "https://authority.stella.test"
jwks = "authority-jwks.json"
max_lifetime_seconds = 900

{fleet}
[entitlement]
source = "documents"
documents = "entitlements"
licensing_jwks = "licensing-jwks.json"
refresh_seconds = 60

[quotas]
{quotas}
default = {{ max_artifact_bytes = 1000000{limits} }}

[release]
check = false

[keys]
uri = "signer.pem"

[audit]
path = "audit-{name}.jsonl"
sync = {"true" if sync else "false"}
"""
    path = d / f"{name}.toml"
    path.write_text(text)
    return path


class Server:
    def __init__(self, d: Path, cfg: Path):
        self.log = open(d / f"{cfg.stem}.log", "w")
        self.proc = subprocess.Popen([str(STELLA), "serve", "--config", str(cfg)],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on https://\S+:(\d+)", line)
        if not m:
            self.proc.kill()
            sys.exit(f"stella serve did not start: {line!r}; see {self.log.name}")
        self.url = f"https://localhost:{m.group(1)}{SIGN}"

    def pin(self, cpu: int):
        """Move every thread of the server onto one vCPU."""
        run(["taskset", "-a", "-p", "-c", str(cpu), str(self.proc.pid)])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def expect_signed(what: str, r: dict):
    """Stop when a run that should sign did not: figures of refusals measure nothing."""
    if r["ok"] < 0.99 * r["requests"]:
        sys.exit(f"{what}: only {r['ok']} of {r['requests']} answered 200: {r.get('codes')}")


def oha(d: Path, url: str, token: str, concurrency: int, cpu: int | None = None) -> dict:
    args = ([] if cpu is None else ["taskset", "-c", str(cpu)]) + [OHA, "--no-tui", "--output-format", "json", "-z", f"{SECONDS}s",
            "-c", str(concurrency), "-m", "POST", "--cacert", "ca.pem", "--cert", "client.pem",
            "--key", "client.key", "-H", f"authorization: Bearer {token}",
            "-H", "x-stellaops-tenant: acme", "-H", "content-type: application/json",
            "-D", "body.json", url]
    return oha_result(run(args, cwd=d).stdout)


def oha_result(text: str) -> dict:
    doc = json.loads(text)
    codes = doc.get("statusCodeDistribution", {})
    total = sum(codes.values())
    return {
        "requests": total,
        "ok": codes.get("200", 0),
        "codes": codes,
        "rps": doc["summary"]["requestsPerSec"],
        "p50_us": doc["latencyPercentiles"]["p50"] * 1e6,
        "p99_us": doc["latencyPercentiles"]["p99"] * 1e6,
        "errors": doc.get("errorDistribution", {}),
    }


def proofs(d: Path, n: int, name: str) -> Path:
    path = d / name
    with open(path, "w") as out:
        subprocess.run([str(CREDENTIALS), "dpop", str(d), EXTERNAL + SIGN, str(n)], check=True,
                       stdout=out)
    return path


def wrk_start(d: Path, url: str, proof_file: Path, concurrency: int) -> subprocess.Popen:
    threads = min(2, concurrency)
    args = [WRK, "-t", str(threads), "-c", str(concurrency), "-d", f"{SECONDS}s",
            "-s", str(ROOT / "benches" / "load" / "dpop.lua"), url, "--",
            str(proof_file), "body.json", str(threads)]
    return subprocess.Popen(args, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wrk_result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"wrk failed: {err}")
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    r = json.loads(line)
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["ok"] = r["requests"] - r["non2xx"]
    return r


def audit_decisions(d: Path, name: str) -> dict:
    counts: dict = {}
    for line in (d / f"audit-{name}.jsonl").read_text().splitlines():
        rec = json.loads(line)["record"]
        key = rec["decision"] + ("" if rec["reason"] is None else f" {rec['reason']}")
        counts[key] = counts.get(key, 0) + 1
    return counts


def redis_calls(port: int) -> dict:
    text = run(["redis-cli", "-p", str(port), "info", "commandstats"]).stdout
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"cmdstat_(\w+):calls=(\d+)", text)}


def criterion_median(name: str) -> float | None:
    path = ROOT / "target" / "criterion" / "pipeline" / name / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"] / 1e3


def us(v: float | None) -> str:
    return "—" if v is None else (f"{v / 1e3:.2f} ms" if v >= 1e4 else f"{v:.0f} µs")


def main():
    for tool in (OHA, WRK, "openssl", "redis-server", "redis-cli", "redis-benchmark", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (benches/load/run.sh installs the load generators)")
    d = Path(tempfile.mkdtemp(prefix="stella-load-"))
    certificates(d)
    run([str(CREDENTIALS), "setup", str(d)])
    (d / "body.json").write_text(json.dumps(BODY))
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    redis_url = f"redis://127.0.0.1:{redis_port}/"
    rows = []
    notes = []
    try:
        mtls = run([str(CREDENTIALS), "mtls-token", str(d)]).stdout.strip()

        # One instance, mTLS-bound, audit durable and not, 1 and 64 callers.
        for sync in (False, True):
            s = Server(d, config(d, f"one-{'sync' if sync else 'nosync'}", sync=sync, redis=None))
            if not sync:
                # The floor: what HTTP and TLS alone cost per request on this box (GET /healthz).
                floor = oha_result(run([OHA, "--no-tui", "--output-format", "json", "-z",
                                        f"{SECONDS}s", "-c", "1", "--cacert", "ca.pem", "--cert",
                                        "client.pem", "--key", "client.key",
                                        s.url.replace(SIGN, "/healthz")], cwd=d).stdout)
                rows.append(("1 instance", "GET /healthz (HTTP and TLS only)", "—", 1, floor))
            for c in (1, 64):
                r = oha(d, s.url, mtls, c)
                expect_signed(f"mTLS, {c} callers", r)
                rows.append(("1 instance", "mTLS", "fdatasync" if sync else "no sync", c, r))
            # One caller with the server and the load generator on the same vCPU: no wake-up
            # crosses vCPUs, which on a virtual machine is an interrupt through the hypervisor.
            s.pin(0)
            if not sync:
                floor = oha_result(run(["taskset", "-c", "0", OHA, "--no-tui", "--output-format",
                                        "json", "-z", f"{SECONDS}s", "-c", "1", "--cacert",
                                        "ca.pem", "--cert", "client.pem", "--key", "client.key",
                                        s.url.replace(SIGN, "/healthz")], cwd=d).stdout)
                rows.append(("1 instance, one vCPU for both", "GET /healthz (HTTP and TLS only)",
                             "—", 1, floor))
            r = oha(d, s.url, mtls, 1, cpu=0)
            expect_signed("mTLS, 1 caller, one vCPU", r)
            rows.append(("1 instance, one vCPU for both", "mTLS",
                         "fdatasync" if sync else "no sync", 1, r))
            s.stop()

        # One instance, DPoP-bound, durable audit.
        s = Server(d, config(d, "one-dpop", sync=True, redis=None))
        for c in (1, 64):
            pf = proofs(d, 40000 if c == 1 else 80000, f"proofs-{c}.txt")
            r = wrk_result(wrk_start(d, s.url, pf, c))
            expect_signed(f"DPoP, {c} callers", r)
            rows.append(("1 instance", "DPoP", "fdatasync", c, r))
        s.stop()

        # Two instances sharing Redis (quotas, DPoP proof ids), 32 callers each.
        before = redis_calls(redis_port)
        a = Server(d, config(d, "fleet-a", sync=True, redis=redis_url))
        b = Server(d, config(d, "fleet-b", sync=True, redis=redis_url))
        ra, rb = {}, {}
        ta = threading.Thread(target=lambda: ra.update(oha(d, a.url, mtls, 32)))
        tb = threading.Thread(target=lambda: rb.update(oha(d, b.url, mtls, 32)))
        ta.start(); tb.start(); ta.join(); tb.join()
        after = redis_calls(redis_port)
        fleet = {"requests": ra["requests"] + rb["requests"], "ok": ra["ok"] + rb["ok"],
                 "rps": ra["rps"] + rb["rps"], "p50_us": max(ra["p50_us"], rb["p50_us"]),
                 "p99_us": max(ra["p99_us"], rb["p99_us"]),
                 "codes": {k: ra["codes"].get(k, 0) + rb["codes"].get(k, 0)
                           for k in set(ra["codes"]) | set(rb["codes"])}}
        expect_signed("fleet, mTLS", fleet)
        rows.append(("2 instances + Redis", "mTLS", "fdatasync", 64, fleet))
        a.stop(); b.stop()
        calls = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        calls = {k: v for k, v in calls.items() if v > 0 and k not in ("info",)}
        per_request = sum(calls.values()) / max(fleet["requests"], 1)
        notes.append(f"Redis commands during the mTLS fleet run: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
                     + f" for {fleet['requests']} requests = {per_request:.2f} round-trips per request.")

        # Replay under load: both instances get every proof (two wrk processes, one file, the
        # same split over threads), so each proof arrives twice and must be accepted once.
        a = Server(d, config(d, "replay-a", sync=True, redis=redis_url))
        b = Server(d, config(d, "replay-b", sync=True, redis=redis_url))
        pf = proofs(d, 60000, "proofs-fleet.txt")
        before = redis_calls(redis_port)
        wa = wrk_start(d, a.url, pf, 32)
        wb = wrk_start(d, b.url, pf, 32)
        xa, xb = wrk_result(wa), wrk_result(wb)
        after = redis_calls(redis_port)
        a.stop(); b.stop()
        sent = xa["requests"] + xb["requests"]
        ok = xa["ok"] + xb["ok"]
        decisions = [audit_decisions(d, n) for n in ("replay-a", "replay-b")]
        allowed = sum(x.get("allowed", 0) for x in decisions)
        replays = sum(x.get("denied dpop.replay", 0) for x in decisions)
        distinct = sum(max(u, v) for u, v in zip(xa["used"], xb["used"]))
        rows.append(("2 instances + Redis", "DPoP, each proof to both", "fdatasync", 64,
                     {"requests": sent, "ok": ok, "rps": xa["rps"] + xb["rps"],
                      "p50_us": max(xa["p50_us"], xb["p50_us"]),
                      "p99_us": max(xa["p99_us"], xb["p99_us"])}))
        notes.append(
            f"Replay under load: {sent} requests carried {distinct} distinct proofs (each sent "
            f"to both instances); {ok} were answered 200, and the audit logs hold {allowed} "
            f"`allowed` and {replays} `dpop.replay` denials. "
            + ("No proof was accepted twice." if ok <= distinct and allowed <= distinct else
               "MORE ACCEPTED THAN DISTINCT PROOFS: a replay got through."))
        calls = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        calls = {k: v for k, v in calls.items() if v > 0 and k not in ("info",)}
        notes.append(f"Redis commands during the DPoP fleet run: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
                     + f" for {sent} requests = {sum(calls.values()) / max(sent, 1):.2f} "
                     "round-trips per request.")

        # Exact quotas across the fleet: 100 requests/s with a burst of 100, both instances.
        limits = ", requests_per_second = 100.0, burst = 100"
        a = Server(d, config(d, "quota-a", sync=False, redis=redis_url, limits=limits))
        b = Server(d, config(d, "quota-b", sync=False, redis=redis_url, limits=limits))
        ra, rb = {}, {}
        started = time.monotonic()
        ta = threading.Thread(target=lambda: ra.update(oha(d, a.url, mtls, 32)))
        tb = threading.Thread(target=lambda: rb.update(oha(d, b.url, mtls, 32)))
        ta.start(); tb.start(); ta.join(); tb.join()
        elapsed = time.monotonic() - started
        a.stop(); b.stop()
        admitted = ra["ok"] + rb["ok"]
        limited = ra["codes"].get("429", 0) + rb["codes"].get("429", 0)
        ceiling = 100 + 100 * elapsed
        notes.append(
            f"Quotas across the fleet (100 requests/s, burst 100, {elapsed:.1f} s of load on both "
            f"instances): {admitted} admitted, {limited} refused `quota.rate` (429); the bucket "
            f"allows at most {ceiling:.0f} in that time"
            + (" — held." if admitted <= ceiling else " — EXCEEDED."))

        # What one Redis round-trip costs here.
        bench = run(["redis-benchmark", "-p", str(redis_port), "-c", "1", "-n", "20000", "-t",
                     "set", "-q"]).stdout
        m = re.search(r"p50=([\d.]+) msec", bench)
        if m:
            notes.append(f"One Redis round-trip on loopback (redis-benchmark SET, 1 client): "
                         f"p50 {float(m.group(1)) * 1000:.0f} µs.")
    finally:
        redis.terminate()

    inproc = {
        "no sync": criterion_median("pipeline mtls-bound, audit without fsync"),
        # The route's own call: the same JSON body in, the outcome's JSON out.
        "json": criterion_median("pipeline mtls-bound json in and out, audit without fsync"),
        "fdatasync": criterion_median("pipeline mtls-bound, audit with fdatasync"),
        "dpop": criterion_median("pipeline dpop-bound, audit without fsync"),
    }
    out = [f"<!-- generated by benches/load/run.sh; {SECONDS} s per run; load generator and "
           f"server(s) share the machine's cores -->",
           "### `stella serve` under load (keyful ES256, loopback, HTTP/1.1 over TLS 1.3)\n",
           "| setup | caller | audit | callers | requests/s | p50 | p99 | answered 200 |",
           "|---|---|---|---:|---:|---:|---:|---:|"]
    for setup, caller, audit, c, r in rows:
        out.append(f"| {setup} | {caller} | {audit} | {c} | {r['rps']:.0f} | {us(r['p50_us'])} | "
                   f"{us(r['p99_us'])} | {r['ok']} of {r['requests']} |")
    out.append("")
    out.append("In-process pipeline, same statement, criterion median in the same run: mTLS-bound "
               f"{us(inproc['no sync'])} without sync, {us(inproc['fdatasync'])} with "
               f"`fdatasync`; DPoP-bound {us(inproc['dpop'])} without sync; the route's call "
               f"(mTLS-bound, JSON body in, outcome JSON out, no sync) {us(inproc['json'])}.")
    by = {(s, c_, a_, n): r for s, c_, a_, n, r in rows}
    one = by.get(("1 instance", "mTLS", "no sync", 1))
    base = inproc["json"] or inproc["no sync"]
    if one and base:
        out.append(f"Service over the same call in process at 1 caller (mTLS, no sync, p50): "
                   f"+{one['p50_us'] - base:.0f} µs.")
    floor = by.get(("1 instance", "GET /healthz (HTTP and TLS only)", "—", 1))
    if one and floor and base:
        out.append(f"Of that, HTTP and TLS on this box (a GET /healthz round trip, p50): "
                   f"{floor['p50_us']:.0f} µs; the signing route over in-process and that floor: "
                   f"+{one['p50_us'] - base - floor['p50_us']:.0f} µs.")
    pinned = by.get(("1 instance, one vCPU for both", "mTLS", "no sync", 1))
    if pinned and base:
        out.append(f"With the server and the load generator on one vCPU (no wake-up crosses "
                   f"vCPUs): +{pinned['p50_us'] - base:.0f} µs over the same call in process.")
    nos, dur = by.get(("1 instance", "mTLS", "no sync", 64)), by.get(("1 instance", "mTLS",
                                                                      "fdatasync", 64))
    if nos and dur:
        out.append(f"Durable audit at 64 callers: {dur['rps']:.0f} vs {nos['rps']:.0f} requests/s "
                   f"without sync = {(1 - dur['rps'] / nos['rps']) * 100:.1f} % fewer.")
    out.extend(["", *[f"- {n}" for n in notes]])
    text = "\n".join(out) + "\n"
    (ROOT / "benches" / "results-load.md").write_text(text)
    print(text)
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
