#!/usr/bin/env python3
"""Writes a Go module in the layout a module proxy serves (GOPROXY=file://DIR reads it as is):
DIR/<module path>/@v/list, vX.Y.Z.info, vX.Y.Z.mod, vX.Y.Z.zip. The zip holds every file of the
module directory under "<module>@<version>/", sorted, with fixed times, the way `go mod download`
expects it (no vendor/ directory, no nested module). Usage: go-module-zip.py MODULE_DIR VERSION
EPOCH OUT_DIR"""

import json
import os
import sys
import time
import zipfile

module_dir, version, epoch, out = sys.argv[1:]
go_mod = open(os.path.join(module_dir, "go.mod"), "rb").read()
module = next(l.split()[1] for l in go_mod.decode().splitlines() if l.startswith("module "))
files = []
for top, dirs, names in os.walk(module_dir):
    rel_top = os.path.relpath(top, module_dir)
    if rel_top != "." and os.path.exists(os.path.join(top, "go.mod")):
        dirs[:] = []  # a nested module is not part of this one
        continue
    dirs[:] = sorted(d for d in dirs if d not in ("vendor", "testdata-out") and not d.startswith("."))
    for name in names:
        rel = os.path.normpath(os.path.join(rel_top, name))
        if not name.startswith("."):
            files.append(rel)
files.sort()
stamp = time.gmtime(int(epoch))[:6]
base = os.path.join(out, module, "@v")
os.makedirs(base, exist_ok=True)
with zipfile.ZipFile(os.path.join(base, version + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for rel in files:
        info = zipfile.ZipInfo(f"{module}@{version}/{rel}", date_time=stamp)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, open(os.path.join(module_dir, rel), "rb").read())
open(os.path.join(base, version + ".mod"), "wb").write(go_mod)
stamp_text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
json.dump({"Version": version, "Time": stamp_text}, open(os.path.join(base, version + ".info"), "w"))
open(os.path.join(base, "list"), "w").write(version + "\n")
print(f"go module {module} {version}: {len(files)} files")
