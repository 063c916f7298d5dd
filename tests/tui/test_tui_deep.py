"""The deep lane in the monitor (Textual's pilot, a real simulated Hub with a long tail): the key starts the
walk in a worker, the progress line shows pages of the estimate while it runs, pause stops it and the key
resumes the stored walk, the families box gives the coverage (against the simulator's truth) and `h` adds
an untracked row that is no family."""

from __future__ import annotations

import contextlib
import gc
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from hfwatch.analysis.wholehub import UNTRACKED_KEY
from hfwatch.config import Config
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import Registry
from hfwatch.store import Store, releasegaps
from hfwatch.store.wholehub import newest_created
from hfwatch.tui.app import HfWatchApp
from hfwatch.tui.deep_state import DONE_SHOWN_S, START_DELAY_S
from hfwatch.tui.feeder import Feeder
from hfwatch.tui.priority import POLL_FULL_EVERY
from hfwatch.tui.reader import Reader
from hfwatch.tui.screens.releases import ReleasesScreen
from hfwatch.tui.screenshots import FROZEN_MONOTONIC
from hfwatch.tui.session import Mode, Session
from hfwatch.tui.widgets.deep_bar import DeepBar
from hfwatch.tui.widgets.leaderboard import Leaderboard
from hfwatch.tui.widgets.status_bar import StatusBar
from hfwatch_sim import Reply, Request, SimClock, SimHub
from tests.conftest import SIM_START
from tests.helpers.tui import POLL_INTERVALS, SIZE, fixed_history, history_copy, loaded, make_app, registry

pytestmark = pytest.mark.ui
__all__ = ["fixed_history", "history_copy", "registry"]  # fixtures used below

TAIL = 60_000


@pytest.fixture(scope="module")
def hub() -> Iterator[SimHub]:
    sim = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000, tail=TAIL)
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


def floor_for(hub: SimHub, pages: int) -> int:
    """The floor whose walk takes about `pages` pages of 1000 (from the generator's own counts)."""
    assert hub.tail is not None
    return hub.tail.downloads(pages * 1000 - 300, hub.clock.now())


class Gate:
    """Holds the simulated Hub's answer to the request after the first `pages` until released."""

    def __init__(self, pages: int) -> None:
        self.pages, self.served = pages, 0
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self, request: Request, answer: Callable[[], Reply]) -> Reply:
        self.served += 1
        if self.served == self.pages + 1:
            self.reached.set()
            while not (self.release.is_set() or request.stopping.is_set()):
                self.release.wait(0.05)
        return answer()


def deep_app(
    hub: SimHub,
    db: Path,
    registry: Registry,
    tmp_path: Path,
    floor: int,
    monotonic: Callable[[], float] = lambda: FROZEN_MONOTONIC,
) -> HfWatchApp:
    """The monitor writing to `db` from the simulated Hub, its own clocks stopped (moved only by `monotonic`),
    nothing started on its own."""
    writer = Store(db)
    reader = Store(db, readonly=True)
    poller = Poller(HubClient(hub.url, token=False), registry, clock=hub.clock.now)
    session = Session(
        db=db,
        registry=registry,
        config=Config(deep_floor=floor),
        mode=Mode.DEMO,
        reader=Reader(reader, registry, hub.clock.now),
        feeder=Feeder(poller, writer),
        state_path=tmp_path / "state.json",
        intervals=dict(POLL_INTERVALS),
        deep=True,
        _closers=[writer.close, reader.close],
    )
    return HfWatchApp(session, monotonic=monotonic, autostart=False)


async def until(pilot: Pilot, done: Callable[[], bool], what: str) -> None:
    """Let the app run until `done()`; bounded, so a walk that never gets there fails the test."""
    for _ in range(1200):
        if done():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"timed out waiting for {what}")


def status_line(app: HfWatchApp) -> str:
    return app.screen.query_one(StatusBar).render().plain


def subtitle(app: HfWatchApp) -> str:
    return str(app.screen.query_one("#families-box").border_subtitle)


def finished_walk(db: Path) -> bool:
    return any(w[4] is not None for w in walks(db))


