"""Tracked models that only the deep lane lists write weekly; those the fast and slow lanes list write every change.

Nine days of a deep walk, then a fast and a slow poll, against the simulated Hub, into two files: one with the
policy, one where every tracked model writes every change (the policy switched off). The slow lane lists each
family's top 100 derivatives until day PROMOTE, its top 1000 from then on, so some deep-listed models start
being followed mid-run. What each file holds is checked against the counters the simulated Hub showed at each
listing, and the family and country figures of the two files against each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hfwatch.analysis import views
from hfwatch.deep import walk_deep
from hfwatch.engine import Poller
from hfwatch.hub import plan
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane, Metric, Scope
from hfwatch.registry import load_registry
from hfwatch.store import Store, queries, wholehub
from hfwatch.store import ingest as ingest_module
from hfwatch.store.maintenance import week_start
from hfwatch_sim import SimClock, SimHub
from tests.conftest import SIM_START

DAY = 86_400
DAYS = 9  # SIM_START is a Sunday: the walks touch three calendar weeks
PROMOTE = 4  # the day from which the slow lane lists each family's top 1000 derivatives, not its top 100
PAGES = 3
FAST_AFTER, SLOW_AFTER = 600, 1200  # each day's fast and slow polls, after its deep walk


@dataclass(frozen=True)
class Run:
    db: Path  # with the policy
    every: Path  # every tracked model writes every change
    hub: SimHub
    times: list[int]  # each day's deep walk
    floor: int
    listed: dict[str, list[int]]  # by the fast or slow lane: when


_COUNTERS = ("downloads", "downloadsAllTime", "likes", "trendingScore")


def _counters(hub: SimHub, model_id: str, t: int) -> tuple[object, ...]:
    """The four counters a row holds (d30, downloadsAllTime, likes, trending score), as the Hub showed them."""
    assert hub.tail is not None
    rank = hub.tail.rank_of(model_id)
    if rank is not None:
        m = hub.tail.model(rank, t)
        return (m.downloads, m.downloads_all_time, 0, 0)
    shown = hub.record(hub.models.by_id[model_id], t, _COUNTERS)
    return tuple(shown[name] for name in _COUNTERS)


def _day(store: Store, hub: SimHub, registry: object, t: int, floor: int, listed: dict[str, list[int]]) -> None:
    for at, lane in ((t, Lane.DEEP), (t + FAST_AFTER, Lane.FAST), (t + SLOW_AFTER, Lane.SLOW)):
        hub.clock.set(at)
        poller = Poller(HubClient(hub.url, token=False), registry, clock=hub.clock.now)  # type: ignore[arg-type]
        if lane is Lane.DEEP:
            out = walk_deep(poller, store, floor=floor)
            assert out.status == "done", out.reason
            continue
        outcome = poller.poll(store, lane)
        assert outcome.summary is not None, outcome.result.error
        for rec in outcome.result.records:
            if not listed.setdefault(rec.id, []) or listed[rec.id][-1] != at:
                listed[rec.id].append(at)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("followed")
    db, every = tmp / "policy.sqlite", tmp / "every.sqlite"
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000, tail=200_000)
    registry = load_registry()
    listed: dict[str, list[int]] = {}
    with hub, pytest.MonkeyPatch.context() as mp:
        assert hub.tail is not None
        floor = hub.tail.downloads(PAGES * 1000, hub.clock.now())
        times = []
        for day in range(DAYS):
            t = int(SIM_START) + 3600 + day * DAY
            mp.setattr(plan, "DERIVATIVES_LIMIT", 1000 if day >= PROMOTE else 100)
            with Store(db) as store:
                _day(store, hub, registry, t, floor, listed)
            with mp.context() as off, Store(every) as store:
                # The policy switched off: every tracked model writes every change, as before it.
                off.setattr(ingest_module, "every_change", lambda family, *_a, **_k: family is not None)
                _day(store, hub, registry, t, floor, {})
            times.append(t)
        yield Run(db, every, hub, times, floor, listed)


def _rows(db: Path) -> dict[str, tuple[str | None, list[tuple[int, int | None, int | None]]]]:
    """Per model id: its family, and its observations (t, dall, asof)."""
    conn = sqlite3.connect(db)
    try:
        mids = {mid: model_id for mid, model_id in conn.execute("SELECT mid, id FROM models")}
        out = {model_id: (fam, []) for model_id, fam in conn.execute("SELECT id, family FROM models")}
        for mid, t, dall, asof in conn.execute("SELECT mid, t, dall, asof FROM observations ORDER BY t"):
            out[mids[mid]][1].append((t, dall, asof))
    finally:
        conn.close()
    return out


def _always_walked(r: Run, model_id: str) -> bool:
    """Listed by every deep walk: at or above the floor at each (the walk stops at the floor)."""
    return all(int(_counters(r.hub, model_id, t)[0]) >= r.floor for t in r.times)  # type: ignore[call-overload]


def _listings(r: Run, model_id: str) -> list[int]:
    return sorted({*r.times, *r.listed.get(model_id, [])})


def _change_times(r: Run, model_id: str, times: list[int]) -> list[int]:
    """The first listing, and each whose counters differ from the listing before."""
    seen = [_counters(r.hub, model_id, t) for t in times]
    return [t for k, t in enumerate(times) if k == 0 or seen[k] != seen[k - 1]]


def _first_of_week(changes: list[int]) -> list[int]:
    return [t for k, t in enumerate(changes) if k == 0 or week_start(changes[k - 1]) < week_start(t)]


def _tracked(r: Run) -> list[tuple[str, list[tuple[int, int | None, int | None]]]]:
    return [(i, obs) for i, (fam, obs) in _rows(r.db).items() if fam is not None and _always_walked(r, i)]


def test_models_the_slow_or_fast_lane_lists_write_every_change(run: Run) -> None:
    """Whichever lane saw a change first (here the deep walk, before the day's slow poll), it is written."""
    every_day = {i for i, ts in run.listed.items() if len({(t - run.times[0]) // DAY for t in ts}) == DAYS}
    checked = 0
    for model_id, obs in _tracked(run):
        if model_id not in every_day:
            continue
        listings = _listings(run, model_id)
        changes = _change_times(run, model_id, listings)
        written = [o[0] for o in obs]
        assert set(changes) <= set(written) <= set(listings), model_id
        assert all(o[1] == _counters(run.hub, model_id, o[0])[1] for o in obs)
        # After the first refresh is known, every change of downloadsAllTime is an endpoint of the model's rates.
        dall = {t: _counters(run.hub, model_id, t)[1] for t in listings}
        moved = {t for k, t in enumerate(listings) if k and dall[t] != dall[listings[k - 1]] and t > run.times[1]}
        assert all(o[2] is not None for o in obs if o[0] in moved)
        checked += 1
    assert checked > 100


def test_tracked_models_only_the_deep_lane_lists_write_the_first_change_of_each_week(run: Run) -> None:
    checked = tail = 0
    for model_id, obs in _tracked(run):
        if model_id in run.listed:
            continue
        first_of_week = _first_of_week(_change_times(run, model_id, run.times))
        assert [o[0] for o in obs] == first_of_week, model_id
        assert all(o[2] is None for o in obs), "a weekly row is never a rate endpoint"
        assert [o[1] for o in obs] == [_counters(run.hub, model_id, t)[1] for t in first_of_week]
        checked += 1
        tail += run.hub.tail is not None and run.hub.tail.rank_of(model_id) is not None
    # The tail's fine-tunes of tracked families, and catalogue derivatives the slow lane does not list.
    assert tail > 300 and checked - tail > 20


def test_a_model_the_slow_lane_starts_listing_writes_every_change_from_then(run: Run) -> None:
    promoted_at = run.times[PROMOTE] + SLOW_AFTER
    checked = 0
    for model_id, obs in _tracked(run):
        listed = run.listed.get(model_id, [])
        if not listed or listed[0] != promoted_at:
            continue
        before = [o for o in obs if o[0] < promoted_at]
        after = [o[0] for o in obs if o[0] >= promoted_at]
        assert [o[0] for o in before] == _first_of_week(_change_times(run, model_id, run.times[: PROMOTE + 1]))
        assert all(o[2] is None for o in before)
        changes = _change_times(run, model_id, _listings(run, model_id))
        assert [t for t in changes if t > promoted_at] == [t for t in after if t > promoted_at], model_id
        # Daily from then: more than the weekly policy would have written over those days.
        assert len(after) > len({week_start(t) for t in after})
        checked += 1
    assert checked > 20


def _figures(db: Path, now: int) -> list[object]:
    registry = load_registry()
    out: list[object] = []
    with Store(db, readonly=True) as store:
        conn = store.conn
        for scope in (Scope.ECOSYSTEM, Scope.FIRST_PARTY):
            for window in (DAY, 7 * DAY):
                for metric in Metric:
                    board = views.leaderboard(conn, registry, scope=scope, metric=metric, now=now, rate_window_s=window)
                    out.append(board)
                    out.append(views.countries(conn, registry, scope=scope, metric=metric, now=now, families=board))
            out.append(views.race_series(conn, scope, "rate", now=now))
        out.append(wholehub.untracked(conn))
    return out


def test_family_and_country_figures_are_the_same_with_and_without_the_policy(run: Run) -> None:
    now = run.times[-1] + SLOW_AFTER
    with_policy, every = _figures(run.db, now), _figures(run.every, now)
    assert with_policy == every
    with Store(run.db, readonly=True) as store:
        board = views.leaderboard(store.conn, load_registry(), metric=Metric.RATE, now=now, rate_window_s=7 * DAY)
    assert sum(r.rate_per_day is not None and r.rate_per_day > 0 for r in board) > 5, "the figures hold rates"
    # ...from fewer rows: the deep-only models' daily rows are what the policy leaves out.
    counts = []
    for path in (run.db, run.every):
        with Store(path, readonly=True) as store:
            counts.append(store.conn.execute("SELECT count(*) FROM observations").fetchone()[0])
    assert counts[0] < counts[1]


def test_a_deep_only_tracked_model_shows_its_weekly_rows_and_an_unknown_rate(run: Run) -> None:
    weekly = [(i, obs) for i, obs in _tracked(run) if i not in run.listed and len(obs) == 3]
    assert weekly, "a deep-only repo that moved every day has a row in each of the three weeks"
    model_id, obs = weekly[0]
    with Store(run.db, readonly=True) as store:
        row = queries.model_by_id(store.conn, model_id)
        assert row is not None and row.family is not None
        view = views.model_views(store.conn, [row], now=run.times[-1] + SLOW_AFTER)[0]
        history = queries.observations(store.conn, row.mid)
    assert [h[0] for h in history] == [o[0] for o in obs]
    assert view.rate_per_day is None and all(v is None for v in view.spark)
