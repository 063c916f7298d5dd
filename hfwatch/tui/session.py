"""Everything a monitor run is made of, opened before the UI starts and closed after it ends:
the stores, the writer lock, the Hub client (or the demo Hub), the clock the data runs on.

Opening can fail with a one-line error (StoreError, ConfigError) before the terminal is
taken over, so the CLI prints it cleanly.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from hfwatch.config import Config
from hfwatch.records import Lane
from hfwatch.registry import Registry
from hfwatch.store import Store, WriterLock
from hfwatch.timeunits import DAY_S
from hfwatch.tui.reader import Reader
from hfwatch.tui.state import default_state_path

if TYPE_CHECKING:
    from hfwatch.demo import DemoHub
    from hfwatch.tui.feeder import BackfillPlan, Feeder

HUB_URL = "https://huggingface.co"

# The demo: one real second is ten simulated minutes, so a week of trends plays in ~17 minutes. The
# simulated Hub keeps the real one's budget (500 requests per 5 real minutes) and a slow poll costs
# ~106 requests: a slow poll every 90 s (15 simulated hours) stays within it, fast polls are cheap.
DEMO_SPEED = 600.0
DEMO_INTERVALS = {Lane.FAST: 10.0, Lane.SLOW: 90.0}
# A new demo file gets a week of history at once: polls with the clock set back around each of the Hub's
# daily refreshes of the past week (an hour before and after: refreshes are dated, so rates are known at
# once; polls a day apart would date none). A slow poll of the simulated Hub takes about a second.
DEMO_BACKFILL_DAYS = 7.0
DEMO_RESUME_GAP_S = 3600  # a demo restarted on its own file resumes an hour after its history
FOLLOW_EVERY_S = 3.0


class Mode(StrEnum):
    LIVE = "live"
    DEMO = "demo"
    OFFLINE = "offline"
    FOLLOWING = "following"


@dataclass(eq=False, repr=False)
class Session:
    """An open history file and what the monitor runs on it: registry, config, reader, poll machinery."""

    db: Path
    registry: Registry
    config: Config
    mode: Mode
    reader: Reader
    feeder: Feeder | None = None
    intervals: dict[Lane, float] = field(default_factory=dict)
    state_path: Path = field(default_factory=default_state_path)
    speed: float = 1.0  # simulated seconds per real second
    backfill: BackfillPlan | None = None
    writer_pid: str | None = None
    # None: huggingface_hub's configured endpoint, looked up when first linked to (`hub_url`): its import
    # is no part of an offline start's first frame.
    endpoint: str | None = HUB_URL
    note: str | None = None  # why the mode is what it is (HF_HUB_OFFLINE, ...)
    clock_is_data: bool = False  # "now" is the newest data's time: no age can be measured against it
    deep: bool = False  # the deep lane walks on its own schedule (live by default; the demo with --deep)
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @property
    def polls(self) -> bool:
        return self.feeder is not None

    def hub_url(self) -> str:
        """The Hub the monitor links to (o): the session's endpoint."""
        if self.endpoint is None:
            self.endpoint = _configured_endpoint()
        return self.endpoint

    def on_close(self, closer: Callable[[], None]) -> None:
        """Close something of the monitor's with the session (before what was opened with it)."""
        self._closers.append(closer)

    def close(self) -> None:
        """Stop polling first (cancels waits in the client), then close files, newest first."""
        if self.feeder is not None:
            self.feeder.close()
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                closer()
        self._closers.clear()


def open_session(
    db: Path,
    *,
    demo: bool,
    offline: bool,
    registry: Registry,
    config: Config,
    state_path: Path | None = None,
    deep: bool | None = None,
) -> Session:
    """`deep`: whether the deep lane walks on its own schedule (None: live yes, the demo no)."""
    state = state_path or default_state_path()
    intervals = {Lane.FAST: float(config.fast_interval_s), Lane.SLOW: float(config.slow_interval_s)}
    if offline or (not demo and _hub_offline()):
        note = None if offline else "HF_HUB_OFFLINE is set"
        return _read_only(db, registry, config, Mode.OFFLINE, state, note=note)
    lock = WriterLock(db)
    if not lock.acquire():
        session = _read_only(db, registry, config, Mode.FOLLOWING, state, follow_demo=demo)
        session.writer_pid = lock.holder()
        return session
    closers: list[Callable[[], None]] = [lock.release]
    # The poll machinery (the engine, the feeder and its lanes, ingest) is imported only by a session that
    # polls: an offline or following monitor draws its first frame without loading it.
    from hfwatch.pollsource import open_poll_source
    from hfwatch.tui.feeder import Feeder

    try:
        writer = Store(db)
        closers.append(writer.close)
        reader_store = Store(db, readonly=True)
        closers.append(reader_store.close)
        if demo:
            session = _demo(db, registry, config, state, writer, reader_store, closers)
            session.deep = bool(deep)
            return session
        source = open_poll_source(registry, demo=False, include_reuploaders=config.include_reuploaders)
        reader = Reader(reader_store, registry, time.time)
        return Session(
            db=db,
            registry=registry,
            config=config,
            mode=Mode.LIVE,
            reader=reader,
            feeder=Feeder(source.poller, writer),
            intervals=intervals,
            state_path=state,
            endpoint=source.endpoint,
            deep=deep is not False,
            _closers=closers,
        )
    except BaseException:
        for closer in reversed(closers):
            with contextlib.suppress(Exception):
                closer()
        raise


