"""`python -m tests.helpers.poll_loop DB`: a parent that forks `hfwatch poll` loops to be SIGKILLed.

The crash-consistency test kills polling processes at varied moments, twenty-odd times. Python and
hfwatch's imports take most of a second, so this parent imports once and, for each lane name read
on stdin, forks a child that runs the real command (`hfwatch.cli.main.main`) in a loop until the
test kills it; the parent then reaps it and says so. The parent opens no database and sends no
request before forking, so each child starts as clean as a fresh `hfwatch poll`.

Lines on stdout (blank ones aside): "P <pid>" a child started; "W" a poll's write begins; "S" it committed; "E" a poll
failed; "R" the child is dead and reaped (its file lock released by the OS).
HF_ENDPOINT comes from the environment, as for `hfwatch poll`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from hfwatch.cli.main import main
from hfwatch.store import Store

_ingest = Store.ingest


def _mark(marker: bytes) -> None:
    """A marker line in one write(2): `print` may write the text and its newline apart, and a child killed
    between the two left "S" without its end, so that the parent's "R" ran on after it ("SR")."""
    sys.stdout.flush()  # the command's own lines first, whole
    os.write(sys.stdout.fileno(), marker + b"\n")


def _marked_ingest(self: Store, *args: Any, **kwargs: Any) -> Any:
    _mark(b"W")
    summary = _ingest(self, *args, **kwargs)
    _mark(b"S")
    return summary


def _poll_forever(db: str, first: str) -> None:
    Store.ingest = _marked_ingest  # type: ignore[method-assign]
    lanes = ["slow", "fast"] if first == "slow" else ["fast", "slow"]
    while True:
        for lane in lanes:
            if main(["poll", "--lane", lane, "--db", db]) != 0:
                _mark(b"E")


def serve(db: str) -> None:
    # Load what `main` imports lazily, so that a child spends its life polling, not importing.
    import hfwatch.cli.commands
    import hfwatch.engine  # noqa: F401

    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                _poll_forever(db, line.strip())
            finally:
                os._exit(1)
        print(f"P {pid}", flush=True)
        os.waitpid(pid, 0)
        # On a line of its own even if the killed child left one unfinished.
        print("\nR", flush=True)


if __name__ == "__main__":
    serve(sys.argv[1])
