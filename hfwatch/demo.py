"""The embedded demo Hub: the simulated Hub on loopback, reached like any other endpoint."""

from __future__ import annotations

import time

from huggingface_hub import constants

from hfwatch.records import Lane
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
    hub = SimHub(
        seed=DEMO_SEED, clock=SimClock(start=start if start is not None else time.time(), speed=speed), tail=DEMO_TAIL
    )
    hub.start()
    return hub


# How far from a refresh the back-fill and the fixed history poll: well inside the bracket that dates a
# refresh precisely (hfwatch.store.refresh.PRECISE_BRACKET_S), so every refresh they see is dated.
BRACKET_MARGIN_S = 3600.0


def refresh_instants(hub: SimHub, t0: float, t1: float) -> list[float]:
    """The simulated Hub's daily refresh instants in (t0, t1] (skip and partial days included)."""
    return [at for at, _kind in hub.truth.refreshes(t0, t1)]


def bracket_plan(hub: SimHub, start: float, end: float) -> list[tuple[float, Lane]]:
    """(time, lane) of polls from `start` to `end` that see every refresh between them precisely: a poll an
    hour before each refresh and a slow poll an hour after it (hfwatch dates a refresh from such a bracket;
    polls a day apart never do), then both lanes at `end`. The first poll is slow, so that the first refresh
    already finds every listed model."""
    plan: list[tuple[float, Lane]] = [(start, Lane.SLOW), (start, Lane.FAST)]
    for at in refresh_instants(hub, start + BRACKET_MARGIN_S, end - BRACKET_MARGIN_S):
        plan += [
            (at - BRACKET_MARGIN_S, Lane.FAST),
            (at + BRACKET_MARGIN_S, Lane.SLOW),
            (at + BRACKET_MARGIN_S, Lane.FAST),
        ]
    if plan[-1][0] < end:
        plan += [(end, Lane.SLOW), (end, Lane.FAST)]
    return plan
