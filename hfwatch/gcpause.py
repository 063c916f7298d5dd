"""Pausing Python's cyclic garbage collector while a poll's records are built and stored.

A poll makes hundreds of thousands of objects (decoded JSON, records, rows) that hold no reference cycles:
reference counting frees them. While they are being made, every ~700 allocations start a collection, and the
older generations' collections walk every object the process holds, over and over: up to a third of a
large poll's time. Paused, the objects made are walked once, when the outermost pause ends (the same young
collection that the next allocation would have started anyway), so the cost stays inside the work that
caused it. Nested and concurrent pauses (lanes polling in threads) share one pause; the collector comes back
as it was when the last one ends. This module imports nothing from hfwatch.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

__all__ = ["end_start_pause", "gc_paused", "start_paused"]

_lock = threading.Lock()
_depth = 0
_resume = False
_start: AbstractContextManager[None] | None = None


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
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
        _start = gc_paused()
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
