"""Downloads per day from a counter the Hub refreshes about once a day (DESIGN §2).

`downloadsAllTime` is a staircase: every model's counter steps at the Hub's refresh and stays flat until
the next one. Growth is therefore dated by refresh instants, never by the polls that happened to see it:
a model's growth between two of its endpoints (the refresh instants its values are known to belong to)
is spread uniformly over that interval, and a rate is that spread growth over the part of the window that
has been observed, which ends at the latest refresh seen (the observed horizon), not at the clock.

One implementation for models, families, countries, sparklines, charts, `top`, `export` and alerts:
everything here is pure, over spans and refresh instants read from the store.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from hfwatch.store.refresh import is_refresh, refresh_instant

__all__ = [
    "Span",
    "bucket_rates",
    "endpoint_spans",
    "horizon",
    "is_refresh",
    "model_rates",
    "rate",
    "refresh_instant",
    "sum_known",
]

DAY_S = 86400


@dataclass(frozen=True, slots=True)
class Span:
    """`growth` downloads spread uniformly over [a, b], known from the poll at `credited`."""

    a: int
    b: int
    growth: float
    credited: int


def horizon(instants: Sequence[int], e: int) -> int | None:
    """The latest refresh instant at or before `e` (`instants` sorted): how far the history is observed."""
    i = bisect_right(instants, e) - 1
    return instants[i] if i >= 0 else None


def endpoint_spans(endpoints: Iterable[tuple[int, int, int]]) -> list[Span]:
    """Spans from one model's endpoints (asof, downloadsAllTime, seen_at), oldest first.

    A decrease (a Hub recount) is no growth, and the next interval starts from the lower value.
    """
    out: list[Span] = []
    prev: tuple[int, int] | None = None
    for asof, value, seen in endpoints:
        if prev is not None and asof > prev[0]:
            out.append(Span(prev[0], asof, max(0, value - prev[1]), seen))
        if prev is None or asof > prev[0]:
            prev = (asof, value)
    return out


def _overlap(spans: Iterable[Span], lo: int, hi: int) -> float:
    total = 0.0
    for s in spans:
        width = s.b - s.a
        inside = min(hi, s.b) - max(lo, s.a)
        if width > 0 and inside > 0:
            total += s.growth * inside / width
    return total


def known_spans(spans: Iterable[Span], e: int) -> list[Span]:
    """The spans the history held at time `e`."""
    return [s for s in spans if s.credited <= e]


def start_of(spans: Sequence[Span]) -> int | None:
    """Where a series' coverage starts: its first endpoint."""
    return min((s.a for s in spans), default=None)


def rate(
    spans: Sequence[Span], *, e: int, window_s: int, observed: int | None, start: int | None = None
) -> float | None:
    """Downloads/day over the window ending at `e`, as the history stood at `e`.

    The window is [max(e - window_s, start), observed]: growth after the latest refresh seen is not
    known yet. Unknown (None) until a whole refresh interval is observed inside the window.
    """
    known = known_spans(spans, e)
    if start is None:
        start = start_of(known)
    if start is None or observed is None:
        return None
    lo, hi = max(e - window_s, start), min(observed, e)
    if hi <= lo:
        return None
    return _overlap(known, lo, hi) * DAY_S / (hi - lo)


def bucket_rates(
    spans: Sequence[Span], edges: Sequence[int], *, observed: int | None, start: int | None = None
) -> list[float | None]:
    """Downloads/day in each bucket between consecutive edges; None where nothing is observed (before
    the coverage starts or after the observed horizon). A real 0 stays 0."""
    if start is None:
        start = start_of(spans)
    buckets = len(edges) - 1
    if start is None or observed is None:
        return [None] * buckets
    los = [max(x, start) for x in edges[:-1]]
    his = [min(y, observed) for y in edges[1:]]
    sums = [0.0] * buckets
    # Each span to the few buckets it meets, not every span to every bucket: with the deep walk's models a
    # family holds thousands of spans, and a sparkline of 16 buckets cost 16 passes over them (45 ms a board).
    # Per bucket the spans add up in the same order as one pass would, so the floats are the same.
    for s in spans:
        width = s.b - s.a
        if width <= 0:
            continue
        i = max(0, bisect_right(edges, s.a) - 1)
        while i < buckets and edges[i] < s.b:
            inside = min(his[i], s.b) - max(los[i], s.a)
            if inside > 0:
                sums[i] += s.growth * inside / width
            i += 1
    return [sums[i] * DAY_S / (his[i] - los[i]) if his[i] > los[i] else None for i in range(buckets)]


def sum_known(values: Iterable[float | None]) -> float | None:
    """A sum that is unknown when any part of it is (a country whose family's rate is unknown)."""
    total = 0.0
    for v in values:
        if v is None:
            return None
        total += v
    return total


def model_rates(
    endpoints: Sequence[tuple[int, int, int]], *, e: int, window_s: int, observed: int | None, edges: Sequence[int]
) -> tuple[float | None, list[float | None]]:
    """`rate` and `bucket_rates` of one model's `endpoint_spans(endpoints)` (start: its first endpoint), the
    same floats, at the cost of one pass: a family screen asks this for hundreds of models per refresh.

    A model's spans follow each other without overlapping, so the spans inside any interval are a run of
    consecutive ones, found by a pointer that only moves forward as the (ascending) buckets do; every sum
    adds the same terms in the same order as `_overlap` over all the spans would.
    """
    spans: list[tuple[int, int, float]] = []
    known: list[tuple[int, int, float]] = []
    prev_a = prev_v = None
    for asof, value, seen in endpoints:
        if prev_a is not None and asof > prev_a:
            span = (prev_a, asof, max(0, value - prev_v))  # type: ignore[operator]
            spans.append(span)
            if seen <= e:
                known.append(span)
        if prev_a is None or asof > prev_a:
            prev_a, prev_v = asof, value
    start = endpoints[0][0] if endpoints else None
    if start is None or observed is None:
        return None, [None] * (len(edges) - 1) if endpoints else []
    lo, hi = max(e - window_s, start), min(observed, e)
    per_day = _run_overlap(known, 0, lo, hi) * DAY_S / (hi - lo) if hi > lo else None
    out: list[float | None] = []
    i, n = 0, len(spans)
    for x, y in pairwise(edges):
        lo = x if x > start else start
        hi = y if y < observed else observed
        if hi <= lo:
            out.append(None)
            continue
        while i < n and spans[i][1] <= lo:  # ends before this bucket, and before every later one
            i += 1
        # _run_overlap inlined, min/max as conditionals: this loop runs ~20 times per model per refresh.
        total = 0.0
        j = i
        while j < n:
            a, b, g = spans[j]
            if a >= hi:
                break
            inside = (hi if hi < b else b) - (lo if lo > a else a)
            if b > a and inside > 0:
                total += g * inside / (b - a)
            j += 1
        out.append(total * DAY_S / (hi - lo))
    return per_day, out


def _run_overlap(spans: list[tuple[int, int, float]], i: int, lo: int, hi: int) -> float:
    """`_overlap` of disjoint ascending spans, from the first one that ends after `lo` (index `i`)."""
    total = 0.0
    n = len(spans)
    while i < n:
        a, b, g = spans[i]
        if a >= hi:
            break
        width = b - a
        inside = min(hi, b) - max(lo, a)
        if width > 0 and inside > 0:
            total += g * inside / width
        i += 1
    return total
