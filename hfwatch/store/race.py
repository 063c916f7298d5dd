"""Per-family time series of a rollup counter, for the race (`hfwatch overtakes`, the race screen)."""

from __future__ import annotations

import sqlite3

from hfwatch.store.schema import ROLLUP_BUCKET_S

# The rollup column of each counter the race can be run on.
COUNTER_COLUMNS = {"downloads_30d": "d30", "downloads_all_time": "dall"}
# How many of the family's models reported each counter: none means the total is unknown, not 0.
_REPORTED = {"d30": "n30", "dall": "nall"}


def family_counter_series(
    conn: sqlite3.Connection, scope: str, counter: str, since: int | None = None
) -> dict[str, list[tuple[int, int | None]]]:
    """Per family, (time of the bucket's last poll, the family's total of `counter`) for every rollup
    bucket of `scope` (from `since`, when given), oldest first (hourly, daily once maintenance has
    thinned old history)."""
    column = COUNTER_COLUMNS[counter]
    out: dict[str, list[tuple[int, int | None]]] = {}
    sql = f"SELECT family, t, CASE WHEN {_REPORTED[column]} > 0 THEN {column} END FROM rollups WHERE scope = ?"
    args: tuple[object, ...] = (scope,)
    if since is not None:
        # The bucket key bounds the scan on the (scope, h, family) key; t is the exact cut.
        sql += " AND h >= ? AND t >= ?"
        args = (scope, since - since % ROLLUP_BUCKET_S, since)
    for family, t, value in conn.execute(sql + " ORDER BY family, h", args):
        out.setdefault(family, []).append((int(t), None if value is None else int(value)))
    return out
