"""What the CLI and the monitor show, computed from the store: leaderboards, countries, feeds.

Every function takes the time `now` explicitly (the data's clock, which is the simulated
Hub's in the demo) and reads only rollups or one family's rows, never the whole history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from hfwatch.analysis import metrics, rates
from hfwatch.analysis.coverage import WalkSpan, comparable_from, coverage_changes, overlaps, reorder_spans
from hfwatch.analysis.family_rates import NO_DEEP, FamilyGrowth, deep_horizons
from hfwatch.analysis.rates import Span
from hfwatch.records import Metric, Scope
from hfwatch.registry import Registry
from hfwatch.store import growth, queries, rollups, wholehub
from hfwatch.store.queries import ModelRow
from hfwatch.store.race import COUNTER_COLUMNS, family_counter_series
from hfwatch.store.rollcache import RollupCache
from hfwatch.store.rollups import RollupPoint
from hfwatch.timeunits import DAY_S

DEFAULT_RATE_WINDOW_S = 7 * DAY_S
DEFAULT_SPARK_SPAN_S = 14 * DAY_S
RANK_BASELINE_S = DAY_S
RELEASE_WINDOW_S = 30 * DAY_S


@dataclass(slots=True)
class FamilyRow:
    """One family's line of the leaderboard for a scope and metric."""

    family: str
    name: str
    country: str
    region: str
    scope: str
    metric: str
    rank: int = 0
    rank_change: int | None = None  # positive: moved up since the baseline
    downloads_30d: int | None = None  # None: unknown (no model reported it), never 0
    downloads_all_time: int | None = None
    rate_per_day: float | None = None
    share: float | None = None
    models: int = 0
    newest_release: int | None = None
    spark: list[float | None] = field(default_factory=list)  # None: nothing observed in that bucket
    # The first bucket comparable with the last: those before it predate a deep walk that widened coverage.
    spark_from: int = 0
    spark_touched_from: int = 0  # the first bucket the walk touched: those between are neither count

    @property
    def value(self) -> float | None:
        return metric_value(self, self.metric)


@dataclass(slots=True)
class CountryRow:
    """One country's line of the country panel for a scope and metric."""

    country: str
    region: str
    scope: str
    metric: str
    families: list[str]
    rank: int = 0
    downloads_30d: int | None = None
    downloads_all_time: int | None = None
    rate_per_day: float | None = None
    share: float | None = None
    share_change: float | None = None  # share points gained since the baseline (0..1 scale)
    models: int = 0
    release_share: float | None = None
    spark: list[float | None] = field(default_factory=list)
    spark_from: int = 0  # as FamilyRow's
    spark_touched_from: int = 0

    @property
    def value(self) -> float | None:
        return metric_value(self, self.metric)


@dataclass(slots=True)
class ModelView:
    row: ModelRow
    rate_per_day: float | None = None
    spark: list[float | None] = field(default_factory=list)


def metric_value(row: FamilyRow | CountryRow, metric: str) -> float | None:
    if metric == Metric.DOWNLOADS_30D:
        return row.downloads_30d
    if metric == Metric.DOWNLOADS_ALL_TIME:
        return row.downloads_all_time
    return row.rate_per_day


def data_time(conn: sqlite3.Connection) -> int | None:
    """The time of the newest rollup: 'now' as far as the history knows."""
    return rollups.last_rollup_time(conn)


def family_growth(
    conn: sqlite3.Connection,
    scope: str,
    *,
    now: int,
    since: int,
    family: str | None = None,
    walks: list[WalkSpan] | None = None,
) -> dict[str, FamilyGrowth]:
    """Per family, its growth known at `now` in spans ending after `since`: its rates and buckets are those of
    times from `since` on (the refresh instants are read from the last one before `since`, or before the start
    of the deep walk that was the latest finished by then). `walks`: `deep_walk_spans`, when the caller has them."""
    deep_walks = (deep_walk_spans(conn) if walks is None else walks) if scope == Scope.ECOSYSTEM else []
    before = [w.started for w in deep_walks if w.finished is not None and w.finished <= since]
    instants = growth.refresh_instants(conn, now, int(min([since, *before[-1:]])))
    deep = deep_horizons(deep_walks, instants) if deep_walks else NO_DEEP
    return {
        fam: FamilyGrowth([Span(*row) for row in spans], start, instants, deep)
        for fam, (start, spans) in growth.spans(conn, scope, now, family=family, since=since).items()
    }


