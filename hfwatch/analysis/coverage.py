"""When the ecosystem scope's coverage changed: the deep walks that widened what it counts.

The first deep walk finds derivatives no name search saw (OLMo's ecosystem went from 154 models to 399 in
the demo), so every ecosystem total steps up while it runs. That step is coverage, not growth: an order
change between two families then says which family's derivatives hide behind unrelated names, not who
passed whom. A walk widens coverage when it is the first to reach its floor (or a lower one); later walks
at that floor only find new repos, which is the ecosystem growing. First-party figures come from the
families' own orgs, which the slow lane lists whole, so a walk never changes their coverage.

Pure functions: the walks come from `store.wholehub.walk_list`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hfwatch.records import Metric, Scope

ROLLUP_LAG_S = 3600  # a walk's last page lands in the rollup hour it ends in


@dataclass(frozen=True, slots=True)
class WalkSpan:
    """A deep walk's reach and times, as coverage needs them."""

    floor: int
    started: float
    updated: float
    finished: float | None


@dataclass(frozen=True, slots=True)
class CoverageChange:
    """A stretch of time over which the walks' coverage stood as one walk left it."""

    start: float
    end: float  # math.inf: the walk is under way


def coverage_changes(walks: Sequence[WalkSpan]) -> list[CoverageChange]:
    """The walks (oldest first) that widened coverage: each first to go below every floor finished before it.
    A walk left unfinished ended where it stopped, unless it is the latest (under way, or to be resumed)."""
    lowest_done = math.inf
    out: list[CoverageChange] = []
    for k, w in enumerate(walks):
        if w.floor < lowest_done:
            end = w.finished if w.finished is not None else (math.inf if k == len(walks) - 1 else w.updated)
            out.append(CoverageChange(w.started, end))
        if w.finished is not None:
            lowest_done = min(lowest_done, w.floor)
    return out


def reorder_spans(
    changes: Sequence[CoverageChange], *, scope: str, metric: str, rate_window_s: int
) -> list[tuple[float, float]]:
    """The times at which an order change of `metric` in `scope` may be coverage rather than the race: while
    a widening walk runs, and for a rate, until its window no longer spans the walk (the derivatives found
    add their growth from their second observation on, so the rate climbs for a window after)."""
    if scope != Scope.ECOSYSTEM or not changes:
        return []
    lag = rate_window_s if metric == Metric.RATE else ROLLUP_LAG_S
    return [(c.start, c.end + lag) for c in changes]


def overlaps(spans: Sequence[tuple[float, float]], lo: float, hi: float) -> bool:
    """Whether any span meets [lo, hi]."""
    return any(a <= hi and lo <= b for a, b in spans)


def comparable_from(
    edges: Sequence[int], spans: Sequence[tuple[float, float]], now: float, *, counter: bool
) -> tuple[int, int]:
    """Where the latest of `spans` begun by `now` falls among sparkline buckets (bucket i: between edges[i]
    and edges[i+1]): the first bucket it touches, and the first wholly after it, which a counter's bucket is
    when its value (at its end) is, a rate's when its growth (from its start) is. Buckets before the first
    were counted over the narrower coverage, those from the second over the wider one; (0, 0) without spans;
    the second is len(edges) - 1 (no bucket) while the span is still open."""
    latest = max(((a, b) for a, b in spans if a <= now), default=None, key=lambda span: span[1])
    if latest is None:
        return 0, 0
    start, end = latest
    buckets = len(edges) - 1
    touched = next((i for i in range(buckets) if edges[i + 1] >= start), buckets)
    at = 1 if counter else 0
    after = next((i for i in range(buckets) if edges[i + at] >= end), buckets)
    return touched, max(touched, after)
