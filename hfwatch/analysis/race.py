"""The race as the monitor shows it: the ranks of the leading families over a span (a bump chart) and
the passes in that span, newest first. Pure functions over the per-family series of `store.race`."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hfwatch.analysis.overtakes import Overtake, Series, overtakes

MAX_POINTS = 120  # a bump chart wider than this has more points than columns to draw them in


@dataclass(frozen=True, slots=True)
class Race:
    """The leading families' ranks over time and the passes among them (the race screen's bump chart)."""

    times: list[int]
    ranks: dict[str, list[int | None]]  # per leading family, its rank at each of `times` (None: unknown)
    passes: list[Overtake]  # newest first


def sample_times(series: Mapping[str, Series], since: int, max_points: int = MAX_POINTS) -> list[int]:
    """The distinct times of the series from `since`, thinned evenly to at most `max_points` (the last kept)."""
    times = sorted({t for points in series.values() for t, _ in points if t >= since})
    if len(times) <= max_points:
        return times
    step = (len(times) - 1) / (max_points - 1)
    return sorted({times[round(i * step)] for i in range(max_points)})


def rank_history(
    series: Mapping[str, Series], times: Sequence[int], families: Sequence[str] | None = None
) -> dict[str, list[int | None]]:
    """The competition rank (1 = highest) of each of `families` (default: all) at each of `times`, among all
    the families whose value is known then; a value holds from its point until the next. None: the
    family's value is unknown then."""
    values: dict[str, list[float | None]] = {}
    for family, points in series.items():
        stamps = [t for t, _ in points]
        row: list[float | None] = []
        for t in times:
            i = bisect.bisect_right(stamps, t) - 1
            row.append(points[i][1] if i >= 0 else None)
        values[family] = row
    wanted = [f for f in (series if families is None else families) if f in series]
    ranks: dict[str, list[int | None]] = {f: [] for f in wanted}
    for k in range(len(times)):
        known = [v[k] for v in values.values() if v[k] is not None]
        for family in wanted:
            v = values[family][k]
            ranks[family].append(None if v is None else 1 + sum(1 for w in known if w is not None and w > v))
    return ranks


def race(
    series: Mapping[str, Series],
    *,
    leaders: Sequence[str],
    since: int,
    scope: str,
    metric: str,
    coverage: Sequence[tuple[float, float]] = (),
) -> Race:
    """The ranks of `leaders` from `since` on, and every pass (among all the series' families) from then;
    none where `coverage` changed (see overtakes)."""
    times = sample_times(series, since)
    passes = [o for o in overtakes(series, scope=scope, metric=metric, coverage=coverage) if o.at >= since]
    passes.sort(key=lambda o: (-o.at, o.rank, o.family, o.passed))
    return Race(times, rank_history(series, times, leaders), passes)


def involving(passes: Sequence[Overtake], families: set[str]) -> list[Overtake]:
    return [o for o in passes if o.family in families or o.passed in families]
