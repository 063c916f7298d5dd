"""Pure functions from time series to the numbers hfwatch shows (DESIGN §2).

A series is a list of (t, value) pairs in time order, t in Unix seconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Mapping, Sequence
from itertools import pairwise
from typing import TypeVar

from hfwatch.timeunits import DAY_S

K = TypeVar("K", bound=Hashable)

Series = Sequence[tuple[int, int]]


def value_at(series: Series, t: int) -> tuple[int, int] | None:
    """The last point at or before t."""
    i = bisect_right([p[0] for p in series], t) - 1
    return series[i] if i >= 0 else None


def rate_per_day(growth: Series, now: int, window_s: int) -> float | None:
    """Downloads per day over the window ending at the last point at or before `now`.

    `growth` is a cumulative, never-decreasing counter of downloadsAllTime increases (a
    rollup's growth, or one model's downloadsAllTime). When the history is shorter than the
    window, the rate is over the history there is; with fewer than two points it is unknown.
    A counter that went down (a Hub recount) counts as no growth, never as a negative rate.
    """
    end = value_at(growth, now)
    if end is None:
        return None
    start = value_at(growth, end[0] - window_s)
    if start is None:
        start = growth[0]
    if start[0] >= end[0]:
        return None
    return max(0, end[1] - start[1]) * DAY_S / (end[0] - start[0])


def monotone_growth(series: Series) -> list[tuple[int, int]]:
    """Turn raw downloadsAllTime readings into a counter that ignores decreases (recounts)."""
    out: list[tuple[int, int]] = []
    total = 0
    prev: int | None = None
    for t, value in series:
        if prev is not None and value > prev:
            total += value - prev
        prev = value
        out.append((t, total))
    return out


def shares(values: Mapping[K, float | int | None]) -> dict[K, float | None]:
    """Each key's part of the total of the known values (None stays None)."""
    total = sum(v for v in values.values() if v is not None and v > 0)
    return {k: (None if v is None else (max(0.0, v) / total if total else 0.0)) for k, v in values.items()}


def ranks(values: Mapping[K, float | int | None]) -> dict[K, int]:
    """1 = largest; unknown values rank last; ties keep the mapping's order."""
    order = sorted(values, key=lambda k: (values[k] is None, -(values[k] or 0)))
    return {k: i for i, k in enumerate(order, start=1)}


def bucket_edges(start: int, end: int, n: int) -> list[int]:
    """n+1 bucket boundaries from start to end."""
    if end <= start or n <= 0:
        return [end]
    width = (end - start) / n
    return [int(start + i * width) for i in range(n)] + [end]


def sample(series: Series, edges: Sequence[int]) -> list[int | None]:
    """The value at each bucket edge after the first (last point at or before it)."""
    out: list[int | None] = []
    i = 0
    last: int | None = None
    for edge in edges[1:]:
        while i < len(series) and series[i][0] <= edge:
            last = series[i][1]
            i += 1
        out.append(last)
    return out


def rate_buckets(growth: Series, edges: Sequence[int]) -> list[float | None]:
    """Downloads per day within each bucket, from a cumulative growth counter."""
    times = [t for t, _ in growth]
    out: list[float | None] = []
    for lo, hi in pairwise(edges):
        i, j = bisect_right(times, lo) - 1, bisect_right(times, hi) - 1
        if i < 0 < j:
            i = 0  # a bucket that starts before the history: rate over the part there is
        if i < 0 or j <= i:
            out.append(None)
            continue
        (t0, g0), (t1, g1) = growth[i], growth[j]
        out.append(max(0, g1 - g0) * DAY_S / (t1 - t0))
    return out


def fill_gaps(values: Sequence[float | int | None]) -> list[float]:
    """For a sparkline: unknown leading points become 0, later gaps carry the last value."""
    out: list[float] = []
    last = 0.0
    for v in values:
        if v is not None:
            last = float(v)
        out.append(last)
    return out
