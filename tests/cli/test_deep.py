"""The deep lane: a resumable, budgeted, bounded-memory walk of the whole Hub by downloads, against the truth."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest

from hfwatch.deep import DeepOutcome, walk_deep
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch_sim import Reply, Request, SimClock, SimHub
from tests.conftest import SIM_START, run_cli

TAIL = 200_000


def _floor_for(hub: SimHub, pages: float) -> int:
    """The floor whose walk takes about `pages` pages of 1000 (from the generator's own counts)."""
    assert hub.tail is not None
    return hub.tail.downloads(int(pages * 1000) - 300, hub.clock.now())


def _poller(hub: SimHub) -> Poller:
    return Poller(HubClient(hub.url, token=False), load_registry(), clock=hub.clock.now)


def _walk(hub: SimHub, db: Path, floor: int, **kw: object) -> DeepOutcome:
    with Store(db) as store:
        return walk_deep(_poller(hub), store, floor=floor, **kw)  # type: ignore[arg-type]


def _totals_match_models(db: Path) -> None:
    """The running family totals are the sums of the stored models (nothing half-applied)."""
    conn = sqlite3.connect(db)
    try:
        totals = {
            (f, n, d)
            for f, n, d in conn.execute(
                "SELECT family, models, d30 FROM totals WHERE scope = 'ecosystem' AND models > 0"
            )
        }
        models = {
            (f, n, d)
            for f, n, d in conn.execute(
                "SELECT family, count(*), sum(d30) FROM models WHERE family IS NOT NULL GROUP BY family"
            )
        }
    finally:
        conn.close()
    assert totals == models and totals


def test_walk_finds_what_the_truth_says_and_its_coverage(tail_sim: SimHub, tmp_path: Path) -> None:
    floor = _floor_for(tail_sim, 6)
    out = _walk(tail_sim, tmp_path / "h.sqlite", floor)
    truth = tail_sim.truth.deep_walk(floor, tail_sim.clock.now())
    assert out.status == "done" and out.walk is not None
    w = out.walk
    assert (w.walked, w.downloads, w.floor) == (truth.models, truth.downloads, floor)
    assert truth.tail_models > 0 and w.lowest is not None and w.lowest < floor
    assert truth.coverage is not None and w.coverage is not None
    # hfwatch attributes by its own registry, the generator by its lineage: the shares agree to a point.
    assert abs(w.coverage - truth.coverage) < 0.005
    assert w.requests == w.pages == out.pages
    _totals_match_models(tmp_path / "h.sqlite")


def test_a_hub_sending_smaller_pages_is_walked_all_the_same(tmp_path: Path) -> None:
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000, tail=TAIL)

    def smaller(request: Request, answer: object) -> Reply:
        return hub.answer(dataclasses.replace(request, query=request.query.replace("limit=1000", "limit=300")))

    hub.response_hook = smaller
    with hub:
        floor = _floor_for(hub, 2)
        out = _walk(hub, tmp_path / "h.sqlite", floor)
        truth = hub.truth.deep_walk(floor, hub.clock.now())
    assert out.walk is not None and out.status == "done"
    assert out.walk.walked == truth.models and out.pages >= truth.models // 300


def test_cancel_stops_after_the_page_in_hand_and_the_walk_resumes(tail_sim: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    floor = _floor_for(tail_sim, 4)
    cancel = threading.Event()

    def on_status(text: str) -> None:
        if text.startswith("deep walk: page 2,"):
            cancel.set()

    first = _walk(tail_sim, db, floor, cancel=cancel, on_status=on_status)
    assert first.status == "cancelled" and first.walk is not None
    assert first.walk.pages == 2 and first.walk.finished is None and first.walk.cursor
    _totals_match_models(db)
    second = _walk(tail_sim, db, floor)
    truth = tail_sim.truth.deep_walk(floor, tail_sim.clock.now())
    assert second.status == "done" and second.resumed and second.walk is not None
    assert second.walk.wid == first.walk.wid and second.walk.walked == truth.models
    assert first.walked + second.walked == truth.models


def test_the_deep_lane_never_spends_the_reserve_of_the_other_lanes(tmp_path: Path) -> None:
    quota = 40
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=quota, tail=TAIL)
    with hub:
        poller = _poller(hub)
        with Store(tmp_path / "h.sqlite") as store:
            assert poller.poll(store, Lane.FAST).ok
            deep = walk_deep(poller, store, floor=1)  # far more pages than the window allows
            again = walk_deep(poller, store, floor=1)
            fast = poller.poll(store, Lane.FAST)
        assert hub.stats.max_in_window <= quota
    assert deep.status == "paused" and deep.reason is not None and "rate budget" in deep.reason
    assert deep.pages > 0 and again.pages == 0 and again.status == "paused"
    # The lanes it ran behind still had their share, without waiting for the window.
    assert fast.ok and fast.result.stats.waited_s == 0


