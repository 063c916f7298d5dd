"""Every read the screens make, on the main thread's read-only store, at the data clock's "now".

The screens never build SQL or pick times themselves: this is the one place that knows which
clock the data runs on (the simulated Hub's in the demo) and which store connection to use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from hfwatch.analysis import views
from hfwatch.analysis.views import CountryRow, FamilyRow, ModelView
from hfwatch.registry import Registry
from hfwatch.store import Store, queries
from hfwatch.store.queries import EventRow, ModelRow, PollRow
from hfwatch.timeunits import DAY_S

FEED_WINDOW_S = 7 * DAY_S


@dataclass(frozen=True, slots=True)
class RateSeries:
    """Downloads/day between consecutive history points, at the later point's time."""

    times: list[int]
    per_day: list[float | None]


def rates_between(points: list[tuple[int, int]], max_points: int) -> RateSeries:
    """Rates from a cumulative counter, merging neighbours so at most `max_points` remain (a wide
    chart shows every poll; a narrow one averages them instead of dropping any)."""
    if len(points) < 2:
        return RateSeries([], [])
    step = max(1, -(-(len(points) - 1) // max(1, max_points)))
    times: list[int] = []
    per_day: list[float | None] = []
    for i in range(step, len(points) + step - 1, step):
        (t0, g0), (t1, g1) = points[i - step], points[min(i, len(points) - 1)]
        if t1 > t0:
            times.append(t1)
            per_day.append(max(0, g1 - g0) * DAY_S / (t1 - t0))
    return RateSeries(times, per_day)


@dataclass(frozen=True, slots=True)
class ModelHistory:
    times: list[int]
    downloads_30d: list[float | None]
    per_day: list[float | None]  # from growth of all-time downloads between observations


class Reader:
    def __init__(self, store: Store, registry: Registry, now: Callable[[], float]) -> None:
        self.store = store
        self.registry = registry
        self._now = now

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    def now(self) -> int:
        return int(self._now())

    def data_time(self) -> int | None:
        return views.data_time(self.conn)

    def first_data_time(self) -> int | None:
        return queries.first_rollup_time(self.conn)

    def leaderboard(self, scope: str, metric: str, spark_points: int = 24) -> list[FamilyRow]:
        return views.leaderboard(self.conn, self.registry, scope=scope, metric=metric, now=self.now(),
                                 spark_points=spark_points)

    def countries(self, scope: str, metric: str, families: list[FamilyRow]) -> list[CountryRow]:
        return views.countries(self.conn, self.registry, scope=scope, metric=metric, now=self.now(),
                               families=families)

    def release_shares(self) -> tuple[dict[str, float], int]:
        return views.release_shares(self.conn, now=self.now())

    def events(self, limit: int = 200, window_s: int = FEED_WINDOW_S) -> list[EventRow]:
        return queries.recent_events(self.conn, self.now() - window_s, limit)

    def events_of_poll(self, pid: int) -> list[EventRow]:
        start = queries.first_event_time(self.conn, pid)
        if start is None:
            return []
        return [e for e in queries.recent_events(self.conn, start, 1000) if e.t >= start]

    def family_newest(self, family: str, limit: int) -> list[ModelRow]:
        """A family's most recently created models (derivatives included)."""
        rows = queries.family_models(self.conn, family)
        return sorted(rows, key=lambda r: -(r.created_at or 0))[:limit]

    def family_models(self, family: str, scope: str) -> list[ModelView]:
        return views.family_models(self.conn, family, scope=scope, now=self.now())

    def family_rates(self, family: str, scope: str, span_s: int = 30 * DAY_S,
                     max_points: int = 120) -> RateSeries:
        """A family's downloads/day at the resolution of its history (one point per rollup), for the
        detail chart; `views.family_history` buckets evenly, which leaves gaps where polls are sparse.
        Growth is dated by the polls that credited it (slow polls and imports: see the rollups table)."""
        now = self.now()
        series = queries.rollup_series(self.conn, scope, now - span_s, family=family)
        points = [p for p in series.get(family, []) if p.t <= now]
        if not points:
            return RateSeries([], [])
        return rates_between(views.growth_series(points), max_points)

    def model(self, model_id: str) -> ModelRow | None:
        return queries.model_by_id(self.conn, model_id)

    def model_view(self, row: ModelRow) -> ModelView:
        return views.model_views(self.conn, [row], now=self.now())[0]

    def lineage(self, model_id: str) -> list[str]:
        return views.lineage(self.conn, model_id)

    def children(self, model_id: str, limit: int = 8) -> list[tuple[str, int | None]]:
        """Models that name this one as their direct base model, most downloaded first."""
        return queries.children(self.conn, model_id, limit)

    def model_history(self, row: ModelRow) -> ModelHistory:
        obs = queries.observations(self.conn, row.mid)
        times: list[int] = []
        d30: list[float | None] = []
        per_day: list[float | None] = []
        prev: tuple[int, int] | None = None
        for t, o30, odall, _likes, _trend in obs:
            times.append(t)
            d30.append(o30)
            rate = None
            if odall is not None:
                if prev is not None and t > prev[0]:
                    rate = max(0, odall - prev[1]) * DAY_S / (t - prev[0])
                prev = (t, odall)
            per_day.append(rate)
        return ModelHistory(times, d30, per_day)

    def last_poll(self, lane: str | None = None, ok_only: bool = False) -> PollRow | None:
        return queries.last_poll(self.conn, lane, ok_only)

    def last_pid(self) -> int:
        return queries.last_poll_id(self.conn)

