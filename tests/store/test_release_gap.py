"""New releases after a gap (DESIGN §5): a fast poll after the monitor was off longer than its newest listing
covers walks `sort=created_at` down to the newest release stored, so every release of the gap is stored
(against the simulated Hub's truth); a fast poll after a short gap costs nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.hub.plan import NEWEST_LIMIT
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch.timeunits import DAY_S, HOUR_S
from hfwatch.tui.feeder import Feeder
from hfwatch_sim import SimHub
from tests.conftest import run_cli


@pytest.fixture
def feeder(sim: SimHub, tmp_path: Path) -> Iterator[tuple[Feeder, Store]]:
    store = Store(tmp_path / "h.sqlite")
    try:
        yield Feeder(Poller(HubClient(sim.url, token=False), load_registry(), clock=sim.clock.now), store), store
    finally:
        store.close()


def stored_ids(store: Store) -> set[str]:
    return {row[0] for row in store.conn.execute("SELECT id FROM models")}


def released(sim: SimHub, t0: float, t1: float) -> list[str]:
    return [m.id for m in sim.truth.models(t1) if t0 < m.created <= t1]


def test_a_fast_poll_after_days_off_stores_every_release_of_the_gap(sim: SimHub, feeder: tuple[Feeder, Store]) -> None:
    fd, store = feeder
    assert fd.poll(Lane.FAST).ok
    t0 = sim.clock.now()
    sim.clock.advance(6 * DAY_S)
    gap = released(sim, t0, sim.clock.now())
    assert len(gap) > NEWEST_LIMIT, "the gap must be longer than the newest listing covers"
    outcome = fd.poll(Lane.FAST)
    assert outcome.ok and fd.last_gap is not None and fd.last_gap.complete
    missing = [m for m in gap if m not in stored_ids(store)]
    assert missing == []
    # The walk's pages are the fast poll's: one transaction, and its cost is the poll's.
    assert outcome.result.stats.requests >= 2 + fd.last_gap.pages
    assert outcome.summary is not None and outcome.summary.models >= len(gap)


def test_a_short_gap_costs_no_extra_request(sim: SimHub, feeder: tuple[Feeder, Store]) -> None:
    fd, store = feeder
    first = fd.poll(Lane.FAST)
    t0 = sim.clock.now()
    sim.clock.advance(2 * HOUR_S)
    again = fd.poll(Lane.FAST)
    assert again.ok and fd.last_gap is None
    assert again.result.stats.requests == first.result.stats.requests
    gap = released(sim, t0, sim.clock.now())
    assert gap and set(gap) <= stored_ids(store)


def test_hfwatch_poll_after_days_off_stores_every_release_of_the_gap(sim: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite"
    env = {"HF_ENDPOINT": sim.url}
    first = run_cli("poll", "--lane", "fast", "--db", str(db), env=env)
    assert first.code == 0, first.err
    t0 = sim.clock.now()
    sim.clock.advance(6 * DAY_S)
    gap = released(sim, t0, sim.clock.now())
    assert len(gap) > NEWEST_LIMIT
    again = run_cli("poll", "--lane", "fast", "--db", str(db), env=env)
    assert again.code == 0, again.err
    with Store(db, readonly=True) as store:
        assert set(gap) <= stored_ids(store)
