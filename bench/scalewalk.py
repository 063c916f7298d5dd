"""The deep lane's walk of the simulated Hub's long tail, in-process: pages as the Hub's listing JSON, stored
through the deep lane's own path, and the same writes as raw `executemany` for the baseline.

The pages come straight from `hfwatch_sim.tail` (what the simulated Hub serves for `/api/models?sort=downloads`
with the deep lane's `expand` fields, minus the HTTP): the throughput measured is hfwatch's, not the server's.
The store's side is what `hfwatch.deep` does with each page it receives: `decode_page` (the typed pass, or
`json.loads` → `parse_page` for a page with something to forgive) →
`attribute_all` (with a per-page lookup of stored parents, as `hfwatch.deep._fresh_lookup`) →
`deepwalk.apply_page` (the poll's ingest and the walk's progress, one transaction a page).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from hfwatch.analysis.attribution import attribute_all
from hfwatch.hub.client import EXPAND
from hfwatch.hub.decode import decode_page
from hfwatch.hub.plan import DEEP_PAGE_SIZE
from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, PollStats
from hfwatch.registry import Registry
from hfwatch.store import Store, deepwalk, queries
from hfwatch_sim.catalogue import anchor_for, build_catalogue
from hfwatch_sim.tail import Tail, tail_roots

SIM_SEED = 7  # the simulated Hub's default seed
WALK_FLOOR = 1  # below every tail repo's 30-day downloads: the walk lists the whole tail
DAY_S = 86_400


def sim_tail(size: int, anchor: float, seed: int = SIM_SEED) -> Tail:
    """The simulated Hub's tail of `size` repos, its fine-tunes tagged with the catalogue's real roots."""
    anchor = anchor_for(anchor)
    return Tail(seed, size, anchor, tail_roots(build_catalogue(seed, anchor).models, anchor))


def pages(tail: Tail, t: float, limit: int = DEEP_PAGE_SIZE) -> Iterator[bytes]:
    """The listing sorted by downloads at `t`, `limit` repos a page, as the response bodies."""
    for start in range(0, tail.size, limit):
        ranks = range(start, min(start + limit, tail.size))
        yield ("[" + ",".join(tail.model(r, t).json(EXPAND) for r in ranks) + "]").encode()


def parse(body: bytes) -> list[ModelRecord]:
    return decode_page(body).records


def attribute(store: Store, records: list[ModelRecord], registry: Registry) -> dict[str, Attribution]:
    """What `Poller.attribute` does with the default config (re-uploads included): a parent stored by an
    earlier page is found through a lookup cached for this page."""
    cache: dict[str, Attribution | None] = {}

    def known(model_id: str) -> Attribution | None:
        if model_id not in cache:
            cache[model_id] = queries.attribution_of(store.conn, model_id)
        return cache[model_id]

    return attribute_all(records, registry, known=known)


@dataclass(slots=True)
class WalkTiming:
    """Seconds per stage, summed over the walk's pages."""

    decode_s: float = 0.0
    attribute_s: float = 0.0
    store_s: float = 0.0
    models: int = 0
    pages: int = 0
    changed: int = 0
    bytes: int = 0
    walked: int = 0

    @property
    def pipeline_s(self) -> float:
        return self.decode_s + self.attribute_s + self.store_s


def walk(store: Store, tail: Tail, registry: Registry, t: int) -> WalkTiming:
    """One complete deep walk of the tail at `t`, page by page, each stage timed (the Hub's side is not)."""
    timing = WalkTiming()
    current = deepwalk.open_walk(store.conn, WALK_FLOOR, t)
    last = (tail.size - 1) // DEEP_PAGE_SIZE
    for n, body in enumerate(pages(tail, t)):
        began = time.perf_counter()
        records = decode_page(body).records
        attributed = time.perf_counter()
        attrs = attribute(store, records, registry)
        stored = time.perf_counter()
        result = PollResult(lane=Lane.DEEP, started=t, finished=t, records=records, stats=PollStats(1, 1, len(body)))
        summary, count = deepwalk.apply_page(
            store.conn,
            current,
            result,
            attrs,
            t=t,
            cursor=None if n == last else f"page-{n + 1}",
            requests=1,
            done=n == last,
        )
        end = time.perf_counter()
        timing.decode_s += attributed - began
        timing.attribute_s += stored - attributed
        timing.store_s += end - stored
        timing.models += len(records)
        timing.pages += 1
        timing.changed += summary.changed
        timing.bytes += len(body)
        timing.walked += count.walked
    return timing


@dataclass(slots=True)
class Raw:
    """The baseline's side: bare `executemany` of the walk's model and observation writes, one
    transaction a page as the walk commits, WAL and synchronous=NORMAL as the store."""

    conn: sqlite3.Connection
    seconds: float = 0.0
    next_mid: int = 1
    rows: int = 0
    timings: list[float] = field(default_factory=list)

    @classmethod
    def open(cls, path: str) -> Raw:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("PRAGMA synchronous = NORMAL")
        return cls(conn, next_mid=conn.execute("SELECT coalesce(max(mid), 0) + 1 FROM models").fetchone()[0])

    def write(self, writes: list[tuple[str, list]]) -> None:
        began = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        for sql, rows in writes:
            self.conn.executemany(sql, rows)
            self.rows += len(rows)
        self.conn.execute("COMMIT")
        self.seconds += time.perf_counter() - began

    def close(self) -> None:
        self.conn.close()


def raw_walk(
    raw: Raw, tail: Tail, t: int, rows: Callable[[Raw, list[ModelRecord], int], list[tuple[str, list]]]
) -> None:
    """The same pages at `t`, parsed (untimed), their writes built by `rows` (untimed) and timed as bare
    executemany."""
    for body in pages(tail, t):
        raw.write(rows(raw, parse(body), t))
