"""The monitor's UI thread comes first: while it answers a key or repaints, a poll's thread waits at its
next checkpoint instead of competing with it for the GIL.

Why a gate and not just threads: CPython hands the GIL back to a waiting thread only after the holder's
switch interval (5 ms) or when a long C call returns (`json.loads` of a 1,000-model page, building a
batch for `executemany`). A read of the store releases the GIL at every SQLite step and then waits that
long to get it back, so while a 50k-model poll ran, a 12 ms re-rank of the leaderboard took up to a
second. Holding the poll at a checkpoint costs it only the milliseconds the UI uses.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

Checkpoint = Callable[[], None]

# A hold never released (a bug, a UI stuck in a long task) must not stall polls: each wait is bounded.
MAX_WAIT_S = 1.0
# Items between checkpoints in a paced loop: ~0.1–0.5 ms of attribution or ingest work each.
PACE_EVERY = 64


# How much lower than the UI thread's the OS priority of a thread that gives way is (Linux `nice`, per thread).
BACKGROUND_NICE = 10


def no_checkpoint() -> None:
    """For polls nothing waits on (the CLI, imports)."""


class GiveWay:
    """Held by the UI thread while it works; polls call `checkpoint` between small pieces of theirs."""

    def __init__(self, max_wait_s: float = MAX_WAIT_S) -> None:
        self._clear = threading.Event()
        self._clear.set()
        self._lock = threading.Lock()
        self._holds = 0
        self._holder: int | None = None
        self._max_wait_s = max_wait_s
        self._backgrounded = threading.local()

    @property
    def held(self) -> bool:
        return not self._clear.is_set()

    def hold(self) -> None:
        with self._lock:
            self._holds += 1
            self._holder = threading.get_ident()
            self._clear.clear()

    def release(self) -> None:
        with self._lock:
            self._holds = max(0, self._holds - 1)
            if self._holds == 0:
                self._holder = None
                self._clear.set()

    def checkpoint(self) -> None:
        """Wait while the UI holds the gate (never in the holding thread itself: that would wait on itself)."""
        if not getattr(self._backgrounded, "done", False):
            self._backgrounded.done = True
            background_priority()
        if self._clear.is_set() or self._holder == threading.get_ident():
            return
        self._clear.wait(self._max_wait_s)


def background_priority() -> None:
    """Lower the calling thread's OS priority, so that the UI thread gets a core first on a busy machine: in
    its SQLite steps (no GIL held, no checkpoint) a poll's thread still competed with the UI thread for the
    CPU. Linux only, where `setpriority` of a thread id sets that thread alone (elsewhere it would lower the
    whole process, the UI thread included)."""
    if not sys.platform.startswith("linux") or threading.current_thread() is threading.main_thread():
        return  # the UI's own thread (a poll run in it, in tests) keeps its priority
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICE)
    except OSError:
        pass  # not allowed here: the threads keep the UI's priority, as before


class Paced(list[T]):
    """A list whose every iteration passes a checkpoint each `PACE_EVERY` items.

    The stages of a poll (attribution, ingest) loop over its records in several places; handing them this
    list paces every such loop without each stage knowing about the UI. Only iteration is paced: indexing
    and `len` are as a list's.
    """

    def __init__(self, items: Iterable[T], checkpoint: Checkpoint) -> None:
        super().__init__(items)
        self.checkpoint = checkpoint

    def __iter__(self) -> Iterator[T]:
        return _paced(super().__iter__(), self.checkpoint)


def checkpoint_of(items: Iterable[object]) -> Checkpoint:
    """The checkpoint a `Paced` list passes, for a stage's work that is not a loop over it (one long read)."""
    return items.checkpoint if isinstance(items, Paced) else no_checkpoint


def paced(rows: Iterable[T], checkpoint: Checkpoint) -> Iterable[T]:
    """`rows` passing `checkpoint` every PACE_EVERY items, for a stage's loops over something other than its
    `Paced` records (attribution's walks of its own dicts, the rows built for an `executemany`): unpaced, one
    such loop over a 50k-model poll kept the poll's thread from its checkpoints for half a second. With no
    checkpoint (the CLI's polls, imports) the rows themselves, at no cost."""
    if checkpoint is no_checkpoint:
        return rows
    return _paced(rows, checkpoint)


def _paced(rows: Iterable[T], checkpoint: Checkpoint) -> Iterator[T]:
    for i, row in enumerate(rows):
        if not i % PACE_EVERY:
            checkpoint()
        yield row
