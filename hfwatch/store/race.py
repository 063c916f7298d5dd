"""Per-family time series of a rollup counter, for the race (`hfwatch overtakes`)."""

from __future__ import annotations

import sqlite3

# The rollup column of each counter the race can be run on.
COUNTER_COLUMNS = {"downloads_30d": "d30", "downloads_all_time": "dall"}


def family_counter_series(conn: sqlite3.Connection, scope: str, counter: str) -> dict[str, list[tuple[int, int]]]:
    """Per family, (time of the bucket's last poll, the family's total of `counter`) for every rollup
    bucket of `scope`, oldest first (hourly, daily once maintenance has thinned old history)."""
    column = COUNTER_COLUMNS[counter]
    out: dict[str, list[tuple[int, int]]] = {}
    rows = conn.execute(f"SELECT family, t, {column} FROM rollups WHERE scope = ? ORDER BY family, h", (scope,))
    for family, t, value in rows:
        out.setdefault(family, []).append((int(t), int(value)))
    return out