def _family_metric_at(
    points: list[RollupPoint], grown: FamilyGrowth | None, t: int, metric: str, window_s: int
) -> float | None:
    point = metrics.value_at([(p.t, i) for i, p in enumerate(points)], t)
    if point is None:
        return None
    p = points[point[1]]
    if metric == Metric.DOWNLOADS_30D:
        return p.downloads_30d
    if metric == Metric.DOWNLOADS_ALL_TIME:
        return p.downloads_all_time
    return grown.rate(t, window_s) if grown else None


def leaderboard(
    conn: sqlite3.Connection,
    registry: Registry,
    *,
    scope: str = Scope.ECOSYSTEM,
    metric: str = Metric.DOWNLOADS_30D,
    now: int,
    rate_window_s: int = DEFAULT_RATE_WINDOW_S,
    spark_points: int = 24,
    spark_span_s: int = DEFAULT_SPARK_SPAN_S,
    cache: RollupCache | None = None,
) -> list[FamilyRow]:
    """Every registry family, ranked by `metric` within `scope`. With `cache` (one per reader), the rollups
    already read are not read again."""
    history_from = now - max(spark_span_s, rate_window_s + RANK_BASELINE_S)
    # Only "the last point at or before t" (or the first) of each series is read: O(families x sparkline
    # points), not x hours of history. Rates come from the spans, not the rollups.
    with queries.snapshot(conn):
        first = rollups.first_point_time(conn, str(scope), history_from)
        edges = metrics.bucket_edges(max(now if first is None else first, now - spark_span_s), now, spark_points)
        times = [now, now - RANK_BASELINE_S, *edges]
        series = (
            rollups.rollup_series_at(conn, str(scope), history_from, times)
            if cache is None
            else cache.series_at(conn, str(scope), history_from, times)
        )
        newest = queries.newest_release(conn)
        walks = deep_walk_spans(conn)
        grown = family_growth(conn, str(scope), now=now, since=min(history_from, edges[0]), walks=walks)
        reordered = coverage_spans(conn, str(scope), str(metric), rate_window_s, walks=walks)
    touched_from, spark_from = comparable_from(edges, reordered, now, counter=str(metric) in COUNTER_COLUMNS)
    rows: list[FamilyRow] = []
    baseline: dict[str, float | None] = {}
    for family in registry.families:
        row = FamilyRow(
            family=family.id,
            name=family.name,
            country=family.country,
            region=family.region,
            scope=str(scope),
            metric=str(metric),
            newest_release=newest.get(family.id),
        )
        points = [p for p in series.get(family.id, []) if p.t <= now]
        g = grown.get(family.id)
        if points:
            last = points[-1]
            row.downloads_30d, row.downloads_all_time, row.models = (
                last.downloads_30d,
                last.downloads_all_time,
                last.models,
            )
            row.rate_per_day = g.rate(now, rate_window_s) if g else None
            row.spark = _spark(points, g, edges, str(metric))
            row.spark_touched_from, row.spark_from = touched_from, spark_from
            baseline[family.id] = _family_metric_at(points, g, now - RANK_BASELINE_S, str(metric), rate_window_s)
        rows.append(row)
    # A rank change across a widening of coverage compares two different countings: not a change.
    _rank(rows, {} if overlaps(reordered, now - RANK_BASELINE_S, now) else baseline)
    return sorted(rows, key=lambda r: r.rank)


def deep_walk_spans(conn: sqlite3.Connection) -> list[WalkSpan]:
    """Every deep walk's reach and times, oldest first."""
    return [WalkSpan(*w) for w in wholehub.walk_list(conn)]


def coverage_spans(
    conn: sqlite3.Connection, scope: str, metric: str, rate_window_s: int, *, walks: list[WalkSpan] | None = None
) -> list[tuple[float, float]]:
    """When order changes of `metric` in `scope` may be the deep lane's coverage, not the race (analysis.coverage)."""
    walks = deep_walk_spans(conn) if walks is None else walks
    return reorder_spans(coverage_changes(walks), scope=scope, metric=metric, rate_window_s=rate_window_s)


