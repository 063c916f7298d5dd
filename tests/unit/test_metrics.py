"""Metrics (DESIGN §2): rates from growth of all-time downloads, shares, ranks, buckets."""

from __future__ import annotations

import pytest

from hfwatch.analysis import metrics, rates
from hfwatch.analysis.rates import Span

DAY = 86400


def test_rate_is_unknown_until_a_whole_refresh_interval_is_observed() -> None:
    assert rates.rate([], e=DAY, window_s=DAY, observed=None) is None
    # One endpoint: coverage starts, nothing observed after it yet.
    assert rates.rate([Span(DAY, DAY, 0, DAY)], e=DAY + 3600, window_s=DAY, observed=DAY) is None


def test_rate_spreads_each_span_over_its_refresh_interval() -> None:
    # 2000 downloads over two days (a skipped refresh) are 1000/day, not 2000 in one day.
    spans = rates.endpoint_spans([(0, 0, 10), (2 * DAY, 2000, 2 * DAY + 10)])
    assert rates.rate(spans, e=2 * DAY + 3600, window_s=DAY, observed=2 * DAY) == pytest.approx(1000)


def test_rate_window_ends_at_the_observed_horizon_and_decays_after_a_stop() -> None:
    spans = [Span(0, DAY, 1000, DAY)]
    # Four more refreshes observed with no growth: the 7-day rate is 1000 over the 5 observed days.
    assert rates.rate(spans, e=5 * DAY + 60, window_s=7 * DAY, observed=5 * DAY) == pytest.approx(200)


def test_rate_never_negative_and_a_recount_restarts_from_the_lower_value() -> None:
    spans = rates.endpoint_spans([(0, 1000, 1), (DAY, 400, DAY + 1), (2 * DAY, 500, 2 * DAY + 1)])
    assert [s.growth for s in spans] == [0, 100]


def test_rate_counts_only_spans_known_at_e() -> None:
    spans = [Span(0, DAY, 1000, DAY + 10), Span(DAY, 2 * DAY, 5000, 3 * DAY)]
    assert rates.rate(spans, e=2 * DAY + 60, window_s=2 * DAY, observed=2 * DAY) == pytest.approx(500, rel=0.01)


def test_shares_sum_to_one_and_keep_unknown() -> None:
    s = metrics.shares({"a": 3, "b": 1, "c": None, "d": 0})
    assert s["a"] == pytest.approx(0.75) and s["b"] == pytest.approx(0.25)
    assert s["c"] is None and s["d"] == 0
    assert metrics.shares({"a": 0}) == {"a": 0.0}


def test_ranks_put_unknown_last() -> None:
    assert metrics.ranks({"a": 1, "b": None, "c": 5}) == {"c": 1, "a": 2, "b": 3}


def test_bucket_rates_and_sample() -> None:
    spans = [Span(0, 10, 100, 10), Span(10, 20, 200, 20), Span(20, 30, 0, 30)]
    edges = metrics.bucket_edges(0, 30, 3)
    assert edges == [0, 10, 20, 30]
    got = rates.bucket_rates(spans, edges, observed=30)
    assert got == [pytest.approx(100 * DAY / 10), pytest.approx(200 * DAY / 10), 0]
    assert metrics.sample([(0, 0), (10, 100), (20, 300), (30, 300)], edges) == [100, 300, 300]


def test_buckets_before_coverage_or_after_the_horizon_are_unknown() -> None:
    got = rates.bucket_rates([Span(15, 20, 10, 20)], [0, 10, 20, 30], observed=20)
    assert got[0] is None and got[1] == pytest.approx(10 * DAY / 5) and got[2] is None


def test_refresh_detection_and_dating() -> None:
    assert rates.is_refresh(10, 100) and not rates.is_refresh(2, 10) and not rates.is_refresh(4, 1000)
    assert rates.refresh_instant(5 * 3600, 4 * 3600, []) == (True, 5 * 3600)
    # The monitor was off: dated by the phase of the precise refreshes (06:00), inside the bracket.
    six = 6 * 3600
    assert rates.refresh_instant(3 * DAY + 9 * 3600, DAY, [six]) == (False, 3 * DAY + six)
    assert rates.refresh_instant(3 * DAY, DAY, []) == (False, 3 * DAY)
    # Back at 05:00 after the 06:00 phase, the phase's latest time in the bracket is yesterday's; if a refresh
    # is already dated there, this poll saw a newer one: dated by the poll, never at or before that one.
    assert rates.refresh_instant(3 * DAY + 5 * 3600, 2 * DAY + 5 * 3600, [six], latest=2 * DAY + six) == (
        False,
        3 * DAY + 5 * 3600,
    )
    assert rates.refresh_instant(3 * DAY + 9 * 3600, DAY, [six], latest=DAY + six) == (False, 3 * DAY + six)
    assert rates.sum_known([1.0, None]) is None and rates.sum_known([1.0, 2.0]) == 3.0
