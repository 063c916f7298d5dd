"""`python -m hfwatch.tui.screenshots DIR`: SVG screenshots of every screen, from the demo's simulated
Hub polled at fixed simulated times, so the pictures (and the UI tests' baselines) are the same on
every machine and every run.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import re
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.worker import WorkerCancelled

from hfwatch.engine import PollOutcome
from hfwatch.pacing import GiveWay
from hfwatch.records import Lane
from hfwatch.registry import Registry, load_registry
from hfwatch.tui.demo_history import FIXED_NOW, build_history
from hfwatch.tui.screens.base import MonitorScreen

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from hfwatch.store.walks import Walk
    from hfwatch.tui.app import HfWatchApp

SIZE = (160, 48)
SMALL = (80, 24)
FROZEN_MONOTONIC = 1_000.0
WATCHED = ("deepseek",)
# The deep walks of the pictures: the demo's tail down to this floor is about ten pages, quick to build.
DEEP_FLOOR = 5_000
DEEP_PAGES_SHOWN = 4  # the walk under way in the picture has stored this many pages
PAGE_S = 2.0  # about what a page of 1000 takes from the demo Hub here: the picture's ETA


def ensure_history(db: Path, registry: Registry) -> Path:
    """The fixed history at `db`, built once: concurrent callers (test workers) wait for the first."""
    return _built_once(db, lambda: build_history(db, registry))


def ensure_deep_history(db: Path, registry: Registry) -> Path:
    """The fixed history at `db` with deep walks added (`deep_history`), built once next to it."""
    deep = db.with_name(f"{db.stem}-deep{db.suffix}")
    return _built_once(deep, lambda: deep_history(ensure_history(db, registry), deep, registry))


def deep_history(src: Path, db: Path, registry: Registry) -> None:
    """A copy of the fixed history `src` at `db` with a deep walk done at its last instant and the next walk
    stopped after `DEEP_PAGES_SHOWN` pages, from the demo's simulated Hub with its clock stopped."""
    from hfwatch.deep import walk_deep
    from hfwatch.demo import start_demo_hub
    from hfwatch.engine import Poller
    from hfwatch.hub.client import HubClient
    from hfwatch.store import Store

    # SQLite's backup, not a file copy: a test's monitor may hold `src` open in WAL mode.
    source = contextlib.closing(sqlite3.connect(f"file:{src}?mode=ro", uri=True))
    with source as conn, contextlib.closing(sqlite3.connect(db)) as copy:
        conn.backup(copy)
    hub = start_demo_hub(start=FIXED_NOW, speed=0.0)
    stop = threading.Event()

    def on_page(walk: Walk) -> None:
        if walk.pages >= DEEP_PAGES_SHOWN:
            stop.set()  # the walk stops before it asks for the next page

    try:
        poller = Poller(HubClient(hub.url, token=False), registry, clock=hub.clock.now)
        with Store(db) as store:
            done = walk_deep(poller, store, floor=DEEP_FLOOR)
            hub.ratelimit.reset()  # the budget is real time: the file must not depend on the machine's speed
            under_way = walk_deep(poller, store, floor=DEEP_FLOOR, cancel=stop, on_page=on_page)
    finally:
        hub.stop()
    if done.status != "done" or under_way.status != "cancelled" or under_way.pages != DEEP_PAGES_SHOWN:
        ended = f"{done.status} ({done.reason}), then {under_way.status} ({under_way.reason})"
        raise RuntimeError(f"building the deep walks: {ended}")


