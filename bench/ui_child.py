"""Run in a child process by bench.ui / bench.memory, so each measurement starts cold and owns its RSS.

    python -m bench.ui_child cold-bare
    python -m bench.ui_child cold-hfwatch DB
    python -m bench.ui_child keys DB PRESSES MODELS POLLS T0   (HF_ENDPOINT: the simulated Hub)
    python -m bench.ui_child rss-monitor DB
    python -m bench.ui_child rss-poll DB N

Prints one JSON object on stdout. The imports are inside the functions: their cost is part of what
a cold start measures.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SIZE = (160, 48)


def _peak_rss_mib() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child
    would report its parent's peak when that was larger."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def _wait(condition: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what}: not met in {timeout:g} s")
        await asyncio.sleep(0.0005)


async def _painted(app: Any) -> None:
    """Until the screen has been drawn once after everything pending: the same test for both apps."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def cold_bare() -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    imported = time.perf_counter() - STARTED

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")

    app = Bare()
    async with app.run_test(size=SIZE):
        await _painted(app)
        painted = time.perf_counter() - STARTED
        painted_at = time.monotonic()
    return {"painted_s": painted, "imported_s": imported, "painted_at": painted_at}


def _session(db: Path, *, offline: bool) -> Any:
    from hfwatch.config import load_config
    from hfwatch.registry import load_registry
    from hfwatch.tui.session import open_session

    # Under the parent's scratch directory (child_env's XDG_DATA_HOME), which the parent removes.
    base = os.environ.get("XDG_DATA_HOME")
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix="hfwatch-bench-ui-", dir=base)) / "state.json"
    return open_session(
        db, demo=False, offline=offline, registry=load_registry(), config=load_config(), state_path=state
    )


def _board_rows(app: Any) -> int:
    from hfwatch.tui.widgets.leaderboard import Leaderboard

    try:
        return int(app.screen.query_one(Leaderboard).row_count)
    except Exception:
        return 0


async def cold_hfwatch(db: Path) -> dict[str, float]:
    from hfwatch.gcpause import end_start_pause, start_paused

    start_paused()  # as hfwatch.tui.launch does, until the app's first frame
    from hfwatch.tui.app import HfWatchApp

    imported = time.perf_counter() - STARTED
    session = _session(db, offline=True)  # --offline: no network, the history as it is
    opened = time.perf_counter() - STARTED
    try:
        app = HfWatchApp(session)
        async with app.run_test(size=SIZE):
            await _wait(lambda: _board_rows(app) > 0)
            await _painted(app)
            painted = time.perf_counter() - STARTED
            painted_at = time.monotonic()
            rows = _board_rows(app)
    finally:
        session.close()
        end_start_pause()
    return {"painted_s": painted, "imported_s": imported, "session_s": opened, "rows": rows, "painted_at": painted_at}


def _synthetic_slow_lane(feeder: Any, models: int, polls: int, t0: int) -> None:
    """The monitor's slow lane fed a real-size poll: `models` listing records of the file's own catalogue
    (1/24 of them with new counters each poll, as an hourly poll finds), parsed page by page from the
    Hub's JSON through hfwatch's own parser, as the client does, in the poll's thread. The
    simulated Hub serves ~2.6k models; from parsing on, the path is the engine's own (Poller.save:
    attribution, one ingest transaction, the daily maintenance). The network's waits are left out: a
    CPU-bound poll, the worst case for the UI thread's share of the GIL."""
    from bench.catalogue import build, bump
    from hfwatch.hub.decode import decode_page
    from hfwatch.pacing import no_checkpoint
    from hfwatch.records import Lane, PollResult
    from hfwatch.registry import load_registry

    items = build(models, load_registry(), now=t0, seed=5).items  # the models of the synthetic year
    bodies = []
    for k in range(polls):
        items = bump(items, 1 / 24, seed=100 + k)
        bodies.append([json.dumps(items[i : i + 1000]).encode() for i in range(0, len(items), 1000)])
    real_fetch = feeder.poller.fetch
    done = [0]

    def fetch(lane: Any, **kwargs: Any) -> Any:
        if lane is not Lane.SLOW:
            return real_fetch(lane, **kwargs)
        k = done[0] % len(bodies)
        done[0] += 1
        t = t0 + 3600 * done[0]
        pace = kwargs.get("pace") or no_checkpoint
        records = []
        for page in bodies[k]:
            pace()  # as the client's guard does before each page, and decoding it (hfwatch.hub.client)
            records.extend(decode_page(page, pace).records)
        return PollResult(lane=Lane.SLOW, started=t - 60, finished=t, records=records)

    feeder.poller.fetch = fetch


# The start's deferred work (the key hints mounted after the first frame with data, the first look at the
# race's passes a second in) is not a poll's: the first poll starts at once, as before (ahead of the
# monitor's own first polls), and its first press waits for the start to settle.
START_SETTLE_S = 1.5


async def _settled(app: Any) -> None:
    from textual.widgets import Footer

    await _wait(lambda: bool(app.screen.query(Footer)), what="the key hints mounted")
    await asyncio.sleep(START_SETTLE_S)
    await _painted(app)


