"""Every read the screens make, on the main thread's read-only store, at the data clock's "now".

The screens never build SQL or pick times themselves: this is the one place that knows which
clock the data runs on (the simulated Hub's in the demo) and which store connection to use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from hfwatch.analysis import metrics, rates, views
from hfwatch.analysis.views import CountryRow, FamilyRow, ModelView
from hfwatch.records import Scope
from hfwatch.registry import Registry
from hfwatch.store import Store, growth, queries, rollups, wholehub
from hfwatch.store.queries import EventRow, ModelKey, ModelRow, PollRow
from hfwatch.store.rollcache import RollupCache
from hfwatch.store.walks import Walk
from hfwatch.timeunits import DAY_S

if TYPE_CHECKING:
    # Read in their methods: the race (its passes are read a second after the first frame) and the newcomers
    # are none of the monitor's first frame, whose start imports this module.
    from hfwatch.analysis.newcomers import Newcomer
    from hfwatch.analysis.race import Race
    from hfwatch.tui.series import ModelHistory, RateSeries

FEED_WINDOW_S = 7 * DAY_S
NEWCOMER_WINDOW_S = 7 * DAY_S
# The family screen lists a family's most downloaded models, up to this many.
FAMILY_LIST_LIMIT = 500


class Reader:
    def __init__(self, store: Store, registry: Registry, now: Callable[[], float]) -> None:
        self.store = store
        self.registry = registry
        self._now = now
        self.rollups = RollupCache()

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    def twin(self) -> Reader:
        """Another reader of the same file on its own connection and rollup cache, for a worker thread. Its
        clock stands where `stand_at` puts it: this reader's clock may read this reader's connection
        (offline, "now" is the newest data's time), which is the UI thread's."""
        return Reader(Store(self.store.path, readonly=True), self.registry, lambda: 0.0)

    def stand_at(self, now: int) -> None:
        self._now = lambda: now

    def now(self) -> int:
        return int(self._now())

    def data_time(self) -> int | None:
        return views.data_time(self.conn)

    def counted_until(self) -> int | None:
        """The Hub's last refresh of its counters the polls saw (hfwatch.store.growth.last_refresh_instant)."""
        return growth.last_refresh_instant(self.conn)

    def first_data_time(self) -> int | None:
        return rollups.first_rollup_time(self.conn)

    def leaderboard(self, scope: str, metric: str, spark_points: int = 24) -> list[FamilyRow]:
        return views.leaderboard(
            self.conn,
            self.registry,
            scope=scope,
            metric=metric,
            now=self.now(),
            spark_points=spark_points,
            cache=self.rollups,
        )

    def countries(self, scope: str, metric: str, families: list[FamilyRow]) -> list[CountryRow]:
        return views.countries(self.conn, self.registry, scope=scope, metric=metric, now=self.now(), families=families)

    def release_shares(self) -> tuple[dict[str, float], int]:
        return views.release_shares(self.conn, now=self.now())

    def events(self, limit: int = 200, window_s: int = FEED_WINDOW_S) -> list[EventRow]:
        return queries.recent_events(self.conn, self.now() - window_s, limit)

    def events_of_poll(self, pid: int) -> list[EventRow]:
        start = queries.first_event_time(self.conn, pid)
        if start is None:
            return []
        # That poll's own events: another poll's at the same time are not news of this one.
        return queries.recent_events(self.conn, start, 1000, pid=pid)

    def family_newest(self, family: str, limit: int) -> list[ModelRow]:
        """A family's most recently created models (derivatives included)."""
        return queries.family_newest(self.conn, family, limit)

    def family_models(self, family: str, scope: str) -> list[ModelView]:
        """Every model of the family's list with its rate and sparkline (what sorting by rate needs)."""
        return views.family_models(self.conn, family, scope=scope, now=self.now(), limit=FAMILY_LIST_LIMIT)

    def family_listing(self, family: str, scope: str) -> list[ModelKey]:
        """The family's list as keys (id, via, 30-day downloads): the rest is read for the rows shown."""
        return queries.family_listing(
            self.conn, family, first_party_only=scope == Scope.FIRST_PARTY, limit=FAMILY_LIST_LIMIT
        )

    def family_rows(self, family: str, scope: str) -> list[ModelRow]:
        """The family's list as whole rows, without rates (what a filter or another sort needs)."""
        return queries.family_models(
            self.conn, family, first_party_only=scope == Scope.FIRST_PARTY, limit=FAMILY_LIST_LIMIT
        )

    def family_matching(self, family: str, scope: str, needle: str) -> list[ModelRow]:
        """The family's models a filter matches, searched over the whole family (hfwatch.store.queries)."""
        return queries.family_matching(
            self.conn, family, needle, first_party_only=scope == Scope.FIRST_PARTY, limit=FAMILY_LIST_LIMIT
        )

    def model_views(self, mids: list[int], rows: dict[int, ModelRow] | None = None) -> list[ModelView]:
        """Rates and sparklines of the models `mids` (the rows on screen), their rows read unless given."""
        known = rows or {}
        missing = [mid for mid in mids if mid not in known]
        got = {**known, **{r.mid: r for r in queries.models_by_mid(self.conn, missing)}} if missing else known
        return views.model_views(self.conn, [got[mid] for mid in mids if mid in got], now=self.now())

    def family_rates(self, family: str, scope: str, span_s: int = 30 * DAY_S, max_points: int = 120) -> RateSeries:
        """A family's downloads/day between consecutive Hub refreshes (the resolution of the counters), for
        the detail chart; merged evenly when there are more than `max_points`. Nothing after the latest
        refresh seen: that growth is not known yet."""
        from hfwatch.tui.series import RateSeries

        now = self.now()
        grown = views.family_growth(self.conn, scope, now=now, since=now - span_s, family=family).get(family)
        if grown is None or grown.start is None:
            return RateSeries([], [])
        lo = max(grown.start, now - span_s)
        edges = [lo] + [t for t in grown.instants if lo < t <= now]
        if len(edges) - 1 > max_points:
            edges = metrics.bucket_edges(lo, edges[-1], max_points)
        if len(edges) < 2:
            return RateSeries([], [])
        return RateSeries(edges[1:], grown.buckets(edges))

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
        from hfwatch.tui.series import ModelHistory

        obs = queries.observations(self.conn, row.mid)
        ends = growth.endpoints(self.conn, [row.mid], 0, self.now()).get(row.mid, [])
        # Each span's rate belongs to the observation that saw its later endpoint.
        by_seen = {s.credited: s.growth * DAY_S / (s.b - s.a) for s in rates.endpoint_spans(ends)}
        times = [t for t, *_ in obs]
        # Observed before the Hub first counted the model, its listed 0 is no count: a gap, not a 0 (analysis.counted).
        created = row.created_at
        counted_from = growth.first_count_instant(self.conn, created) if created is not None else None
        d30: list[float | None] = [
            None if not d and created is not None and (counted_from is None or t < counted_from) else d
            for t, d, *_ in obs
        ]
        return ModelHistory(times, d30, [by_seen.get(t) for t in times])

    def last_poll(self, lane: str | None = None, ok_only: bool = False) -> PollRow | None:
        return queries.last_poll(self.conn, lane, ok_only)

    def last_pid(self) -> int:
        return queries.last_poll_id(self.conn)

    # -- the race, the feed with untracked models, newcomers ----------------------------------------

    def race(self, scope: str, metric: str, span_s: int, leaders: list[str]) -> Race:
        """The ranks of `leaders` over the last `span_s` and the passes among the registry's families then."""
        from hfwatch.analysis import race

        since = self.now() - span_s
        with queries.snapshot(self.conn):
            series = views.race_series(self.conn, scope, metric, now=self.now(), since=since)
            coverage = views.coverage_spans(self.conn, scope, metric, views.RACE_RATE_WINDOW_S)
        return race.race(
            {f: s for f, s in series.items() if f in self.registry},
            leaders=leaders,
            since=since,
            scope=scope,
            metric=metric,
            coverage=coverage,
        )

    def feed(self, *, limit: int, window_s: int = FEED_WINDOW_S, every_untracked: bool = False) -> list[EventRow]:
        """Feed events, newest first: of tracked models, and of untracked ones their trending entries only or
        (`every_untracked`) their new releases too."""
        return queries.recent_events(
            self.conn, self.now() - window_s, limit, untracked="all" if every_untracked else "trending"
        )

    def newcomers(self, window_s: int = NEWCOMER_WINDOW_S, limit: int = 50) -> list[Newcomer]:
        from hfwatch.analysis.newcomers import rank_newcomers
        from hfwatch.store.newcomers import untracked_orgs

        return rank_newcomers(untracked_orgs(self.conn, self.now() - window_s), self.registry, limit)

    # -- the deep lane: its walks, and what no family claims ------------------------------------------

    def deep_walks(self) -> tuple[Walk | None, Walk | None]:
        """The latest deep walk and the latest finished one."""
        return wholehub.walks(self.conn)

    def refresh_after(self, at: float) -> bool:
        """Whether the polls have seen a Hub refresh after the one they had seen by `at`."""
        return growth.refresh_after(self.conn, at)

    def deep_walk_starts(self, since: float, until: float) -> list[float]:
        """When the deep walks that ran between `since` and `until` began (see wholehub.walk_starts)."""
        return wholehub.walk_starts(self.conn, since, until)
