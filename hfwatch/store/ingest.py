"""Writing one poll: models, change-only observations, rollups and feed events, in one transaction.

What a poll writes is O(changed models): a model whose counters did not change costs a comparison
in memory and no write (its `last_seen` is refreshed at most once per LAST_SEEN_RESOLUTION_S), and the
family totals are carried forward by deltas instead of re-summing the models table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, Scope, Via
from hfwatch.store.endpoints import Endpoints
from hfwatch.store.known import Stored, existing_rows
from hfwatch.store.schema import ROLLUP_BUCKET_S

NEW_RELEASE_WINDOW_S = 7 * 86400
TRENDING_TOP_N = 20
# An unchanged model's last_seen is rewritten once a day, not on every poll: rewriting every tracked
# row each hour would make the WAL carry the whole models table per poll.
LAST_SEEN_RESOLUTION_S = 86400

_ECO, _FP = Scope.ECOSYSTEM.value, Scope.FIRST_PARTY.value
_ORG = Via.ORG.value


@dataclass(frozen=True, slots=True)
class IngestSummary:
    pid: int
    models: int
    changed: int
    new_models: int
    events: int


def _attr_row(a: Attribution) -> tuple[str | None, ...]:
    return (a.family, a.base_family, a.publisher_family, a.via.value if a.via else None, a.country, a.base_model)


def _merged(old: tuple, new: tuple) -> tuple:
    """A value the Hub did not send keeps the last known one."""
    if None not in new:
        return new
    return tuple(o if n is None else n for o, n in zip(old, new, strict=True))


class _Totals:
    """Per (family, scope): changes of [models, d30, dall, growth, n30, nall] made by this poll; n30 and nall
    count the models that reported each counter, so a sum over none of them reads as unknown, not 0."""

    def __init__(self) -> None:
        self.delta: dict[tuple[str, str], list[int]] = {}

    def add(self, family: str | None, via: str | None, sign: int, d30: int | None, dall: int | None) -> None:
        if family is None:
            return
        scopes = (_ECO, _FP) if via == _ORG else (_ECO,)
        for scope in scopes:
            acc = self.delta.setdefault((family, scope), [0, 0, 0, 0, 0, 0])
            acc[0] += sign
            acc[1] += sign * (d30 or 0)
            acc[2] += sign * (dall or 0)
            acc[4] += sign * (d30 is not None)
            acc[5] += sign * (dall is not None)


def ingest_poll(
    conn: sqlite3.Connection, result: PollResult, attributions: Mapping[str, Attribution], *, t: int
) -> IngestSummary:
    """Store a successful poll atomically; the caller has checked `result.ok`."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        summary = _ingest(conn, result, result.records, attributions, t)
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return summary


def ingest_in_transaction(
    conn: sqlite3.Connection, result: PollResult, attributions: Mapping[str, Attribution], *, t: int
) -> IngestSummary:
    """`ingest_poll` inside the caller's transaction: the deep lane commits each page with its walk's progress."""
    return _ingest(conn, result, result.records, attributions, t)


