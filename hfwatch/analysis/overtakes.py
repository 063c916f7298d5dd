"""The race: the moments one family passed another on a metric (DESIGN §7, `hfwatch overtakes`).

A pure function over per-family time series. Two close families can swap places every hour as their
counters tick; that is noise, not a pass. A new order counts once it has held at every poll for a day,
and the pass is dated by the first poll that showed it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hfwatch.timeunits import DAY_S

Series = Sequence[tuple[int, float | None]]  # (time, value), oldest first; None: unknown at that time


@dataclass(frozen=True, slots=True)
class Overtake:
    """One family passing another in the ranking of a scope and metric."""

    at: int  # the first poll that showed the new order
    family: str  # moved up
    passed: str
    rank: int  # the family's rank at `at`, 1 = first
    scope: str
    metric: str


def overtakes(
    series: Mapping[str, Series],
    *,
    scope: str,
    metric: str,
    hold_s: int = DAY_S,
    coverage: Sequence[tuple[float, float]] = (),
) -> list[Overtake]:
    """Every pass in `series`, oldest first. A family's value carries forward between its points; an unknown
    value (None) or a tie ends a pending pass without counting it. The first order two families are seen
    in is where they start, not a pass; so is the order they come out of a `coverage` span in (see
    analysis.coverage: what the scope counts changed then, and an order change says nothing of the race)."""
    families = sorted(series)
    times = sorted({t for points in series.values() for t, _ in points})
    cursor = [0] * len(families)
    value: list[float | None] = [None] * len(families)
    # Per pair of family indexes (i < j): [order, since, rank]. order +1: i ahead, -1: j ahead, 0: not known
    # yet; since: when the reversed order was first seen (a pass waiting to hold), with the passer's rank then.
    pairs: dict[tuple[int, int], list[Any]] = {
        pair: [0, None, 0] for pair in itertools.combinations(range(len(families)), 2)
    }
    found: list[Overtake] = []
    for t in times:
        for k, fam in enumerate(families):
            points, i = series[fam], cursor[k]
            while i < len(points) and points[i][0] <= t:
                value[k] = points[i][1]
                i += 1
            cursor[k] = i
        ranks: dict[int, int] | None = None  # worked out only when a pass starts
        rebase = any(a <= t <= b for a, b in coverage)
        for (i, j), state in pairs.items():
            vi, vj = value[i], value[j]
            sign = 0 if vi is None or vj is None or vi == vj else (1 if vi > vj else -1)
            order, since = state[0], state[1]
            if rebase:
                state[0], state[1] = sign or order, None
            elif sign == 0 or sign == order:
                state[1] = None
            elif order == 0:
                state[0] = sign
            elif since is None:
                ranks = ranks or _ranks(value)
                state[1], state[2] = t, ranks[i if sign > 0 else j]
            elif t - since >= hold_s:
                winner, loser = (i, j) if sign > 0 else (j, i)
                found.append(Overtake(since, families[winner], families[loser], state[2], scope, metric))
                state[0], state[1] = sign, None
    found.sort(key=lambda o: (o.at, o.rank, o.family, o.passed))
    return found


def _ranks(value: Sequence[float | None]) -> dict[int, int]:
    """Competition ranks (1 = highest) of the families whose value is known, by index."""
    known = [v for v in value if v is not None]
    return {k: 1 + sum(1 for w in known if w > v) for k, v in enumerate(value) if v is not None}
