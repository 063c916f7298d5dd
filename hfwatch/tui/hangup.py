"""Noticing that the monitor's terminal is gone, so that the monitor ends instead of outliving it.

Why: when a terminal closes, the kernel sends SIGHUP only to the processes it still counts as that
terminal's session. Started through another program (`make demo`, a script, a service wrapper), the
monitor may get none, and Textual's input thread then reads end-of-file in a loop forever: the
process spins at ~80% of a core, keeps the writer lock and keeps polling the Hub for nobody. A
terminal that hung up stops being a terminal (`isatty` is false, its ioctls fail with EIO), which
is cheap to check once a second.
"""

from __future__ import annotations

import os
import sys

__all__ = ["CHECK_EVERY_S", "HANGUP_EXIT", "hung_up", "input_terminal"]

CHECK_EVERY_S = 1.0
# 128 + SIGHUP: what a shell reports for a process that its terminal's hangup ended.
HANGUP_EXIT = 129


def input_terminal() -> int | None:
    """The file descriptor the monitor reads keys from (Textual's driver reads `sys.__stdin__`), when
    it is a terminal; None otherwise (tests, pipes, the web server), and then nothing is watched."""
    stream = sys.__stdin__
    if stream is None:
        return None
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return None
    return fd if os.isatty(fd) else None


def hung_up(fd: int) -> bool:
    """Whether the terminal on `fd` is gone."""
    return not os.isatty(fd)
