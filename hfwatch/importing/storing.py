"""Storing a read listing as one poll, through the code a poll is stored by, once per file and time."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hfwatch.importing.errors import ImportError_
from hfwatch.importing.listing import Listing
from hfwatch.records import Lane, PollResult, PollStats
from hfwatch.registry import Registry
from hfwatch.store import Store
from hfwatch.store.db import sqlite_failure
from hfwatch.store.ingest import IngestSummary
from hfwatch.store.maintenance import maintain_if_due

__all__ = ["META_PREFIX", "Imported", "check_listing", "history_end", "listing_time", "meta_key", "store_listing"]

META_PREFIX = "import:"


def listing_time(listing: Listing, at: float | None) -> float:
    """The time the listing is stored at: `--at` when given, else the file's own."""
    if at is not None:
        return at
    if listing.time_error is not None:
        raise ImportError_(listing.time_error)
    if listing.at is None:
        raise ImportError_(
            f"{listing.name}: the file does not say when it was fetched (no fetched_at or date); pass --at TIMESTAMP"
        )
    return listing.at


@dataclass(frozen=True, slots=True)
class Imported:
    listing: Listing
    t: int
    summary: IngestSummary | None  # None: this file at this time was imported before, nothing changed
    previous: dict[str, Any] | None = None  # what the earlier import recorded


def meta_key(listing: Listing, t: int) -> str:
    return f"{META_PREFIX}{listing.sha256}:{t}"


def history_end(conn: sqlite3.Connection) -> int | None:
    """The latest time the history holds (a poll, an observation or a rollup)."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(t) FROM observations), 0), coalesce((SELECT max(t) FROM rollups), 0),"
        " coalesce((SELECT cast(max(finished) AS INTEGER) FROM polls WHERE status = 'ok'), 0))"
    ).fetchone()
    return int(row[0]) if row and row[0] else None


def check_listing(store: Store, listing: Listing, t: int, end: int | None = None) -> dict[str, Any] | None:
    """What the earlier import of this file at `t` recorded (then it is skipped), else None when it can be
    stored; refuses a listing not later than the history's end (`end`, read from the store if not given)."""
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", (meta_key(listing, t),)).fetchone()
    if row is not None:
        try:
            previous = json.loads(row[0])
        except (TypeError, json.JSONDecodeError):
            previous = {}
        return previous if isinstance(previous, dict) else {}
    end = history_end(store.conn) if end is None else end
    if end is not None and t <= end:
        # Stores (rollups, latest counters) move forward in time; a listing older than the history
        # would overwrite newer counters with older ones.
        raise ImportError_(
            f"{listing.name}: its time {_iso(t)} is not after the history's end ({_iso(end)}) in "
            f"{store.path}; import archives oldest first, before polling, or into a new --db"
        )
    return None


def store_listing(
    store: Store, listing: Listing, t: int, registry: Registry, *, include_reuploaders: bool = True
) -> Imported:
    """Store one listing as a poll at `t` (Unix seconds); a file already imported at `t` is skipped."""
    from hfwatch.engine import merge_records, store_records

    previous = check_listing(store, listing, t)
    if previous is not None:
        return Imported(listing, t, None, previous)
    result = PollResult(
        lane=Lane.IMPORT,
        started=float(min(listing.first_at or t, t)),
        finished=float(t),
        records=merge_records([listing.records]),
        stats=PollStats(),
    )
    try:
        summary = store_records(store, result, registry, include_reuploaders=include_reuploaders)
    except sqlite3.Error as err:
        # The ingest transaction rolled back: one line naming the file, nothing half-stored.
        raise sqlite_failure(
            store.path, err, doing=f"storing {listing.name}", outcome="the listing was not imported"
        ) from None
    # Written right after the poll's own transaction: were it lost in a crash, a second import of
    # the file is still refused by the ordering rule above, so nothing is ever stored twice.
    value = json.dumps(
        {"file": listing.name, "sha256": listing.sha256, "t": t, "pid": summary.pid, "models": summary.models}
    )
    store.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (meta_key(listing, t), value))
    # As after a slow poll (a listing is a full one): retention and downsampling, at most once per day
    # of the data's clock, so a year of archives ends up as small as a year of polls.
    maintain_if_due(store.conn, t)
    return Imported(listing, t, summary)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
