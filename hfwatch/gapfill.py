"""New releases after a gap (DESIGN §5): when the fast lane's newest listing no longer reaches back to the
newest release already stored (the monitor was off for longer than that listing covers), the listing sorted
by `createdAt` is walked further, page by page, down to that release, so that the origin share of new
releases has no hole.

The hole shows in the fast poll itself, at no extra request: the newest listing is the `NEWEST_LIMIT` most
recent repos, so if at least that many of the poll's records are newer than the newest stored one, the
listing stopped before reaching it (a trending record newer than it that the newest listing missed means
the listing is full of records newer still).

One fast poll walks at most `MAX_GAP_PAGES` pages. A gap it cannot close is noted in the store
(`hfwatch.store.releasegaps`: the range still open and the Hub's cursor where the walk goes on), and the next
fast polls go on from there until it is closed; meanwhile the monitor and `hfwatch poll` say the release
feed has a hole. The note is written so that a poll that fails to save never hides a hole: before the save,
what is true whether or not the save succeeds; after it, what is left.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hfwatch.engine import DEFAULT_DEADLINE_S, Poller, PollOutcome, StatusCallback, merge_records
from hfwatch.pacing import Checkpoint, no_checkpoint
from hfwatch.records import Lane, ModelRecord, PollResult, PollStats
from hfwatch.store import Store, releasegaps
from hfwatch.store.releasegaps import ReleaseHole
from hfwatch.store.wholehub import newest_created

if TYPE_CHECKING:
    from hfwatch.hub.guard import PollGuard

GAP_PAGE_SIZE = 1000
# A gap of weeks on the real Hub is tens of pages: the bound keeps one fast poll from spending a whole
# rate window; what is left of the gap goes on at the next fast polls.
MAX_GAP_PAGES = 60


@dataclass(frozen=True, slots=True)
class KnownGaps:
    """What the store says before a fast poll: its newest release and the holes noted earlier."""

    last_seen: int | None
    holes: tuple[ReleaseHole, ...] = ()


@dataclass(frozen=True, slots=True)
class GapFill:
    pages: int
    records: int  # records the walks listed (the fast poll's own aside)
    complete: bool  # no hole left once the poll is saved
    reason: str | None = None  # why a walk stopped short
    noted: tuple[ReleaseHole, ...] = ()  # the holes noted before this poll
    holes_before: tuple[ReleaseHole, ...] = ()  # to note before the save: true whether or not it succeeds
    holes: tuple[ReleaseHole, ...] = ()  # left once the poll is saved


@dataclass
class _Walks:
    """The walks of one fast poll: their pages, records and what is left of each hole."""

    guard: PollGuard
    pages_left: int
    batches: list[list[ModelRecord]] = field(default_factory=list)
    pages: int = 0
    reason: str | None = None


def known_gaps(conn: sqlite3.Connection) -> KnownGaps:
    """Read under the writer's lock before the fast poll is fetched."""
    try:
        holes = tuple(releasegaps.load(conn))
    except sqlite3.DatabaseError:
        # A note hfwatch cannot read (the monitor says so) must not stop the fast lane: the polls go on, and
        # the note stays until a new hole replaces it.
        holes = ()
    return KnownGaps(newest_created(conn), holes)


def has_gap(records: list[ModelRecord], last_seen: int | None, listed: int) -> bool:
    """Whether a fast poll whose newest listing had `listed` repos left releases unlisted since `last_seen`."""
    if last_seen is None:
        return False  # a new file: there is no earlier history for a hole to be in
    return sum(1 for r in records if r.created_at is not None and r.created_at > last_seen) >= listed


def fill_fast_poll(
    poller: Poller,
    result: PollResult,
    known: KnownGaps,
    *,
    cancel: threading.Event | None = None,
    on_status: StatusCallback | None = None,
) -> GapFill | None:
    """After a fetched fast poll: list the releases of a new gap since `known.last_seen` that its newest
    listing missed, and go on with the holes noted earlier (None: neither)."""
    from hfwatch.hub.plan import NEWEST_LIMIT

    if not result.ok:
        return None
    fresh = None
    if has_gap(result.records, known.last_seen, NEWEST_LIMIT):
        assert known.last_seen is not None
        fresh = ReleaseHole(known.last_seen, None, None)
    if fresh is None and not known.holes:
        return None
    return fill_holes(poller, result, fresh, known.holes, cancel=cancel, on_status=on_status)


