"""A fixed history from the simulated Hub: polls at fixed simulated times with the clock stopped, so
the same file comes out every time. For screenshots and UI tests, which need data that does not move.
"""

from __future__ import annotations

from pathlib import Path

from hfwatch.registry import Registry
from hfwatch.timeunits import DAY_S

# 2026-11-01T00:00:00Z, the instant the simulated catalogue is laid out around.
FIXED_NOW = 1_793_491_200.0
# Six days of the Hub's daily refreshes, each polled an hour either side: rates are known for the families.
FIXED_DAYS = 6.0


def build_history(db: Path, registry: Registry, *, now: float = FIXED_NOW, days: float = FIXED_DAYS) -> float:
    """Poll a stopped simulated Hub around each of its refreshes in the `days` before `now`; returns `now`."""
    from hfwatch.demo import bracket_plan, start_demo_hub
    from hfwatch.engine import Poller
    from hfwatch.hub.client import HubClient
    from hfwatch.store import Store

    hub = start_demo_hub(start=now - days * DAY_S, speed=0.0)
    try:
        poller = Poller(HubClient(hub.url, token=False), registry, clock=hub.clock.now)
        with Store(db) as store:
            for t, lane in bracket_plan(hub, now - days * DAY_S, now):
                hub.clock.set(t)
                # A fresh quota per poll: the budget is real time, and this history must not
                # depend on how fast the machine building it is.
                hub.ratelimit.reset()
                outcome = poller.poll(store, lane)
                if not outcome.ok:
                    raise RuntimeError(f"building the fixed history: {outcome.result.error}")
    finally:
        hub.stop()
    return now
