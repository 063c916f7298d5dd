"""A fixed history from the simulated Hub: polls at fixed simulated times with the clock stopped, so
the same file comes out every time. For screenshots and UI tests, which need data that does not move.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hfwatch.records import Lane
from hfwatch.registry import Registry
from hfwatch.timeunits import DAY_S

# 2026-11-01T00:00:00Z, the instant the simulated catalogue is laid out around.
FIXED_NOW = 1_793_491_200.0
FIXED_DAYS_AGO = (6.0, 4.0, 2.0, 1.0, 0.0)


def build_history(db: Path, registry: Registry, *, now: float = FIXED_NOW,
                  days_ago: Sequence[float] = FIXED_DAYS_AGO) -> float:
    """Poll both lanes of a stopped simulated Hub at `now - d` for each d; returns `now`."""
    from hfwatch.demo import start_demo_hub
    from hfwatch.engine import Poller
    from hfwatch.hub.client import HubClient
    from hfwatch.store import Store

    hub = start_demo_hub(start=now - max(days_ago), speed=0.0)
    try:
        poller = Poller(HubClient(hub.url, token=False), registry, clock=hub.clock.now)
        with Store(db) as store:
            for d in days_ago:
                hub.clock.set(now - d * DAY_S)
                for lane in (Lane.SLOW, Lane.FAST):
                    # A fresh quota per poll: the budget is real time, and this history must not
                    # depend on how fast the machine building it is.
                    hub.ratelimit.reset()
                    outcome = poller.poll(store, lane)
                    if not outcome.ok:
                        raise RuntimeError(f"building the fixed history: {outcome.result.error}")
    finally:
        hub.stop()
    return now
