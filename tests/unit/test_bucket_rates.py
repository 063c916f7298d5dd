"""`bucket_rates` sends each span to the buckets it meets; it must give what the definition gives: each bucket's
growth, every span's share of it summed, over the bucket's observed part."""

from __future__ import annotations

import random
from itertools import pairwise

from hfwatch.analysis.rates import DAY_S, Span, bucket_rates, start_of


def by_definition(
    spans: list[Span], edges: list[int], *, observed: int | None, start: int | None
) -> list[float | None]:
    if start is None:
        start = start_of(spans)
    out: list[float | None] = []
    for x, y in pairwise(edges):
        lo, hi = (max(x, start), min(y, observed)) if start is not None and observed is not None else (0, 0)
        total = 0.0
        for s in spans:
            inside = min(hi, s.b) - max(lo, s.a)
            if s.b > s.a and inside > 0:
                total += s.growth * inside / (s.b - s.a)
        out.append(total * DAY_S / (hi - lo) if hi > lo else None)
    return out


def test_the_same_floats_as_the_definition_on_random_spans() -> None:
    rng = random.Random(7)
    for _ in range(1000):
        spans = []
        for _ in range(rng.randint(0, 40)):
            a = rng.randint(0, 1000)
            spans.append(Span(a, a + rng.choice([0, rng.randint(1, 300)]), rng.random() * 1000, 0))
        edges = sorted(rng.sample(range(-100, 1200), rng.randint(2, 18)))
        observed = rng.choice([None, rng.randint(-50, 1300)])
        start = rng.choice([None, rng.randint(-50, 1100)])
        got = bucket_rates(spans, edges, observed=observed, start=start)
        assert got == by_definition(spans, edges, observed=observed, start=start), (spans, edges, observed, start)


def test_a_span_on_a_bucket_edge_counts_only_inside() -> None:
    spans = [Span(100, 200, 50.0, 0)]
    assert bucket_rates(spans, [0, 100, 200, 300], observed=300, start=0) == [0.0, 50.0 * DAY_S / 100, 0.0]
