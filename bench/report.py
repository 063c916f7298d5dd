"""The figures of a run: one table on stdout, the same figures as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Figure:
    section: str
    name: str
    value: float | int | str | None
    unit: str = ""
    budget: str = ""  # e.g. ">= 0.5"; empty when the figure has none
    met: bool | None = None  # None: no budget, or not measured
    note: str = ""


def check(value: float | None, budget: str) -> bool | None:
    """Evaluate '>= x' / '<= x' against a measured value."""
    if value is None or not budget:
        return None
    op, limit = budget.split()
    return value >= float(limit) if op == ">=" else value <= float(limit)


def fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(figures: list[Figure]) -> str:
    rows = [("section", "figure", "value", "unit", "budget", "met")]
    for f in figures:
        met = {True: "yes", False: "NO", None: ""}[f.met]
        rows.append((f.section, f.name, fmt(f.value), f.unit, f.budget, met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.rjust(w) if i == 2 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                                   strict=True))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  [{f.section}/{f.name}] {f.note}" for f in figures if f.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def write_json(path: Path, meta: dict, figures: list[Figure], details: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"meta": meta, "figures": [asdict(f) for f in figures], "details": details},
                              indent=2, default=str))
    os.replace(tmp, path)
