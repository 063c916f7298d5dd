"""The started monitor's claims on the interpreter: a short switch interval, and polls that leave the cycle
collector's young generations running (a pause made the poll's thread walk the UI's objects in one go)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from hfwatch.gcpause import gc_paused, keep_young_collections
from hfwatch.tui.priority import SWITCH_INTERVAL_S, NoFullCollections, favour_ui_thread


@pytest.fixture(autouse=True)
def interpreter_restored() -> Iterator[None]:
    interval, enabled, threshold = sys.getswitchinterval(), gc.isenabled(), gc.get_threshold()
    yield
    keep_young_collections(False)
    sys.setswitchinterval(interval)
    gc.set_threshold(*threshold)
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_started_monitor_polls_with_the_collector_running() -> None:
    gc.enable()
    favour_ui_thread()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
    with gc_paused():  # as a poll's parse, attribution and ingest are
        assert gc.isenabled()


def test_polls_hold_off_only_the_full_collections_until_the_last_ends() -> None:
    gc.set_threshold(700, 10, 10)
    gate = NoFullCollections()
    with gate:
        with gate:
            assert gc.get_threshold()[:2] == (700, 10)
            assert gc.get_threshold()[2] > 10
        assert gc.get_threshold()[2] > 10
    assert gc.get_threshold() == (700, 10, 10)
