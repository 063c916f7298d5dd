"""Shared by the UI tests: the fixed history (built once per test session, shared by xdist workers),
apps on it with their clocks stopped, and a feeder that polls instantly without a network."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from hfwatch.config import Config
from hfwatch.engine import PollOutcome
from hfwatch.pacing import GiveWay
from hfwatch.records import Lane, PollResult, PollStats
from hfwatch.registry import Registry, load_registry
from hfwatch.store.ingest import IngestSummary
from hfwatch.tui.app import HfWatchApp
from hfwatch.tui.demo_history import FIXED_NOW
from hfwatch.tui.screenshots import FROZEN_MONOTONIC, ensure_history
from hfwatch.tui.session import Mode, frozen_session

SIZE = (160, 48)


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="session")
def fixed_history(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    # Under xdist the parent of a worker's base temp is this run's, shared by all its workers;
    # without xdist the base temp itself is this run's.
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return ensure_history(shared / "hfwatch-tui-history" / "history.sqlite", registry)


@pytest.fixture
def history_copy(fixed_history: Path, tmp_path: Path) -> Path:
    """A copy of the fixed history that a test may change."""
    db = tmp_path / "copy.sqlite"
    # SQLite's backup, not a file copy: another worker's monitor may hold the file open in WAL mode, and a
    # copy of the main file alone could miss what only the WAL holds.
    with sqlite3.connect(f"file:{fixed_history}?mode=ro", uri=True) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    return db


POLL_INTERVALS = {Lane.FAST: 60.0, Lane.SLOW: 120.0}


def make_app(
    db: Path,
    registry: Registry,
    tmp_path: Path,
    *,
    mode: Mode = Mode.DEMO,
    config: Config | None = None,
    watched: tuple[str, ...] = (),
    feeder: FakeFeeder | None = None,
) -> HfWatchApp:
    """The monitor on `db` with its clocks stopped; polling only through `feeder`, if given."""
    from hfwatch.tui.state import UiState

    state = tmp_path / "state.json"
    UiState(watched=set(watched)).save(state)
    session = frozen_session(db, registry, now=FIXED_NOW, state_path=state, mode=mode, config=config)
    if feeder is not None:
        session.feeder = feeder  # type: ignore[assignment]
        session.intervals = dict(POLL_INTERVALS)
    return HfWatchApp(session, monotonic=lambda: FROZEN_MONOTONIC, autostart=False)


class FakeFeeder:
    """Stands in for `Feeder`: answers each poll at once (or when released), counting the calls."""

    def __init__(self, *, pid: int = 0, hold: threading.Event | None = None) -> None:
        self.cancel = threading.Event()
        self.give_way = GiveWay()
        self.deep_cancel = threading.Event()
        self.calls: list[Lane] = []
        self.hold = hold
        self.pid = pid
        self.on_poll: Callable[[Lane], None] | None = None

    def poll(self, lane: Lane, on_status: Callable[[str], None] | None = None) -> PollOutcome:
        self.calls.append(lane)
        if on_status is not None:
            on_status(f"{lane.value} poll 1/1: test")
        if self.hold is not None:
            self.hold.wait(10)
        if self.on_poll is not None:
            self.on_poll(lane)
        stats = PollStats(requests=3, responses=3, rate_remaining=400, rate_limit=500)
        result = PollResult(lane=lane, started=FIXED_NOW, finished=FIXED_NOW, stats=stats)
        return PollOutcome(result, IngestSummary(pid=self.pid, models=1, changed=0, new_models=0, events=0))

    budget_reserve = 5

    def budget(self) -> tuple[int | None, float | None]:
        return None, None

    def close(self) -> None:
        self.cancel.set()
        self.deep_cancel.set()


async def until(pilot: Pilot, ready: Callable[[], object], what: str) -> None:
    """Pause until `ready()` is true: a screen reads the store after its first frame, which a loaded machine
    can delay past one `pause()`. Bounded, so a screen that never gets there fails the test."""
    for _ in range(400):
        await pilot.pause()
        if ready():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"{what} within 10 s")


async def loaded(pilot: Pilot) -> None:
    """Wait until the monitor has read the store once and its screen is complete (the dashboard's side panels
    are mounted and filled after its first frame)."""
    app = pilot.app
    await until(pilot, lambda: getattr(app, "data_version", 1), "the monitor did not load the store")
    await until(pilot, lambda: getattr(app.screen, "complete", True), "the screen did not complete")