def walks(db: Path) -> list[tuple[int, int, int, int, float | None, str | None]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT wid, pages, walked, downloads, finished, cursor FROM deep_walks").fetchall()


@dataclass
class Run:
    app: HfWatchApp
    pilot: Pilot
    db: Path
    floor: int


@contextlib.asynccontextmanager
async def monitor(
    hub: SimHub,
    registry: Registry,
    tmp_path: Path,
    *,
    pages: int,
    gate: Gate | None = None,
    monotonic: Callable[[], float] = lambda: FROZEN_MONOTONIC,
) -> AsyncIterator[Run]:
    """The monitor on an empty file, loaded, its walks `pages` long, the Hub's answers held by `gate`."""
    floor = floor_for(hub, pages)
    db = tmp_path / "h.sqlite"
    app = deep_app(hub, db, registry, tmp_path, floor, monotonic)
    hub.response_hook = gate
    try:
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            yield Run(app, pilot, db, floor)
    finally:
        hub.response_hook = None
        app.session.close()


async def test_the_key_walks_with_a_progress_line_then_the_coverage_of_the_truth(
    hub: SimHub, registry: Registry, tmp_path: Path
) -> None:
    gate = Gate(2)
    async with monitor(hub, registry, tmp_path, pages=5, gate=gate) as run:
        app, pilot = run.app, run.pilot
        assert "coverage unknown" in subtitle(app)
        bar = app.screen.query_one(DeepBar)
        assert not bar.display, "no walk, no progress line"
        await pilot.press("D")
        await until(pilot, lambda: app.deep.progress is not None and app.deep.progress.pages == 2, "page 2")
        await pilot.pause()
        assert bar.display
        line = str(bar.render())
        progress = app.deep.progress
        assert progress is not None and progress.estimate is not None and progress.estimate > 2
        assert f"page 2/{progress.estimate}" in line and "2.0k models" in line and "2 req" in line
        gate.release.set()
        await until(pilot, lambda: finished_walk(run.db) and not app.deep.running, "the walk to end")
        await pilot.pause()
        truth = hub.truth.deep_walk(run.floor, hub.clock.now())
        [(_wid, _pages, walked, downloads, finished, _cursor)] = walks(run.db)
        assert finished is not None and (walked, downloads) == (truth.models, truth.downloads)
        assert not bar.display, "the line goes when the walk is done"
        shown = re.search(r"coverage (\d+\.\d)% of ([\d,]+) models", subtitle(app))
        assert shown is not None and truth.coverage is not None
        assert abs(float(shown.group(1)) / 100 - truth.coverage) < 0.006
        assert int(shown.group(2).replace(",", "")) == truth.models
        assert app.deep.due_at is not None, "the next walk is scheduled an interval later"
        assert app.deep_first_delay() == app.deep.interval_s
        hub.clock.advance(app.deep.interval_s + 3600)
        try:
            assert app.deep_first_delay() == START_DELAY_S, "a monitor started a day after the last walk walks soon"
        finally:
            hub.clock.set(SIM_START)


async def test_the_status_line_names_the_walk_while_it_runs_and_its_coverage_a_moment_after(
    hub: SimHub, registry: Registry, tmp_path: Path
) -> None:
    clock = [FROZEN_MONOTONIC]
    gate = Gate(2)
    async with monitor(hub, registry, tmp_path, pages=5, gate=gate, monotonic=lambda: clock[0]) as run:
        app, pilot = run.app, run.pilot
        assert "deep" not in status_line(app)
        await pilot.press("D")
        await until(pilot, lambda: app.deep.progress is not None and app.deep.progress.pages == 2, "page 2")
        await pilot.pause()
        [(_wid, stored_pages, _walked, _d, _finished, _cursor)] = walks(run.db)
        estimate = app.deep.progress.estimate if app.deep.progress else None
        assert stored_pages == 2 and estimate is not None and estimate > 2
        assert f"deep {round(100 * 2 / estimate)}% (page 2/{estimate})" in status_line(app)
        gate.release.set()
        await until(pilot, lambda: finished_walk(run.db) and not app.deep.running, "the walk to end")
        await pilot.pause()
        truth = hub.truth.deep_walk(run.floor, hub.clock.now())
        shown = re.search(r"deep walk done 0s ago, coverage (\d+\.\d)%", status_line(app))
        assert shown is not None and truth.coverage is not None, status_line(app)
        # hfwatch attributes by its registry, the generator by its lineage: as close as the families box's figure.
        assert abs(float(shown.group(1)) / 100 - truth.coverage) < 0.006
        clock[0] += DONE_SHOWN_S + 1
        app.refresh_status()
        await pilot.pause()
        assert "deep" not in status_line(app), "a moment later the line leaves the room to the rest"


async def test_the_next_walk_follows_the_hubs_refresh_not_the_timer(registry: Registry, tmp_path: Path) -> None:
    """Once the lanes date a Hub refresh the last walk has not, and that walk is half an interval old, the walk
    starts at once: the ecosystem's rates wait for it (analysis.family_rates). Not before half an interval,
    and not without a new refresh. Textual's timer would wait the whole interval of real time."""
    clock = [FROZEN_MONOTONIC]
    with SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000, tail=TAIL) as hub:
        async with monitor(hub, registry, tmp_path, pages=2, monotonic=lambda: clock[0]) as run:
            app, pilot = run.app, run.pilot

            async def fast_poll_at(t: float) -> None:
                hub.clock.set(t)
                assert app.start_poll(Lane.FAST, manual=True)
                fast = app.schedule.lanes[Lane.FAST]
                await until(pilot, lambda: not fast.running, "the fast poll")
                assert fast.last_error is None
                await pilot.pause()

            await fast_poll_at(SIM_START)
            await pilot.press("D")
            await until(pilot, lambda: finished_walk(run.db) and not app.deep.running, "the first walk")
            assert app.deep.due_at is not None, "the timer armed for the next walk"
            await fast_poll_at(SIM_START + 600)  # no refresh yet
            clock[0] += app.deep.interval_s / 2 + 1
            await fast_poll_at(SIM_START + 1200)
            assert len(walks(run.db)) == 1 and not app.deep.running, "no refresh since the walk: the timer's turn"
            clock[0] -= app.deep.interval_s / 2 + 1
            await fast_poll_at(SIM_START + 7 * 3600)  # after the 06:00 refresh, the walk just done
            assert len(walks(run.db)) == 1 and not app.deep.running, "too soon after the last walk"
            clock[0] += app.deep.interval_s / 2 + 1
            await fast_poll_at(SIM_START + 7 * 3600 + 600)
            await until(pilot, lambda: len(walks(run.db)) == 2 and not app.deep.running, "the walk after the refresh")
            assert all(w[4] is not None for w in walks(run.db))


