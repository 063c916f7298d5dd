"""One poll, end to end: plan → Hub → attribution → one SQLite transaction.

Shared by `hfwatch poll` and the monitor's workers, so both poll exactly the same way.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hfwatch.analysis.attribution import attribute_all
from hfwatch.pacing import Checkpoint, Paced, no_checkpoint
from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, Via
from hfwatch.registry import Registry
from hfwatch.store import Store
from hfwatch.store.db import sqlite_failure
from hfwatch.store.ingest import IngestSummary
from hfwatch.store.maintenance import DEFAULT_POLICY, RetentionPolicy, maintain_if_due

if TYPE_CHECKING:
    # The Hub client pulls in huggingface_hub and httpx2 (~0.3-0.6 s): the monitor imports this module
    # at start, also offline, so the client is imported only where a poll actually runs (`fetch`).
    from hfwatch.hub.client import HubClient, Query

DEFAULT_DEADLINE_S = {Lane.FAST: 90.0, Lane.SLOW: 900.0, Lane.DEEP: 1800.0}

Clock = Callable[[], float]
StatusCallback = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PollOutcome:
    result: PollResult
    summary: IngestSummary | None

    @property
    def ok(self) -> bool:
        return self.result.ok and self.summary is not None


def merge_records(batches: list[list[ModelRecord]]) -> list[ModelRecord]:
    """One record per id; a later listing's known values fill what an earlier one lacked."""
    merged: dict[str, ModelRecord] = {}
    for batch in batches:
        for rec in batch:
            prev = merged.get(rec.id)
            if prev is None:
                merged[rec.id] = rec
                continue
            fields = {name: getattr(prev, name) for name in ModelRecord.__slots__}
            for name in fields:
                if fields[name] in (None, ()):
                    fields[name] = getattr(rec, name)
            merged[rec.id] = ModelRecord(**fields)
    return list(merged.values())