def test_the_deep_lane_keeps_what_the_lanes_will_spend_before_the_window_resets(tmp_path: Path) -> None:
    """Lanes that poll more often than the share kept for them allows (the demo's, or a short slow interval)
    would find the window spent: the walk keeps what the monitor says they need, when that is more."""
    quota, need = 100, 60
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=quota, tail=TAIL)
    with hub:
        poller = _poller(hub)
        with Store(tmp_path / "h.sqlite") as store:
            deep = walk_deep(poller, store, floor=1, lanes_need=lambda _seconds: need)
            left = poller.client.budget.remaining
    assert deep.status == "paused" and deep.reason is not None
    kept = need + poller.client.policy.budget_reserve
    assert f"{kept} kept for the fast and slow lanes" in deep.reason
    assert left is not None and kept - 1 <= left <= kept + 1  # it stops at the line, one page either side
    assert deep.pages == quota - left


def test_memory_stays_bounded_however_many_pages(tail_sim: SimHub, tmp_path: Path) -> None:
    few, many = _floor_for(tail_sim, 4), _floor_for(tail_sim, 16)
    _walk(tail_sim, tmp_path / "warm.sqlite", many)  # the simulated Hub's own caches, outside the measure

    def peak(floor: int, name: str) -> int:
        tracemalloc.start()
        try:
            out = _walk(tail_sim, tmp_path / name, floor)
            return tracemalloc.get_traced_memory()[1] if out.status == "done" else -1
        finally:
            tracemalloc.stop()

    small, large = peak(few, "few.sqlite"), peak(many, "many.sqlite")
    assert small > 0 and large > 0
    # Four times the pages, not four times the memory: one page is held at a time.
    assert large < 1.5 * small


def _hold_after(pages: int, reached: threading.Event, release: threading.Event):  # type: ignore[no-untyped-def]
    served = {"n": 0}

    def hook(request: Request, answer: object) -> Reply:
        served["n"] += 1
        if served["n"] == pages + 1:
            reached.set()
            while not (release.is_set() or request.stopping.is_set()):
                release.wait(0.05)
        return answer()  # type: ignore[operator]

    return hook


def test_a_killed_walk_resumes_where_it_stopped(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    hub = SimHub(seed=7, clock=SimClock(start=SIM_START, speed=0.0), quota=1_000_000, tail=TAIL)
    reached, release = threading.Event(), threading.Event()
    hub.response_hook = _hold_after(3, reached, release)
    with hub:
        floor = _floor_for(hub, 6)
        env = {**os.environ, "HF_ENDPOINT": hub.url}
        cmd = [sys.executable, "-m", "hfwatch", "poll", "--lane", "deep", "--deep-floor", str(floor), "--db", str(db)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        try:
            assert reached.wait(120), proc.communicate(timeout=5)
            proc.send_signal(signal.SIGKILL)  # mid-walk: three pages stored, the fourth in flight
            proc.wait(30)
        finally:
            release.set()
            if proc.poll() is None:
                proc.kill()
        with Store(db, readonly=True) as store:
            killed = store.conn.execute("SELECT pages, walked, finished FROM deep_walks").fetchall()
        assert killed[0][0] == 3 and killed[0][2] is None
        _totals_match_models(db)
        ran = run_cli(
            "poll", "--lane", "deep", "--deep-floor", str(floor), "--db", str(db), env={"HF_ENDPOINT": hub.url}
        )
        truth = hub.truth.deep_walk(floor, hub.clock.now())
    assert ran.code == 0, ran.err
    assert "resumed" in ran.out and "coverage" in ran.out
    with Store(db, readonly=True) as store:
        walks = store.conn.execute("SELECT walked, downloads, finished FROM deep_walks").fetchall()
        seen = store.conn.execute("SELECT count(*) FROM deep_seen").fetchone()[0]
    assert len(walks) == 1 and walks[0][2] is not None
    assert (walks[0][0], walks[0][1]) == (truth.models, truth.downloads) and seen == truth.models
    _totals_match_models(db)
    info = run_cli("db", "info", "--db", str(db))
    coverage = next(line for line in info.out.splitlines() if line.startswith("coverage"))
    assert truth.coverage is not None and abs(float(coverage.split()[1].rstrip("%")) / 100 - truth.coverage) < 0.005


def test_db_info_json_without_a_walk_says_null(tmp_path: Path, tail_sim: SimHub) -> None:
    db = tmp_path / "h.sqlite"
    with Store(db) as store:
        assert _poller(tail_sim).poll(store, Lane.FAST).ok
    ran = run_cli("db", "info", "--db", str(db), "--format", "json")
    assert ran.code == 0, ran.err
    info = json.loads(ran.out)
    assert info["deep"] is None and info["models"] > 0


def test_a_bad_floor_is_one_line(tmp_path: Path) -> None:
    ran = run_cli("poll", "--lane", "deep", "--deep-floor", "lots", "--db", str(tmp_path / "h.sqlite"))
    assert ran.code != 0 and "'lots' is not a number of downloads" in ran.err
    assert not (tmp_path / "h.sqlite").exists()


@pytest.mark.slow
def test_demo_deep_walk_reaches_a_hundred_thousand_models(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    ran = run_cli("poll", "--demo", "--lane", "deep", "--db", str(db), timeout=600)
    assert ran.code == 0, ran.err
    assert "deep walk done" in ran.out and "coverage" in ran.out
    info = run_cli("db", "info", "--db", str(db), "--format", "json")
    deep = json.loads(info.out)["deep"]
    assert deep["walked"] >= 100_000 and deep["floor"] == 100 and deep["finished"] is not None
    assert 0 < deep["coverage"] < 1 and deep["requests"] >= deep["walked"] // 1000
