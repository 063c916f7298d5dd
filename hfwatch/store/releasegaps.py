"""Holes in the release feed that a fast poll could not back-fill at once (DESIGN §5), kept in `meta` so the
next fast polls go on with them, in this run of the monitor or the next, and the monitor can say so.

A hole is a range of `createdAt` (`since`, `until`] whose releases may be missing from the store, and where
the walk of the listing sorted by `createdAt` goes on: the Hub's cursor after the last page read (None:
from the top of the listing).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

KEY = "release_holes"


@dataclass(frozen=True, slots=True)
class ReleaseHole:
    """A range of creation times whose releases may be missing after a gap in the fast polls."""

    since: int  # the newest release stored before the gap: the releases after it...
    until: int | None  # ...up to this `createdAt` (inclusive) may be missing; None: up to the newest
    cursor: str | None  # where the walk by `createdAt` goes on; None: from the top

    def covers(self, other: ReleaseHole) -> bool:
        """Whether this hole's range holds all of `other`'s (walking this one back-fills that one too)."""
        if self.since > other.since:
            return False
        return self.until is None or (other.until is not None and other.until <= self.until)


def load(conn: sqlite3.Connection) -> list[ReleaseHole]:
    """The holes noted, newest first; none in a file that never had one (or from before this note)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY,)).fetchone()
    if row is None or not row[0]:
        return []
    try:
        holes = [ReleaseHole(int(h["since"]), _int_or_none(h["until"]), h["cursor"]) for h in json.loads(row[0])]
    except (ValueError, TypeError, KeyError) as err:
        # A note we cannot read must not pass for "no hole": the file says something we do not understand.
        raise sqlite3.DatabaseError(f"meta {KEY!r} is not a list of release holes: {err}") from None
    return sorted(holes, key=lambda h: h.since, reverse=True)


def save(conn: sqlite3.Connection, holes: list[ReleaseHole]) -> None:
    """Replace the noted holes with `holes` (none: the note goes), in a transaction of its own."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if holes:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (KEY, json.dumps([asdict(h) for h in holes])),
            )
        else:
            conn.execute("DELETE FROM meta WHERE key = ?", (KEY,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def hole_note(holes: tuple[ReleaseHole, ...] | list[ReleaseHole], *, short: bool = False) -> str | None:
    """What to say of the holes left in the release feed (None: there is none)."""
    if not holes:
        return None
    newest = holes[0]
    more = f" (+{len(holes) - 1} older)" if len(holes) > 1 else ""
    fmt = "%m-%d %H:%M" if short else "%Y-%m-%d %H:%M"
    if newest.until is None:
        return f"releases since {stamp(newest.since, fmt)} not yet back-filled{more}"
    filled = f"releases back-filled to {stamp(newest.until, fmt)}"
    if short:
        return f"{filled}; older gap not yet{more}"
    return f"{filled} UTC; the gap back to {stamp(newest.since, fmt)} not yet filled{more}"


def stamp(t: int, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A `createdAt` as the notes write it (UTC)."""
    return datetime.fromtimestamp(t, UTC).strftime(fmt)
