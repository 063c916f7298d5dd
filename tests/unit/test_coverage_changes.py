"""The deep lane's coverage changes in the race: a widening walk's order changes are no passes, the rank
change across it is unknown, and first-party figures (which a walk never widens) keep every pass."""

from __future__ import annotations

import math
from pathlib import Path

from hfwatch.analysis.coverage import (
    CoverageChange,
    WalkSpan,
    comparable_from,
    coverage_changes,
    overlaps,
    reorder_spans,
)
from hfwatch.analysis.overtakes import overtakes
from hfwatch.analysis.views import countries, data_time, leaderboard
from hfwatch.registry import Registry
from hfwatch.store import Store
from hfwatch.store.deepwalk import finish, open_walk
from tests.helpers.tui import fixed_history, history_copy, registry

__all__ = ["fixed_history", "history_copy", "registry"]  # fixtures used below

H = 3600
DAY = 86_400


def test_the_first_walk_at_a_floor_widens_coverage_and_later_ones_at_it_do_not() -> None:
    walks = [
        WalkSpan(floor=100, started=0, updated=5 * H, finished=5 * H),
        WalkSpan(floor=100, started=DAY, updated=DAY + 4 * H, finished=DAY + 4 * H),  # same floor: new repos only
        WalkSpan(floor=50, started=2 * DAY, updated=2 * DAY + H, finished=None),  # lowered, given up
        WalkSpan(floor=100, started=3 * DAY, updated=3 * DAY + H, finished=3 * DAY + 6 * H),  # above 100: no
        WalkSpan(floor=20, started=4 * DAY, updated=4 * DAY + H, finished=None),  # lower still, under way
    ]
    assert coverage_changes(walks) == [
        CoverageChange(0, 5 * H),
        CoverageChange(2 * DAY, 2 * DAY + H),
        CoverageChange(4 * DAY, math.inf),
    ]


def test_spans_cover_the_rollup_hour_for_counters_and_a_rate_window_for_rates() -> None:
    changes = [CoverageChange(10 * H, 15 * H)]
    assert reorder_spans(changes, scope="ecosystem", metric="downloads_30d", rate_window_s=7 * DAY) == [
        (10 * H, 16 * H)
    ]
    assert reorder_spans(changes, scope="ecosystem", metric="rate", rate_window_s=7 * DAY) == [
        (10 * H, 15 * H + 7 * DAY)
    ]
    assert reorder_spans(changes, scope="first-party", metric="downloads_30d", rate_window_s=7 * DAY) == []
    assert overlaps([(10, 20)], 20, 30) and overlaps([(10, 20)], 0, 10) and not overlaps([(10, 20)], 21, 30)


def jumped(at: int) -> dict[str, list[tuple[int, float | None]]]:
    """Four days hourly: b far below a until `at`, when a walk finds b's derivatives and it stays above."""
    hourly = range(0, 4 * DAY, H)
    return {
        "a": [(t, 1000.0 + t / H) for t in hourly],
        "b": [(t, 2000.0 if t >= at else 100.0) for t in hourly],
    }


def test_a_jump_inside_a_coverage_span_is_no_pass_and_the_same_jump_outside_is_one() -> None:
    series = jumped(at=DAY + 3 * H)
    passes = overtakes(series, scope="ecosystem", metric="downloads_30d")
    assert [(o.at, o.family, o.passed) for o in passes] == [(DAY + 3 * H, "b", "a")]
    walk = [(DAY, DAY + 4 * H)]
    assert overtakes(series, scope="ecosystem", metric="downloads_30d", coverage=walk) == []
    # After the span, the order it left is where the families start: a later real pass still counts.
    series["a"] = [(t, 5000.0 if t >= 2 * DAY else v) for t, v in series["a"] if v is not None]
    found = overtakes(series, scope="ecosystem", metric="downloads_30d", coverage=walk)
    assert [(o.at, o.family, o.passed) for o in found] == [(2 * DAY, "a", "b")]


