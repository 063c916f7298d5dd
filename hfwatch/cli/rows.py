"""The rows `top` and `export` print: one builder per kind, so both commands say the same thing.

Keys are in `top`'s order (its CSV columns); `export` picks its documented columns from the same rows.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from hfwatch.analysis.counted import not_counted_yet
from hfwatch.cli.common import iso
from hfwatch.timeunits import DAY_S

if TYPE_CHECKING:
    from hfwatch.analysis.views import CountryRow, FamilyRow, ModelView

WINDOWS = {"24h": DAY_S, "7d": 7 * DAY_S, "30d": 30 * DAY_S}
ALL = 2**62  # "no limit" for a LIMIT clause


def round_(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def family_row(f: FamilyRow) -> dict[str, Any]:
    return {
        "rank": f.rank,
        "rank_change": f.rank_change,
        "family": f.family,
        "name": f.name,
        "country": f.country,
        "region": f.region,
        "downloads_30d": f.downloads_30d,
        "downloads_all_time": f.downloads_all_time,
        "rate_per_day": round_(f.rate_per_day),
        "share": round_(f.share, 6),
        "models": f.models,
        "newest_release": iso(f.newest_release),
        "scope": f.scope,
        "metric": f.metric,
    }


def country_row(c: CountryRow) -> dict[str, Any]:
    return {
        "rank": c.rank,
        "country": c.country,
        "region": c.region,
        "downloads_30d": c.downloads_30d,
        "downloads_all_time": c.downloads_all_time,
        "rate_per_day": round_(c.rate_per_day),
        "share": round_(c.share, 6),
        "models": c.models,
        "families": ",".join(c.families),
        "new_release_share": round_(c.release_share, 6),
        "scope": c.scope,
        "metric": c.metric,
    }


def model_row(rank: int, v: ModelView, scope: str, counted_until: int | None) -> dict[str, Any]:
    """`counted_until`: the Hub's last refresh of its counters (`growth.last_refresh_instant`); a model created
    after it has download counters the Hub has not computed, null here and `downloads_counted` false."""
    r = v.row
    uncounted = not_counted_yet(r.d30, r.created_at, counted_until) and not_counted_yet(
        r.dall, r.created_at, counted_until
    )
    return {
        "rank": rank,
        "id": r.id,
        "family": r.family,
        "base_family": r.base_family,
        "via": r.via,
        "publisher_family": r.publisher_family,
        "country": r.country,
        "downloads_30d": None if uncounted else r.d30,
        "downloads_all_time": None if uncounted else r.dall,
        "rate_per_day": round_(v.rate_per_day),
        "likes": r.likes,
        "trending_score": r.trend,
        "created_at": iso(r.created_at),
        "pipeline_tag": r.pipeline,
        "scope": scope,
        "downloads_counted": not uncounted,
    }


def ranked_models(
    conn: sqlite3.Connection,
    *,
    scope: str,
    metric: str,
    now: int,
    window_s: int,
    family: str | None,
    limit: int | None,
    rate_pool: int = ALL,
) -> list[ModelView]:
    """Attributed models ranked by `metric`, best first (unknown last, ties by id), at most `limit`.

    Ranked by a stored counter, the top N is a query; ranked by rate, each model's history is needed, so the
    rate is computed for the `rate_pool` models with the most downloads (of the kind the order names)."""
    from hfwatch.analysis import views
    from hfwatch.records import Metric, Scope
    from hfwatch.store import queries

    first_party = scope == Scope.FIRST_PARTY
    if family:
        rows = queries.family_models(conn, family, first_party_only=first_party)
    else:
        order = "downloads_all_time" if metric == Metric.DOWNLOADS_ALL_TIME else "downloads_30d"
        pool = rate_pool if metric == Metric.RATE else (limit or ALL)
        rows = queries.top_models(conn, first_party_only=first_party, order=order, limit=pool)
    if metric != Metric.RATE and limit is not None:
        rows = sorted(rows, key=lambda r: _rank_key(r.d30 if metric == Metric.DOWNLOADS_30D else r.dall, r.id))
        rows = rows[:limit]
    mviews = views.model_views(conn, rows, now=now, rate_window_s=window_s, spark_points=1)

    def key(v: ModelView) -> tuple[float, str]:
        value = {Metric.DOWNLOADS_30D: v.row.d30, Metric.DOWNLOADS_ALL_TIME: v.row.dall, Metric.RATE: v.rate_per_day}[
            Metric(metric)
        ]
        return _rank_key(value, v.row.id)

    mviews.sort(key=key)
    return mviews[:limit] if limit else mviews


def _rank_key(value: float | None, ident: str) -> tuple[float, str]:
    return (-(value if value is not None else -1), ident)
