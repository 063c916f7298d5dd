"""The fault matrix: every way the Hub can fail, against `hfwatch poll` and against the monitor's engine.

For each fault: the documented exit code and one stderr line (CLI) or a failed outcome with a one-line
reason (engine); nothing of a failed poll stored, a `failed` row when the Hub answered at all; and
the next poll, once the fault clears, is ok.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Lane
from hfwatch.registry import load_registry
from hfwatch.store import Store
from tests.conftest import Ran, run_cli
from tests.helpers.reliability import (
    FAST_ENV,
    FAST_POLICY,
    RecordingProxy,
    closed_port,
    one_line_error,
    snapshot,
)
from tests.helpers.sim import SimHub

pytestmark = pytest.mark.reliability


@pytest.fixture
def hub(shared_sim: SimHub) -> Iterator[SimHub]:
    shared_sim.faults.clear()
    shared_sim.faults.retry_after = 1
    shared_sim.faults.delay_s = 3.0
    yield shared_sim
    shared_sim.faults.clear()


# -- hfwatch poll -----------------------------------------------------------------------------------


def poll(db: Path, url: str, *args: str, env: dict[str, str] | None = None, lane: str = "fast") -> Ran:
    return run_cli(
        "poll", "--lane", lane, "--db", str(db), *args, env={"HF_ENDPOINT": url, **FAST_ENV, **(env or {})}, timeout=60
    )


# (fault, lane, extra args, extra env, what the one line says, whether the Hub answered)
FAILURES = {
    "429-past-deadline": ("429", "fast", ["--deadline", "1.5"], {}, "past this poll's deadline", True),
    "429-bare": ("429-bare", "fast", [], {}, "rate limit was reached (HTTP 429) after 3 attempts", True),
    "500": ("500", "fast", [], {}, "HTTP 500 after 3 attempts", True),
    "502": ("502", "fast", [], {}, "HTTP 502 after 3 attempts", True),
    "503": ("503", "fast", [], {}, "HTTP 503 after 3 attempts", True),
    "stall": ("slow", "fast", [], {"HFWATCH_READ_TIMEOUT": "0.3"}, "did not answer in time (ReadTimeout)", False),
    "malformed": ("malformed", "fast", [], {}, "malformed page (invalid JSON)", True),
    "truncated": ("truncated", "fast", [], {}, "broke off its answer", True),
    "cursor-loop": ("cursor-loop", "slow", [], {}, "cursor loop", True),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_cli_poll_fails_cleanly_then_recovers(hub: SimHub, tmp_path: Path, case: str) -> None:
    kind, lane, args, env, says, answered = FAILURES[case]
    db = tmp_path / "h.sqlite"
    hub.faults.set(kind)
    started = time.monotonic()
    ran = poll(db, hub.url, *args, env=env, lane=lane)
    assert time.monotonic() - started < 30
    assert ran.code == 1 and ran.out == ""
    line = one_line_error(ran.err)
    assert says in line and f"{lane} poll failed" in line
    after = snapshot(db)
    assert (after.models, after.observations) == (0, 0)
    # The Hub's answer, even a refusal, is history worth keeping; silence leaves no file at all.
    assert [(lane_, status) for lane_, status, _ in after.polls] == ([(lane, "failed")] if answered else [])
    assert not answered or says in (after.failed[0][2] or "")

    hub.faults.clear()
    again = poll(db, hub.url, lane=lane)
    assert again.code == 0, again.err
    assert again.err == "" and f"{lane} poll ok" in again.out
    healed = snapshot(db)
    assert healed.models > 0 and healed.observations >= healed.models
    assert [status for _, status, _ in healed.polls] == (["failed", "ok"] if answered else ["ok"])


# Transient faults that a poll rides out within its attempts and deadline.
BURSTS = {
    "429-wait-as-told": ("429", 1, {}),
    "429-bare": ("429-bare", 2, {}),
    "500": ("500", 2, {}),
    "502": ("502", 2, {}),
    "503": ("503", 2, {}),
    "truncated": ("truncated", 1, {}),
    "stall": ("slow", 1, {"HFWATCH_READ_TIMEOUT": "0.3"}),
}


@pytest.mark.parametrize("case", list(BURSTS))
def test_cli_poll_rides_out_a_burst(hub: SimHub, tmp_path: Path, case: str) -> None:
    kind, count, env = BURSTS[case]
    db = tmp_path / "h.sqlite"
    hub.faults.set(kind, count=count)
    ran = poll(db, hub.url, "--deadline", "20", env=env)
    assert ran.code == 0, ran.err
    assert ran.err == "" and "fast poll ok" in ran.out
    assert hub.faults.active is None  # the burst was met, not dodged
    after = snapshot(db)
    assert after.models > 0 and [status for _, status, _ in after.polls] == ["ok"]


def test_cli_poll_connection_refused_then_recovers(hub: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    ran = poll(db, f"http://127.0.0.1:{closed_port()}", lane="all")
    assert ran.code == 1
    line = one_line_error(ran.err)
    assert "cannot connect" in line and "--demo" in line
    assert not db.exists()
    again = poll(db, hub.url)
    assert again.code == 0 and snapshot(db).models > 0


def test_cli_poll_keeps_weird_records_without_inventing_values(hub: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    hub.faults.set("weird-records")
    hub.stats.reset()
    # The slow lane: its listings have no limit, so the oddities the sim appends to a page are read too.
    ran = poll(db, hub.url, lane="slow")
    assert ran.code == 0, ran.err
    assert ran.err == ""
    # Every page served carries one record whose id has no namespace ("no-namespace"): skipped, counted.
    pages = hub.stats.by_path["/api/models"]
    assert f" · {pages:,} bad records skipped · " in ran.out, ran.out
    conn = sqlite3.connect(db)
    rows = {r[0]: r[1:] for r in conn.execute("SELECT id, d30, dall, likes, trend, pipeline, library FROM models")}
    conn.close()
    # Counts that are not non-negative 64-bit integers are unknown (NULL): never clamped, negated or parsed.
    for weird in ("weird/only-an-id", "weird/null-counts", "weird/negative-counts", "weird/strings-for-ints"):
        assert rows[weird][:4] == (None, None, None, None), weird
    assert rows["weird/huge-counts"][:4] == (None, None, 10**15, 10**12)  # 10**20, 2**70 overflow SQLite
    assert rows["weird/wrong-types"][4:] == (None, None)
    assert "no-namespace" not in rows and "weird/tags-string" in rows
    counts = [v for r in rows.values() for v in r[:4] if v is not None]
    assert counts and min(counts) >= 0 and max(counts) < 2**62
    hub.faults.clear()
    assert poll(db, hub.url).code == 0


def test_cli_poll_of_an_empty_hub_is_ok_and_stores_no_models(hub: SimHub, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    hub.faults.set("empty")
    ran = poll(db, hub.url)
    assert ran.code == 0, ran.err
    assert "fast poll ok: 0 models" in ran.out
    empty = snapshot(db)
    assert (empty.models, empty.observations) == (0, 0)
    assert [status for _, status, _ in empty.polls] == ["ok"]
    hub.faults.clear()
    assert poll(db, hub.url).code == 0 and snapshot(db).models > 0


def test_bad_timeout_setting_is_one_line(tmp_path: Path) -> None:
    ran = run_cli(
        "poll",
        "--db",
        str(tmp_path / "h.sqlite"),
        env={"HF_ENDPOINT": f"http://127.0.0.1:{closed_port()}", "HFWATCH_READ_TIMEOUT": "soon"},
    )
    assert ran.code == 1
    assert "HFWATCH_READ_TIMEOUT='soon'" in one_line_error(ran.err)


# -- the engine the monitor's workers use -----------------------------------------------------------


@pytest.fixture(scope="module")
def polled_template(shared_sim: SimHub, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history file after one good slow poll, copied by each engine test."""
    db = tmp_path_factory.mktemp("template") / "h.sqlite"
    with Store(db) as store:
        assert engine(shared_sim.url).poll(store, Lane.SLOW).ok
    return db