def _spark(points: list[RollupPoint], grown: FamilyGrowth | None, edges: list[int], metric: str) -> list[float | None]:
    if metric == Metric.RATE:
        return grown.buckets(edges) if grown else [None] * (len(edges) - 1)
    attr = "downloads_30d" if metric == Metric.DOWNLOADS_30D else "downloads_all_time"
    # The value at each edge is the latest rollup's, unknown included: an older known value would say more than
    # the history knew then.
    values = [(p.t, getattr(p, attr)) for p in points]
    return [None if v is None else float(v) for v in metrics.sample(values, edges)]


def _rank(rows: list[FamilyRow] | list[CountryRow], baseline: dict[str, float | None]) -> None:
    values = {_key(r): r.value for r in rows}
    share = metrics.shares(values)
    now_ranks = metrics.ranks(values)
    then_ranks = metrics.ranks(baseline) if any(v is not None for v in baseline.values()) else {}
    for r in rows:
        key = _key(r)
        r.share = share[key]
        r.rank = now_ranks[key]
        if isinstance(r, FamilyRow) and key in then_ranks and baseline.get(key) is not None:
            r.rank_change = then_ranks[key] - r.rank


def _key(row: FamilyRow | CountryRow) -> str:
    return row.family if isinstance(row, FamilyRow) else row.country


def release_shares(
    conn: sqlite3.Connection, *, now: int, window_s: int = RELEASE_WINDOW_S
) -> tuple[dict[str, float], int]:
    """Origin share of new releases: per country, its part of the attributed models created in
    the window (derivatives included, by their family). Returns (shares, total count)."""
    per_country: dict[str, int] = {}
    for _family, country, n in queries.release_counts(conn, now - window_s):
        per_country[country or "??"] = per_country.get(country or "??", 0) + n
    total = sum(per_country.values())
    return ({c: n / total for c, n in per_country.items()} if total else {}), total


def countries(
    conn: sqlite3.Connection,
    registry: Registry,
    *,
    scope: str = Scope.ECOSYSTEM,
    metric: str = Metric.DOWNLOADS_30D,
    now: int,
    families: list[FamilyRow] | None = None,
    rate_window_s: int = DEFAULT_RATE_WINDOW_S,
) -> list[CountryRow]:
    """Families summed by country of origin, ranked by `metric`."""
    fams = (
        families
        if families is not None
        else leaderboard(conn, registry, scope=scope, metric=metric, now=now, rate_window_s=rate_window_s)
    )
    releases, _ = release_shares(conn, now=now)
    by_country: dict[str, CountryRow] = {}
    members: dict[str, list[FamilyRow]] = {}
    for f in fams:
        c = by_country.get(f.country)
        if c is None:
            c = CountryRow(
                country=f.country,
                region=f.region,
                scope=f.scope,
                metric=f.metric,
                families=[],
                release_share=releases.get(f.country, 0.0),
            )
            by_country[f.country] = c
        c.families.append(f.family)
        c.models += f.models
        if f.models:
            members.setdefault(f.country, []).append(f)
    for country, c in by_country.items():
        # A country's number is its families' sum, unknown when any family that has models is unknown.
        with_models = members.get(country, [])
        if with_models:
            c.downloads_30d = _sum_int(f.downloads_30d for f in with_models)
            c.downloads_all_time = _sum_int(f.downloads_all_time for f in with_models)
            c.rate_per_day = rates.sum_known(f.rate_per_day for f in with_models)
            sparks = [f.spark for f in with_models if f.spark]
            c.spark = [rates.sum_known(bucket) for bucket in zip(*sparks, strict=False)] if sparks else []
            c.spark_from = max(f.spark_from for f in with_models)
            c.spark_touched_from = min(f.spark_touched_from for f in with_models)
    rows = list(by_country.values())
    _rank(rows, {})
    _share_change(rows)
    return sorted(rows, key=lambda r: r.rank)


def _sum_int(values: Iterable[int | None]) -> int | None:
    total = rates.sum_known(values)
    return None if total is None else int(total)


