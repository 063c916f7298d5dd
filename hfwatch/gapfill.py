"""New releases after a gap (DESIGN §5): when the fast lane's newest listing no longer reaches back to the
newest release already stored (the monitor was off for longer than that listing covers), the listing sorted
by `createdAt` is walked further, page by page, down to that release, so that the origin share of new
releases has no hole.

The hole shows in the fast poll itself, at no extra request: the newest listing is the `NEWEST_LIMIT` most
recent repos, so if at least that many of the poll's records are newer than the newest stored one, the
listing stopped before reaching it (a trending record newer than it that the newest listing missed means
the listing is full of records newer still).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from hfwatch.engine import DEFAULT_DEADLINE_S, Poller, StatusCallback, merge_records
from hfwatch.records import Lane, ModelRecord, PollResult, PollStats

GAP_PAGE_SIZE = 1000
# A gap of weeks on the real Hub is tens of pages: the bound keeps one fast poll from spending a whole
# rate window, and the walk says when it stopped short.
MAX_GAP_PAGES = 60


@dataclass(frozen=True, slots=True)
class GapFill:
    pages: int
    records: int  # records newer than the newest stored release, the fast poll's own included
    complete: bool  # the walk reached the newest stored release
    reason: str | None = None  # why it stopped short


def has_gap(records: list[ModelRecord], last_seen: int | None, listed: int) -> bool:
    """Whether a fast poll whose newest listing had `listed` repos left releases unlisted since `last_seen`."""
    if last_seen is None:
        return False  # a new file: there is no earlier history for a hole to be in
    return sum(1 for r in records if r.created_at is not None and r.created_at > last_seen) >= listed


def fill_fast_poll(
    poller: Poller,
    result: PollResult,
    last_seen: int | None,
    *,
    cancel: threading.Event | None = None,
    on_status: StatusCallback | None = None,
) -> GapFill | None:
    """After a fetched fast poll: the releases since `last_seen` its newest listing missed (None: no gap)."""
    from hfwatch.hub.plan import NEWEST_LIMIT

    if last_seen is None or not result.ok or not has_gap(result.records, last_seen, NEWEST_LIMIT):
        return None
    return fill_gap(poller, result, last_seen, cancel=cancel, on_status=on_status)


def fill_gap(
    poller: Poller,
    result: PollResult,
    last_seen: int,
    *,
    cancel: threading.Event | None = None,
    on_status: StatusCallback | None = None,
) -> GapFill:
    """Add to the fast poll `result` every release listed since `last_seen`; what it cost is added to its stats."""
    from hfwatch.hub.client import Query
    from hfwatch.hub.guard import HubError

    since = datetime.fromtimestamp(last_seen, UTC).strftime("%Y-%m-%d %H:%M")
    query = Query(label=f"releases since {since}", sort="created_at", page_size=GAP_PAGE_SIZE)
    guard = poller.client.guard(
        deadline=time.monotonic() + DEFAULT_DEADLINE_S[Lane.SLOW], cancel=cancel, on_status=on_status
    )
    batches, pages, complete, reason = [result.records], 0, False, None
    try:
        for page, cursor in poller.client.walk(query, guard):
            pages += 1
            batches.append([r for r in page.records if r.created_at is None or r.created_at > last_seen])
            known = [r.created_at for r in page.records if r.created_at is not None]
            if cursor is None or (known and min(known) <= last_seen):
                complete = True
                break
            if pages >= MAX_GAP_PAGES:
                reason = f"stopped after {pages} pages"
                break
            guard.say(f"fast poll: new releases since {since}, page {pages + 1}")
    except HubError as err:  # what was listed before it stays: the fast poll itself went well
        reason = str(err)
    result.records = merge_records(batches)
    _add_cost(result.stats, guard.stats)
    newer = sum(1 for r in result.records if r.created_at is not None and r.created_at > last_seen)
    return GapFill(pages, newer, complete, reason)


def _add_cost(stats: PollStats, extra: PollStats) -> None:
    for name in ("requests", "responses", "bytes", "retries", "skipped", "bad_fields"):
        setattr(stats, name, getattr(stats, name) + getattr(extra, name))
    stats.waited_s += extra.waited_s
    if extra.rate_remaining is not None:
        stats.rate_remaining, stats.rate_limit, stats.rate_reset_at = (
            extra.rate_remaining,
            extra.rate_limit,
            extra.rate_reset_at,
        )
