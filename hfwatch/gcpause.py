"""Pausing Python's cyclic garbage collector while a poll's records are built and stored.

A poll makes hundreds of thousands of objects (decoded JSON, records, rows) that hold no reference cycles:
reference counting frees them. While they are being made, every ~700 allocations start a collection, and the
older generations' collections walk every object the process holds, over and over: up to a third of a
large poll's time. Paused, the objects made are walked once, when the outermost pause ends (the same young
collection that the next allocation would have started anyway), so the cost stays inside the work that
caused it. Nested and concurrent pauses (lanes polling in threads) share one pause; the collector comes back
as it was when the last one ends. This module imports nothing from hfwatch.

The collector is the process's, not the thread's: in the monitor, what its UI thread made while a poll was
paused piled up as well, and the young collection that ended the pause walked all of it in the poll's
thread, holding the GIL for tens to hundreds of milliseconds (a key pressed then waited that long). There,
`keep_young_collections` leaves pauses out: young collections stay small and frequent, and the monitor keeps
the full collections off while it polls instead (hfwatch.tui.priority.NoFullCollections).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

__all__ = ["end_start_pause", "gc_paused", "keep_young_collections", "start_paused"]

_lock = threading.Lock()
_depth = 0
_resume = False
_start: AbstractContextManager[None] | None = None
_keep_young = False


def keep_young_collections(keep: bool = True) -> None:
    """From here on (`keep`), `gc_paused` leaves the collector running; the start's pause is not affected."""
    global _keep_young
    with _lock:
        _keep_young = keep


def gc_paused() -> AbstractContextManager[None]:
    return _paused(start=False)


@contextmanager
def _paused(*, start: bool) -> Iterator[None]:
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled() and (start or not _keep_young)
            if _resume:
                gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            resume = _depth == 0 and _resume
            if resume:
                gc.enable()
        if resume:
            gc.collect(0)


def start_paused() -> None:
    """Pause the collector from here to `end_start_pause`: a program's start (imports, the registry, the
    first frame) makes a few hundred thousand objects that live as long as it does, and walking them
    over and over took a fifth of the monitor's start."""
    global _start
    with _lock:
        if _start is not None:
            return
        _start = _paused(start=True)
    _start.__enter__()


def end_start_pause() -> None:
    """End the start's pause and move everything made so far out of the collector's sight (gc.freeze):
    the long-lived start-up objects are never walked again by the full collections of a monitor left
    running for weeks. Does nothing if no start pause is under way."""
    global _start
    with _lock:
        started, _start = _start, None
    if started is None:
        return
    gc.freeze()
    started.__exit__(None, None, None)
