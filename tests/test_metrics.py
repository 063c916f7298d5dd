"""Metrics (DESIGN §2): rates from growth of all-time downloads, shares, ranks, buckets."""

from __future__ import annotations

import pytest

from hfwatch.analysis import metrics

DAY = 86400


def test_rate_is_unknown_until_two_observations() -> None:
    assert metrics.rate_per_day([], 100, DAY) is None
    assert metrics.rate_per_day([(100, 5)], 100, DAY) is None


def test_rate_over_window_uses_point_at_window_start() -> None:
    series = [(0, 0), (DAY, 1000), (2 * DAY, 3000)]
    assert metrics.rate_per_day(series, 2 * DAY, DAY) == pytest.approx(2000)
    assert metrics.rate_per_day(series, 2 * DAY, 2 * DAY) == pytest.approx(1500)


def test_rate_with_history_shorter_than_window_uses_what_there_is() -> None:
    assert metrics.rate_per_day([(0, 0), (DAY // 2, 500)], DAY // 2, 7 * DAY) == pytest.approx(1000)


def test_rate_never_negative() -> None:
    assert metrics.rate_per_day([(0, 1000), (DAY, 400)], DAY, DAY) == 0


def test_monotone_growth_ignores_recounts_and_discovery() -> None:
    raw = [(0, 100), (1, 150), (2, 120), (3, 200)]
    assert metrics.monotone_growth(raw) == [(0, 0), (1, 50), (2, 50), (3, 130)]


def test_shares_sum_to_one_and_keep_unknown() -> None:
    s = metrics.shares({"a": 3, "b": 1, "c": None, "d": 0})
    assert s["a"] == pytest.approx(0.75) and s["b"] == pytest.approx(0.25)
    assert s["c"] is None and s["d"] == 0
    assert metrics.shares({"a": 0}) == {"a": 0.0}


def test_ranks_put_unknown_last() -> None:
    assert metrics.ranks({"a": 1, "b": None, "c": 5}) == {"c": 1, "a": 2, "b": 3}


def test_rate_buckets_and_sample() -> None:
    growth = [(0, 0), (10, 100), (20, 300), (30, 300)]
    edges = metrics.bucket_edges(0, 30, 3)
    assert edges == [0, 10, 20, 30]
    rates = metrics.rate_buckets(growth, edges)
    assert rates == [pytest.approx(100 * DAY / 10), pytest.approx(200 * DAY / 10), 0]
    assert metrics.sample(growth, edges) == [100, 300, 300]


def test_rate_bucket_before_history_is_unknown() -> None:
    edges = [0, 10, 20]
    assert metrics.rate_buckets([(15, 0), (20, 10)], edges)[0] is None


def test_fill_gaps() -> None:
    assert metrics.fill_gaps([None, 2, None, 5]) == [0.0, 2.0, 2.0, 5.0]
