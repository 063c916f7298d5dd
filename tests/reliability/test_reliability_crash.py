"""Crash consistency: a polling process SIGKILLed at any moment leaves a sound file and only whole polls."""

from __future__ import annotations

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hfwatch.store import Store, queries
from hfwatch_sim import SimClock, SimHub
from tests.conftest import SIM_START, run_cli
from tests.helpers.reliability import FAST_ENV, check_consistent

pytestmark = pytest.mark.reliability

KILLS = 20
DAY = 86_400.0
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def moving_sim() -> Iterator[SimHub]:
    # A stopped clock the test moves a simulated day before each poll: every poll crosses a counter refresh
    # and finds changed counters, so every write is a big one.
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000)
    hub.start()
    yield hub
    hub.stop()


class Looper:
    """The poll-loop helper (tests/helpers/poll_loop.py) in a subprocess; its stdout read by a thread."""

    def __init__(self, db: Path, endpoint: str, log: Path) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self._log = log.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.poll_loop", str(db)],
            cwd=REPO,
            env={**os.environ, "HF_ENDPOINT": endpoint, **FAST_ENV},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.child = 0
        self.writes_begun = 0
        self.completed = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def _take(self, timeout: float = 60) -> str:
        line = self.lines.get(timeout=timeout)
        assert line != "E", "a poll failed in the helper; see helper.log"
        self.writes_begun += line == "W"
        self.completed += line == "S"
        if line.startswith("P "):
            self.child = int(line.split()[1])
        return line

    def start_child(self, first_lane: str) -> None:
        """A fresh polling process; counts restart from zero."""
        assert self.proc.stdin is not None
        self.writes_begun = self.completed = 0
        self.proc.stdin.write(first_lane + "\n")
        self.proc.stdin.flush()
        while not self._take().startswith("P "):
            pass

    def wait_for_write(self, n: int) -> None:
        while self.writes_begun < n:
            self._take()

    def kill_child(self) -> None:
        os.kill(self.child, signal.SIGKILL)
        while self._take() != "R":  # reaped: dead, its lock released; every marker it printed is read
            pass

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        self._log.close()


def has_schema(db: Path) -> bool:
    if not db.exists():
        return False
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'polls'").fetchone()[0] == 1
    finally:
        conn.close()


def test_sigkill_at_any_moment_loses_no_completed_poll(moving_sim: SimHub, tmp_path: Path) -> None:
    rng = random.Random(20261101)
    db = tmp_path / "h.sqlite"
    completed = 0  # polls whose commit the helper announced
    torn = 0  # polls killed after their write began and before it was announced
    ok = 0
    mid_write_kills = 0
    looper = Looper(db, moving_sim.url, tmp_path / "helper.log")
    try:
        for i in range(KILLS):
            lane = "slow" if i % 3 == 0 else "fast"  # a slow lane's fetch takes a second; a fast one's, 0.1 s
            moving_sim.clock.advance(DAY)
            looper.start_child(lane)
            if i % 4 == 0:
                # Any moment: starting, creating the file, fetching, attributing, writing, committing.
                time.sleep(rng.uniform(0.0, 1.5))
            else:
                # Aimed at a write, from right after BEGIN to about the time that lane's ingest takes
                # (~0.1 s for the slow lane's 2,600 models, ~15 ms for the fast lane's 250).
                looper.wait_for_write(1)
                time.sleep(rng.uniform(0.0, 0.12 if lane == "slow" else 0.02))
                mid_write_kills += 1
            looper.kill_child()
            completed += looper.completed
            torn += looper.writes_begun - looper.completed
            if not has_schema(db):
                continue  # killed before the schema was committed: a fresh file next time, as on first run
            # What a reader (the monitor, `hfwatch top`) sees first after the crash...
            with Store(db, readonly=True) as store:
                assert queries.counts(store.conn)["polls"] is not None
            # ...then the whole file: sound, and every poll in it complete.
            ok = check_consistent(db)
            # A poll killed between its COMMIT and its "S" is stored whole; no announced poll is lost.
            assert completed <= ok <= completed + torn, (i, completed, torn, ok)
    finally:
        looper.close()
    assert mid_write_kills >= KILLS // 2
    # Some kills did land inside a transaction (after BEGIN, before COMMIT) and were rolled back.
    assert torn - (ok - completed) >= 1, (torn, ok, completed)

    # And the next poll after all that is an ordinary one.
    ran = run_cli("poll", "--db", str(db), env={"HF_ENDPOINT": moving_sim.url, **FAST_ENV})
    assert ran.code == 0, ran.err
    assert check_consistent(db) >= completed + 2