def _rollback(conn: sqlite3.Connection) -> None:
    # On SQLITE_FULL or an I/O error SQLite has already rolled back; a second ROLLBACK would raise
    # "no transaction is active" and hide the real cause.
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@dataclass(slots=True)
class _Writes:
    """Everything one poll writes, gathered in memory before the statements run."""

    t: int
    ends: Endpoints
    next_mid: int
    new_rows: list[tuple] = field(default_factory=list)
    full_updates: list[tuple] = field(default_factory=list)
    counter_updates: list[tuple] = field(default_factory=list)
    seen_only: list[tuple] = field(default_factory=list)
    observations: dict[int, tuple] = field(default_factory=dict)
    merged_now: dict[int, tuple] = field(default_factory=dict)
    totals: _Totals = field(default_factory=_Totals)
    new_mids: dict[str, int] = field(default_factory=dict)
    fresh: list[int] = field(default_factory=list)

    def add_new(self, rec: ModelRecord, attr_row: tuple, meta: tuple, counters: tuple) -> None:
        t, mid = self.t, self.next_mid
        self.next_mid += 1
        self.new_mids[rec.id] = mid
        self.new_rows.append((mid, rec.id, rec.namespace, *attr_row, *meta, t, t, t, *counters))
        self.observations[mid] = (mid, t, *counters)
        family, via = attr_row[0], attr_row[3]
        self.totals.add(family, via, 1, counters[0], counters[1])
        self.ends.discover(mid, family, via, counters[1], None if rec.created_at is None else int(rec.created_at))
        # New releases of untracked models too: the feed's readers choose which families they show.
        if rec.created_at is not None and rec.created_at >= t - NEW_RELEASE_WINDOW_S:
            self.fresh.append(mid)

    def update_known(self, old: Stored, attr_row: tuple, meta: tuple, counters: tuple, started: float) -> None:
        t, mid = self.t, old.mid
        family, via = attr_row[0], attr_row[3]
        if old.t is not None and old.t > started:
            # Stored by a poll that ran while this one was fetching (the lanes overlap in the
            # monitor): those counters may be newer than what this poll read, never older.
            counters = (None, None, None, None)
        merged = _merged(old.counters, counters)
        merged_meta = _merged(old.meta, meta)
        counters_changed = merged != old.counters
        self.ends.see(mid, family, via, old.ea, old.ev, old.dall, counters[1], old.last_seen)
        if merged_meta != old.meta or attr_row != old.attribution:
            self.full_updates.append((*attr_row, *merged_meta, t, t, *merged, mid))
        elif counters_changed:
            self.counter_updates.append((t, t, *merged, mid))
        elif old.last_seen < t - LAST_SEEN_RESOLUTION_S or (
            self.ends.latest is not None and old.last_seen < self.ends.latest
        ):
            # Once after each refresh: a listed model whose counter did not move is known to have grown by 0.
            self.seen_only.append((t, mid))
        if counters_changed or family != old.family or via != old.via:
            self.totals.add(old.family, old.via, -1, old.d30, old.dall)
            self.totals.add(family, via, 1, merged[0], merged[1])
        if counters_changed:
            self.observations[mid] = (mid, t, *counters)
        self.merged_now[mid] = merged

    @property
    def changed(self) -> int:
        return len(self.full_updates) + len(self.counter_updates)


def _ingest(
    conn: sqlite3.Connection,
    result: PollResult,
    records: list[ModelRecord],
    attributions: Mapping[str, Attribution],
    t: int,
) -> IngestSummary:
    existing = existing_rows(conn, [r.id for r in records])
    next_mid = conn.execute("SELECT coalesce(max(mid), 0) + 1 FROM models").fetchone()[0]
    unattributed = Attribution(family=None, via=None, country=None)
    writes = _Writes(t=t, ends=Endpoints(conn, t), next_mid=next_mid)
    listed: set[str] = set()
    for rec in records:
        if rec.id in listed:  # listed twice in one poll: the first listing stands
            continue
        listed.add(rec.id)
        attr_row = _attr_row(attributions.get(rec.id) or unattributed)
        meta = (rec.created_at, rec.pipeline_tag, rec.library_name, rec.params, rec.gated)
        counters = (rec.downloads_30d, rec.downloads_all_time, rec.likes, rec.trending_score)
        old = existing.get(rec.id)
        if old is None:
            writes.add_new(rec, attr_row, meta, counters)
        else:
            writes.update_known(old, attr_row, meta, counters, result.started)
    _write_models(conn, writes)
    if result.lane is Lane.SLOW:
        _retire_unlisted(conn, listed, t, writes.totals)
    _write_observations(conn, writes)
    pid = _insert_poll(
        conn, result, status="ok", models=len(records), changed=writes.changed, new_models=len(writes.new_rows)
    )
    events = [(t, "new", mid, None, pid) for mid in writes.fresh]
    events.extend(_trending_events(conn, result, existing, writes.new_mids, t, pid))
    conn.executemany("INSERT INTO events (t, kind, mid, rank, pid) VALUES (?,?,?,?,?)", events)
    _write_rollups(conn, t, writes.totals)
    return IngestSummary(
        pid=pid, models=len(records), changed=writes.changed, new_models=len(writes.new_rows), events=len(events)
    )


