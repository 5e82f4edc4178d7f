"""Gather criterion, OpenSSL and securesystemslib numbers into one markdown table of ratios."""

import json
import platform
import re
import sys
from pathlib import Path

from machine import cpu_model

out = Path(sys.argv[1])
crit = Path("target/criterion")


def ns(*parts: str) -> float | None:
    p = crit.joinpath(*parts, "new", "estimates.json")
    if not p.exists():
        return None
    return json.loads(p.read_text())["mean"]["point_estimate"]


def openssl() -> dict:
    text = (out / "openssl.txt").read_text()
    res = {}
    for line in text.splitlines():
        m = re.match(r"\s*\d+ bits ecdsa \((nistp256|nistp384)\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            name = {"nistp256": "es256", "nistp384": "es384"}[m.group(1)]
            res[f"sign/{name}"] = 1e9 / float(m.group(2))
            res[f"verify/{name}"] = 1e9 / float(m.group(3))
        m = re.match(r"\s*\d+ bits EdDSA \(Ed25519\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            res["sign/ed25519"] = 1e9 / float(m.group(1))
            res["verify/ed25519"] = 1e9 / float(m.group(2))
        m = re.match(r"rsa\s+2048 bits\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            res["sign/rsa-pkcs1-sha256"] = 1e9 / float(m.group(1))
            res["verify/rsa-pkcs1-sha256"] = 1e9 / float(m.group(2))
    return res


def fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:.2f} ms"
    if v >= 1e3:
        return f"{v / 1e3:.1f} µs"
    return f"{v:.0f} ns"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{a / b:.2f}×"


ossl = openssl()
sslib = json.loads((out / "securesystemslib.json").read_text())
go = json.loads((out / "go.json").read_text())
node = json.loads((out / "node.json").read_text())
proc = json.loads((out / "process.json").read_text())

cpu = cpu_model()
first = (out / "openssl.txt").read_text().splitlines()
print(f"Machine: {cpu}, {platform.system()} {platform.machine()}; OpenSSL: "
      + (first[0] if first else "?"))
print()
print("### Signatures (1 KiB payload, per operation)\n")
print("| operation | ours: AWS-LC backend (default) | ours: RustCrypto (pure Rust) | aws-lc-rs | OpenSSL | Go crypto | Node crypto | securesystemslib | AWS-LC backend ÷ aws-lc-rs (goal ≤ 1.3×) |")
print("|---|---|---|---|---|---|---|---|---|")
for op in ("sign", "verify"):
    for alg in ("es256", "es384", "ed25519", "rsa-pss-sha256", "rsa-pkcs1-sha256"):
        fast = ns("signature-aws-lc", op, alg)
        rc = ns("signature", op, alg)
        ref = ns("aws-lc", op, alg)
        key = f"{op}/{alg}"
        print(f"| {op} {alg} | {fmt(fast)} | {fmt(rc)} | {fmt(ref)} | {fmt(ossl.get(key))} | {fmt(go.get(key))} "
              f"| {fmt(node.get(key))} | {fmt(sslib.get(key))} | {ratio(fast, ref)} |")
print()
print("### Encoding, canonical JSON, envelopes\n")
print("| operation | ours | peer | ours ÷ peer |")
print("|---|---|---|---|")
for size in ("1KiB", "1MiB", "64MiB"):
    for op in ("encode", "decode"):
        simd = ns("encoding", f"base64-simd-{op}", size)
        plain = ns("encoding", f"base64-{op}", size)
        print(f"| base64 {op} {size}: base64-simd (default) vs the base64 crate | {fmt(simd)} | {fmt(plain)} | {ratio(simd, plain)} |")
for size in ("1KiB", "1MiB", "64MiB"):
    print(f"| PAE {size} | {fmt(ns('encoding', 'pae', size))} | — | — |")
jcs = ns("canon", "jcs-statement")
print(f"| RFC 8785 (JCS), ~7 KB statement, vs serde_jcs (goal ≤ 2×) | {fmt(jcs)} | {fmt(ns('canon', 'serde_jcs-statement'))} | {ratio(jcs, ns('canon', 'serde_jcs-statement'))} |")
print(f"| RFC 8785 (JCS), ~7 KB statement, vs PyPI rfc8785 | {fmt(jcs)} | {fmt(sslib.get('jcs-statement'))} | {ratio(jcs, sslib.get('jcs-statement'))} |")
olpc = ns("canon", "olpc-statement")
print(f"| OLPC, ~7 KB statement, vs securesystemslib `encode_canonical` | {fmt(olpc)} | {fmt(sslib.get('olpc-statement'))} | {ratio(olpc, sslib.get('olpc-statement'))} |")
for size in ("1KiB", "10MiB"):
    fast = ns("envelope-aws-lc", "sign-es256", size)
    rc = ns("envelope", "sign-es256", size)
    print(f"| whole envelope ES256 sign + JSON, {size} payload: default vs pure Rust | {fmt(fast)} | {fmt(rc)} | {ratio(fast, rc)} |")
fast = ns("envelope-aws-lc", "sign-es256-statement")
rc = ns("envelope", "sign-es256-statement")
print(f"| whole envelope JCS + ES256 + JSON, ~7 KB statement: default vs pure Rust | {fmt(fast)} | {fmt(rc)} | {ratio(fast, rc)} |")
print()
print("### Whole process\n")
print("| measure | ours | peer | note |")
print("|---|---|---|---|")
print(f"| `stella sign` of 1 KiB, ES256 key file (median of 50 processes; goal < 5 ms) | {proc['stella_sign_ms']:.1f} ms "
      f"| {proc['openssl_dgst_sign_ms']:.1f} ms (`openssl dgst -sign`) | cosign's Go module cannot be fetched here |")
print(f"| `stella attest` peak memory, 1 MiB artifact | {proc['attest_small_peak_mib']:.1f} MiB | — | {proc['attest_small_seconds']:.2f} s |")
print(f"| `stella attest` peak memory, 1 GiB artifact (must stay flat) | {proc['attest_big_peak_mib']:.1f} MiB | — | {proc['attest_big_seconds']:.2f} s (sha256 of 1 GiB streamed) |")
print()
print("Times are per operation (criterion mean; OpenSSL from `openssl speed`; Go from `testing.Benchmark`; "
      "Node from a timing loop; Python from timeit). Ratios above 1× mean ours is slower by that factor. "
      "OpenSSL's RSA row is PKCS#1 v1.5 (`openssl speed rsa2048`). ECDSA with the AWS-LC backend uses "
      "random (hedged) nonces; RustCrypto uses RFC 6979.")
