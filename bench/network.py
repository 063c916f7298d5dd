"""Requests and bytes per poll against the simulated Hub, against what the poll plan needs."""

from __future__ import annotations

import math
import time

from bench.report import Figure, check
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient, Query
from hfwatch.hub.plan import plan
from hfwatch.records import Lane
from hfwatch.registry import Registry
from hfwatch_sim import SimClock, SimHub


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
            api = client._api  # the same HfApi, session and endpoint, only `full=True` instead of `expand`
            for q in queries:
                for _ in api.list_models(author=q.author, search=q.search, sort=q.sort,  # type: ignore[arg-type]
                                         limit=q.limit, full=True):
                    pass
            full_bytes = hub.stats.bytes_sent
            ratio = requests / needed
            figures += [
                Figure("network", f"{lane.value} cycle: requests (sim count)", requests, "",
                       note=f"{len(queries)} listings in the plan, {needed} pages needed for their "
                            f"{sum(sizes):,} results (page size {hub.page_size}); {len(result.records):,} "
                            "distinct models"),
                Figure("network", f"{lane.value} cycle: requests / needed", ratio, "x", "<= 1", check(ratio, "<= 1")),
                Figure("network", f"{lane.value} cycle: bytes with expand", sent, "B",
                       note=f"{sent / max(1, len(result.records)):,.0f} B per model"),
                Figure("network", f"{lane.value} cycle: bytes expand / full=True", sent / full_bytes, "x",
                       note=f"full=True: {full_bytes:,} B for the same listings"),
            ]
            details[lane.value] = {"requests": requests, "needed": needed, "bytes": sent, "full_bytes": full_bytes,
                                   "client_count": {"requests": result.stats.requests, "bytes": result.stats.bytes},
                                   "listings": len(queries), "results": sum(sizes), "models": len(result.records)}
    finally:
        hub.stop()
    return figures, details
