"""Reading criterion's results and printing times, for the report scripts."""

import json
from pathlib import Path


def mean(group: str, name: str) -> float | None:
    """The mean (ns) criterion estimated for target/criterion/GROUP/NAME, or None if not run."""
    path = Path("target/criterion") / group / name / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["mean"]["point_estimate"]


def fmt(ns: float | None) -> str:
    """A time in ns as ms (two decimals) or µs (one decimal); — when not measured."""
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e3:.1f} µs"
