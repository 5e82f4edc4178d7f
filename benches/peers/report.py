"""Gather criterion, OpenSSL and securesystemslib numbers into one markdown table of ratios."""

import json
import platform
import re
import subprocess
import sys
from pathlib import Path

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
rows = []
for op in ("sign", "verify"):
    for alg in ("es256", "es384", "ed25519", "rsa-pss-sha256", "rsa-pkcs1-sha256"):
        ours = ns("signature", op, alg)
        awslc = ns("aws-lc", op, alg)
        rows.append((f"{op} {alg} (1 KiB payload)", ours, awslc, ossl.get(f"{op}/{alg}"), sslib.get(f"{op}/{alg}")))
for name in ("jcs-statement", "olpc-statement"):
    rows.append((f"canonicalize {name.split('-')[0]} (~7 KB statement)", ns("canon", name), None, None, sslib.get(name)))
for op in ("pae", "base64-encode", "base64-decode"):
    for size in ("1KiB", "1MiB"):
        rows.append((f"{op} {size}", ns("encoding", op, size), None, None, None))
rows.append(("whole envelope: JCS + ES256 sign + JSON (~7 KB)", ns("envelope", "sign-es256-statement"), None, None, None))

cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"Machine: {cpu or platform.processor()}, {platform.system()} {platform.machine()}; OpenSSL: "
      + (out / "openssl.txt").read_text().splitlines()[0] if (out / "openssl.txt").read_text() else "")
print()
print("| operation | stellaops (RustCrypto) | aws-lc-rs | OpenSSL | securesystemslib / rfc8785 | ours ÷ aws-lc-rs | ours ÷ OpenSSL | securesystemslib ÷ ours |")
print("|---|---|---|---|---|---|---|---|")
for name, ours, awslc, o, s in rows:
    print(f"| {name} | {fmt(ours)} | {fmt(awslc)} | {fmt(o)} | {fmt(s)} | {ratio(ours, awslc)} | {ratio(ours, o)} | {ratio(s, ours)} |")
print()
print("Times are per operation (criterion mean; OpenSSL from `openssl speed`; Python from timeit). "
      "Ratios above 1× in the 'ours ÷' columns mean we are slower by that factor. OpenSSL's RSA row is "
      "PKCS#1 v1.5 (`openssl speed rsa2048`).")
