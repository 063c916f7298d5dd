"""The UI thread first, against the polls' threads: the cycle collector and the GIL.

A full collection (generation 2) walks every object the process holds and keeps the GIL while it does:
while a 50k-model poll held its records, one took 100–400 ms, and a key pressed then waited that long,
whichever thread happened to trigger it. What the started monitor holds is frozen out of collections
(hfwatch.gcpause.end_start_pause); while a poll runs, generation 2 is not collected at all (the young
generations still are, and they are cheap): the poll's records are freed by reference counting when it
ends, and the next full collection walks only what was made since the freeze. Nor does a poll pause the
collector (hfwatch.gcpause.keep_young_collections): the young collection that ended a pause walked what
every thread had made meanwhile, the UI's frames included, in one go.

And the GIL: a thread that gave it up (a SQLite step, the event loop waiting for its next frame) waits
the switch interval before it may take it back from a thread that computes. At CPython's 5 ms, a read
of the store on the UI thread during a poll took several times as long as alone; at 1 ms the poll
gives it back sooner, for the price of more switches.
"""

from __future__ import annotations

import gc
import sys
import threading
from types import TracebackType

from hfwatch.gcpause import keep_young_collections

# Collections of generation 1 between full collections while a poll runs: more than any poll makes.
POLL_FULL_EVERY = 1_000_000
SWITCH_INTERVAL_S = 0.001


def favour_ui_thread() -> None:
    """Called once the monitor has started: a thread that gave up the GIL gets it back sooner, and no poll
    piles up the young generation for one long collection."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    keep_young_collections()


class NoFullCollections:
    """A context for the polls' threads: no full collection while any of them is inside."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._saved: tuple[int, int, int] | None = None

    def __enter__(self) -> NoFullCollections:
        with self._lock:
            if self._inside == 0:
                self._saved = gc.get_threshold()
                gc.set_threshold(self._saved[0], self._saved[1], POLL_FULL_EVERY)
            self._inside += 1
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _err: BaseException | None, _tb: TracebackType | None
    ) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0 and self._saved is not None:
                gc.set_threshold(*self._saved)
                self._saved = None
