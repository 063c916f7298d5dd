"""``python -m hfwatch_sim``: run the simulated Hub in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import faulthandler
import signal
import sys
import threading
from datetime import UTC, datetime

from .clock import DEFAULT_START, SimClock
from .server import SimHub


def _start_time(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hfwatch_sim", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--speed", type=float, default=600.0, help="simulated seconds per real second")
    parser.add_argument("--seed", type=int, default=7, help="catalogue seed")
    parser.add_argument(
        "--start",
        type=_start_time,
        default=DEFAULT_START,
        help="simulated start, ISO date or Unix seconds (default 2026-11-01)",
    )
    parser.add_argument("--quota", type=int, default=500, help="requests per rate-limit window")
    parser.add_argument("--window", type=float, default=300.0, help="rate-limit window, seconds")
    parser.add_argument("--page-size", type=int, default=100, help="default page size")
    parser.add_argument("--tail", type=int, default=1_000_000, help="long-tail repos (0 = none)")
    args = parser.parse_args(argv)

    sim = SimHub(
        seed=args.seed,
        clock=SimClock(start=args.start, speed=args.speed),
        page_size=args.page_size,
        quota=args.quota,
        window_s=args.window,
        port=args.port,
        tail=args.tail,
    )
    done = threading.Event()
    # Ctrl-C and SIGTERM end the process cleanly. Both are set here: a process started in the background of
    # a non-interactive shell inherits SIGINT ignored, and Python then installs no KeyboardInterrupt for it.
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    sim.start()
    print(f"HF_ENDPOINT={sim.url}", flush=True)
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        # Stopping takes well under a second; if it ever hangs, the threads' stacks on stderr say where.
        faulthandler.dump_traceback_later(8, exit=True)
        sim.stop()
        faulthandler.cancel_dump_traceback_later()
    return 0


if __name__ == "__main__":
    sys.exit(main())
