"""The figures of a run: one table on stdout, the same figures as JSON, and the Markdown tables
(bench/RESULTS.md, the README's Performance block) rendered from them by bench.docs."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.stats import median


@dataclass(frozen=True, slots=True)
class Figure:
    section: str
    name: str
    value: float | int | str | None  # the median of the repeats (a string only for a share breakdown)
    unit: str = ""
    budget: str = ""  # e.g. ">= 0.5"; empty when the figure has none
    met: bool | None = None  # None: no budget, or not measured
    note: str = ""
    lo: float | None = None  # min and max over the repeats
    hi: float | None = None
    n: int = 0  # repeats the median is taken over; 0: not a repeated measurement (a count, a size)


def check(value: float | None, budget: str) -> bool | None:
    """Evaluate '>= x' / '<= x' against a measured value."""
    if value is None or not budget:
        return None
    op, limit = budget.split()
    return value >= float(limit) if op == ">=" else value <= float(limit)


def summary(section: str, name: str, repeats: list[float], unit: str = "", budget: str = "", note: str = "") -> Figure:
    """One figure from its repeats: the median, judged against the budget, with min and max beside it."""
    if not repeats:
        return Figure(section, name, None, unit, budget, None, note or "not measured")
    mid = median(repeats)
    return Figure(section, name, mid, unit, budget, check(mid, budget), note, min(repeats), max(repeats), len(repeats))


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


def spread(f: Figure) -> str:
    return f"{fmt(f.lo)}–{fmt(f.hi)}" if f.n and f.lo is not None else ""


def verdict(f: Figure) -> str:
    return {True: "yes", False: "NO", None: ""}[f.met]


HEADER = ("section", "figure", "median", "min–max", "n", "unit", "budget", "met")


def rows(figures: list[Figure]) -> list[tuple[str, ...]]:
    return [
        (f.section, f.name, fmt(f.value), spread(f), str(f.n) if f.n else "", f.unit, f.budget, verdict(f))
        for f in figures
    ]


def table(figures: list[Figure]) -> str:
    body = [HEADER, *rows(figures)]
    widths = [max(len(r[i]) for r in body) for i in range(len(HEADER))]
    lines = []
    for n, r in enumerate(body):
        lines.append(
            "  ".join(
                c.rjust(w) if i in (2, 3, 4) else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  [{f.section}/{f.name}] {f.note}" for f in figures if f.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def write_json(path: Path, meta: dict, figures: list[Figure], details: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"meta": meta, "figures": [asdict(f) for f in figures], "details": details}, indent=2, default=str)
    )
    os.replace(tmp, path)
