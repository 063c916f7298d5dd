"""Pure functions from time series to the numbers hfwatch shows (DESIGN §2).

A series is a list of (t, value) pairs in time order, t in Unix seconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

Series = Sequence[tuple[int, int]]


def value_at(series: Series, t: int) -> tuple[int, int] | None:
    """The last point at or before t."""
    i = bisect_right([p[0] for p in series], t) - 1
    return series[i] if i >= 0 else None


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