def _write_models(conn: sqlite3.Connection, writes: _Writes) -> None:
    conn.executemany(
        "INSERT INTO models (mid, id, author, family, base_family, publisher_family, via, country, base_model,"
        " created_at, pipeline, library, params, gated, first_seen, last_seen, t, d30, dall, likes, trend)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        writes.new_rows,
    )
    # Counter-only updates leave the indexed attribution and metadata columns out of the SET list, so
    # SQLite rewrites just the one index that holds d30.
    conn.executemany(
        "UPDATE models SET last_seen=?, t=?, d30=?, dall=?, likes=?, trend=? WHERE mid=?", writes.counter_updates
    )
    conn.executemany(
        "UPDATE models SET family=?, base_family=?, publisher_family=?, via=?, country=?, base_model=?,"
        " created_at=?, pipeline=?, library=?, params=?, gated=?, last_seen=?, t=?,"
        " d30=?, dall=?, likes=?, trend=? WHERE mid=?",
        writes.full_updates,
    )
    conn.executemany("UPDATE models SET last_seen=? WHERE mid=?", writes.seen_only)


def _write_observations(conn: sqlite3.Connection, writes: _Writes) -> None:
    observations, merged_now = writes.observations, writes.merged_now
    asof = writes.ends.finish(conn)
    rows = [(*observations[mid], None) for mid in observations if mid not in asof]
    # An endpoint holds the counters as merged (the value its growth is measured from), and is stored even
    # when nothing changed this poll (the first observation after a refresh is known).
    rows.extend(
        (mid, writes.t, *(merged_now[mid] if mid in merged_now else observations[mid][2:]), at)
        for mid, at in asof.items()
    )
    conn.executemany(
        "INSERT OR REPLACE INTO observations (mid, t, d30, dall, likes, trend, asof) VALUES (?,?,?,?,?,?,?)", rows
    )


# A first-party model that its org's full listing has not shown for this long is gone (deleted, or
# renamed: THUDM/x became zai-org/x under a new id) and leaves the family totals, so a model never
# counts twice. A week, not one poll, so a Hub hiccup or a narrower mirror does not make totals flap.
RETIRE_AFTER_S = 7 * 86400


def _retire_unlisted(conn: sqlite3.Connection, listed: set[str], t: int, totals: _Totals) -> None:
    gone = [
        row
        for row in conn.execute(
            "SELECT mid, id, family, via, d30, dall FROM models WHERE via = ? AND last_seen < ?",
            (_ORG, t - RETIRE_AFTER_S),
        )
        if row[1] not in listed
    ]
    for _mid, _id, family, via, d30, dall in gone:
        totals.add(family, via, -1, d30, dall)
    conn.executemany(
        "UPDATE models SET family = NULL, via = NULL, country = NULL WHERE mid = ?", [(row[0],) for row in gone]
    )


def _trending_events(
    conn: sqlite3.Connection,
    result: PollResult,
    existing: Mapping[str, Stored],
    new_mids: Mapping[str, int],
    t: int,
    pid: int,
) -> list[tuple]:
    if not result.trending:
        return []
    ranking: list[tuple[int, int]] = []
    for rank, model_id in enumerate(result.trending, start=1):
        mid = new_mids.get(model_id)
        if mid is None and model_id in existing:
            mid = existing[model_id].mid
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


