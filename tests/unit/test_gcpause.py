"""The collector pause around poll processing: nested and concurrent pauses share one, and the collector
comes back as it was (a program that switched it off itself keeps it off)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from hfwatch.gcpause import end_start_pause, gc_paused, keep_young_collections, start_paused


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    keep_young_collections(False)  # a monitor started earlier in this process keeps them
    yield
    end_start_pause()
    keep_young_collections(False)
    gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


def test_a_pause_switches_the_collector_off_and_back_on() -> None:
    gc.enable()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outermost() -> None:
    gc.enable()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_an_error_inside_still_ends_the_pause() -> None:
    gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_end_with_the_last() -> None:
    gc.enable()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with gc_paused():
            inside.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=other)
    with gc_paused():
        thread.start()
        assert inside.wait(timeout=10)
    # This thread's pause is over, the other thread's is not: the collector stays off until it ends.
    assert not gc.isenabled()
    release.set()
    thread.join(timeout=10)
    assert gc.isenabled()


def test_the_start_pause_lasts_until_its_end_and_freezes_what_was_made() -> None:
    gc.enable()
    gc.unfreeze()
    start_paused()
    assert not gc.isenabled()
    made_at_start = [[i] for i in range(1000)]  # containers the collector tracks
    with gc_paused():  # a poll that starts and ends within the start keeps the collector off
        pass
    assert not gc.isenabled()
    end_start_pause()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made_at_start)


def test_ending_a_start_pause_that_never_began_changes_nothing() -> None:
    gc.enable()
    gc.unfreeze()
    end_start_pause()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_second_start_pause_is_the_same_one() -> None:
    gc.enable()
    start_paused()
    start_paused()
    end_start_pause()
    assert gc.isenabled()


def test_kept_young_collections_leave_the_pauses_out() -> None:
    gc.enable()
    keep_young_collections()
    with gc_paused():
        assert gc.isenabled()
    assert gc.isenabled()
    keep_young_collections(False)
    with gc_paused():
        assert not gc.isenabled()


def test_the_start_pause_pauses_even_with_young_collections_kept() -> None:
    gc.enable()
    keep_young_collections()
    start_paused()
    assert not gc.isenabled()
    with gc_paused():
        pass
    assert not gc.isenabled()
    end_start_pause()
    assert gc.isenabled()
