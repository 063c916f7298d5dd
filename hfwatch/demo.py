"""The embedded demo Hub: the simulated Hub on loopback, reached like any other endpoint."""

from __future__ import annotations

import time

from huggingface_hub import constants

from hfwatch_sim import SimClock, SimHub

DEMO_SEED = 7
# The demo Hub has the long tail the deep lane walks (generated lazily: it costs nothing until listed).
DEMO_TAIL = 1_000_000
# What the rest of hfwatch may name: the demo launcher is the one module that imports the simulated Hub.
DemoHub = SimHub


def start_demo_hub(*, start: float | None = None, speed: float = 1.0) -> SimHub:
    """Start the simulated Hub; its clock begins at `start` (default: now) and runs `speed`x."""
    # The agent-detection request huggingface_hub adds to its user agent would go to the
    # configured endpoint, not the demo's: there is no telemetry to send to a simulation.
    constants.HF_HUB_DISABLE_TELEMETRY = True
    hub = SimHub(seed=DEMO_SEED, clock=SimClock(start=start if start is not None else time.time(), speed=speed),
                 tail=DEMO_TAIL)
    hub.start()
    return hub