def _built_once(db: Path, build: Callable[[], object]) -> Path:
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(db.with_suffix(".build-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = db.with_suffix(".done")
        if not done.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            build()
            done.touch()
    return db


class IdleFeeder:
    """Lets the pictures show the demo's keys and status as they are while it runs; never polls
    (the app is started without timers, and the pictures press no poll key)."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self.give_way = GiveWay()

    def poll(self, lane: Lane, on_status: Callable[[str], None] | None = None) -> PollOutcome:
        raise RuntimeError("the screenshots do not poll")

    def budget(self) -> tuple[int | None, float | None]:
        return None, None

    def close(self) -> None:
        self.cancel.set()


def frozen_app(db: Path, registry: Registry, state_path: Path, *, watched: tuple[str, ...] = WATCHED) -> HfWatchApp:
    """The demo monitor on the fixed history, its clocks stopped, not polling."""
    from hfwatch.config import Config
    from hfwatch.tui.app import HfWatchApp
    from hfwatch.tui.session import DEMO_INTERVALS, frozen_session
    from hfwatch.tui.state import UiState

    UiState(watched=set(watched)).save(state_path)
    config = Config(deep_floor=DEEP_FLOOR)  # the floor of the deep history's walks (the others have none)
    session = frozen_session(db, registry, now=FIXED_NOW, state_path=state_path, config=config)
    session.feeder = IdleFeeder()  # type: ignore[assignment]
    session.intervals = dict(DEMO_INTERVALS)
    return HfWatchApp(session, monotonic=lambda: FROZEN_MONOTONIC, autostart=False)


_TERMINAL_ID = re.compile(r"terminal-\d+")


def normalize_svg(svg: str) -> str:
    """Textual names each export's CSS classes after a random number: make them stable."""
    return _TERMINAL_ID.sub("terminal", svg)


async def workers_done(app: App[Any]) -> None:
    """Until no worker runs. One cancelled meanwhile is not an error here: the read-ahead is asked again once a
    screen's later panels have painted, and its new worker replaces (cancels) the one before."""
    while True:
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await asyncio.sleep(0)  # its end is noted; the next wait is for the workers left


async def settle(pilot: Pilot[int]) -> None:
    from textual.widgets import Footer

    """Let messages, layout and the footer's binding refresh run before a picture is taken."""
    await pilot.pause()
    for _ in range(250):  # a monitor screen reads the store after its first frame, then adds its key hints
        screen = pilot.app.screen
        if not isinstance(screen, MonitorScreen) or screen.query(Footer):
            break
        await pilot.pause(0.02)
    await workers_done(pilot.app)  # the untracked row is counted in a worker
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.05)


@dataclass(frozen=True)
class Shot:
    name: str
    keys: tuple[str, ...]  # pressed from the dashboard
    size: tuple[int, int] = SIZE
    title: str = ""
    theme: str | None = None  # the config's theme (textual-dark) unless said
    deep: bool = False  # on the history with deep walks (`deep_history`)
    setup: Callable[[HfWatchApp], None] | None = None  # before the keys


def show_walk_under_way(app: HfWatchApp) -> None:
    """Tell the monitor, as its deep worker would, of the walk the deep history stopped (its pages as stored)."""
    from hfwatch.tui.deep_state import DeepRun
    from hfwatch.tui.messages import DeepProgress, DeepStarted

    latest, finished = app.session.reader.deep_walks()
    assert latest is not None and latest.finished is None, "the deep history has a walk under way"
    run = DeepRun(FROZEN_MONOTONIC - latest.pages * PAGE_S, 0, finished)
    app.post_message(DeepStarted(0))
    app.post_message(DeepProgress(run.facts(latest, FROZEN_MONOTONIC)))


SHOTS = (
    Shot("dashboard", (), title="hfwatch · dashboard"),
    Shot("family", ("enter",), title="hfwatch · family"),
    Shot("model", ("enter", "enter"), title="hfwatch · model"),
    Shot("countries", ("c",), title="hfwatch · countries"),
    Shot("releases", ("n",), title="hfwatch · releases"),
    Shot("race", ("g",), title="hfwatch · the race"),
    Shot("help", ("question_mark",), title="hfwatch · keys"),
    Shot("dashboard-first-party-rate", ("d", "m", "m"), title="hfwatch · first-party, downloads/day"),
    Shot("dashboard-80x24", (), size=SMALL, title="hfwatch · 80×24"),
    Shot("dashboard-light", (), title="hfwatch · textual-light", theme="textual-light"),
    Shot("dashboard-deep-walk", (), title="hfwatch · deep walk under way", deep=True, setup=show_walk_under_way),
    Shot("dashboard-untracked", ("h",), title="hfwatch · untracked row (h)", deep=True),
)


def shot_history(shot: Shot, db: Path, registry: Registry) -> Path:
    """The history the shot is taken on, `db` being the fixed history's file."""
    return ensure_deep_history(db, registry) if shot.deep else db


async def take(app: HfWatchApp, shot: Shot) -> str:
    async with app.run_test(size=shot.size) as pilot:
        await settle(pilot)
        if shot.theme is not None:
            app.theme = shot.theme
            await settle(pilot)
        if shot.setup is not None:
            shot.setup(app)
            await settle(pilot)
        for key in shot.keys:
            await pilot.press(key)
            await settle(pilot)
        return normalize_svg(app.export_screenshot(title=shot.title or None))


@contextlib.contextmanager
def history_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="hfwatch-shots-") as tmp:
        yield Path(tmp)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m hfwatch.tui.screenshots DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    registry = load_registry()
    with history_dir() as tmp:
        db = ensure_history(tmp / "history.sqlite", registry)
        for shot in SHOTS:
            app = frozen_app(shot_history(shot, db, registry), registry, tmp / "state.json")
            svg = asyncio.run(take(app, shot))
            app.session.close()
            (out / f"{shot.name}.svg").write_text(svg, encoding="utf-8")
            print(out / f"{shot.name}.svg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
