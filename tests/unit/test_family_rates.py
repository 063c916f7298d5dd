"""How far a family's ecosystem growth is known when the deep walk's models are dated once a day."""

from __future__ import annotations

import pytest

from hfwatch.analysis.coverage import WalkSpan
from hfwatch.analysis.family_rates import STALE_AFTER_S, FamilyGrowth, deep_horizons
from hfwatch.analysis.rates import Span

DAY = 86400
R = [10 * DAY + d * DAY for d in range(10)]  # the Hub's refreshes, one a day at the same time


def _growth(walks: list[WalkSpan], spans: list[Span]) -> FamilyGrowth:
    return FamilyGrowth(spans, spans[0].a if spans else None, R, deep_horizons(walks, R))


def _daily(per_day: float, until: int) -> list[Span]:
    return [Span(R[d], R[d + 1], per_day, R[d + 1] + 3600) for d in range(until)]


def test_without_walks_the_lanes_horizon_stands() -> None:
    g = FamilyGrowth(_daily(100.0, 5), R[0], R)
    assert g.observed(R[5] + 7200) == R[5]
    assert g.rate(R[5] + 7200, 2 * DAY) == pytest.approx(100.0)


def test_the_horizon_waits_for_the_walk_after_each_refresh() -> None:
    # Walks start three hours after each refresh and take an hour.
    walks = [WalkSpan(100, R[d] + 3 * 3600, R[d] + 4 * 3600, R[d] + 4 * 3600) for d in range(6)]
    g = _growth(walks, _daily(100.0, 5))
    assert g.observed(R[5] + 3600) == R[4]  # the lanes saw today's refresh, the walk has not run
    assert g.observed(R[5] + 5 * 3600) == R[5]


def test_the_first_walk_starts_the_window() -> None:
    walks = [WalkSpan(100, R[3] + 3 * 3600, R[3] + 4 * 3600, R[3] + 4 * 3600)]
    walks.append(WalkSpan(100, R[4] + 3 * 3600, R[4] + 4 * 3600, R[4] + 4 * 3600))
    g = _growth(walks, _daily(100.0, 5))
    assert g.rate(R[3] + 5 * 3600, 7 * DAY) is None  # [R3, R3]: nothing known of the walk's models yet
    assert g.rate(R[4] + 1 * 3600, 7 * DAY) is None  # next morning: still only to R3
    assert g.rate(R[4] + 5 * 3600, 7 * DAY) == 100.0  # [R3, R4], every model in it


def test_walks_that_stopped_hold_nothing_back() -> None:
    walks = [WalkSpan(100, R[1] + 3 * 3600, R[1] + 4 * 3600, R[1] + 4 * 3600)]
    g = _growth(walks, _daily(100.0, 8))
    late = R[1] + 4 * 3600 + STALE_AFTER_S + 1
    assert g.observed(late) == R[4]
    assert g.observed(late - 2) == R[1]


def test_a_walk_begun_before_any_refresh_was_seen_changes_nothing() -> None:
    walks = [WalkSpan(100, R[0] - DAY, R[0] - DAY + 60, R[0] - DAY + 60)]
    g = _growth(walks, _daily(100.0, 3))
    assert g.observed(R[3]) == R[3]
