"""The family screen's one-pass rates equal the reference functions (rates.rate, rates.bucket_rates) exactly."""

from __future__ import annotations

import random

import pytest

from hfwatch.analysis import metrics, rates

DAY = 86400


def _history(rng: random.Random) -> list[tuple[int, int, int]]:
    """One model's endpoints (asof, downloadsAllTime, seen_at) as ingest stores them: refreshes about a day
    apart with skipped days and gaps, the same refresh seen twice, recounts that lower the counter, and a
    value seen long after its refresh."""
    out: list[tuple[int, int, int]] = []
    asof, value = rng.randrange(0, 3 * DAY), rng.randrange(0, 10_000)
    for _ in range(rng.randrange(0, 30)):
        out.append((asof, value, asof + rng.choice((0, 60, 3600, 2 * DAY))))
        step = rng.random()
        if step < 0.1:
            continue  # a second endpoint of the same refresh
        asof += DAY * (1 if step < 0.7 else rng.randrange(2, 6)) + rng.randrange(-600, 600)
        value += rng.randrange(-50, 5_000) if step < 0.9 else -rng.randrange(0, 2_000)
    return out


@pytest.mark.parametrize("seed", range(300))
def test_model_rates_equal_the_reference_functions(seed: int) -> None:
    rng = random.Random(seed)
    ends = _history(rng)
    last = max((a for a, *_ in ends), default=DAY)
    now = last + rng.randrange(0, 2 * DAY)
    observed = rng.choice((None, last, last - DAY, now))
    window = rng.choice((DAY, 7 * DAY, 30 * DAY))
    start = ends[0][0] if ends else None
    edges = metrics.bucket_edges(max(start or now, now - 14 * DAY), now, rng.choice((1, 5, 16, 24)))

    spans = rates.endpoint_spans(ends)
    expected_rate = rates.rate(spans, e=now, window_s=window, observed=observed, start=start)
    expected_spark = rates.bucket_rates(spans, edges, observed=observed, start=start) if ends else []

    per_day, spark = rates.model_rates(ends, e=now, window_s=window, observed=observed, edges=edges)
    assert per_day == expected_rate  # the same floats, not approximately
    assert spark == expected_spark