async def test_no_full_collection_runs_while_the_walk_does(hub: SimHub, registry: Registry, tmp_path: Path) -> None:
    # A full collection walks every object the monitor holds with the GIL held: a key pressed then waits.
    gate = Gate(2)
    async with monitor(hub, registry, tmp_path, pages=5, gate=gate) as run:
        app, pilot = run.app, run.pilot
        before = gc.get_threshold()
        assert before[2] != POLL_FULL_EVERY
        await pilot.press("D")
        await until(pilot, lambda: app.deep.progress is not None and app.deep.progress.pages == 2, "page 2")
        assert gc.get_threshold() == (*before[:2], POLL_FULL_EVERY), "held off as during the lanes' polls"
        gate.release.set()
        await until(pilot, lambda: finished_walk(run.db) and not app.deep.running, "the walk to end")
        assert gc.get_threshold() == before


async def test_pause_stops_the_walk_and_the_key_resumes_it_where_it_stopped(
    hub: SimHub, registry: Registry, tmp_path: Path
) -> None:
    gate = Gate(2)
    async with monitor(hub, registry, tmp_path, pages=5, gate=gate) as run:
        app, pilot = run.app, run.pilot
        await pilot.press("D")
        await until(pilot, gate.reached.is_set, "the third page asked for")
        await pilot.press("p")
        gate.release.set()
        await until(pilot, lambda: not app.deep.running, "the walk to stop")
        [(wid, pages, _walked, _d, finished, cursor)] = walks(run.db)
        # The two pages stored stay; the one in flight when paused is dropped whole, none after it is asked for.
        assert pages == 2 and finished is None and cursor
        assert gate.served == 3
        assert app.deep.due_at is None, "paused: no walk is scheduled"
        await pilot.press("p")
        assert app.deep.due_at is not None, "resumed: the stored walk is due again"
        await pilot.press("D")
        await until(pilot, lambda: finished_walk(run.db) and not app.deep.running, "the walk to end")
        truth = hub.truth.deep_walk(run.floor, hub.clock.now())
        [(wid_after, pages_after, walked, downloads, finished, _c)] = walks(run.db)
        assert wid_after == wid and pages_after > pages and finished is not None
        assert (walked, downloads) == (truth.models, truth.downloads)


async def test_out_of_its_share_of_the_budget_the_walk_waits_for_the_next_window(
    registry: Registry, tmp_path: Path
) -> None:
    quota = 40
    with SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=quota, tail=TAIL) as hub:
        async with monitor(hub, registry, tmp_path, pages=50) as run:
            app, pilot = run.app, run.pilot
            await pilot.press("D")
            await until(pilot, lambda: bool(walks(run.db)) and not app.deep.running, "the walk to stop")
            [(_wid, pages, _walked, _d, finished, _cursor)] = walks(run.db)
            assert 0 < pages < quota and finished is None
            assert app.deep.last_error is None and app.deep.due_at is not None, "on again in the next window"
            await pilot.pause()
            bar = app.screen.query_one(DeepBar)
            assert bar.display and "budget spent, on in" in str(bar.render())
            assert f"page {pages}/" in str(bar.render())
            assert re.search(r"deep \d+% waits \d+[sm] for api budget", status_line(app))
            assert app.deep_first_delay() == START_DELAY_S, "a stored walk left unfinished resumes soon"
            assert app.start_poll(Lane.FAST, manual=True)
            fast = app.schedule.lanes[Lane.FAST]
            await until(pilot, lambda: not fast.running, "the fast poll")
            assert fast.last_error is None and fast.requests, "the fast lane still had its share"
        assert hub.stats.max_in_window <= quota


