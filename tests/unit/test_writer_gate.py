"""The monitor's writer connection is never written after the session began to close (a poll whose fetch
ends late used to write while the store was being closed under it: a segfault in SQLite)."""

from __future__ import annotations

import threading
import time

import pytest

from hfwatch.hub.guard import PollCancelled
from hfwatch.tui.feeder import WriterGate


def test_a_shut_gate_lets_no_write_in() -> None:
    gate = WriterGate()
    with gate:
        pass
    gate.shut(timeout_s=1)
    with pytest.raises(PollCancelled), gate:
        pytest.fail("a write after the gate was shut")


def test_shutting_waits_for_the_write_under_way() -> None:
    gate = WriterGate()
    inside = threading.Event()
    order: list[str] = []

    def write() -> None:
        with gate:
            inside.set()
            time.sleep(0.2)  # a transaction under way
            order.append("write done")

    writer = threading.Thread(target=write)
    writer.start()
    assert inside.wait(10)
    gate.shut(timeout_s=30)
    order.append("shut")
    writer.join()
    assert order == ["write done", "shut"]