def fill_holes(
    poller: Poller,
    result: PollResult,
    fresh: ReleaseHole | None,
    noted: tuple[ReleaseHole, ...],
    *,
    cancel: threading.Event | None = None,
    on_status: StatusCallback | None = None,
) -> GapFill:
    """Add to the fast poll `result` the releases of the gap `fresh` (from the top of the listing), then of
    the holes noted earlier, newest first, within `MAX_GAP_PAGES`; what it cost is added to its stats."""
    guard = poller.client.guard(
        deadline=time.monotonic() + DEFAULT_DEADLINE_S[Lane.SLOW], cancel=cancel, on_status=on_status
    )
    walks = _Walks(guard, MAX_GAP_PAGES, [result.records])
    fresh_left = _walk(poller, walks, fresh) if fresh is not None else None
    left = [_walk(poller, walks, hole) for hole in noted]
    listed = sum(len(b) for b in walks.batches[1:])
    result.records = merge_records(walks.batches)
    _add_cost(result.stats, guard.stats)
    opened = [fresh_left] if fresh_left is not None else []
    holes = _tidy([*opened, *(h for h in left if h is not None)])
    before = _tidy([*opened, *noted])
    return GapFill(walks.pages, listed, not holes, walks.reason, noted, tuple(before), tuple(holes))


def _walk(poller: Poller, walks: _Walks, hole: ReleaseHole) -> ReleaseHole | None:
    """Walk the listing by `createdAt` from the hole's cursor while pages are left: what is left of it."""
    from hfwatch.hub.client import Query
    from hfwatch.hub.guard import HubError, PollCancelled, PollDeadline

    if walks.pages_left <= 0 or walks.reason is not None:
        return hole
    since = releasegaps.stamp(hole.since)
    query = Query(label=f"releases since {since}", sort="created_at", page_size=GAP_PAGE_SIZE, cursor=hole.cursor)
    until, cursor, read = hole.until, hole.cursor, 0
    try:
        for page, after in poller.client.walk(query, walks.guard):
            read += 1
            walks.pages, walks.pages_left = walks.pages + 1, walks.pages_left - 1
            walks.batches.append([r for r in page.records if r.created_at is None or r.created_at > hole.since])
            known = [r.created_at for r in page.records if r.created_at is not None]
            if after is None or (known and min(known) <= hole.since):
                return None  # the walk reached the release stored before the gap: closed
            # Everything from the walk's start down to this page is listed now: the hole shrinks to below it.
            cursor = after
            if known:
                until = min(known) if until is None else min(until, min(known))
            if walks.pages_left <= 0:
                walks.reason = f"stopped after {walks.pages} pages"
                break
            walks.guard.say(f"fast poll: new releases since {since}, page {walks.pages + 1}")
    except HubError as err:  # what was listed before it stays: the fast poll itself went well
        walks.reason = str(err)
        if read == 0 and hole.cursor is not None and not isinstance(err, (PollCancelled, PollDeadline)):
            cursor = None  # a cursor the Hub would not take (it may expire): from the top next time
    return ReleaseHole(hole.since, until, cursor)


def _tidy(holes: list[ReleaseHole]) -> list[ReleaseHole]:
    """Newest first, without the empty ones and those another covers (a gap found again after a poll that
    was not saved covers the part of it noted before)."""
    kept: list[ReleaseHole] = []
    # Widest first (stable: of two equal ranges the first given stays), so a hole is only checked against wider.
    for hole in sorted(holes, key=lambda h: (h.since, -(h.until if h.until is not None else 2**62))):
        if (hole.until is None or hole.until > hole.since) and not any(k.covers(hole) for k in kept):
            kept.append(hole)
    return sorted(kept, key=lambda h: h.since, reverse=True)


def save_fast_poll(
    poller: Poller, store: Store, result: PollResult, fill: GapFill | None, pace: Checkpoint = no_checkpoint
) -> PollOutcome:
    """Store a poll with its note of the release holes: the note written before the save holds whether or
    not the save succeeds, so a failed save (or a kill between the two writes) never hides a hole."""
    if fill is None:
        return poller.save(store, result, pace=pace)
    if fill.holes_before != fill.noted:
        try:
            releasegaps.save(store.conn, list(fill.holes_before))
        except sqlite3.Error as err:
            result.error = f"could not note the gap in the release feed ({err}); the poll was not stored"
            return poller.save(store, result, pace=pace)
    outcome = poller.save(store, result, pace=pace)
    if outcome.ok and fill.holes != fill.holes_before:
        # Failing here leaves the note written before: the next poll walks some pages again, harmlessly.
        with contextlib.suppress(sqlite3.Error):
            releasegaps.save(store.conn, list(fill.holes))
    return outcome


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