class Poller:
    """Runs polls of either lane against one Hub client into one store."""

    def __init__(
        self,
        client: HubClient,
        registry: Registry,
        *,
        clock: Clock | None = None,
        include_reuploaders: bool = True,
        retention: RetentionPolicy = DEFAULT_POLICY,
    ) -> None:
        self.client = client
        self.registry = registry
        # None: date each poll by the Hub's clock (its `Date` headers), else the local one. A given
        # clock (the demo's simulated Hub, a test's) is used as is.
        self.clock = clock or time.time
        self.hub_clock = clock is None
        self.retention = retention
        # The config's `include_reuploaders`: False keeps re-uploads out of every family total.
        self.include_reuploaders = include_reuploaders

    def fetch(
        self,
        lane: Lane,
        *,
        cancel: threading.Event | None = None,
        on_status: StatusCallback | None = None,
        deadline_s: float | None = None,
        pace: Checkpoint | None = None,
    ) -> PollResult:
        # Here, not at module level: see the TYPE_CHECKING import above (this runs in the poll's thread).
        from hfwatch.hub.guard import HubError
        from hfwatch.hub.plan import plan

        started = self.clock()
        guard = self.client.guard(
            deadline=time.monotonic() + (deadline_s or DEFAULT_DEADLINE_S[lane]),
            cancel=cancel,
            on_status=on_status,
            pace=pace,
        )
        result = PollResult(lane=lane, started=started, finished=started)
        queries: list[Query] = plan(lane, self.registry)
        batches: list[list[ModelRecord]] = []
        try:
            for n, query in enumerate(queries, start=1):
                if on_status is not None:
                    on_status(f"{lane.value} poll {n}/{len(queries)}: {query.label}")
                batch = self.client.list(query, guard)
                if query.label == "trending":
                    result.trending = [r.id for r in batch]
                batches.append(batch)
        except HubError as err:
            result.error = str(err)
        result.records = merge_records(batches) if result.error is None else []
        result.stats = guard.stats
        result.finished = self.clock()
        if self.hub_clock and guard.stats.hub_first is not None and guard.stats.hub_last is not None:
            result.started, result.finished = guard.stats.hub_first, guard.stats.hub_last
        return result

    def attribute(
        self, store: Store, records: list[ModelRecord], known: Callable[[str], Attribution | None] | None = None
    ) -> dict[str, Attribution]:
        """Attribute records as a stored poll of them would be (lineage, name, the re-uploaders setting);
        `known` looks up a parent's stored attribution (default: the store's, cached until its next ingest)."""
        attributions = attribute_all(records, self.registry, known=known or store.attribution_of)
        if not self.include_reuploaders:
            attributions = exclude_reuploads(records, attributions, self.registry)
        return attributions

    def poll(
        self,
        store: Store,
        lane: Lane,
        *,
        cancel: threading.Event | None = None,
        on_status: StatusCallback | None = None,
        deadline_s: float | None = None,
    ) -> PollOutcome:
        """Fetch and store one lane's poll; a failed poll is recorded as failed and stores nothing."""
        return self.save(store, self.fetch(lane, cancel=cancel, on_status=on_status, deadline_s=deadline_s))

    def save(self, store: Store, result: PollResult, pace: Checkpoint = no_checkpoint) -> PollOutcome:
        """Store a fetched poll: all of it in one transaction, or (failed) only the fact that it failed.
        `pace` is called between small pieces of the work (the monitor's UI may ask the thread to give way)."""
        if not result.ok:
            # A poll the Hub never answered leaves no trace in the file: nothing happened there.
            if result.stats.responses:
                # Failing to note the failure (disk full, damaged file) must not hide why the poll failed.
                with contextlib.suppress(sqlite3.Error):
                    store.record_failed(result)
            return PollOutcome(result, None)
        try:
            summary = store_records(
                store, result, self.registry, include_reuploaders=self.include_reuploaders, pace=pace
            )
        except sqlite3.Error as err:
            # The ingest transaction rolled back: the poll is failed, not half-stored, and the caller
            # (a CLI run, a monitor worker) gets one line naming the file instead of an exception.
            result.error = str(
                sqlite_failure(store.path, err, doing="storing the poll", outcome="the poll was not stored")
            )
            return PollOutcome(result, None)
        if result.lane is Lane.SLOW:
            # After a slow poll, when the writer is idle until the next one; at most once per day of
            # the data's clock, in short transactions. A refusal (busy, disk full) is retried next time.
            maintain_if_due(store.conn, int(result.finished), self.retention)
        return PollOutcome(result, summary)


def store_records(
    store: Store,
    result: PollResult,
    registry: Registry,
    *,
    include_reuploaders: bool = True,
    pace: Checkpoint = no_checkpoint,
) -> IngestSummary:
    """Attribute a successful poll's records and store them in one transaction.

    Shared by polls and `hfwatch import`, so archived listings are attributed and stored exactly
    as a poll of the same listings would be.
    """
    if pace is not no_checkpoint:
        result = replace(result, records=Paced(result.records, pace))
    attributions = attribute_all(result.records, registry, known=store.attribution_of)
    if not include_reuploaders:
        attributions = exclude_reuploads(result.records, attributions, registry)
    pace()
    return store.ingest(result, attributions, t=int(result.finished))


def exclude_reuploads(
    records: list[ModelRecord], attributions: dict[str, Attribution], registry: Registry
) -> dict[str, Attribution]:
    """Re-uploads (a namespace in `registry.reuploaders`) count for no family.

    Done after attribution of the whole batch, so a child of a re-upload (a quant of
    unsloth/Qwen3-8B) still reaches its family by lineage; the re-upload keeps its base family
    and base model, which say what it is built on without counting it.
    """
    out = dict(attributions)
    for rec in records:
        attr = out.get(rec.id)
        if attr is not None and attr.via is not Via.ORG and registry.is_reuploader(rec.namespace):
            out[rec.id] = Attribution(
                family=None, via=None, country=None, base_family=attr.base_family, base_model=attr.base_model
            )
    return out