def rebuild_totals(conn: sqlite3.Connection) -> None:
    """Recompute the running family totals from the models table and the latest rollups.

    Only needed when the totals are missing (a file written before they existed); every poll
    afterwards carries them forward by deltas.
    """
    conn.execute("DELETE FROM totals")
    conn.execute(
        "INSERT INTO totals (scope, family, models, d30, dall, growth, tg)"
        " SELECT r.scope, r.family, 0, 0, 0, r.growth, r.tg FROM rollups r"
        " JOIN (SELECT scope, family, max(h) AS h FROM rollups GROUP BY scope, family) m"
        " ON r.scope = m.scope AND r.family = m.family AND r.h = m.h"
    )
    rows = conn.execute(
        "SELECT family, via = 'org', count(*), coalesce(sum(d30), 0), coalesce(sum(dall), 0), count(d30),"
        " count(dall) FROM models WHERE family IS NOT NULL GROUP BY family, via = 'org'"
    ).fetchall()
    for family, first_party, n, d30, dall, n30, nall in rows:
        for scope in (_ECO, _FP) if first_party else (_ECO,):
            conn.execute(
                "INSERT INTO totals (scope, family, models, d30, dall, growth, n30, nall) VALUES (?,?,?,?,?,0,?,?)"
                " ON CONFLICT (scope, family) DO UPDATE SET models = models + excluded.models,"
                " d30 = d30 + excluded.d30, dall = dall + excluded.dall, n30 = n30 + excluded.n30,"
                " nall = nall + excluded.nall",
                (scope, family, n, d30, dall, n30, nall),
            )


def _write_rollups(conn: sqlite3.Connection, t: int, totals: _Totals) -> None:
    """Apply this poll's deltas to the running totals, then snapshot them as this hour's rollup rows.

    Every family ever seen gets a row in every hour polled (a family that lost its models shows 0),
    so the dashboard reads one row per family and hour.
    """
    if (
        conn.execute("SELECT NOT EXISTS (SELECT 1 FROM totals)").fetchone()[0]
        and conn.execute("SELECT EXISTS (SELECT 1 FROM rollups)").fetchone()[0]
    ):
        rebuild_totals(conn)
    conn.executemany(
        "INSERT INTO totals (scope, family, models, d30, dall, growth, n30, nall) VALUES (?,?,?,?,?,?,?,?)"
        " ON CONFLICT (scope, family) DO UPDATE SET models = models + excluded.models,"
        " d30 = d30 + excluded.d30, dall = dall + excluded.dall, growth = growth + excluded.growth,"
        " n30 = n30 + excluded.n30, nall = nall + excluded.nall",
        [(scope, family, *acc) for (family, scope), acc in totals.delta.items()],
    )
    # Growth is in `spans` since v2; the rollups' growth columns are the v1 history, no longer written.
    conn.execute(
        "INSERT INTO rollups (scope, h, family, t, models, d30, dall, growth, n30, nall)"
        " SELECT scope, ?, family, ?, models, d30, dall, growth, n30, nall FROM totals WHERE true"
        " ON CONFLICT (scope, h, family) DO UPDATE SET t = excluded.t, models = excluded.models,"
        " d30 = excluded.d30, dall = excluded.dall, n30 = excluded.n30, nall = excluded.nall",
        (t - t % ROLLUP_BUCKET_S, t),
    )


def _insert_poll(
    conn: sqlite3.Connection, result: PollResult, *, status: str, models: int = 0, changed: int = 0, new_models: int = 0
) -> int:
    s = result.stats
    cur = conn.execute(
        "INSERT INTO polls (lane, started, finished, status, requests, bytes, models, changed, new_models,"
        " error, rate_remaining, rate_limit, rate_reset_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            result.lane.value,
            result.started,
            result.finished,
            status,
            s.requests,
            s.bytes,
            models,
            changed,
            new_models,
            result.error,
            s.rate_remaining,
            s.rate_limit,
            s.rate_reset_at,
        ),
    )
    return int(cur.lastrowid or 0)


def record_failed_poll(conn: sqlite3.Connection, result: PollResult) -> int:
    """A failed poll is remembered (for the status line and `db info`), its records are not."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        pid = _insert_poll(conn, result, status="failed")
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return pid
