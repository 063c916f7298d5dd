"""What the store already holds of the models a poll lists: one read of their rows, by name.

Rows are plain tuples read by position (the constants below): a poll reads tens of thousands of them,
and a named tuple per row costs more than the read itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from hfwatch.pacing import PACE_EVERY, Checkpoint, no_checkpoint

_CHUNK = 900  # below SQLite's default limit of bound parameters
# Above this share of the models table, one sequential scan beats probing the id index per record.
_SCAN_SHARE = 0.3
_PACE_ROWS = 16 * PACE_EVERY  # a stored row costs a few µs to read, a listed record ~0.1 ms to attribute

# The columns of a stored row, in this order.
COLUMNS = (
    "id",
    "mid",
    "d30",
    "dall",
    "likes",
    "trend",
    "family",
    "base_family",
    "publisher_family",
    "via",
    "country",
    "base_model",
    "created_at",
    "pipeline",
    "library",
    "params",
    "gated",
    "last_seen",
    "t",
    "ea",  # the latest rate endpoint: its refresh instant...
    "ev",  # ...and the downloadsAllTime it holds
    "followed",  # when a fast or slow lane last listed it (hfwatch.store.followed)
)
MID, DALL = 1, 3
COUNTERS = slice(2, 6)  # d30, dall, likes, trend
ATTRIBUTION = slice(6, 12)  # family, base_family, publisher_family, via, country, base_model
META = slice(12, 17)  # created_at, pipeline, library, params, gated
FAMILY, VIA, D30 = 6, 9, 2
LAST_SEEN, T, EA, EV, FOLLOWED = 17, 18, 19, 20, 21

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM models"


def _chunks(items: list[str], size: int = _CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_rows(conn: sqlite3.Connection, ids: Sequence[str], pace: Checkpoint = no_checkpoint) -> dict[str, tuple]:
    """The stored row of each of `ids` that the store holds, by id; `pace` between pieces of the read (a
    50k-model poll reads for ~0.1–0.3 s: the monitor's UI may ask the poll's thread to give way)."""
    max_mid = conn.execute("SELECT coalesce(max(mid), 0) FROM models").fetchone()[0]
    if not max_mid:
        return {}
    existing: dict[str, tuple] = {}
    if len(ids) >= _SCAN_SHARE * max_mid:
        rows = conn.execute(_SELECT)
        while True:
            pace()
            batch = rows.fetchmany(_PACE_ROWS)
            if not batch:
                return existing
            existing.update((row[0], row) for row in batch)
    # Sorted, so consecutive probes of the id index land on pages just read.
    for chunk in _chunks(sorted(ids)):
        pace()
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"{_SELECT} WHERE id IN ({marks})", chunk):
            existing[row[0]] = row
    return existing
