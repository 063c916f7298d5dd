"""The UI thread first: a poll's thread waits at its checkpoints while the UI holds the gate."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from hfwatch.analysis.attribution import attribute_all
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.pacing import BACKGROUND_NICE, PACE_EVERY, GiveWay, Paced, checkpoint_of, no_checkpoint, paced
from hfwatch.records import Attribution, Lane, ModelRecord
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch.store.known import existing_rows
from tests.helpers.reliability import FAST_POLICY
from tests.helpers.sim import SimHub


def _checkpoint_in_thread(gate: GiveWay) -> tuple[threading.Thread, threading.Event]:
    passed = threading.Event()

    def poll_side() -> None:
        gate.checkpoint()
        passed.set()

    thread = threading.Thread(target=poll_side)
    thread.start()
    return thread, passed


def test_a_poll_waits_while_the_ui_holds_and_goes_on_when_released() -> None:
    gate = GiveWay(max_wait_s=30)
    gate.hold()
    thread, passed = _checkpoint_in_thread(gate)
    assert not passed.wait(0.2)  # held: the poll's thread is parked at its checkpoint
    gate.release()
    assert passed.wait(10)
    thread.join()


def test_holds_nest_and_the_holder_never_waits_on_itself() -> None:
    gate = GiveWay(max_wait_s=30)
    gate.hold()
    gate.hold()
    gate.checkpoint()  # the holding thread: returns at once (a wait here would stall for max_wait_s)
    gate.release()
    assert gate.held  # one hold is still in force
    thread, passed = _checkpoint_in_thread(gate)
    assert not passed.wait(0.2)
    gate.release()
    assert not gate.held
    assert passed.wait(10)
    thread.join()


def test_a_hold_never_released_stalls_a_poll_only_briefly() -> None:
    gate = GiveWay(max_wait_s=0.05)
    gate.hold()
    thread, passed = _checkpoint_in_thread(gate)
    assert passed.wait(10)  # gave up waiting after max_wait_s
    thread.join()


def test_paced_passes_a_checkpoint_every_so_many_items_of_every_loop() -> None:
    calls: list[int] = []
    items = list(range(PACE_EVERY * 3 + 5))
    paced = Paced(items, lambda: calls.append(1))
    assert [x * 2 for x in paced] == [x * 2 for x in items]  # the same items, in order
    assert len(calls) == 4  # at items 0, 64, 128, 192
    assert sum(paced) == sum(items)
    assert len(calls) == 8  # each iteration is paced anew
    assert len(paced) == len(items) and paced[5] == 5  # indexing and len are a list's, unpaced
    assert len(calls) == 8


def test_a_stored_poll_gives_way_all_along(sim: SimHub, tmp_path: Path) -> None:
    """Fetch passes a checkpoint per page, and saving one every few dozen records: a key pressed at any
    point of a poll waits for at most a few records' work."""
    poller = Poller(HubClient(sim.url, token=False, policy=FAST_POLICY), load_registry())
    fetched: list[int] = []
    result = poller.fetch(Lane.SLOW, pace=lambda: fetched.append(1))
    assert result.ok and result.stats.requests
    assert len(fetched) >= result.stats.requests  # at least once per page
    saved: list[int] = []
    with Store(tmp_path / "h.sqlite") as store:
        outcome = poller.save(store, result, pace=lambda: saved.append(1))
    assert outcome.ok
    assert len(saved) >= len(result.records) // PACE_EVERY


def test_reading_the_stored_rows_gives_way_too(sim: SimHub, tmp_path: Path) -> None:
    """The poll's one long read of what the store holds (a scan of the models, or probes by id) passes
    checkpoints along the way, and reads the same rows as unpaced."""
    poller = Poller(HubClient(sim.url, token=False, policy=FAST_POLICY), load_registry())
    result = poller.fetch(Lane.SLOW)
    with Store(tmp_path / "h.sqlite") as store:
        assert poller.save(store, result).ok
        ids = sorted({r.id for r in result.records})
        calls: list[int] = []
        scanned = existing_rows(store.conn, ids, pace=lambda: calls.append(1))
        assert scanned == existing_rows(store.conn, ids) and len(scanned) == len(ids)
        assert len(calls) > len(ids) // (16 * PACE_EVERY)  # several times during one scan
        calls.clear()
        few = ids[:: max(1, len(ids) // 10)]
        assert existing_rows(store.conn, few, pace=lambda: calls.append(1)).keys() == set(few)
        assert calls  # the probes by id too


def test_attribution_gives_way_in_every_walk_not_only_while_it_copies_the_batch() -> None:
    """Between two checkpoints, at most PACE_EVERY records are attributed. Only the batch's first copy was
    paced: the walk that attributes a 50k-model poll held the GIL for half a second, and keys pressed
    meanwhile took twice as long."""
    n = PACE_EVERY * 20
    # Each names a parent the batch does not hold, so attributing it asks the store's resolver once.
    records = [ModelRecord(id=f"tuner/sft-{i}", tags=(f"base_model:elsewhere/base-{i}",)) for i in range(n)]
    asked: list[str] = []
    at_checkpoints: list[int] = []

    def known(base_id: str) -> Attribution | None:
        asked.append(base_id)
        return None

    attributions = attribute_all(Paced(records, lambda: at_checkpoints.append(len(asked))), load_registry(), known)
    assert len(attributions) == n and len(asked) == n
    gaps = [b - a for a, b in zip([0, *at_checkpoints], [*at_checkpoints, len(asked)], strict=True)]
    assert max(gaps) <= PACE_EVERY


def test_paced_rows_are_the_same_rows_with_a_checkpoint_every_so_many() -> None:
    rows = [(i, i * 2) for i in range(PACE_EVERY * 2 + 1)]
    assert paced(rows, no_checkpoint) is rows  # nothing waits on the CLI's polls: no generator in the way
    calls: list[int] = []
    seen: list[tuple[int, int]] = []
    for row in paced(rows, lambda: calls.append(len(seen))):
        seen.append(row)
    assert seen == rows
    assert calls == [0, PACE_EVERY, 2 * PACE_EVERY]


def test_a_paced_list_hands_its_checkpoint_on() -> None:
    def checkpoint() -> None:
        pass

    assert checkpoint_of(Paced([1, 2], checkpoint)) is checkpoint
    assert checkpoint_of([1, 2]) is no_checkpoint


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priorities are Linux's")
def test_a_thread_that_gives_way_runs_at_a_lower_os_priority_and_the_ui_thread_keeps_its_own() -> None:
    gate = GiveWay()
    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[tuple[int, int]] = []

    def poll_side() -> None:
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        gate.checkpoint()
        gate.checkpoint()  # lowered once, not at every checkpoint
        seen.append((before, os.getpriority(os.PRIO_PROCESS, tid)))

    thread = threading.Thread(target=poll_side)
    thread.start()
    thread.join(5)
    gate.checkpoint()  # the main (UI) thread passing a checkpoint keeps its priority
    [(before, after)] = seen
    assert after == min(before + BACKGROUND_NICE, 19)  # nice tops out at 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before
