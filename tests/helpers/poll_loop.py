"""`python -m tests.helpers.poll_loop DB`: a parent that forks `hfwatch poll` loops to be SIGKILLed.

The crash-consistency test kills polling processes at varied moments, twenty-odd times. Python and
hfwatch's imports take most of a second, so this parent imports once and, for each lane name read
on stdin, forks a child that runs the real command (`hfwatch.cli.main.main`) in a loop until the
test kills it; the parent then reaps it and says so. The parent opens no database and sends no
request before forking, so each child starts as clean as a fresh `hfwatch poll`.

Lines on stdout: "P <pid>" a child started; "W" a poll's write begins; "S" it committed; "E" a poll
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


def _marked_ingest(self: Store, *args: Any, **kwargs: Any) -> Any:
    print("W", flush=True)
    summary = _ingest(self, *args, **kwargs)
    print("S", flush=True)
    return summary


def _poll_forever(db: str, first: str) -> None:
    Store.ingest = _marked_ingest  # type: ignore[method-assign]
    lanes = ["slow", "fast"] if first == "slow" else ["fast", "slow"]
    while True:
        for lane in lanes:
            if main(["poll", "--lane", lane, "--db", db]) != 0:
                print("E", flush=True)


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
        print("R", flush=True)


if __name__ == "__main__":
    serve(sys.argv[1])
