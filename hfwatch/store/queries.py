"""Reads. Every dashboard query here touches rollups (families x hours) or one family's rows,
never the whole observation history."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from hfwatch.records import Attribution, Via


@dataclass(frozen=True, slots=True)
class RollupPoint:
    t: int
    models: int
    d30: int
    dall: int
    growth: int


@dataclass(frozen=True, slots=True)
class ModelRow:
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


_MODEL_COLS = ("mid, id, author, family, base_family, publisher_family, via, country, base_model, created_at,"
               " pipeline, library, params, gated, first_seen, last_seen, t, d30, dall, likes, trend")


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


def rollup_series(conn: sqlite3.Connection, scope: str, since: int,
                  family: str | None = None) -> dict[str, list[RollupPoint]]:
    """Per family, the rollup points since `since` (plus the last one before it, as a baseline)."""
    if family is None:
        rows = conn.execute(
            "SELECT family, t, models, d30, dall, growth FROM rollups WHERE scope = ? AND h >= "
            "coalesce((SELECT max(h) FROM rollups WHERE scope = ? AND h < ?), ?) ORDER BY h",
            (scope, scope, since, since),
        )
    else:
        rows = conn.execute(
            "SELECT family, t, models, d30, dall, growth FROM rollups WHERE family = ? AND scope = ? AND h >= "
            "coalesce((SELECT max(h) FROM rollups WHERE family = ? AND scope = ? AND h < ?), ?) ORDER BY h",
            (family, scope, family, scope, since, since),
        )
    out: dict[str, list[RollupPoint]] = {}
    for fam, *values in rows:
        out.setdefault(fam, []).append(RollupPoint(*values))
    return out


def first_rollup_time(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT min(t) FROM rollups").fetchone()
    return row[0] if row else None


def last_rollup_time(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT max(t) FROM rollups").fetchone()
    return row[0] if row else None


def family_models(conn: sqlite3.Connection, family: str, *, first_party_only: bool = False,
                  limit: int | None = None) -> list[ModelRow]:
    sql = f"SELECT {_MODEL_COLS} FROM models WHERE family = ?"
    if first_party_only:
        sql += " AND via = 'org'"
    sql += " ORDER BY d30 DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [ModelRow(*row) for row in conn.execute(sql, (family,))]


def top_models(conn: sqlite3.Connection, *, first_party_only: bool, order: str, limit: int) -> list[ModelRow]:
    column = {"downloads_30d": "d30", "downloads_all_time": "dall", "likes": "likes", "trend": "trend"}[order]
    where = "family IS NOT NULL" + (" AND via = 'org'" if first_party_only else "")
    return [ModelRow(*row) for row in conn.execute(
        f"SELECT {_MODEL_COLS} FROM models WHERE {where} ORDER BY {column} DESC LIMIT ?", (limit,))]


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
    return Attribution(family=family, via=Via(via) if via else None, country=country, base_family=base_family,
                       publisher_family=publisher_family, base_model=base_model)


def observations(conn: sqlite3.Connection, mid: int, since: int = 0) -> list[tuple[int, int | None, int | None,
                                                                                 int | None, int | None]]:
    """(t, d30, dall, likes, trend) of one model, oldest first."""
    return conn.execute(
        "SELECT t, d30, dall, likes, trend FROM observations WHERE mid = ? AND t >= ? ORDER BY t",
        (mid, since),
    ).fetchall()


def dall_series(conn: sqlite3.Connection, mids: list[int], since: int) -> dict[int, list[tuple[int, int]]]:
    """(t, downloadsAllTime) per model since `since`, plus the last point before it."""
    out: dict[int, list[tuple[int, int]]] = {}
    for start in range(0, len(mids), 900):
        chunk = mids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT o.mid, o.t, o.dall FROM observations o WHERE o.mid IN ({marks}) AND o.dall IS NOT NULL"
            " AND o.t >= coalesce((SELECT max(p.t) FROM observations p WHERE p.mid = o.mid AND p.t < ?"
            " AND p.dall IS NOT NULL), 0) AND o.t >= 0 ORDER BY o.mid, o.t",
            [*chunk, since],
        )
        for mid, t, dall in rows:
            out.setdefault(mid, []).append((t, dall))
    return out


def latest_polls(conn: sqlite3.Connection, limit: int = 20) -> list[PollRow]:
    return [PollRow(*row) for row in conn.execute(
        "SELECT pid, lane, started, finished, status, requests, bytes, models, changed, new_models, error,"
        " rate_remaining, rate_limit, rate_reset_at FROM polls ORDER BY pid DESC LIMIT ?", (limit,))]


def last_poll(conn: sqlite3.Connection, lane: str | None = None, ok_only: bool = False) -> PollRow | None:
    where, args = [], []
    if lane:
        where.append("lane = ?")
        args.append(lane)
    if ok_only:
        where.append("status = 'ok'")
    sql = ("SELECT pid, lane, started, finished, status, requests, bytes, models, changed, new_models, error,"
           " rate_remaining, rate_limit, rate_reset_at FROM polls")
    if where:
        sql += " WHERE " + " AND ".join(where)
    row = conn.execute(sql + " ORDER BY pid DESC LIMIT 1", args).fetchone()
    return PollRow(*row) if row else None


def recent_events(conn: sqlite3.Connection, since: int, limit: int = 200) -> list[EventRow]:
    cols = ", ".join("m." + c.strip() for c in _MODEL_COLS.split(","))
    rows = conn.execute(
        f"SELECT e.t, e.kind, e.rank, {cols} FROM events e JOIN models m ON m.mid = e.mid"
        " WHERE e.t >= ? ORDER BY e.t DESC, e.eid DESC LIMIT ?",
        (since, limit),
    )
    return [EventRow(t, kind, rank, ModelRow(*rest)) for t, kind, rank, *rest in rows]


def releases_since(conn: sqlite3.Connection, since: int, limit: int = 500) -> list[ModelRow]:
    """Attributed models created since `since`, newest first."""
    return [ModelRow(*row) for row in conn.execute(
        f"SELECT {_MODEL_COLS} FROM models WHERE created_at >= ? AND family IS NOT NULL"
        " ORDER BY created_at DESC LIMIT ?", (since, limit))]


def release_counts(conn: sqlite3.Connection, since: int) -> list[tuple[str, str, int]]:
    """(family, country, count) of attributed models created since `since` (derivatives included)."""
    return conn.execute(
        "SELECT family, country, count(*) FROM models WHERE created_at >= ? AND family IS NOT NULL"
        " GROUP BY family, country", (since,)).fetchall()


def newest_release(conn: sqlite3.Connection) -> dict[str, int]:
    """Per family, the creation time of its newest first-party model."""
    return dict(conn.execute(
        "SELECT family, max(created_at) FROM models WHERE family IS NOT NULL AND via = 'org'"
        " GROUP BY family").fetchall())


def counts(conn: sqlite3.Connection) -> dict[str, int | None]:
    models = conn.execute("SELECT count(*) FROM models").fetchone()[0]
    obs = conn.execute("SELECT count(*) FROM observations").fetchone()[0]
    polls = conn.execute("SELECT count(*) FROM polls").fetchone()[0]
    failed = conn.execute("SELECT count(*) FROM polls WHERE status != 'ok'").fetchone()[0]
    first, last = conn.execute("SELECT min(t), max(t) FROM observations").fetchone()
    return {"models": models, "observations": obs, "polls": polls, "failed_polls": failed,
            "first_observation": first, "last_observation": last}