def rank_changes(db: Path, registry: Registry, scope: str, metric: str) -> dict[str, int | None]:
    with Store(db, readonly=True) as store:
        now = data_time(store.conn)
        assert now is not None
        rows = leaderboard(store.conn, registry, scope=scope, metric=metric, now=now)
    return {r.family: r.rank_change for r in rows}


def test_the_rank_change_across_a_widening_walk_is_unknown_in_the_ecosystem_only(
    history_copy: Path, registry: Registry
) -> None:
    metric = "downloads_30d"
    before = {scope: rank_changes(history_copy, registry, scope, metric) for scope in ("ecosystem", "first-party")}
    assert any(v is not None for v in before["ecosystem"].values()), "the history has rank changes to hide"
    with Store(history_copy) as store:
        now = data_time(store.conn)
        assert now is not None
        open_walk(store.conn, 100, now - 2 * H)  # a first walk began two hours ago
    assert all(v is None for v in rank_changes(history_copy, registry, "ecosystem", metric).values())
    assert rank_changes(history_copy, registry, "first-party", metric) == before["first-party"]


def test_sparkline_buckets_before_during_and_after_the_latest_coverage_change() -> None:
    edges = [0, 10, 20, 30, 40]  # four buckets
    assert comparable_from(edges, [], 40, counter=True) == (0, 0)
    # A counter's bucket is its value at its end: that of (0, 10] is at 10, inside 5..15 (touched); that
    # of (10, 20] at 20, after it.
    assert comparable_from(edges, [(5, 15)], 40, counter=True) == (0, 1)
    assert comparable_from(edges, [(12, 15)], 40, counter=True) == (1, 1)
    # A rate's bucket is its growth from its start: (20, 30] is the first to start at or after 15.
    assert comparable_from(edges, [(12, 15)], 40, counter=False) == (1, 2)
    assert comparable_from(edges, [(25, math.inf)], 40, counter=True) == (2, 4)  # under way: nothing after
    assert comparable_from(edges, [(12, 15), (50, 60)], 40, counter=True) == (1, 1)  # one not begun by then


def share_changes(db: Path, registry: Registry) -> dict[str, float | None]:
    with Store(db, readonly=True) as store:
        now = data_time(store.conn)
        assert now is not None
        return {c.country: c.share_change for c in countries(store.conn, registry, now=now)}


def test_country_share_change_is_unknown_during_a_widening_walk_and_counted_after_it(
    history_copy: Path, registry: Registry
) -> None:
    before = share_changes(history_copy, registry)
    assert any(v for v in before.values()), "the history has share changes to hide"
    with Store(history_copy) as store:
        now = data_time(store.conn)
        assert now is not None
        walk = open_walk(store.conn, 100, now - 3 * DAY)  # a first walk began three days ago ...
    assert all(v is None for v in share_changes(history_copy, registry).values())
    with Store(history_copy) as store:
        finish(store.conn, walk, now - 3 * DAY + 2 * H)  # ... and took two hours
        rows = leaderboard(store.conn, registry, scope="ecosystem", metric="downloads_30d", now=now)
    after = share_changes(history_copy, registry)
    start = rows[0].spark_from
    assert 0 < rows[0].spark_touched_from <= start < len(rows[0].spark) - 1
    # Counted from the first bucket after the walk: each country's share then against its share now.
    with Store(history_copy, readonly=True) as store:
        by_country = countries(store.conn, registry, now=now)
    first = sum(c.spark[start] or 0.0 for c in by_country if c.spark[start] is not None and c.spark[-1] is not None)
    last = sum(c.spark[-1] or 0.0 for c in by_country if c.spark[start] is not None and c.spark[-1] is not None)
    for c in by_country:
        if c.spark[start] is not None and c.spark[-1] is not None:
            assert after[c.country] == (c.spark[-1] or 0.0) / last - (c.spark[start] or 0.0) / first
    assert after != before