def engine(url: str, **policy: Any) -> Poller:
    return Poller(HubClient(url, token=False, policy=replace(FAST_POLICY, **policy)), load_registry(), clock=time.time)


def table(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute(sql).fetchall())
    finally:
        conn.close()


def fault_at_query(n: int, arm: Callable[[], None], messages: list[str]) -> Callable[[str], None]:
    """An on_status callback that arms a fault when the poll reaches its n-th listing."""

    def on_status(message: str) -> None:
        messages.append(message)
        if f" poll {n}/" in message:
            arm()

    return on_status


# (fault, policy overrides, deadline, what the reason says)
ENGINE_FAILURES: dict[str, tuple[str, dict[str, Any], float, str]] = {
    "429-past-deadline": ("429", {}, 1.5, "past this poll's deadline"),
    "429-bare": ("429-bare", {}, 60.0, "HTTP 429"),
    "500": ("500", {}, 60.0, "HTTP 500"),
    "502": ("502", {}, 60.0, "HTTP 502"),
    "503": ("503", {}, 60.0, "HTTP 503"),
    "stall": ("slow", {"read_timeout_s": 0.3}, 60.0, "did not answer in time"),
    "malformed": ("malformed", {}, 60.0, "malformed page"),
    "truncated": ("truncated", {}, 60.0, "broke off its answer"),
    "cursor-loop": ("cursor-loop", {}, 60.0, "cursor loop"),
}


