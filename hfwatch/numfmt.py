"""Numbers for people, shared by the command line and the monitor (imports nothing): unknown is a dash, never 0."""

from __future__ import annotations

DASH = "–"


def human(n: float | int | None) -> str:
    """1234567 → 1.2M; None → – (unknown)."""
    if n is None:
        return DASH
    value = float(n)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


def percent(x: float | None, digits: int = 1) -> str:
    return DASH if x is None else f"{x * 100:.{digits}f}%"
