"""The latest trending ranking, and the entries into its top N that the feed shows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

TRENDING_TOP_N = 20


def trending_events(
    conn: sqlite3.Connection, trending: list[str], mid_of: Callable[[str], int | None], t: int, pid: int
) -> list[tuple]:
    """Store this poll's ranking (model ids, best first) and return the feed events of its entries."""
    if not trending:
        return []
    ranking: list[tuple[int, int]] = []
    for rank, model_id in enumerate(trending, start=1):
        mid = mid_of(model_id)
        if mid is not None:
            ranking.append((mid, rank))
    previous = dict(conn.execute("SELECT mid, rank FROM trending").fetchall())
    conn.execute("DELETE FROM trending")
    conn.executemany("INSERT OR IGNORE INTO trending (mid, rank) VALUES (?,?)", ranking)
    if not previous:
        # The first ranking we see is a baseline, not a burst of "entries".
        return []
    # Entries of untracked models too: the feed's readers choose which families they show.
    return [
        (t, "trending", mid, rank, pid)
        for mid, rank in ranking
        if rank <= TRENDING_TOP_N and previous.get(mid, TRENDING_TOP_N + 1) > TRENDING_TOP_N
    ]
