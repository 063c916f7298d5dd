"""The deep lane: the whole Hub walked by 30-day downloads, page by page, behind the other lanes (DESIGN §5).

The walk asks for `limit=1000` a page (the Hub may send fewer: it follows the Hub's links whatever their
size) down to a floor of 30-day downloads. Every page goes through the parser, the attribution and the
ingest every poll uses, and is stored with the walk's progress in one transaction (`hfwatch.store.deepwalk`),
so the walk holds one page in memory, and a walk that stops (killed, cancelled, out of budget or time)
resumes at its stored cursor.

It spends the rate budget last: before each page it looks at what the Hub's RateLimit headers left, and when
that is down to the share kept for the fast and slow lanes it stops, to resume in a later window, instead of
waiting for the window to reset.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hfwatch.engine import DEFAULT_DEADLINE_S, Poller, StatusCallback
from hfwatch.pacing import Paced
from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, PollStats
from hfwatch.store import Store, deepwalk, queries, walks
from hfwatch.store.db import sqlite_failure
from hfwatch.store.walks import Walk

if TYPE_CHECKING:
    from hfwatch.hub.guard import PollGuard

DEEP_FLOOR = 100
# The share of the Hub's window the deep lane leaves to the fast and slow lanes.
RESERVE_SHARE = 0.3


@dataclass(slots=True)
class DeepOutcome:
    """One run of the deep lane: what it added to its walk, and why it stopped."""

    status: str  # done: the walk reached the floor; paused: to resume later; cancelled; failed
    walk: Walk | None = None  # the walk as stored after this run
    reason: str | None = None  # why it paused or failed
    resumed: bool = False  # this run continued a walk a previous run had started
    pages: int = 0
    walked: int = 0  # models counted by this run
    new_models: int = 0
    stats: PollStats = field(default_factory=PollStats)

    @property
    def ok(self) -> bool:
        return self.status in ("done", "paused")


def reserve(limit: int | None, policy_reserve: int, share: float = RESERVE_SHARE) -> int:
    """Requests of a window the deep lane never spends."""
    return max(policy_reserve, math.ceil(share * limit)) if limit else policy_reserve


# Requests the fast and slow lanes will send in the next `seconds` (the monitor knows their cadence and cost).
LanesNeed = Callable[[float], int]


def budget_short(poller: Poller, share: float = RESERVE_SHARE, lanes_need: LanesNeed | None = None) -> str | None:
    """Why the deep lane must not send another request in this window, or None when it may. It keeps the
    share of the window, or what the other lanes will spend before it resets when that is more (lanes polled
    more often than hourly, as in the demo, would otherwise find the window spent)."""
    budget = poller.client.budget
    remaining, limit, reset_at = budget.remaining, budget.limit, budget.reset_at
    if remaining is None or reset_at is None or time.monotonic() >= reset_at:
        return None
    keep = reserve(limit, poller.client.policy.budget_reserve, share)
    if lanes_need is not None:
        keep = max(keep, lanes_need(reset_at - time.monotonic()) + poller.client.policy.budget_reserve)
    if remaining > keep:
        return None
    return (
        f"rate budget: {remaining}/{limit if limit is not None else '?'} requests left in this window, "
        f"{keep} kept for the fast and slow lanes; resets in {max(0.0, reset_at - time.monotonic()):.0f} s"
    )


def walk_deep(
    poller: Poller,
    store: Store,
    *,
    floor: int = DEEP_FLOOR,
    cancel: threading.Event | None = None,
    on_status: StatusCallback | None = None,
    deadline_s: float | None = None,
    reserve_share: float = RESERVE_SHARE,
    save_lock: contextlib.AbstractContextManager[object] | None = None,
    on_page: Callable[[Walk], None] | None = None,
    pace: Callable[[], None] | None = None,
    lanes_need: LanesNeed | None = None,
) -> DeepOutcome:
    """Walk (or resume walking) the listing by downloads down to `floor`, storing page by page.

    `save_lock` is held while a page is stored (the monitor's lanes share one writer connection);
    `on_page` is told the walk as stored after each page (the monitor's progress bar); `pace` is passed before
    each page (the monitor's UI may ask the thread to give way)."""
    from hfwatch.hub.guard import HubError, PollCancelled, PollDeadline

    deadline = time.monotonic() + (deadline_s or DEFAULT_DEADLINE_S[Lane.DEEP])
    guard = poller.client.guard(deadline=deadline, cancel=cancel, on_status=on_status, pace=pace)
    out = DeepOutcome(status="paused", stats=guard.stats)
    lock: contextlib.AbstractContextManager[object] = save_lock or contextlib.nullcontext()
    try:
        with lock:
            walk = deepwalk.open_walk(store.conn, floor, poller.clock())
        out.resumed = walk.pages > 0
        out.reason = budget_short(poller, reserve_share, lanes_need)
        if out.reason is None:
            _walk_pages(poller, store, walk, guard, out, _Hooks(lock, on_page, reserve_share, lanes_need))
    except PollCancelled:
        out.status, out.reason = "cancelled", "cancelled"
    except PollDeadline as err:
        out.status, out.reason = "paused", str(err)
    except HubError as err:
        out.status, out.reason = "failed", str(err)
    except sqlite3.Error as err:
        out.status = "failed"
        out.reason = str(
            sqlite_failure(
                store.path, err, doing="storing a deep-lane page", outcome="the walk keeps the pages stored before it"
            )
        )
    try:
        with lock:
            out.walk = walks.latest(store.conn)
    except PollCancelled:  # the monitor is closing its store: the walk as stored is read next time
        out.status, out.reason = "cancelled", "cancelled"
    return out


@dataclass(frozen=True, slots=True)
class _Hooks:
    lock: contextlib.AbstractContextManager[object]
    on_page: Callable[[Walk], None] | None
    reserve_share: float
    lanes_need: LanesNeed | None


def _walk_pages(poller: Poller, store: Store, walk: Walk, guard: PollGuard, out: DeepOutcome, hooks: _Hooks) -> None:
    from hfwatch.hub.guard import PollCancelled
    from hfwatch.hub.plan import deep_lane

    sent = read = 0
    for page, cursor in poller.client.walk(deep_lane(walk.cursor), guard):
        t = int(guard.stats.hub_last if poller.hub_clock and guard.stats.hub_last is not None else poller.clock())
        # Each page is stored as a poll of its own: its polls row carries what that page cost.
        requests, sent = guard.stats.requests - sent, guard.stats.requests
        size, read = guard.stats.bytes - read, guard.stats.bytes
        done = cursor is None or _below(page.records, floor=walk.floor)
        # Paced like a poll's records: the monitor's UI may ask the thread to give way within a page.
        records = Paced(page.records, guard.pace) if guard.pace is not None else page.records
        result = PollResult(
            lane=Lane.DEEP,
            started=t,
            finished=t,
            records=records,
            stats=PollStats(requests=requests, responses=requests, bytes=size),
        )
        with hooks.lock:
            attributions = poller.attribute(store, records, known=_fresh_lookup(store))
            summary, count = deepwalk.apply_page(
                store.conn, walk, result, attributions, t=t, cursor=cursor, requests=requests, done=done
            )
            stored = walks.latest(store.conn) if hooks.on_page is not None else None
        if hooks.on_page is not None and stored is not None:
            hooks.on_page(stored)
        out.pages += 1
        out.walked += count.walked
        out.new_models += summary.new_models
        guard.say(f"deep walk: page {walk.pages + out.pages}, {walk.walked + out.walked:,} models")
        if done:
            out.status, out.reason = "done", None
            return
        if guard.cancel.is_set():
            raise PollCancelled("poll cancelled")
        out.reason = budget_short(poller, hooks.reserve_share, hooks.lanes_need)
        if out.reason is not None:
            return


def _fresh_lookup(store: Store) -> Callable[[str], Attribution | None]:
    """Stored attributions, cached for one page: a parent stored by an earlier page of the walk is found."""
    cache: dict[str, Attribution | None] = {}

    def known(model_id: str) -> Attribution | None:
        if model_id not in cache:
            cache[model_id] = queries.attribution_of(store.conn, model_id)
        return cache[model_id]

    return known


def _below(records: list[ModelRecord], *, floor: int) -> bool:
    """Whether a page (sorted by downloads) ends below the floor: the pages after it are all below."""
    known = [r.downloads_30d for r in records if r.downloads_30d is not None]
    return bool(known) and known[-1] < floor
