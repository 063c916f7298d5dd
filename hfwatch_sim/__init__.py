"""An embedded simulated Hugging Face Hub: ``GET /api/models`` over real HTTP on 127.0.0.1.

    from hfwatch_sim import SimHub, SimClock

    with SimHub(seed=7, clock=SimClock(speed=0.0)) as sim:
        HfApi(endpoint=sim.url, token=False).list_models(author="Qwen", sort="downloads")
        sim.clock.advance(86_400)  # tests move the clock themselves
        sim.truth.family_downloads("Qwen", "ecosystem", t0, t1)

A deterministic catalogue (real first-party ids, derivatives with ``base_model`` tags, re-uploaders, decoys,
an untracked majority of small labs and users, a schedule of future releases), awkward where the real Hub
is awkward:

- counters refresh once a simulated day at 06:00 UTC, some days not at all, some days only for a quarter
  of the models; a few all-time counts are recounted downward (:mod:`hfwatch_sim.refresh`);
- the ``Link`` cursor is a live keyset: a walk whose records move between pages repeats or skips them
  (:mod:`hfwatch_sim.query`);
- every response's ``Date`` header reads the simulated clock;
- the Hub's fixed-window rate limit with its RateLimit headers.

``SimHub.truth`` (:mod:`hfwatch_sim.truth`) is the ground truth tests compare hfwatch's figures with: each
model's true family from the generated lineage, true downloads over any interval, sums per family and scope,
the refresh schedule and the recounts. ``SimHub.response_hook`` (:mod:`hfwatch_sim.exchange`) lets tests
replace or bend replies (fault injection lives in ``tests/sim``). Standard library only.
"""

from __future__ import annotations

from .clock import DEFAULT_START, SimClock
from .exchange import Reply, Request, ResponseHook
from .server import SimHub
from .stats import Stats
from .truth import Truth

__all__ = ["DEFAULT_START", "Reply", "Request", "ResponseHook", "SimClock", "SimHub", "Stats", "Truth"]