async def test_the_untracked_row_against_the_whole_hub_walked(hub: SimHub, registry: Registry, tmp_path: Path) -> None:
    async with monitor(hub, registry, tmp_path, pages=3) as run:
        app, pilot = run.app, run.pilot
        await pilot.press("D")
        await until(pilot, lambda: finished_walk(run.db) and not app.deep.running, "the walk to end")
        await pilot.press("h")
        await until(pilot, lambda: app.untracked is not None, "the untracked models counted")
        await pilot.pause()
        lb = app.screen.query_one(Leaderboard)
        assert lb.keys_in_order()[-1] == UNTRACKED_KEY and lb.row_count == len(registry.families) + 1
        row = lb._items[-1]
        families = lb._items[:-1]
        assert row.share is not None and row.value is not None
        # Shares of the whole: the families and the rest add up to all of it.
        assert abs(row.share + sum(f.share or 0.0 for f in families) - 1.0) < 1e-9
        truth = hub.truth.deep_walk(run.floor, hub.clock.now())
        assert truth.coverage is not None
        # What no family claims, against the generator's lineage (hfwatch attributes by its registry).
        assert abs(row.share - (1 - truth.coverage)) < 0.02
        await pilot.press("h")
        await pilot.pause()
        assert UNTRACKED_KEY not in lb.keys_in_order()


async def test_untracked_row_is_unknown_before_a_walk_and_no_family(
    fixed_history: Path, registry: Registry, tmp_path: Path
) -> None:
    app = make_app(fixed_history, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert "coverage unknown" in subtitle(app)
        await pilot.press("h")
        await pilot.pause()
        lb = app.screen.query_one(Leaderboard)
        keys = lb.keys_in_order()
        assert keys[-1] == UNTRACKED_KEY
        cells = [c.plain if hasattr(c, "plain") else str(c) for c in lb.get_row_at(len(keys) - 1)]
        columns = lb.column_keys()
        for column in ("value", "share", "models"):
            assert cells[columns.index(column)].strip() == "–", column
        last_family = keys[-2]
        lb.move_to_key(last_family)
        await pilot.pause()
        await pilot.press("right")
        assert lb.cursor_key == last_family and app.selected_family == last_family
        await pilot.press("down")
        assert lb.cursor_key == UNTRACKED_KEY
        assert app.selected_family == last_family, "the untracked row is no family"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReleasesScreen)


async def test_the_status_line_says_the_release_feed_has_a_hole_while_one_is_noted(
    history_copy: Path, registry: Registry, tmp_path: Path
) -> None:
    with Store(history_copy) as store:
        newest = newest_created(store.conn)
        assert newest is not None
        hole = releasegaps.ReleaseHole(newest - 3 * 86400, newest - 86400, "c")
        releasegaps.save(store.conn, [hole])
    app = make_app(history_copy, registry, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.pause()
        stamp = datetime.fromtimestamp(newest - 86400, UTC).strftime("%m-%d %H:%M")
        assert f"releases back-filled to {stamp}; older gap not yet" in status_line(app)
        with Store(history_copy) as store:
            releasegaps.save(store.conn, [])
        app.reload()
        await pilot.pause()
        assert "back-filled" not in status_line(app)
        with Store(history_copy) as store:
            store.conn.execute("INSERT INTO meta (key, value) VALUES (?, '[{}]')", (releasegaps.KEY,))
        app.reload()
        await pilot.pause()
        assert "release feed: gap note unreadable" in status_line(app), 'a note it cannot read is no "no hole"'


def test_the_demo_walks_the_whole_hub_only_when_asked(registry: Registry, tmp_path: Path) -> None:
    from hfwatch.cli.main import build_parser
    from hfwatch.tui.session import open_session

    assert [build_parser().parse_args(a).deep for a in ([], ["--deep"], ["--no-deep"])] == [None, True, False]
    for demo, asked, expected in ((True, None, False), (True, True, True), (False, None, True), (False, False, False)):
        session = open_session(
            tmp_path / f"{demo}-{asked}.sqlite",
            demo=demo,
            offline=False,
            registry=registry,
            config=Config(),
            state_path=tmp_path / "state.json",
            deep=asked,
        )
        try:
            assert session.deep is expected, (demo, asked)
        finally:
            session.close()


async def test_the_deep_keys_are_remappable(fixed_history: Path, registry: Registry, tmp_path: Path) -> None:
    config = Config(keymap={"whole_hub": "x", "deep_walk": "f6"})
    app = make_app(fixed_history, registry, tmp_path, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one(Leaderboard).keys_in_order()[-1] == UNTRACKED_KEY
        assert app.keymap_in_force["deep_walk"] == "f6"
