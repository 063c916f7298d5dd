"""A family's downloads/day from its dated growth, and how far the deep walk's models are known (DESIGN §2, §5).

The ecosystem scope counts two kinds of model. Those the fast and slow lanes list get an endpoint at every Hub
refresh the lanes see. Those only the deep walk lists (derivatives whose names say nothing) get one when a
walk lists them again, once a day: their growth up to today's refresh is not known until today's walk has run.
A rate over a window ending at the lanes' horizon would count the first kind to today and the second only to
yesterday, and read low by a day of their downloads (OLMo's 24-hour rate at a fortieth of the truth on the
simulated Hub, every morning until the walk). So once a walk has finished, the ecosystem's observed horizon
is the earlier of the lanes' and the one the latest finished walk ended under. (A walk the Hub refreshed
under dated its earlier pages by the refresh before: those models miss that day until the next walk, a small
error against a day of every walked model's downloads.)

Walks that stopped (the deep lane turned off) stop holding the horizon back after STALE_AFTER_S: the rates are
then the lanes' models' alone, as before any walk, a lower bound rather than unknown for good.

A walk that widens coverage finds models whose growth before it is not known at all: a window reaching back
before it would spread their first day over the whole window (a rate that climbs for a week while nothing
grows). The ecosystem's window therefore starts no earlier than that walk's horizon: its rate is unknown
until the next walk has dated one whole interval of every model, and true from then on.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from hfwatch.analysis import rates
from hfwatch.analysis.coverage import WalkSpan, coverage_changes
from hfwatch.analysis.rates import Span

__all__ = ["NO_DEEP", "STALE_AFTER_S", "DeepHorizons", "FamilyGrowth", "deep_horizons"]

# Two missed daily walks: the deep lane is off, not late.
STALE_AFTER_S = 3 * 86400


@dataclass(frozen=True, slots=True)
class DeepHorizons:
    """(finished, horizon at the walk's end) of the finished deep walks, and of those that widened coverage,
    by finish time."""

    walks: Sequence[tuple[float, int]]
    widenings: Sequence[tuple[float, int]]

    def cap(self, e: int) -> int | None:
        """How far the deep walk's models are known at `e`: None before any walk finished, or when the latest
        finished more than STALE_AFTER_S before `e`."""
        i = _index(self.walks, e)
        if i < 0 or e - self.walks[i][0] > STALE_AFTER_S:
            return None
        return self.walks[i][1]

    def first_known(self, e: int) -> int | None:
        """From when every model the ecosystem counts at `e` has a known growth: the horizon the latest
        widening walk finished by `e` ended under."""
        return _latest(self.widenings, e)


def _index(items: Sequence[tuple[float, int]], e: int) -> int:
    # A year of daily walks, asked at every refresh of the race's span: no list built per question.
    return bisect_right(items, float(e), key=_finished) - 1


def _finished(item: tuple[float, int]) -> float:
    return item[0]


def _latest(items: Sequence[tuple[float, int]], e: int) -> int | None:
    i = _index(items, e)
    return items[i][1] if i >= 0 else None


def deep_horizons(walks: Sequence[WalkSpan], instants: Sequence[int]) -> DeepHorizons:
    """`instants`: the full refreshes seen, oldest first, from before the first walk that matters. A walk
    begun before any refresh was known dated no endpoint of its own models: it changes nothing here."""
    widened = {change.start for change in coverage_changes(walks)}
    done: list[tuple[float, int]] = []
    widenings: list[tuple[float, int]] = []
    for finished, started in sorted((w.finished, w.started) for w in walks if w.finished is not None):
        # The walk's own pages may be the first to see a refresh (the lanes poll rarely): their models are
        # known to it, so the horizon is the one at the walk's end.
        h = rates.horizon(instants, int(finished))
        if h is None:
            continue
        done.append((finished, h))
        if started in widened:
            widenings.append((finished, h))
    return DeepHorizons(done, widenings)


NO_DEEP = DeepHorizons((), ())


@dataclass(frozen=True, slots=True)
class FamilyGrowth:
    """A family's dated growth as the history stood at `e`: its spans, where its coverage starts, the refresh
    instants seen (the lanes' observed horizon at any time up to `e` is the last of them, from the last one
    before the time it was read from), and in the ecosystem scope how far the deep walk's models are known."""

    spans: list[Span]
    start: int | None
    instants: list[int]
    deep: DeepHorizons = NO_DEEP

    def observed(self, e: int) -> int | None:
        """The latest time up to which the growth of every model counted at `e` is known."""
        lanes = rates.horizon(self.instants, e)
        walked = self.deep.cap(e)
        return lanes if lanes is None or walked is None else min(lanes, walked)

    def rate(self, e: int, window_s: int) -> float | None:
        start, known_from = self.start, self.deep.first_known(e)
        if start is not None and known_from is not None:
            start = max(start, known_from)
        return rates.rate(self.spans, e=e, window_s=window_s, observed=self.observed(e), start=start)

    def buckets(self, edges: list[int]) -> list[float | None]:
        # The chart keeps its narrower history before a widening walk (drawn dotted: tui.format), so the start
        # stays the family's own; only the horizon waits for the walk.
        return rates.bucket_rates(self.spans, edges, observed=self.observed(edges[-1]), start=self.start)
