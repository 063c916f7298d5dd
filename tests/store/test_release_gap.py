"""New releases after a gap (DESIGN §5): a fast poll after the monitor was off longer than its newest listing
covers walks `sort=created_at` down to the newest release stored, so every release of the gap is stored
(against the simulated Hub's truth); a fast poll after a short gap costs nothing more."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hfwatch import gapfill
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.hub.plan import NEWEST_LIMIT
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store, releasegaps
from hfwatch.store.releasegaps import hole_note
from hfwatch.store.wholehub import newest_created
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


def stored_releases(store: Store, t0: float, t1: float) -> list[str]:
    rows = store.conn.execute("SELECT id FROM models WHERE created_at > ? AND created_at <= ?", (t0, t1))
    return [row[0] for row in rows]


def new_events(store: Store, ids: list[str]) -> list[str]:
    """The feed's "new" events of these models, one per event."""
    rows = store.conn.execute("SELECT m.id FROM events e JOIN models m USING (mid) WHERE e.kind = 'new'")
    wanted = set(ids)
    return [row[0] for row in rows if row[0] in wanted]


def test_a_gap_longer_than_a_fast_poll_may_walk_is_noted_and_closed_by_the_next_fast_polls(
    sim: SimHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages of 100 and two a poll, so a gap of days needs several polls (60 pages of 1000 would need months).
    monkeypatch.setattr(gapfill, "GAP_PAGE_SIZE", 100)
    monkeypatch.setattr(gapfill, "MAX_GAP_PAGES", 2)
    db = tmp_path / "h.sqlite"

    def feeder(store: Store) -> Feeder:
        return Feeder(Poller(HubClient(sim.url, token=False), load_registry(), clock=sim.clock.now), store)

    with Store(db) as store:
        assert feeder(store).poll(Lane.FAST).ok
        t0 = sim.clock.now()
        before = newest_created(store.conn)
        sim.clock.advance(6 * DAY_S)
        gap = released(sim, t0, sim.clock.now())
        assert len(gap) > NEWEST_LIMIT + 3 * 2 * 100, "the gap must take more than three polls' walks"
        fd = feeder(store)
        outcome = fd.poll(Lane.FAST)
        assert outcome.ok and fd.last_gap is not None and not fd.last_gap.complete and fd.last_gap.pages == 2
        [hole] = releasegaps.load(store.conn)
        assert hole.since == before and hole.until is not None and hole.cursor
        missing = {m.id: m.created for m in sim.truth.models(sim.clock.now()) if m.id in set(gap)}
        for model_id in stored_ids(store):
            missing.pop(model_id, None)
        assert missing, "one poll cannot close this gap"
        # The note is honest: every release still missing is in the range it names, none is left out of it.
        assert all(hole.since < created <= hole.until for created in missing.values())
        note = hole_note([hole])
        assert note is not None and f"back-filled to {datetime.fromtimestamp(hole.until, UTC):%Y-%m-%d %H:%M}" in note

    polls = 0
    while True:  # later fast polls, each in a monitor started anew: the note in the file carries the hole
        polls += 1
        assert polls <= len(gap) // 200 + 3, "the gap is closed by as many polls as its pages take"
        sim.clock.advance(5 * 60)
        with Store(db) as store:
            fd = feeder(store)
            outcome = fd.poll(Lane.FAST)
            assert outcome.ok and fd.last_gap is not None and fd.last_gap.pages <= 2
            if fd.last_gap.complete:
                assert releasegaps.load(store.conn) == []
                break
            [left] = releasegaps.load(store.conn)
            assert left.since == before and left.until is not None and left.until < hole.until
            hole = left
    t1 = sim.clock.now()
    truth = released(sim, t0, t1)
    with Store(db, readonly=True) as store:
        stored = stored_releases(store, t0, t1)
        assert sorted(stored) == sorted(truth), "every release of the window, none twice, none made up"
        assert sorted(new_events(store, truth)) == sorted(truth), "one new-release event for each"
    sim.clock.advance(5 * 60)
    with Store(db) as store:
        fd = feeder(store)
        again = fd.poll(Lane.FAST)
        assert again.ok and fd.last_gap is None, "a closed gap costs nothing more"


def test_a_poll_that_cannot_be_saved_leaves_the_gap_noted(
    sim: SimHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gapfill, "GAP_PAGE_SIZE", 100)
    monkeypatch.setattr(gapfill, "MAX_GAP_PAGES", 2)
    with Store(tmp_path / "h.sqlite") as store:
        poller = Poller(HubClient(sim.url, token=False), load_registry(), clock=sim.clock.now)
        fd = Feeder(poller, store)
        assert fd.poll(Lane.FAST).ok
        before = newest_created(store.conn)
        sim.clock.advance(6 * DAY_S)

        def refuse(*_args: object, **_kw: object) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(store, "ingest", refuse)
        outcome = fd.poll(Lane.FAST)
        assert not outcome.ok and newest_created(store.conn) == before
        [hole] = releasegaps.load(store.conn)
        assert hole.since == before, "the releases after the newest stored one are noted as missing"
        monkeypatch.undo()
        monkeypatch.setattr(gapfill, "GAP_PAGE_SIZE", 100)
        monkeypatch.setattr(gapfill, "MAX_GAP_PAGES", 2)
        assert fd.poll(Lane.FAST).ok
        holes = releasegaps.load(store.conn)
        assert len(holes) == 1 and holes[0].since == before, "found again, the gap is noted once"


def test_hfwatch_poll_says_the_release_feed_has_a_hole_until_a_poll_closes_it(sim: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite"
    env = {"HF_ENDPOINT": sim.url}
    assert run_cli("poll", "--lane", "fast", "--db", str(db), env=env).code == 0
    with Store(db) as store:
        newest = newest_created(store.conn)
        assert newest is not None
        since, until = newest - 2 * DAY_S, newest - DAY_S
        # A cursor the Hub no longer takes (a real Hub's may expire): this poll cannot go on with the hole.
        releasegaps.save(store.conn, [releasegaps.ReleaseHole(since, until, "expired")])
    stuck = run_cli("poll", "--lane", "fast", "--db", str(db), env=env)
    assert stuck.code == 0, stuck.err
    stamp = f"{datetime.fromtimestamp(until, UTC):%Y-%m-%d %H:%M}"
    assert f"releases back-filled to {stamp} UTC; the gap back to" in stuck.out
    assert "not yet filled (releases since" in stuck.out and "(HTTP 400)); the next fast poll goes on" in stuck.out
    closed = run_cli("poll", "--lane", "fast", "--db", str(db), env=env)
    assert closed.code == 0 and "back-filled" not in closed.out, closed.out
    with Store(db, readonly=True) as store:
        assert releasegaps.load(store.conn) == []


def test_a_note_of_holes_that_cannot_be_read_stops_no_fast_poll(sim: SimHub, feeder: tuple[Feeder, Store]) -> None:
    fd, store = feeder
    assert fd.poll(Lane.FAST).ok
    store.conn.execute("INSERT INTO meta (key, value) VALUES (?, 'not json')", (releasegaps.KEY,))
    with pytest.raises(sqlite3.DatabaseError, match="is not a list of release holes"):
        releasegaps.load(store.conn)
    t0 = sim.clock.now()
    sim.clock.advance(2 * HOUR_S)
    assert fd.poll(Lane.FAST).ok
    assert set(released(sim, t0, sim.clock.now())) <= stored_ids(store)
    [note] = store.conn.execute("SELECT value FROM meta WHERE key = ?", (releasegaps.KEY,)).fetchone()
    assert note == "not json", "left as it was: nothing to replace it with"


def test_a_walk_cancelled_before_its_first_page_keeps_its_cursor_and_a_refused_cursor_is_dropped(
    sim: SimHub, feeder: tuple[Feeder, Store]
) -> None:
    fd, _store = feeder
    result = fd.poller.fetch(Lane.FAST)
    newest = max(r.created_at for r in result.records if r.created_at is not None)
    hole = releasegaps.ReleaseHole(newest - 2 * DAY_S, newest - DAY_S, "no-such-cursor")
    cancel = threading.Event()
    cancel.set()  # the monitor is closing: nothing was said about the cursor
    fill = gapfill.fill_fast_poll(fd.poller, result, gapfill.KnownGaps(newest, (hole,)), cancel=cancel)
    assert fill is not None and fill.pages == 0 and fill.holes == (hole,)
    refused = gapfill.fill_fast_poll(fd.poller, result, gapfill.KnownGaps(newest, (hole,)))
    assert refused is not None and refused.reason is not None and "HTTP 400" in refused.reason
    assert refused.holes == (releasegaps.ReleaseHole(hole.since, hole.until, None),), "from the top next time"
