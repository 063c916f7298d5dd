"""Reads. Every dashboard query here touches rollups (families x hours) or one family's rows,
never the whole observation history."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from hfwatch.records import Attribution, Via


# Rows the dashboard reads by the thousand are NamedTuples: immutable like a frozen dataclass, but built
# three times faster (a frozen dataclass sets each field through object.__setattr__).
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


class ModelRow(NamedTuple):
    mid: int
    id: str
    author: str | None
    family: str | None
    base_family: str | None
    publisher_family: str | None
    via: str | None
    country: str | None
    base_model: str | None
    created_at: int | None
    pipeline: str | None
    library: str | None
    params: int | None
    gated: str | None
    first_seen: int
    last_seen: int
    t: int | None
    d30: int | None
    dall: int | None
    likes: int | None
    trend: int | None


_MODEL_COLS = (
    "mid, id, author, family, base_family, publisher_family, via, country, base_model, created_at,"
    " pipeline, library, params, gated, first_seen, last_seen, t, d30, dall, likes, trend"
)


@dataclass(frozen=True, slots=True)
class PollRow:
    pid: int
    lane: str
    started: float
    finished: float
    status: str
    requests: int
    bytes: int
    models: int
    changed: int
    new_models: int
    error: str | None
    rate_remaining: int | None
    rate_limit: int | None
    rate_reset_at: float | None


@dataclass(frozen=True, slots=True)
class EventRow:
    t: int
    kind: str
    rank: int | None
    model: ModelRow


def _rows(conn: sqlite3.Connection, columns: str, rest: str, args: object = ()) -> list[list]:
    """`SELECT columns rest` as one JSON value: one step of the statement for the whole result.

    Python's sqlite3 lets go of the GIL for every row it steps; while a poll's thread keeps the GIL busy,
    taking it back can cost a thread switch interval (5 ms) per row, so a read of a few hundred rows on
    the UI thread stalled the screen. One step is also cheaper than a row object per row. Rows come in
    the inner query's order (an ORDER BY subquery is not flattened into an aggregate).
    """
    names = [f"c{i}" for i in range(columns.count(",") + 1)]
    aliased = ", ".join(f"{expr} AS {name}" for expr, name in zip(_split_columns(columns), names, strict=True))
    sql = f"SELECT json_group_array(json_array({', '.join(names)})) FROM (SELECT {aliased} {rest})"
    row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
    return json.loads(row[0]) if row and row[0] else []


def _split_columns(columns: str) -> list[str]:
    return [c.strip() for c in columns.split(",")]


def rollup_series(
    conn: sqlite3.Connection, scope: str, since: int, family: str | None = None
) -> dict[str, list[RollupPoint]]:
    """Per family, the rollup points since `since` (plus the last one before it, as a baseline)."""
    if family is None:
        rows = _rows(
            conn,
            "family, t, models, d30, dall, growth, tg, tg0, g0, n30, nall",
            "FROM rollups WHERE scope = ? AND h >= coalesce((SELECT max(h) FROM rollups WHERE scope = ?"
            " AND h < ?), ?) ORDER BY h",
            (scope, scope, since, since),
        )
    else:
        rows = _rows(
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
    rows = _rows(
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


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Several reads that see one state of the file (a poll may commit between two statements)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


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


def family_models(
    conn: sqlite3.Connection, family: str, *, first_party_only: bool = False, limit: int | None = None
) -> list[ModelRow]:
    sql = "FROM models WHERE family = ?"
    if first_party_only:
        sql += " AND via = 'org'"
    sql += " ORDER BY d30 DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [ModelRow._make(row) for row in _rows(conn, _MODEL_COLS, sql, (family,))]


def family_newest(conn: sqlite3.Connection, family: str, limit: int) -> list[ModelRow]:
    """A family's most recently created models (unknown creation last), by a range of its creation index."""
    return [
        ModelRow._make(row)
        for row in _rows(
            conn,
            _MODEL_COLS,
            "FROM models INDEXED BY models_family_created WHERE family = ? ORDER BY created_at DESC, d30 DESC LIMIT ?",
            (family, limit),
        )
    ]


