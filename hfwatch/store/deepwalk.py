"""The deep lane's walks in the store: progress, cursor and coverage, page by page (DESIGN §5).

Each page is applied in one transaction with the walk's progress: its models go through the same ingest as
any poll, and the walk's cursor, counts and the models it counted move in the same commit. A walk killed or
failed at any point leaves the pages before it fully stored and counted, and none of the page it was on, so
`hfwatch poll --lane deep` resumes at the stored cursor with totals that add up. Applying per page, not once
at the end, keeps memory bounded by one page however far the walk goes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from hfwatch.records import Attribution, PollResult
from hfwatch.store.ingest import IngestSummary, ingest_in_transaction
from hfwatch.store.walks import Walk, latest

_CHUNK = 900


@dataclass(frozen=True, slots=True)
class PageCount:
    """What one page added to its walk."""

    walked: int
    downloads: int
    tracked: int


def open_walk(conn: sqlite3.Connection, floor: int, t: float) -> Walk:
    """The walk in progress at this floor (to resume), else a new walk from the top."""
    current = latest(conn)
    if current is not None and current.finished is None and current.floor == floor:
        return current
    conn.execute("BEGIN IMMEDIATE")
    try:
        # A walk left unfinished at another floor is abandoned: its counts stay, marked never finished.
        conn.execute("DELETE FROM deep_seen")
        conn.execute("INSERT INTO deep_walks (floor, started, updated) VALUES (?,?,?)", (floor, t, t))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    walk = latest(conn)
    assert walk is not None
    return walk


def apply_page(
    conn: sqlite3.Connection,
    walk: Walk,
    result: PollResult,
    attributions: Mapping[str, Attribution],
    *,
    t: int,
    cursor: str | None,
    requests: int,
    done: bool,
) -> tuple[IngestSummary, PageCount]:
    """Store one page's models and advance the walk, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        summary = ingest_in_transaction(conn, result, attributions, t=t, with_mids=True)
        count = _count(conn, result, attributions, walk.floor, summary.mids)
        d30s = [r.downloads_30d for r in result.records if r.downloads_30d is not None]
        lowest = min(d30s) if d30s else None
        conn.execute(
            "UPDATE deep_walks SET updated = :t, finished = :finished, cursor = :cursor, pages = pages + 1,"
            " requests = requests + :requests, listed = listed + :listed, walked = walked + :walked,"
            " downloads = downloads + :downloads, tracked = tracked + :tracked,"
            " lowest = CASE WHEN :low IS NULL THEN lowest ELSE min(coalesce(lowest, :low), :low) END"
            " WHERE wid = :wid",
            {
                "t": t,
                "finished": t if done else None,
                "cursor": cursor,
                "requests": requests,
                "listed": len(result.records),
                "walked": count.walked,
                "downloads": count.downloads,
                "tracked": count.tracked,
                "low": lowest,
                "wid": walk.wid,
            },
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return summary, count


def finish(conn: sqlite3.Connection, walk: Walk, t: float) -> None:
    """Close a walk that ended without a page to close it (the Hub's listing ran out)."""
    conn.execute("UPDATE deep_walks SET finished = ?, updated = ? WHERE wid = ? AND finished IS NULL", (t, t, walk.wid))


def _count(
    conn: sqlite3.Connection,
    result: PollResult,
    attributions: Mapping[str, Attribution],
    floor: int,
    mids: Mapping[str, int],
) -> PageCount:
    """The page's models at or above the floor that this walk has not counted yet, and their downloads.

    The walk's counted models are kept by row number, not name: the listing comes in the order the first walk
    stored its models in, so each page's marks land at the end of the table instead of all over it (by name,
    every page rewrote most of a million-row index)."""
    above = {
        mids[r.id]: r.downloads_30d
        for r in result.records
        if r.downloads_30d is not None and r.downloads_30d >= floor and r.id in mids
    }
    keys = sorted(above)
    counted: set[int] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        counted.update(row[0] for row in conn.execute(f"SELECT mid FROM deep_seen WHERE mid IN ({marks})", chunk))
    fresh = [m for m in keys if m not in counted]
    conn.executemany("INSERT INTO deep_seen (mid) VALUES (?)", [(m,) for m in fresh])
    downloads = sum(above[m] for m in fresh)
    tracked = 0
    by_mid = {mids[r.id]: r.id for r in result.records if r.id in mids}
    for m in fresh:
        attr = attributions.get(by_mid[m])
        if attr is not None and attr.family is not None:
            tracked += above[m]
    return PageCount(len(fresh), downloads, tracked)
