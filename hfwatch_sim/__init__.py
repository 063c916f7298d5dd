"""An embedded simulated Hugging Face Hub: ``GET /api/models`` over real HTTP on 127.0.0.1.

    from hfwatch_sim import SimHub, SimClock, Faults

    with SimHub(seed=7, clock=SimClock(speed=600)) as sim:
        HfApi(endpoint=sim.url, token=False).list_models(author="Qwen", sort="downloads")

A deterministic catalogue (real first-party ids, derivatives with ``base_model`` tags, re-uploaders, decoys,
a schedule of future releases), counters that move with a simulated clock, the Hub's fixed-window rate
limit with its RateLimit headers, and switchable faults. Standard library only.
"""

from __future__ import annotations

from .clock import DEFAULT_START, SimClock
from .exchange import Reply, Request, ResponseHook
from .server import SimHub
from .stats import Stats
from .truth import Truth

__all__ = ["DEFAULT_START", "Reply", "Request", "ResponseHook", "SimClock", "SimHub", "Stats", "Truth"]
