"""The race: the moments one family passed another on a metric (DESIGN §7, `hfwatch overtakes`).

A pure function over per-family time series. Two close families can swap places every hour as their
counters tick; that is noise, not a pass. A new order counts once it has held at every poll for a day,
and the pass is dated by the first poll that showed it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hfwatch.timeunits import DAY_S

Series = Sequence[tuple[int, float | None]]  # (time, value), oldest first; None: unknown at that time


@dataclass(frozen=True, slots=True)
class Overtake:
    at: int  # the first poll that showed the new order
    family: str  # moved up
    passed: str
    rank: int  # the family's rank at `at`, 1 = first
    scope: str
    metric: str


@dataclass(slots=True)
class _Pair:
    order: int = 0  # +1: the first family of the pair is ahead; -1: the second; 0: not known yet
    since: int | None = None  # when the reversed order was first seen (pending confirmation)
    rank: int = 0  # the rank the passing family had at `since`


def overtakes(series: Mapping[str, Series], *, scope: str, metric: str, hold_s: int = DAY_S) -> list[Overtake]:
    """Every pass in `series`, oldest first. A family's value carries forward between its points; an unknown
    value (None) or a tie ends a pending pass without counting it. The first order two families are seen
    in is where they start, not a pass."""
    families = sorted(series)
    times = sorted({t for points in series.values() for t, _ in points})
    cursor = dict.fromkeys(families, 0)
    value: dict[str, float | None] = dict.fromkeys(families)
    pairs = {pair: _Pair() for pair in itertools.combinations(families, 2)}
    found: list[Overtake] = []
    for t in times:
        for fam in families:
            points, i = series[fam], cursor[fam]
            while i < len(points) and points[i][0] <= t:
                value[fam] = points[i][1]
                i += 1
            cursor[fam] = i
        ranks = _ranks(value)
        for (a, b), pair in pairs.items():
            va, vb = value[a], value[b]
            sign = 0 if va is None or vb is None or va == vb else (1 if va > vb else -1)
            passed = _step(pair, sign, t, ranks.get(a if sign > 0 else b, 0), hold_s)
            if passed is not None:
                at, rank = passed
                winner, loser = (a, b) if sign > 0 else (b, a)
                found.append(Overtake(at, winner, loser, rank, scope, metric))
    found.sort(key=lambda o: (o.at, o.rank, o.family, o.passed))
    return found


def _step(pair: _Pair, sign: int, t: int, rank: int, hold_s: int) -> tuple[int, int] | None:
    """Advance one pair by one poll; (time, rank) of a pass that has now held long enough, else None."""
    if sign == 0 or sign == pair.order:
        pair.since = None
        return None
    if pair.order == 0:
        pair.order = sign
        return None
    if pair.since is None:
        pair.since, pair.rank = t, rank
    if t - pair.since < hold_s:
        return None
    pair.order = sign
    at, pair.since = pair.since, None
    return at, pair.rank


def _ranks(value: Mapping[str, float | None]) -> dict[str, int]:
    """Competition ranks (1 = highest) of the families whose value is known."""
    known = sorted((v, f) for f, v in value.items() if v is not None)
    ranks: dict[str, int] = {}
    for f, v in value.items():
        if v is not None:
            ranks[f] = 1 + sum(1 for w, _ in known if w > v)
    return ranks
