"""Reads. Every dashboard query here touches rollups (families x hours) or one family's rows,
never the whole observation history."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, NamedTuple

from hfwatch.records import Attribution, Via
from hfwatch.store.jsonrows import json_rows, split_columns

# Rows the dashboard reads by the thousand are NamedTuples: immutable like a frozen dataclass, but built
# three times faster (a frozen dataclass sets each field through object.__setattr__).


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
    """One poll as the `polls` table keeps it: lane, times, outcome and the API budget it left."""

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
    """One feed event (a release or an entry into trending) with the model it is about."""

    t: int
    kind: str
    rank: int | None
    model: ModelRow


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


def family_models(
    conn: sqlite3.Connection, family: str, *, first_party_only: bool = False, limit: int | None = None
) -> list[ModelRow]:
    sql = _family_range(first_party_only, limit)
    return [ModelRow._make(row) for row in json_rows(conn, _MODEL_COLS, sql, (family,))]


def family_matching(
    conn: sqlite3.Connection, family: str, needle: str, *, first_party_only: bool = False, limit: int
) -> list[ModelRow]:
    """The family's models whose id, via, pipeline or library holds `needle` (case aside), by 30-day downloads,
    at most `limit`: searched over the whole family, in its list index alone, not only the rows a list shows."""
    needle = needle.strip().lower()
    scope = "FROM models INDEXED BY models_family_list WHERE family = ?" + (
        " AND via = 'org'" if first_party_only else ""
    )
    fields = ("id", "via", "pipeline", "library")
    if needle.isascii():
        # LIKE folds ASCII letters, all that an ASCII needle can match but for a few exotic capitals (a Kelvin
        # sign) that Python would fold: not worth a Python call per row.
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        holds = " OR ".join(f"{f} LIKE ?2 ESCAPE '\\'" for f in fields)
        sql = f"{scope.replace('?', '?1')} AND ({holds}) ORDER BY d30 DESC LIMIT {int(limit)}"
        # The terms are read from the index: only the matches' rows are read from the table.
        return [ModelRow._make(row) for row in json_rows(conn, _MODEL_COLS, sql, (family, pattern))]
    mids = [
        mid
        for mid, *texts in json_rows(conn, "mid, " + ", ".join(fields), scope + " ORDER BY d30 DESC", (family,))
        if any(needle in (t or "").lower() for t in texts)
    ]
    return models_by_mid(conn, mids[:limit])


def _family_range(first_party_only: bool, limit: int | None) -> str:
    # The family's list index (family, d30 DESC, via, id) gives this order and filter without a sort.
    sql = "FROM models WHERE family = ?" + (" AND via = 'org'" if first_party_only else "") + " ORDER BY d30 DESC"
    return sql if limit is None else sql + f" LIMIT {int(limit)}"


class ModelKey(NamedTuple):
    """What a family's model list needs of every model before it shows its row: read from one index."""

    mid: int
    id: str
    via: str | None
    d30: int | None


def family_listing(
    conn: sqlite3.Connection, family: str, *, first_party_only: bool = False, limit: int | None = None
) -> list[ModelKey]:
    """The models `family_models` returns, in its order, as keys: a range of the family's list index, no row
    read however many models the family or the store has."""
    sql = _family_range(first_party_only, limit)
    return [ModelKey._make(row) for row in json_rows(conn, "mid, id, via, d30", sql, (family,))]


def models_by_mid(conn: sqlite3.Connection, mids: list[int]) -> list[ModelRow]:
    """The rows of `mids`, in that order (a mid no longer stored is left out)."""
    cols = ", ".join("m." + c for c in split_columns(_MODEL_COLS))
    return [
        ModelRow._make(row)
        for row in json_rows(
            conn,
            cols,
            "FROM json_each(?) j CROSS JOIN models m ON m.mid = j.value ORDER BY j.key",
            (json.dumps(mids),),
        )
    ]


def family_newest(conn: sqlite3.Connection, family: str, limit: int) -> list[ModelRow]:
    """A family's most recently created models (unknown creation last), by a range of its creation index."""
    return [
        ModelRow._make(row)
        for row in json_rows(
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
        for row in json_rows(conn, _MODEL_COLS, f"FROM models WHERE {where} ORDER BY {column} DESC LIMIT ?", (limit,))
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
    cond = " AND ".join(where)
    if lane:
        # A lane's newest by the max over its index entries: ORDER BY pid sorted every poll of the lane (a
        # temporary B-tree; ~1.3 ms of the monitor's start for the fast lane of a year's history).
        sql += f" WHERE pid = (SELECT max(pid) FROM polls WHERE {cond})"
    else:
        sql += (f" WHERE {cond}" if where else "") + " ORDER BY pid DESC LIMIT 1"
    row = conn.execute(sql, args).fetchone()
    return PollRow(*row) if row else None


# Which events of models no family claims a feed shows: none, their trending entries only, or all of them.
UntrackedEvents = Literal["none", "trending", "all"]
_UNTRACKED_WHERE: dict[str, str] = {
    "none": " AND m.family IS NOT NULL",
    "trending": " AND (m.family IS NOT NULL OR e.kind != 'new')",
    "all": "",
}


def recent_events(
    conn: sqlite3.Connection,
    since: int,
    limit: int = 200,
    *,
    untracked: UntrackedEvents = "none",
    pid: int | None = None,
) -> list[EventRow]:
    """Feed events since `since`, newest first, of tracked models and of as many `untracked` ones as asked;
    with `pid`, only that poll's."""
    cols = ", ".join("m." + c for c in split_columns(_MODEL_COLS))
    where = _UNTRACKED_WHERE[untracked] + ("" if pid is None else " AND e.pid = ?")
    rows = json_rows(
        conn,
        f"e.t, e.kind, e.rank, {cols}",
        f"FROM events e JOIN models m ON m.mid = e.mid WHERE e.t >= ?{where} ORDER BY e.t DESC, e.eid DESC LIMIT ?",
        (since, limit) if pid is None else (since, pid, limit),
    )
    return [EventRow(t, kind, rank, ModelRow._make(rest)) for t, kind, rank, *rest in rows]


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