def top_models(conn: sqlite3.Connection, *, first_party_only: bool, order: str, limit: int) -> list[ModelRow]:
    column = {"downloads_30d": "d30", "downloads_all_time": "dall", "likes": "likes", "trend": "trend"}[order]
    where = "family IS NOT NULL" + (" AND via = 'org'" if first_party_only else "")
    return [
        ModelRow._make(row)
        for row in _rows(conn, _MODEL_COLS, f"FROM models WHERE {where} ORDER BY {column} DESC LIMIT ?", (limit,))
    ]


def model_by_id(conn: sqlite3.Connection, model_id: str) -> ModelRow | None:
    row = conn.execute(f"SELECT {_MODEL_COLS} FROM models WHERE id = ?", (model_id,)).fetchone()
    return ModelRow(*row) if row else None


def attribution_of(conn: sqlite3.Connection, model_id: str) -> Attribution | None:
    row = conn.execute(
        "SELECT family, via, country, base_family, publisher_family, base_model FROM models WHERE id = ?",
        (model_id,),
    ).fetchone()
    if row is None:
        return None
    family, via, country, base_family, publisher_family, base_model = row
    return Attribution(
        family=family,
        via=Via(via) if via else None,
        country=country,
        base_family=base_family,
        publisher_family=publisher_family,
        base_model=base_model,
    )


def observations(
    conn: sqlite3.Connection, mid: int, since: int = 0
) -> list[tuple[int, int | None, int | None, int | None, int | None]]:
    """(t, d30, dall, likes, trend) of one model, oldest first."""
    return conn.execute(
        "SELECT t, d30, dall, likes, trend FROM observations WHERE mid = ? AND t >= ? ORDER BY t",
        (mid, since),
    ).fetchall()


def dall_series(conn: sqlite3.Connection, mids: list[int], since: int) -> dict[int, list[tuple[int, int]]]:
    """(t, downloadsAllTime) per model since `since`, plus the last point before it.

    One range seek per model on the (mid, t) key: the cost is the points in the window, however long
    the history behind it.
    """
    out: dict[int, list[tuple[int, int]]] = {}
    rows = _rows(
        conn,
        "o.mid, o.t, o.dall",
        "FROM json_each(?) j CROSS JOIN observations o"
        " ON o.mid = j.value AND o.t >= coalesce((SELECT p.t FROM observations p WHERE p.mid = j.value"
        " AND p.t < ? AND p.dall IS NOT NULL ORDER BY p.t DESC LIMIT 1), 0)"
        " WHERE o.dall IS NOT NULL ORDER BY o.mid, o.t",
        (json.dumps(mids), since),
    )
    for mid, t, dall in rows:
        points = out.get(mid)
        if points is None:
            points = out[mid] = []
        points.append((t, dall))
    return out


def latest_polls(conn: sqlite3.Connection, limit: int = 20) -> list[PollRow]:
    return [
        PollRow(*row)
        for row in conn.execute(
            "SELECT pid, lane, started, finished, status, requests, bytes, models, changed, new_models, error,"
            " rate_remaining, rate_limit, rate_reset_at FROM polls ORDER BY pid DESC LIMIT ?",
            (limit,),
        )
    ]


