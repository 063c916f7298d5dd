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
from contextlib import contextmanager

__all__ = ["gc_paused"]

_lock = threading.Lock()
_depth = 0
_resume = False


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