def _demo(
    db: Path,
    registry: Registry,
    config: Config,
    state: Path,
    writer: Store,
    reader_store: Store,
    closers: list[Callable[[], None]],
) -> Session:
    from hfwatch.analysis.views import data_time
    from hfwatch.pollsource import open_poll_source  # a polling session's own, as in open_session
    from hfwatch.tui.feeder import Feeder

    history_t = data_time(writer.conn)
    source = open_poll_source(
        registry,
        demo=True,
        include_reuploaders=config.include_reuploaders,
        history_t=history_t,
        resume_gap_s=DEMO_RESUME_GAP_S,
        speed=DEMO_SPEED,
    )
    closers.append(source.stop)
    hub, poller = source.hub, source.poller
    assert hub is not None
    return Session(
        db=db,
        registry=registry,
        config=config,
        mode=Mode.DEMO,
        reader=Reader(reader_store, registry, hub.clock.now),
        feeder=Feeder(poller, writer, set_clock=hub.clock.set, reset_budget=hub.ratelimit.reset, speed=DEMO_SPEED),
        intervals=dict(DEMO_INTERVALS),
        state_path=state,
        speed=DEMO_SPEED,
        backfill=demo_backfill(hub) if history_t is None else None,
        # The simulated catalogue carries real model names: show them where they live.
        endpoint=HUB_URL,
        _closers=closers,
    )


def demo_backfill(hub: DemoHub) -> BackfillPlan:
    from hfwatch.demo import bracket_plan

    return lambda now: [(t, lane) for t, lane in bracket_plan(hub, now - DEMO_BACKFILL_DAYS * DAY_S, now) if t < now]


def _read_only(
    db: Path,
    registry: Registry,
    config: Config,
    mode: Mode,
    state: Path,
    *,
    follow_demo: bool = False,
    note: str | None = None,
) -> Session:
    from hfwatch.analysis.views import data_time

    store = Store(db, readonly=True)
    if mode is Mode.OFFLINE or follow_demo:
        # Offline, "now" is when the history ends; following a demo, its simulated clock is
        # another process's, and the newest data is the best reading of it.
        def now() -> float:
            return float(data_time(store.conn) or time.time())
    else:
        now = time.time
    endpoint = HUB_URL if follow_demo else None
    return Session(
        db=db,
        registry=registry,
        config=config,
        mode=mode,
        reader=Reader(store, registry, now),
        state_path=state,
        endpoint=endpoint,
        note=note,
        clock_is_data=mode is Mode.OFFLINE or follow_demo,
        _closers=[store.close],
    )


def _hub_offline() -> bool:
    # Imported only when asked: `--offline` never loads the Hub client (huggingface_hub, httpx2), which
    # would add a third of a second to the monitor's start for nothing.
    from hfwatch.hub.client import is_offline

    return is_offline()


def _configured_endpoint() -> str:
    from huggingface_hub import constants

    return str(constants.ENDPOINT).rstrip("/")


def frozen_session(
    db: Path, registry: Registry, *, now: float, state_path: Path, mode: Mode = Mode.DEMO, config: Config | None = None
) -> Session:
    """A session on a finished history with the clock stopped at `now` and no polling: what the
    screenshots and the UI tests show, identical on every run."""
    store = Store(db, readonly=True)
    return Session(
        db=db,
        registry=registry,
        config=config or Config(),
        mode=mode,
        reader=Reader(store, registry, lambda: now),
        state_path=state_path,
        speed=DEMO_SPEED if mode is Mode.DEMO else 1.0,
        _closers=[store.close],
    )
