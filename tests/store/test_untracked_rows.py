"""The untracked tail's storage policy against the simulated Hub: daily deep walks over two week boundaries.

A model no fast or slow lane lists (here every tail repo: untracked, or a fine-tune of a tracked family) writes
one observation in each calendar week its counters changed (the week's first change), none of them a rate
endpoint; tests/store/test_followed_rows.py has the models those lanes list, which write every change. What
reads the untracked tail (the "untracked" row, coverage) reads its latest counters, which every walk keeps
exact. A tail repo that a family claims later stays weekly, and its family counts its growth from then on.
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
from hfwatch.hub.client import HubClient
from hfwatch.registry import Registry, load_registry
from hfwatch.store import Store, queries, wholehub
from hfwatch.store.maintenance import RetentionPolicy, maintain, week_start
from hfwatch_sim import SimClock, SimHub
from tests.conftest import SIM_START

DAY = 86_400
DAYS = 10  # SIM_START is a Sunday: the walks touch three calendar weeks
LATE = 4  # the day from which the family left out at first is in the registry
PAGES = 3


@dataclass(frozen=True)
class Walked:
    db: Path
    hub: SimHub
    times: list[int]
    floor: int
    late_family: str


def _counters(hub: SimHub, rank: int, t: int) -> tuple[int, int]:
    assert hub.tail is not None
    m = hub.tail.model(rank, t)
    return m.downloads, m.downloads_all_time


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walked]:
    db = tmp_path_factory.mktemp("untracked") / "h.sqlite"
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000, tail=200_000)
    full = load_registry()
    with hub:
        assert hub.tail is not None
        floor = hub.tail.downloads(PAGES * 1000, hub.clock.now())
        # The family of the most tail fine-tunes is left out of the registry at first: its models are untracked.
        by_name = {f.name.split("/")[0].lower(): f.id for f in full.families}
        roots = [hub.tail.model(r, SIM_START).family for r in range(PAGES * 1000)]
        late = by_name[max({f for f in roots if f}, key=roots.count).split("/")[0].lower()]
        early = Registry([f for f in full.families if f.id != late], full.reuploaders)
        times = []
        for day in range(DAYS):
            t = int(SIM_START) + 3600 + day * DAY
            hub.clock.set(t)
            poller = Poller(HubClient(hub.url, token=False), full if day >= LATE else early, clock=hub.clock.now)
            with Store(db) as store:
                out = walk_deep(poller, store, floor=floor)
            assert out.status == "done", out.reason
            times.append(t)
        yield Walked(db, hub, times, floor, late)


def _rows(db: Path) -> dict[int, tuple[str, str | None, list[tuple[int, int | None, int | None, int | None]]]]:
    """Per model: id, family now, and its observations (t, d30, dall, asof)."""
    conn = sqlite3.connect(db)
    try:
        out = {mid: (mid_id, fam, []) for mid, mid_id, fam in conn.execute("SELECT mid, id, family FROM models")}
        for mid, t, d30, dall, asof in conn.execute("SELECT mid, t, d30, dall, asof FROM observations ORDER BY t"):
            out[mid][2].append((t, d30, dall, asof))
    finally:
        conn.close()
    return out


def _true_history(w: Walked, rank: int) -> list[tuple[int, tuple[int, int]]]:
    """(walk time, true counters) of every walk: the tail repo is at or above the floor from the first one."""
    return [(t, _counters(w.hub, rank, t)) for t in w.times]


def _change_times(history: list[tuple[int, tuple[int, int]]]) -> list[int]:
    """The first listing, and each listing whose counters differ from the one before."""
    return [t for k, (t, c) in enumerate(history) if k == 0 or c != history[k - 1][1]]


def _tail_models(w: Walked) -> list[tuple[int, str, str | None, list, int]]:
    """The tail repos every walk listed: above the floor from the first walk on (the tail only grows)."""
    assert w.hub.tail is not None
    out = []
    for mid, (model_id, family, obs) in _rows(w.db).items():
        rank = w.hub.tail.rank_of(model_id)
        if rank is not None and w.hub.tail.downloads(rank, w.times[0]) >= w.floor:
            out.append((mid, model_id, family, obs, rank))
    return out


def _true_family(w: Walked, rank: int) -> str | None:
    assert w.hub.tail is not None
    family = w.hub.tail.model(rank, SIM_START).family
    return None if family is None else family.split("/")[0].lower()


def test_tail_models_write_the_first_change_of_each_week_and_no_endpoint(walked: Walked) -> None:
    checked = tracked = 0
    for _mid, _id, family, obs, rank in _tail_models(walked):
        if _true_family(walked, rank) == walked.late_family:
            continue  # claimed from day LATE: its own test
        changes = _change_times(_true_history(walked, rank))
        first_of_week = [t for k, t in enumerate(changes) if k == 0 or week_start(changes[k - 1]) < week_start(t)]
        assert [o[0] for o in obs] == first_of_week
        assert all(o[3] is None for o in obs), "an untracked row is never a rate endpoint"
        # Each row holds what the Hub showed at its time.
        assert [(o[1], o[2]) for o in obs] == [_counters(walked.hub, rank, t) for t in first_of_week]
        checked += 1
        tracked += family is not None
    # Thousands of tail repos, tracked fine-tunes among them, most moving daily: a row per week, not per day.
    assert checked - tracked > 1000 and tracked > 300
    rows = sum(len(obs) for _, _, fam, obs, _ in _tail_models(walked) if fam is None)
    assert rows < checked * 4 < checked * DAYS


def test_a_model_a_family_claims_later_stays_weekly_and_its_family_counts_its_growth(walked: Walked) -> None:
    late = [(mid, obs, rank) for mid, _i, fam, obs, rank in _tail_models(walked) if fam == walked.late_family]
    assert len(late) > 100
    for _mid, obs, _rank in late:
        assert len({week_start(o[0]) for o in obs}) == len(obs) and all(o[3] is None for o in obs)
    claimed, t = walked.times[LATE], walked.times[-1]
    conn = sqlite3.connect(walked.db)
    try:
        marks = ",".join("?" * len(late))
        mids = [mid for mid, _obs, _rank in late]
        # Each claimed repo's latest endpoint is in `models`, dated after the claim: its family's growth runs from it.
        ends = conn.execute(f"SELECT count(*) FROM models WHERE mid IN ({marks}) AND ea >= ?", [*mids, claimed - DAY])
        spans = conn.execute(
            "SELECT sum(growth) FROM spans WHERE scope = 'ecosystem' AND family = ? AND credited_t > ?",
            (walked.late_family, claimed),
        )
        # The family is credited at least what the Hub shows these repos grew by after the claim (its other
        # models grow too), though none of their rows is an endpoint.
        grown = sum(_counters(walked.hub, rank, t)[1] - _counters(walked.hub, rank, claimed)[1] for *_, rank in late)
        assert ends.fetchone()[0] == len(late) and spans.fetchone()[0] >= grown > 0
    finally:
        conn.close()


def test_the_untracked_row_and_coverage_read_the_latest_counters(walked: Walked) -> None:
    t = walked.times[-1]
    tail = {mid: rank for mid, _id, family, _obs, rank in _tail_models(walked) if family is None}
    with Store(walked.db, readonly=True) as store:
        untracked = wholehub.untracked(store.conn)
        stored = {r.mid: (r.d30, r.dall) for r in queries.models_by_mid(store.conn, list(tail))}
        walk, _ = wholehub.walks(store.conn)
    # Every untracked tail repo's latest counters are the Hub's at the last walk, whatever its history holds,
    # and the untracked row sums them.
    assert stored == {mid: _counters(walked.hub, rank, t) for mid, rank in tail.items()} and len(tail) > 1000
    assert untracked.models >= len(tail)
    assert untracked.downloads_30d is not None and untracked.downloads_30d >= sum(d for d, _ in stored.values())
    truth = walked.hub.truth.deep_walk(walked.floor, t)
    assert walk is not None and (walk.walked, walk.downloads) == (truth.models, truth.downloads)
    assert walk.coverage is not None and truth.coverage is not None and abs(walk.coverage - truth.coverage) < 0.005


def test_an_untracked_model_shows_its_weekly_rows_and_an_unknown_rate(walked: Walked) -> None:
    weekly = [(m, i, o) for m, i, fam, o, _r in _tail_models(walked) if fam is None and len(o) == 3]
    assert weekly, "an untracked repo that moved every day has a row in each of the three weeks"
    mid, model_id, obs = weekly[0]
    with Store(walked.db, readonly=True) as store:
        row = queries.model_by_id(store.conn, model_id)
        assert row is not None and row.mid == mid
        view = views.model_views(store.conn, [row], now=walked.times[-1])[0]
        history = queries.observations(store.conn, mid)
    assert [h[0] for h in history] == [o[0] for o in obs]
    # No endpoints: its rate is unknown, not 0, and no sparkline is drawn from nothing.
    assert view.rate_per_day is None and all(v is None for v in view.spark)


def test_weekly_thinning_finds_no_untracked_row_to_delete(walked: Walked, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite"
    with Store(walked.db, readonly=True) as store:
        store.conn.execute(f"VACUUM INTO '{db}'")
    untracked = {mid: obs for mid, (_id, fam, obs) in _rows(db).items() if fam is None}
    assert sum(len(obs) > 1 for obs in untracked.values()) > 1000
    # Everything before the last week thinned to one row a week, as a year-old history would be.
    policy = RetentionPolicy(raw_days=1, daily_days=2, max_seconds=None)
    with Store(db) as store:
        report = maintain(store.conn, walked.times[-1], policy)
    assert report.complete and report.error is None and report.transactions > 0
    after = _rows(db)
    assert {mid: after[mid][2] for mid in untracked} == untracked