async def _press(app: Any, key: str) -> tuple[str, float, float]:
    """One key as the terminal driver sends it: (the key, seconds to its effect in the widgets, to the
    repaint after it)."""
    from textual import events

    from hfwatch.tui.widgets.leaderboard import Leaderboard

    board = app.screen.query_one(Leaderboard)
    if key in ("left", "right"):  # a move the cursor can make (it stops at the first/last row)
        key = "left" if board.cursor_row > 0 else "right"
    screen = app.screen
    before = (board.cursor_row, app.data_version, screen.sort_index)
    effects = {
        "left": lambda: board.cursor_row != before[0],
        "right": lambda: board.cursor_row != before[0],
        "s": lambda: screen.sort_index != before[2],  # the board re-sorted in the same handler
    }
    driver = app._driver
    assert driver is not None
    sent = time.perf_counter()
    driver.send_message(events.Key(key, None))  # what a keystroke becomes
    await _wait(effects.get(key, lambda: app.data_version != before[1]), 20, f"the effect of {key!r}")
    data = time.perf_counter() - sent
    await _painted(app)
    return key, data, time.perf_counter() - sent


async def keys(db: Path, presses: int, models: int, polls: int, t0: int) -> dict[str, Any]:
    """Keypress to updated screen while a poll runs: the key goes in as the terminal would send it, the
    clock stops once its effect is in the widgets and the screen has been redrawn."""
    from hfwatch.gcpause import end_start_pause, start_paused

    start_paused()  # as hfwatch.tui.launch does: what the start made is frozen out of collections at its first frame
    from hfwatch.records import Lane
    from hfwatch.tui.app import HfWatchApp

    session = _session(db, offline=False)
    if models:
        _synthetic_slow_lane(session.feeder, models, polls, t0)
    # One row per press that started and ended inside a poll: (poll, key, to widgets, to repaint).
    rows: list[tuple[int, str, float, float]] = []
    skipped = 0
    started = 0
    poll_s: list[float] = []
    app = HfWatchApp(session)
    try:
        async with app.run_test(size=SIZE):
            await _wait(lambda: _board_rows(app) > 0)
            slow = app.schedule.lanes[Lane.SLOW]
            order = ["right", "m", "left", "d", "s"]  # the keys the issue names (m/d/s) and the arrows
            i = n_in_poll = 0
            began = deadline = time.perf_counter() + 300
            while started <= polls and time.perf_counter() < deadline:
                if not slow.running:
                    if started:
                        poll_s.append(time.perf_counter() - began)
                    if started == polls:
                        break
                    app.start_poll(Lane.SLOW, manual=True)
                    started += 1
                    began = time.perf_counter()
                    await _wait(lambda: slow.running, 10, "the slow poll starting")
                    await asyncio.sleep(0.3)  # into the poll's work
                    if started == 1:
                        await _settled(app)
                    n_in_poll = 0
                if n_in_poll >= presses:
                    await asyncio.sleep(0.05)
                    continue
                key = order[i % len(order)]
                i += 1
                key, data, took = await _press(app, key)
                if slow.running:
                    rows.append((started, key, data, took))
                    n_in_poll += 1
                else:
                    skipped += 1  # the poll ended meanwhile: not "during a poll"
                await asyncio.sleep(0.05)  # a person's pace, and room for the poll's work
            if session.feeder is not None:
                session.feeder.cancel.set()  # stop the poll in flight before the app goes
    except Exception as err:  # the app failing on its way out does not void what was measured
        if not rows:
            raise
        print(f"bench: the monitor raised on exit: {type(err).__name__}: {err}", file=sys.stderr)
    finally:
        session.close()
        end_start_pause()
    return {"rows": rows, "skipped": skipped, "polls_started": started, "poll_s": poll_s, "models": models}


async def rss_monitor(db: Path) -> dict[str, float]:
    """The monitor on the file, offline: dashboard, then the biggest family's screen."""
    from hfwatch.tui.app import HfWatchApp

    session = _session(db, offline=True)
    try:
        app = HfWatchApp(session)
        async with app.run_test(size=SIZE) as pilot:
            await _wait(lambda: _board_rows(app) > 0)
            await _painted(app)
            app.open_family(app.board[0].family)
            await pilot.pause()
            await _painted(app)
    finally:
        session.close()
    return {"peak_rss_mib": _peak_rss_mib()}


def rss_poll(db: Path, n: int) -> dict[str, float]:
    """One slow poll of n models as the engine stores it: Hub JSON -> records -> attribution -> store."""
    from bench.catalogue import build
    from hfwatch.engine import store_records
    from hfwatch.hub.decode import decode_page
    from hfwatch.records import Lane, PollResult
    from hfwatch.registry import load_registry
    from hfwatch.store import Store

    registry = load_registry()
    body = json.dumps(build(n, registry, now=1_793_577_600, seed=5).items)  # the file's own models
    baseline = _peak_rss_mib()
    records = decode_page(body).records  # as the client reads a page
    del body
    with Store(db) as store:
        t = 1_793_577_600
        summary = store_records(store, PollResult(lane=Lane.SLOW, started=t, finished=t, records=records), registry)
    return {
        "peak_rss_mib": _peak_rss_mib(),
        "before_poll_mib": baseline,
        "models": summary.models,
        "changed": summary.changed,
    }


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "cold-bare":
        out: dict[str, Any] = asyncio.run(cold_bare())
    elif mode == "cold-hfwatch":
        out = asyncio.run(cold_hfwatch(Path(argv[1])))
    elif mode == "keys":
        out = asyncio.run(keys(Path(argv[1]), *map(int, argv[2:6])))
    elif mode == "rss-monitor":
        out = asyncio.run(rss_monitor(Path(argv[1])))
    elif mode == "rss-poll":
        out = rss_poll(Path(argv[1]), int(argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
