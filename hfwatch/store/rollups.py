"""Reads of the per-hour rollups (family x scope): the series the leaderboards and charts are drawn from."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

from hfwatch.store.jsonrows import json_rows


class RollupPoint(NamedTuple):
    t: int
    models: int
    d30: int
    dall: int
    growth: int
    tg: int | None = None  # when `growth` was credited (None: no full poll yet)
    tg0: int | None = None  # (tg0, g0): the same pair as of the first poll of this bucket
    g0: int | None = None
    n30: int | None = None  # models that reported downloads_30d (None: a v1 row, read as `models`)
    nall: int | None = None

    @property
    def downloads_30d(self) -> int | None:
        """The sum, or None when no model reported the counter (unknown is never 0)."""
        return self.d30 if (self.models if self.n30 is None else self.n30) else None

    @property
    def downloads_all_time(self) -> int | None:
        return self.dall if (self.models if self.nall is None else self.nall) else None

    def growth_points(self) -> tuple[tuple[int, int], ...]:
        """The (time, growth) pairs this rollup row knows, oldest first."""
        if self.tg is None:
            return ()
        if self.tg0 is None or self.g0 is None or self.tg0 >= self.tg:
            return ((self.tg, self.growth),)
        return ((self.tg0, self.g0), (self.tg, self.growth))


def rollup_series(
    conn: sqlite3.Connection, scope: str, since: int, family: str | None = None
) -> dict[str, list[RollupPoint]]:
    """Per family, the rollup points since `since` (plus the last one before it, as a baseline)."""
    if family is None:
        rows = json_rows(
            conn,
            "family, t, models, d30, dall, growth, tg, tg0, g0, n30, nall",
            "FROM rollups WHERE scope = ? AND h >= coalesce((SELECT max(h) FROM rollups WHERE scope = ?"
            " AND h < ?), ?) ORDER BY h",
            (scope, scope, since, since),
        )
    else:
        rows = json_rows(
            conn,
            "family, t, models, d30, dall, growth, tg, tg0, g0, n30, nall",
            "FROM rollups WHERE family = ? AND scope = ? AND h >= coalesce((SELECT max(h) FROM rollups"
            " WHERE family = ? AND scope = ? AND h < ?), ?) ORDER BY h",
            (family, scope, family, scope, since, since),
        )
    return _by_family(rows)


def _by_family(rows: list[list]) -> dict[str, list[RollupPoint]]:
    out: dict[str, list[RollupPoint]] = {}
    for fam, *rest in rows:
        points = out.get(fam)
        if points is None:
            points = out[fam] = []
        points.append(RollupPoint(*rest))
    return out


# Families by a skip-scan of the (family, scope, h) index: one seek each; `base.lo` is where a series
# since :since starts (its last point before :since, as a baseline).
_FAMILIES_AND_BASE = (
    "WITH RECURSIVE fam(family) AS ("
    " SELECT (SELECT min(family) FROM rollups)"
    " UNION ALL SELECT (SELECT min(family) FROM rollups WHERE family > fam.family) FROM fam"
    " WHERE fam.family IS NOT NULL),"
    " base(lo) AS (SELECT coalesce((SELECT max(h) FROM rollups WHERE scope = :scope AND h < :since), :since))"
)


def first_point_time(conn: sqlite3.Connection, scope: str, since: int) -> int | None:
    """The earliest first point of the families' `rollup_series(conn, scope, since)`: where the history
    the leaderboard reads starts, by one seek per family."""
    row = conn.execute(
        _FAMILIES_AND_BASE + " SELECT min((SELECT r.t FROM rollups r WHERE r.family = fam.family"
        " AND r.scope = :scope AND r.h >= base.lo ORDER BY r.h LIMIT 1)) FROM fam, base WHERE fam.family IS NOT NULL",
        {"scope": scope, "since": since},
    ).fetchone()
    return row[0] if row else None


def rollup_series_at(
    conn: sqlite3.Connection, scope: str, since: int, times: Iterable[int]
) -> dict[str, list[RollupPoint]]:
    """`rollup_series(conn, scope, since)` cut down to each family's first point and, for every t in
    `times`, its last point at or before t.

    Code that reads a series only through "the last point at or before t" for those t (and its first
    point) gets the same answer from this as from the whole series: any subset of the points that
    keeps those does. It costs O(families x times) index seeks, however dense the history (a 14-day
    window of hourly rollups is ~340 points per family; a sparkline needs ~25).
    """
    rows = json_rows(
        conn,
        "r.family, r.t, r.models, r.d30, r.dall, r.growth, r.tg, r.tg0, r.g0, r.n30, r.nall",
        "FROM ("
        + _FAMILIES_AND_BASE
        + " SELECT fam.family, (SELECT r.h FROM rollups r WHERE r.family = fam.family AND r.scope = :scope"
        " AND r.h >= base.lo ORDER BY r.h LIMIT 1) AS h FROM fam, base WHERE fam.family IS NOT NULL"
        " UNION SELECT fam.family, (SELECT r.h FROM rollups r WHERE r.family = fam.family AND r.scope = :scope"
        " AND r.h >= base.lo AND r.h <= at.value AND r.t <= at.value ORDER BY r.h DESC LIMIT 1)"
        " FROM fam, base, json_each(:times) at WHERE fam.family IS NOT NULL) pick"
        " JOIN rollups r ON r.scope = :scope AND r.h = pick.h AND r.family = pick.family ORDER BY r.family, r.h",
        {"scope": scope, "since": since, "times": json.dumps(sorted({int(t) for t in times}))},
    )
    return _by_family(rows)


# The scopes by a skip-scan of the rollups key (scope, h, family), then each scope's first or last hour by
# a seek: a rollup's t lies in its hour bucket h, so the first/last t is in the first/last bucket. A plain
# min(t)/max(t) would read every rollup, and the monitor asks for "now" on every refresh.
_SCOPES = (
    "WITH RECURSIVE s(scope) AS (SELECT min(scope) FROM rollups UNION ALL"
    " SELECT (SELECT min(scope) FROM rollups WHERE scope > s.scope) FROM s WHERE s.scope IS NOT NULL) "
)


def first_rollup_time(conn: sqlite3.Connection) -> int | None:
    row = conn.execute(
        _SCOPES + "SELECT min(r.t) FROM s JOIN rollups r ON r.scope = s.scope"
        " AND r.h = (SELECT min(h) FROM rollups WHERE scope = s.scope)"
    ).fetchone()
    return row[0] if row else None


def last_rollup_time(conn: sqlite3.Connection) -> int | None:
    row = conn.execute(
        _SCOPES + "SELECT max(r.t) FROM s JOIN rollups r ON r.scope = s.scope"
        " AND r.h = (SELECT max(h) FROM rollups WHERE scope = s.scope)"
    ).fetchone()
    return row[0] if row else None
