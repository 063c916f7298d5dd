"""Reads about the Hub beyond the tracked families: the newest release stored (where a back-fill of new
releases stops) and what no family claims (the leaderboard's untracked row)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from hfwatch.store.walks import Walk, latest


@dataclass(frozen=True, slots=True)
class Untracked:
    """The stored models no family claims, with their latest counters (None: none reported one)."""

    models: int
    downloads_30d: int | None
    downloads_all_time: int | None


def newest_created(conn: sqlite3.Connection) -> int | None:
    """The latest `createdAt` of any stored model (None in an empty file)."""
    row = conn.execute("SELECT max(created_at) FROM models").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def untracked(conn: sqlite3.Connection) -> Untracked:
    # sum() of no known value is NULL: unknown, never 0.
    n, d30, dall = conn.execute("SELECT count(*), sum(d30), sum(dall) FROM models WHERE family IS NULL").fetchone()
    return Untracked(int(n), d30, dall)


def walk_starts(conn: sqlite3.Connection, since: float, until: float) -> list[float]:
    """When each deep walk that ran in [since, until] began (at `since` for one begun before): from there on,
    the models it found count in the ecosystem figures, so a chart's step there is coverage, not growth."""
    return [
        max(float(started), since)
        for _floor, started, updated, finished in walk_list(conn)
        if started <= until and (finished if finished is not None else updated) >= since
    ]


def walk_list(conn: sqlite3.Connection) -> list[tuple[int, float, float, float | None]]:
    """Every deep walk, oldest first: (floor, started, updated, finished). None in a file from before the
    deep lane."""
    try:
        return conn.execute("SELECT floor, started, updated, finished FROM deep_walks ORDER BY wid").fetchall()
    except sqlite3.OperationalError:
        return []


def walks(conn: sqlite3.Connection) -> tuple[Walk | None, Walk | None]:
    """The latest deep walk and the latest finished one; none in a file from before the deep lane (read-only,
    not migrated yet)."""
    try:
        return latest(conn), latest(conn, finished=True)
    except sqlite3.OperationalError:
        return None, None
