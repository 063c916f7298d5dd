"""Reading many rows in one step of a statement, as one JSON value."""

from __future__ import annotations

import json
import sqlite3


def json_rows(conn: sqlite3.Connection, columns: str, rest: str, args: object = ()) -> list[list]:
    """`SELECT columns rest` as one JSON value: one step of the statement for the whole result.

    Python's sqlite3 lets go of the GIL for every row it steps; while a poll's thread keeps the GIL busy,
    taking it back can cost a thread switch interval (5 ms) per row, so a read of a few hundred rows on
    the UI thread stalled the screen. One step is also cheaper than a row object per row. Rows come in
    the inner query's order (an ORDER BY subquery is not flattened into an aggregate).
    """
    names = [f"c{i}" for i in range(columns.count(",") + 1)]
    aliased = ", ".join(f"{expr} AS {name}" for expr, name in zip(split_columns(columns), names, strict=True))
    sql = f"SELECT json_group_array(json_array({', '.join(names)})) FROM (SELECT {aliased} {rest})"
    row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
    return json.loads(row[0]) if row and row[0] else []


def split_columns(columns: str) -> list[str]:
    return [c.strip() for c in columns.split(",")]
