"""Requests and bytes per poll against the simulated Hub, against what the poll plan needs."""

from __future__ import annotations

import math
import time

from huggingface_hub import HfApi

from bench.catalogue import SimClock, SimHub
from bench.report import Figure, check
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient, Query
from hfwatch.hub.plan import plan
from hfwatch.records import Lane
from hfwatch.registry import Registry


def _pages(query: Query, n: int, page_size: int) -> int:
    """The fewest requests a listing of n results needs: hf_hub sends `limit` as the page size."""
    if query.limit is not None:
        return max(1, math.ceil(min(n, query.limit) / min(query.limit, 1000)))
    return max(1, math.ceil(n / page_size))


def run(registry: Registry) -> tuple[list[Figure], dict]:
    hub = SimHub(seed=7, clock=SimClock(speed=0.0), quota=100_000)  # a stopped clock: both runs see one state
    hub.start()
    figures: list[Figure] = []
    details: dict[str, object] = {"page_size": hub.page_size}
    try:
        client = HubClient(hub.url, token=False)
        poller = Poller(client, registry)
        for lane in (Lane.FAST, Lane.SLOW):
            queries = plan(lane, registry)
            hub.stats.reset()
            result = poller.fetch(lane)
            if not result.ok:
                raise RuntimeError(f"{lane.value} poll of the simulated Hub failed: {result.error}")
            requests, sent = hub.stats.requests, hub.stats.bytes_sent
            # What each listing holds, to count the fewest pages it takes.
            guard = client.guard(deadline=time.monotonic() + 600)
            sizes = [len(client.list(q, guard)) for q in queries]
            needed = sum(_pages(q, n, hub.page_size) for q, n in zip(queries, sizes, strict=True))
            hub.stats.reset()
            # huggingface_hub's own listing on the same endpoint, with `full=True` instead of `expand`
            api = HfApi(endpoint=client.endpoint, token=False)
            for q in queries:
                for _ in api.list_models(
                    author=q.author,
                    search=q.search,
                    sort=q.sort,  # type: ignore[arg-type]
                    limit=q.limit,
                    full=True,
                ):
                    pass
            full_bytes = hub.stats.bytes_sent
            ratio = requests / needed
            results, models = sum(sizes), len(result.records)
            dup = 1 - models / results if results else 0.0
            figures += [
                Figure(
                    "network",
                    f"{lane.value} cycle: requests (sim count)",
                    requests,
                    "",
                    note=f"{len(queries)} listings in the plan, {needed} pages needed for their "
                    f"{results:,} results (page size {hub.page_size}); deterministic (a stopped clock)",
                ),
                Figure("network", f"{lane.value} cycle: requests / needed", ratio, "x", "<= 1", check(ratio, "<= 1")),
                Figure(
                    "network",
                    f"{lane.value} cycle: distinct models",
                    models,
                    "",
                    note=f"{results:,} results for {models:,} models: the listings overlap",
                ),
                Figure(
                    "network",
                    f"{lane.value} cycle: duplicate results",
                    dup,
                    "share",
                    note=f"{results - models:,} of {results:,} results name a model another listing of the "
                    "cycle already returned",
                ),
                Figure(
                    "network",
                    f"{lane.value} cycle: requests per 1,000 distinct models",
                    requests / models * 1e3,
                    "",
                    note=f"{requests} requests for {models:,} distinct models; {results / models:.2f} results "
                    "fetched per model kept",
                ),
                Figure(
                    "network",
                    f"{lane.value} cycle: bytes with expand (simulated Hub)",
                    sent,
                    "B",
                    note=f"{sent / max(1, models):,.0f} B per distinct model",
                ),
                Figure(
                    "network",
                    f"{lane.value} cycle: bytes expand / full=True (simulated Hub)",
                    sent / full_bytes,
                    "x",
                    note=f"full=True: {full_bytes:,} B for the same listings; measured on the simulated "
                    "Hub, not the real one: the ratio depends on what a Hub puts in a full record",
                ),
            ]
            details[lane.value] = {
                "requests": requests,
                "needed": needed,
                "bytes": sent,
                "full_bytes": full_bytes,
                "client_count": {"requests": result.stats.requests, "bytes": result.stats.bytes},
                "listings": len(queries),
                "results": results,
                "models": models,
            }
    finally:
        hub.stop()
    return figures, details