@pytest.mark.parametrize("case", list(ENGINE_FAILURES))
def test_engine_fault_mid_poll_stores_nothing_then_recovers(
    hub: SimHub, polled_template: Path, tmp_path: Path, case: str
) -> None:
    kind, policy, deadline, says = ENGINE_FAILURES[case]
    db = tmp_path / "h.sqlite"
    shutil.copy(polled_template, db)
    models_before = table(db, "SELECT * FROM models")
    obs_before = table(db, "SELECT * FROM observations")
    messages: list[str] = []
    poller = engine(hub.url, **policy)
    with Store(db) as store:
        # Three listings succeed first: what they fetched must not reach the file either.
        outcome = poller.poll(
            store, Lane.SLOW, deadline_s=deadline, on_status=fault_at_query(4, lambda: hub.faults.set(kind), messages)
        )
        assert not outcome.ok and outcome.summary is None
        assert outcome.result.stats.responses >= 3
        error = outcome.result.error or ""
        assert says in error and "\n" not in error
        assert table(db, "SELECT * FROM models") == models_before
        assert table(db, "SELECT * FROM observations") == obs_before
        # Pages were read before the fault, so the Hub answered this poll: it is on record as failed.
        assert snapshot(db).polls[-1][1:] == ("failed", error)

        hub.faults.clear()
        assert poller.poll(store, Lane.FAST).ok
    assert snapshot(db).polls[-1][1] == "ok"


def test_engine_connection_lost_mid_poll(hub: SimHub, polled_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    shutil.copy(polled_template, db)
    models_before = table(db, "SELECT * FROM models")
    proxy = RecordingProxy(hub.url).start()
    try:
        with Store(db) as store:
            outcome = engine(proxy.url).poll(store, Lane.SLOW, on_status=fault_at_query(4, proxy.stop, []))
            assert not outcome.ok and "cannot connect" in (outcome.result.error or "")
            assert table(db, "SELECT * FROM models") == models_before
            assert engine(hub.url).poll(store, Lane.FAST).ok
    finally:
        proxy.stop()


def test_engine_waits_out_a_429_as_told_and_says_so(hub: SimHub, tmp_path: Path) -> None:
    hub.faults.retry_after = 1
    hub.faults.set("429", count=1)
    messages: list[str] = []
    with Store(tmp_path / "h.sqlite") as store:
        outcome = engine(hub.url).poll(store, Lane.FAST, on_status=messages.append, deadline_s=20)
    assert outcome.ok, outcome.result.error
    # RateLimit r=0;t=1: wait t+1 s, as huggingface_hub would, but where the monitor can show it.
    assert any("HTTP 429" in m and "waiting 2 s" in m for m in messages), messages
    assert outcome.result.stats.waited_s >= 2


def test_engine_poll_is_cancellable_while_waiting(hub: SimHub, tmp_path: Path) -> None:
    hub.faults.retry_after = 60
    hub.faults.set("429")
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with Store(tmp_path / "h.sqlite") as store:
        outcome = engine(hub.url).poll(store, Lane.FAST, cancel=cancel, deadline_s=300)
    assert time.monotonic() - started < 10
    assert outcome.result.error == "poll cancelled"
    assert snapshot(tmp_path / "h.sqlite").models == 0


def test_engine_weird_and_empty_pages_are_ok(hub: SimHub, tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        poller = engine(hub.url)
        hub.faults.set("weird-records")
        weird = poller.poll(store, Lane.FAST)
        assert weird.ok and weird.summary is not None and weird.summary.models > 0
        hub.faults.set("empty")
        empty = poller.poll(store, Lane.FAST)
        assert empty.ok and empty.summary is not None and empty.summary.models == 0
