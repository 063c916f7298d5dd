"""Where a writer's polls come from: the live Hub, or the embedded simulated one resumed after the history.

Shared by `hfwatch poll` and the monitor's session, so both set up the Hub, the client and the
Poller's clock the same way. The Hub client and the simulated Hub are imported here, when a poll
source is opened, never at start-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hfwatch.engine import Poller
from hfwatch.registry import Registry

if TYPE_CHECKING:
    from hfwatch.demo import DemoHub


@dataclass
class PollSource:
    poller: Poller
    endpoint: str
    hub: DemoHub | None = None  # the simulated Hub, to stop when done (None: the live Hub)

    def stop(self) -> None:
        if self.hub is not None:
            self.hub.stop()


def open_poll_source(
    registry: Registry,
    *,
    demo: bool,
    include_reuploaders: bool,
    history_t: int | None = None,
    resume_gap_s: float = 3600,
    speed: float = 1.0,
) -> PollSource:
    """A Poller on the live Hub, or (demo) on a simulated Hub started `resume_gap_s` past the history's end
    (or now, if later) at `speed` simulated seconds per real second, polled on the simulated clock."""
    from hfwatch.hub.client import HubClient

    if not demo:
        client = HubClient()
        return PollSource(Poller(client, registry, include_reuploaders=include_reuploaders), client.endpoint)
    from hfwatch.demo import start_demo_hub

    hub = start_demo_hub(start=max(time.time(), (history_t or 0) + resume_gap_s), speed=speed)
    poller = Poller(
        HubClient(hub.url, token=False), registry, clock=hub.clock.now, include_reuploaders=include_reuploaders
    )
    return PollSource(poller, hub.url, hub)