def _share_change(rows: list[CountryRow]) -> None:
    """Share points gained between the first point of the sparkline window counted as its last is (after a
    widening deep walk, if one ran in it) and its last, among the countries known at both ends."""
    start = max((r.spark_from for r in rows), default=0)
    known = [r for r in rows if start < len(r.spark) - 1 and r.spark[start] is not None and r.spark[-1] is not None]
    first_total = sum(r.spark[start] or 0.0 for r in known)
    last_total = sum(r.spark[-1] or 0.0 for r in known)
    if not first_total or not last_total:
        return
    for r in known:
        r.share_change = (r.spark[-1] or 0.0) / last_total - (r.spark[start] or 0.0) / first_total


def family_models(
    conn: sqlite3.Connection,
    family: str,
    *,
    scope: str = Scope.ECOSYSTEM,
    now: int,
    rate_window_s: int = DEFAULT_RATE_WINDOW_S,
    spark_points: int = 16,
    spark_span_s: int = DEFAULT_SPARK_SPAN_S,
    limit: int | None = 500,
) -> list[ModelView]:
    """One family's models by 30-day downloads, each with its rate and a sparkline of rate."""
    rows = queries.family_models(conn, family, first_party_only=scope == Scope.FIRST_PARTY, limit=limit)
    return model_views(
        conn, rows, now=now, rate_window_s=rate_window_s, spark_points=spark_points, spark_span_s=spark_span_s
    )


def model_views(
    conn: sqlite3.Connection,
    rows: list[ModelRow],
    *,
    now: int,
    rate_window_s: int = DEFAULT_RATE_WINDOW_S,
    spark_points: int = 16,
    spark_span_s: int = DEFAULT_SPARK_SPAN_S,
) -> list[ModelView]:
    since = now - max(rate_window_s, spark_span_s)
    series = growth.endpoints(conn, [r.mid for r in rows], since, now)
    # The horizons asked for below are at min(now, last seen): the instants from the earliest of those on.
    instants = growth.refresh_instants(conn, now, min([since, *(r.last_seen for r in rows)]))
    out = []
    for r in rows:
        ends = series.get(r.mid, [])
        # A model is observed up to the last refresh after which it was listed (a model that fell out of
        # the listings is not known to have stopped).
        observed = rates.horizon(instants, min(now, r.last_seen))
        edges = metrics.bucket_edges(max((ends[0][0] if ends else None) or now, now - spark_span_s), now, spark_points)
        per_day, spark = rates.model_rates(ends, e=now, window_s=rate_window_s, observed=observed, edges=edges)
        out.append(ModelView(row=r, rate_per_day=per_day, spark=spark))
    return out


def lineage(conn: sqlite3.Connection, model_id: str, max_depth: int = 12) -> list[str]:
    """The base-model chain of a model, nearest parent first (cycle-safe)."""
    chain: list[str] = []
    seen = {model_id}
    current = queries.model_by_id(conn, model_id)
    while current is not None and current.base_model and len(chain) < max_depth:
        parent = current.base_model
        if parent in seen:
            break
        chain.append(parent)
        seen.add(parent)
        current = queries.model_by_id(conn, parent)
    return chain


RACE_RATE_WINDOW_S = 7 * DAY_S


def race_series(
    conn: sqlite3.Connection, scope: str, metric: str, *, now: int, since: int | None = None
) -> dict[str, list[tuple[int, float | None]]]:
    """Per family, its value of `metric` over time, oldest first, for the race (`hfwatch overtakes`, the race
    screen): the rollups' totals for the counters; for downloads/day, the 7-day rate at each Hub refresh seen,
    as the history stood then (a pass by rate is dated by the refresh that showed it, never re-dated later)."""
    if metric in COUNTER_COLUMNS:
        return {f: [(t, v) for t, v in s] for f, s in family_counter_series(conn, scope, metric, since=since).items()}
    lo = since if since is not None else 0
    with queries.snapshot(conn):
        instants = [t for t in growth.refresh_instants(conn, now) if t >= lo]
        grown = family_growth(conn, scope, now=now, since=lo - RACE_RATE_WINDOW_S)
    return {fam: [(t, g.rate(t, RACE_RATE_WINDOW_S)) for t in instants] for fam, g in grown.items()}