def last_poll(conn: sqlite3.Connection, lane: str | None = None, ok_only: bool = False) -> PollRow | None:
    where, args = [], []
    if lane:
        where.append("lane = ?")
        args.append(lane)
    if ok_only:
        where.append("status = 'ok'")
    sql = (
        "SELECT pid, lane, started, finished, status, requests, bytes, models, changed, new_models, error,"
        " rate_remaining, rate_limit, rate_reset_at FROM polls"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    row = conn.execute(sql + " ORDER BY pid DESC LIMIT 1", args).fetchone()
    return PollRow(*row) if row else None


def recent_events(
    conn: sqlite3.Connection, since: int, limit: int = 200, *, untracked: bool = False, pid: int | None = None
) -> list[EventRow]:
    """Feed events since `since`, newest first: of tracked models only, or (`untracked`) of every model;
    with `pid`, only that poll's."""
    cols = ", ".join("m." + c for c in _split_columns(_MODEL_COLS))
    where = ("" if untracked else " AND m.family IS NOT NULL") + ("" if pid is None else " AND e.pid = ?")
    rows = _rows(
        conn,
        f"e.t, e.kind, e.rank, {cols}",
        f"FROM events e JOIN models m ON m.mid = e.mid WHERE e.t >= ?{where} ORDER BY e.t DESC, e.eid DESC LIMIT ?",
        (since, limit) if pid is None else (since, pid, limit),
    )
    return [EventRow(t, kind, rank, ModelRow._make(rest)) for t, kind, rank, *rest in rows]


def releases_since(conn: sqlite3.Connection, since: int, limit: int = 500) -> list[ModelRow]:
    """Attributed models created since `since`, newest first."""
    # `+family`: the created_at index is the one to use (the window is small); without statistics
    # SQLite would otherwise walk the whole family index.
    return [
        ModelRow._make(row)
        for row in _rows(
            conn,
            _MODEL_COLS,
            "FROM models WHERE created_at >= ? AND +family IS NOT NULL ORDER BY created_at DESC LIMIT ?",
            (since, limit),
        )
    ]


def release_counts(conn: sqlite3.Connection, since: int) -> list[tuple[str, str, int]]:
    """(family, country, count) of attributed models created since `since` (derivatives included)."""
    # Read from the covering created_at index only: O(releases in the window), not O(models).
    return conn.execute(
        "SELECT family, country, count(*) FROM models INDEXED BY models_created"
        " WHERE created_at >= ? AND family IS NOT NULL GROUP BY family, country",
        (since,),
    ).fetchall()


def newest_release(conn: sqlite3.Connection) -> dict[str, int]:
    """Per family, the creation time of its newest first-party model."""
    # A skip-scan of the (via, family, created_at) index: two seeks per family, whatever the model count.
    return dict(
        conn.execute(
            "WITH RECURSIVE f(family) AS ("
            " SELECT (SELECT min(family) FROM models WHERE via = 'org')"
            " UNION ALL SELECT (SELECT min(family) FROM models WHERE via = 'org' AND family > f.family)"
            " FROM f WHERE f.family IS NOT NULL)"
            " SELECT family, (SELECT max(created_at) FROM models WHERE via = 'org' AND family = f.family)"
            " FROM f WHERE family IS NOT NULL"
        ).fetchall()
    )


def counts(conn: sqlite3.Connection) -> dict[str, int | None]:
    models = conn.execute("SELECT count(*) FROM models").fetchone()[0]
    obs = conn.execute("SELECT count(*) FROM observations").fetchone()[0]
    polls = conn.execute("SELECT count(*) FROM polls").fetchone()[0]
    failed = conn.execute("SELECT count(*) FROM polls WHERE status != 'ok'").fetchone()[0]
    # Two seeks per model on the (mid, t) key rather than a scan of every observation.
    first, last = conn.execute(
        "SELECT min((SELECT min(t) FROM observations WHERE mid = m.mid)),"
        " max((SELECT max(t) FROM observations WHERE mid = m.mid)) FROM models m"
    ).fetchone()
    return {
        "models": models,
        "observations": obs,
        "polls": polls,
        "failed_polls": failed,
        "first_observation": first,
        "last_observation": last,
    }


def first_event_time(conn: sqlite3.Connection, pid: int) -> int | None:
    """When the feed events of one poll start (None: the poll made none)."""
    row = conn.execute(
        "SELECT min(e.t) FROM events e JOIN models m ON m.mid = e.mid WHERE e.pid = ? AND m.family IS NOT NULL", (pid,)
    ).fetchone()
    return row[0] if row else None


def children(conn: sqlite3.Connection, model_id: str, limit: int = 8) -> list[tuple[str, int | None]]:
    """(id, 30-day downloads) of the models naming `model_id` as their direct base, most downloaded first."""
    return conn.execute(
        "SELECT id, d30 FROM models WHERE base_model = ? ORDER BY d30 DESC LIMIT ?", (model_id, limit)
    ).fetchall()


def last_poll_id(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(pid) FROM polls").fetchone()
    return int(row[0] or 0)
