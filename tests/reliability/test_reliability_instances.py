"""Two instances on one database: one writes, the others read or follow, and nobody meets "database is locked"."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hfwatch.config import Config
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store, WriterLock
from tests.conftest import run_cli
from tests.helpers.reliability import FAST_ENV, FAST_POLICY, one_line_error, snapshot
from tests.helpers.sim import SimHub

pytestmark = pytest.mark.reliability


def poll_in_process(db: Path, url: str, lane: Lane = Lane.FAST) -> None:
    poller = Poller(HubClient(url, token=False, policy=FAST_POLICY), load_registry())
    with Store(db) as store:
        assert poller.poll(store, lane).ok


@pytest.fixture
def history(sim: SimHub, tmp_path: Path) -> Path:
    db = tmp_path / "h.sqlite"
    poll_in_process(db, sim.url)
    return db


def test_readers_answer_while_a_write_transaction_is_open(history: Path) -> None:
    polls_before = len(snapshot(history).polls)
    with Store(history) as writer:
        # A poll's transaction, caught half-way (WAL: readers see the last commit, unblocked).
        writer.conn.execute("BEGIN IMMEDIATE")
        writer.conn.execute("INSERT INTO polls (lane, started, finished, status) VALUES ('fast', 0, 0, 'ok')")
        writer.conn.execute("UPDATE models SET d30 = 0")
        top = run_cli("top", "--db", str(history), "--by", "model", "--format", "json", timeout=30)
        info = run_cli("db", "info", "--db", str(history), timeout=30)
        writer.conn.execute("ROLLBACK")
    assert top.code == 0 and info.code == 0, top.err + info.err
    rows = json.loads(top.out)
    assert rows and any(r["downloads_30d"] for r in rows)  # the committed numbers, not the half-written zeros
    assert f"polls         {polls_before:,} " in info.out


def test_a_second_poll_defers_to_the_writer_and_says_who(history: Path) -> None:
    lock = WriterLock(history)
    assert lock.acquire()  # this process plays the monitor that writes
    try:
        ran = run_cli("poll", "--db", str(history), env={"HF_ENDPOINT": "http://127.0.0.1:9", **FAST_ENV})
    finally:
        lock.release()
    assert ran.code == 1
    line = one_line_error(ran.err)
    assert f"another hfwatch (pid {os.getpid()}) is writing" in line and "locked" not in line


def test_top_answers_during_a_slow_poll_and_a_second_poll_waits_its_turn(sim: SimHub, history: Path) -> None:
    # The first poll's answers are held until the other two commands have run: no race with the machine's speed.
    sim.faults.delay_s = 120.0
    sim.faults.set("slow")
    lock_file = Path(f"{history}.lock")
    first = subprocess.Popen(
        [sys.executable, "-m", "hfwatch", "poll", "--lane", "fast", "--db", str(history)],
        env={**os.environ, "HF_ENDPOINT": sim.url, **FAST_ENV, "HFWATCH_READ_TIMEOUT": "150"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (lock_file.exists() and lock_file.read_text().strip() == str(first.pid)):
            assert first.poll() is None and time.monotonic() < deadline, "the poll never took the writer lock"
            time.sleep(0.05)
        top = run_cli("top", "--db", str(history), "--format", "json", timeout=30)
        second = run_cli("poll", "--lane", "fast", "--db", str(history), env={"HF_ENDPOINT": sim.url, **FAST_ENV})
        still_polling = first.poll() is None
        sim.faults.release()
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert still_polling, "the slow poll ended before the others ran: the test proved nothing"
    assert top.code == 0 and json.loads(top.out), top.err
    assert second.code == 1 and f"(pid {first.pid}) is writing" in one_line_error(second.err)
    assert first.returncode == 0, err
    assert "fast poll ok" in out
    assert "locked" not in top.err + second.err + err
    assert [status for _, status, _ in snapshot(history).polls] == ["ok", "ok"]


# -- the monitor as the second instance --------------------------------------------------------------


@pytest.mark.ui
async def test_second_monitor_follows_read_only_and_says_so(sim: SimHub, history: Path, tmp_path: Path) -> None:
    from hfwatch.tui.app import HfWatchApp
    from hfwatch.tui.session import Mode, open_session
    from hfwatch.tui.widgets.status_bar import StatusBar

    registry = load_registry()
    lock = WriterLock(history)
    assert lock.acquire()  # the first instance
    try:
        session = open_session(
            history, demo=False, offline=False, registry=registry, config=Config(), state_path=tmp_path / "state.json"
        )
        try:
            assert session.mode is Mode.FOLLOWING and not session.polls
            app = HfWatchApp(session)
            async with app.run_test(size=(160, 48)) as pilot:
                await pilot.pause()
                status = app.screen.query_one(StatusBar).render().plain
                assert f"following (read-only) — pid {os.getpid()} writes" in status
                version = app.data_version
                # The writer stores a poll: the follower picks it up on its own.
                poll_in_process(history, sim.url)
                for _ in range(100):
                    await pilot.pause(0.1)
                    if app.data_version > version:
                        break
                assert app.data_version > version
        finally:
            session.close()
    finally:
        lock.release()
    # Following wrote nothing: the file's polls are the writer's two.
    conn = sqlite3.connect(history)
    assert conn.execute("SELECT count(*) FROM polls").fetchone()[0] == 2
    conn.close()
