"""Writing one poll: models, change-only observations, rollups and feed events, in one transaction.

What a poll writes is O(changed models): a model whose counters did not change costs a comparison
in memory and no write (its `last_seen` is refreshed at most once per LAST_SEEN_RESOLUTION_S), and the
family totals are carried forward by deltas instead of re-summing the models table. A model's row is
rewritten at most once per poll: its new endpoint (`ea`, `ev`) goes into the same UPDATE as its counters.

A model that no fast or slow lane follows (untracked, or tracked and seen only by the deep lane) writes at most
one observation a calendar week (`hfwatch.store.followed`): its history is read by nobody but its own model
screen, and coverage, the "untracked" row and family growth read its latest counters and endpoint in `models`,
which every change still updates. Its rows are never rate endpoints (`asof` NULL), so they stay out of the
endpoint index; its `ea`/`ev` in `models` are kept, so the family's growth runs from its last endpoint as
before, whichever way its rows are written (docs/scaling.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from hfwatch.gcpause import gc_paused
from hfwatch.pacing import Checkpoint, checkpoint_of, paced
from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, Via
from hfwatch.store import known as k
from hfwatch.store.endpoints import Endpoints
from hfwatch.store.followed import every_change, first_of_week, lane_follows, mark_due
from hfwatch.store.known import existing_rows
from hfwatch.store.totals import Totals, rebuild_totals, write_rollups
from hfwatch.store.trending import TRENDING_TOP_N, trending_events

__all__ = [
    "LAST_SEEN_RESOLUTION_S",
    "NEW_RELEASE_WINDOW_S",
    "TRENDING_TOP_N",
    "IngestSummary",
    "ingest_in_transaction",
    "ingest_poll",
    "rebuild_totals",
    "record_failed_poll",
]

NEW_RELEASE_WINDOW_S = 7 * 86400
# An unchanged model's last_seen is rewritten once a day, not on every poll: rewriting every tracked
# row each hour would make the WAL carry the whole models table per poll.
LAST_SEEN_RESOLUTION_S = 86400

_ORG = Via.ORG.value
_VIA: dict[Via | None, str | None] = {v: v.value for v in Via} | {None: None}
_UNATTRIBUTED = (None,) * 6
_NO_COUNTERS = (None,) * 4
_NO_ENDPOINT = (None, None)
_NO_MARK = (None,)

_INSERT_MODEL_BARE = (
    "INSERT INTO models (mid, id, author, family, base_family, publisher_family, via, country, base_model,"
    " created_at, pipeline, library, params, gated, first_seen, last_seen, t, d30, dall, likes, trend, followed)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_MODEL = _INSERT_MODEL_BARE.replace(", followed)", ", followed, ea, ev)").replace("?,?)", "?,?,?,?)")
# Counter-only updates leave the indexed attribution and metadata columns out of the SET list, so SQLite
# rewrites just the one index that holds d30. The endpoint (?7, ?8) is set when this poll dated one, and
# the `followed` mark (?9) when it is due (hfwatch.store.followed): the row is rewritten anyway.
_UPDATE_COUNTERS = (
    "UPDATE models SET last_seen=?2, t=?2, d30=?3, dall=?4, likes=?5, trend=?6,"
    " ea=coalesce(?7, ea), ev=iif(?7 IS NULL, ev, ?8), followed=coalesce(?9, followed) WHERE mid=?1"
)
_UPDATE_ALL = (
    "UPDATE models SET family=?2, base_family=?3, publisher_family=?4, via=?5, country=?6, base_model=?7,"
    " created_at=?8, pipeline=?9, library=?10, params=?11, gated=?12, last_seen=?13, t=?13,"
    " d30=?14, dall=?15, likes=?16, trend=?17, ea=coalesce(?18, ea), ev=iif(?18 IS NULL, ev, ?19),"
    " followed=coalesce(?20, followed) WHERE mid=?1"
)


@dataclass(frozen=True, slots=True)
class IngestSummary:
    pid: int
    models: int
    changed: int
    new_models: int
    events: int
    # The row of each id listed, when asked for (the deep walk's counts): empty otherwise.
    mids: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)


def _merged(old: tuple, new: tuple) -> tuple:
    """A value the Hub did not send keeps the last known one."""
    if None not in new:
        return new
    return tuple(o if n is None else n for o, n in zip(old, new, strict=True))


def ingest_poll(
    conn: sqlite3.Connection, result: PollResult, attributions: Mapping[str, Attribution], *, t: int
) -> IngestSummary:
    """Store a successful poll atomically; the caller has checked `result.ok`."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        with gc_paused():
            summary = _ingest(conn, result, attributions, t)
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return summary


def ingest_in_transaction(
    conn: sqlite3.Connection,
    result: PollResult,
    attributions: Mapping[str, Attribution],
    *,
    t: int,
    with_mids: bool = False,
) -> IngestSummary:
    """`ingest_poll` inside the caller's transaction: the deep lane commits each page with its walk's progress."""
    with gc_paused():
        return _ingest(conn, result, attributions, t, with_mids=with_mids)


def _rollback(conn: sqlite3.Connection) -> None:
    # On SQLITE_FULL or an I/O error SQLite has already rolled back; a second ROLLBACK would raise
    # "no transaction is active" and hide the real cause.
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@dataclass(slots=True)
class _Writes:
    """Everything one poll writes, gathered in memory before the statements run."""

    t: int
    started: float
    ends: Endpoints
    next_mid: int
    follows: bool  # this poll's lane follows the models it lists closely (not the deep lane)
    new_rows: list[tuple] = field(default_factory=list)
    full_updates: list[tuple] = field(default_factory=list)  # (mid, *attribution, *meta, t, *counters)
    counter_updates: list[tuple] = field(default_factory=list)  # (mid, t, *counters)
    seen_only: list[tuple] = field(default_factory=list)
    observations: list[tuple] = field(default_factory=list)  # (mid, t, *counters as read)
    weekly_rows: list[tuple] = field(default_factory=list)  # the same, of models written weekly: never endpoints
    follow_marks: list[tuple] = field(default_factory=list)  # (t, mid): marks of rows not rewritten (`written`'s are)
    merged: dict[int, tuple] = field(default_factory=dict)  # counters as merged, of known candidate endpoints
    unchanged_candidates: list[int] = field(default_factory=list)
    written: set[int] = field(default_factory=set)  # known models whose row this poll rewrites
    totals: Totals = field(default_factory=Totals)
    new_mids: dict[str, int] = field(default_factory=dict)
    fresh: list[int] = field(default_factory=list)

    def add_new(self, rec: ModelRecord, attr_row: tuple, meta: tuple, counters: tuple) -> None:
        t, mid = self.t, self.next_mid
        self.next_mid += 1
        self.new_mids[rec.id] = mid
        followed = t if self.follows else None
        self.new_rows.append((mid, rec.id, rec.namespace, *attr_row, *meta, t, t, t, *counters, followed))
        family, via = attr_row[0], attr_row[3]
        (self.observations if every_change(family, None, t, by_follower=self.follows) else self.weekly_rows).append(
            (mid, t, *counters)
        )
        self.totals.add(family, via, 1, counters[0], counters[1])
        created = rec.created_at
        self.ends.discover(mid, family, via, counters[1], None if created is None else int(created))
        # New releases of untracked models too: the feed's readers choose which families they show.
        if created is not None and created >= t - NEW_RELEASE_WINDOW_S:
            self.fresh.append(mid)

    def update_known(self, old: tuple, attr_row: tuple, meta: tuple, counters: tuple) -> None:
        t, mid = self.t, old[k.MID]
        family, via = attr_row[0], attr_row[3]
        stored_t = old[k.T]
        if stored_t is not None and stored_t > self.started:
            # Stored by a poll that ran while this one was fetching (the lanes overlap in the
            # monitor): those counters may be newer than what this poll read, never older.
            counters = _NO_COUNTERS
        old_counters, old_meta = old[k.COUNTERS], old[k.META]
        # Most models of an hourly poll send what is stored: nothing to merge.
        merged = old_counters if counters == old_counters else _merged(old_counters, counters)
        merged_meta = old_meta if meta == old_meta else _merged(old_meta, meta)
        changed = merged != old_counters
        last_seen = old[k.LAST_SEEN]
        candidate = self.ends.see(mid, family, via, old[k.EA], old[k.EV], old[k.DALL], counters[1], last_seen)
        if merged_meta != old_meta or attr_row != old[k.ATTRIBUTION]:
            self.full_updates.append((mid, *attr_row, *merged_meta, t, *merged))
            self.written.add(mid)
        elif changed:
            self.counter_updates.append((mid, t, *merged))
            self.written.add(mid)
        elif last_seen < t - LAST_SEEN_RESOLUTION_S or (self.ends.latest is not None and last_seen < self.ends.latest):
            # Once after each refresh: a listed model whose counter did not move is known to have grown by 0.
            self.seen_only.append((t, mid))
        if family != old[k.FAMILY] or via != old[k.VIA]:
            self.totals.add(old[k.FAMILY], old[k.VIA], -1, old[k.D30], old[k.DALL])
            self.totals.add(family, via, 1, merged[0], merged[1])
        elif changed:
            self.totals.move(family, via, old_counters, merged)
        followed = old[k.FOLLOWED]
        if self.follows and mid not in self.written and mark_due(followed, t, mid):
            self.follow_marks.append((t, mid))
        if not every_change(family, followed, t, by_follower=self.follows):
            if changed and first_of_week(stored_t, t):
                self.weekly_rows.append((mid, t, *counters))
            return
        if changed:
            self.observations.append((mid, t, *counters))
        if candidate:
            self.merged[mid] = merged
            if not changed:
                self.unchanged_candidates.append(mid)

    @property
    def changed(self) -> int:
        return len(self.full_updates) + len(self.counter_updates)


def _ingest(
    conn: sqlite3.Connection,
    result: PollResult,
    attributions: Mapping[str, Attribution],
    t: int,
    *,
    with_mids: bool = False,
) -> IngestSummary:
    records = result.records
    pace = checkpoint_of(records)
    existing = existing_rows(conn, [r.id for r in records], pace=pace)
    next_mid = conn.execute("SELECT coalesce(max(mid), 0) + 1 FROM models").fetchone()[0]
    writes = _Writes(
        t=t, started=result.started, ends=Endpoints(conn, t), next_mid=next_mid, follows=lane_follows(result.lane)
    )
    listed: set[str] = set()
    rows: dict[int, tuple] = {}  # the row form of each attribution object (attribution shares them)
    for rec in records:
        rid = rec.id
        if rid in listed:  # listed twice in one poll: the first listing stands
            continue
        listed.add(rid)
        a = attributions.get(rid)
        if a is None:
            attr_row: tuple = _UNATTRIBUTED
        else:
            attr_row = rows.get(id(a)) or rows.setdefault(
                id(a), (a.family, a.base_family, a.publisher_family, _VIA.get(a.via, a.via), a.country, a.base_model)
            )
        meta = (rec.created_at, rec.pipeline_tag, rec.library_name, rec.params, rec.gated)
        counters = (rec.downloads_30d, rec.downloads_all_time, rec.likes, rec.trending_score)
        old = existing.get(rid)
        if old is None:
            writes.add_new(rec, attr_row, meta, counters)
        else:
            writes.update_known(old, attr_row, meta, counters)
    asof = writes.ends.settle(conn)
    _write_models(conn, writes, next_mid, asof)
    if result.lane is Lane.SLOW:
        _retire_unlisted(conn, listed, t, writes.totals)
    _write_observations(conn, writes, asof, pace)
    pid = _insert_poll(
        conn, result, status="ok", models=len(records), changed=writes.changed, new_models=len(writes.new_rows)
    )
    events = _write_events(conn, result, writes, existing, pid)
    write_rollups(conn, t, writes.totals)
    mids = ({rid: row[k.MID] for rid, row in existing.items()} | writes.new_mids) if with_mids else {}
    return IngestSummary(
        pid=pid,
        models=len(records),
        changed=writes.changed,
        new_models=len(writes.new_rows),
        events=len(events),
        mids=mids,
    )


def _write_events(
    conn: sqlite3.Connection, result: PollResult, writes: _Writes, existing: Mapping[str, tuple], pid: int
) -> list[tuple]:
    """The poll's "new" and trending events, written."""
    t = writes.t
    events = [(t, "new", mid, None, pid) for mid in writes.fresh]

    def mid_of(model_id: str) -> int | None:
        mid = writes.new_mids.get(model_id)
        if mid is None and model_id in existing:
            mid = existing[model_id][k.MID]
        return mid

    events.extend(trending_events(conn, result.trending, mid_of, t, pid))
    conn.executemany("INSERT INTO events (t, kind, mid, rank, pid) VALUES (?,?,?,?,?)", events)
    return events


def _write_models(conn: sqlite3.Connection, writes: _Writes, first_new: int, asof: dict[int, tuple]) -> None:
    get = asof.get
    if asof:
        conn.executemany(_INSERT_MODEL, (row + get(row[0], _NO_ENDPOINT) for row in writes.new_rows))
    else:
        conn.executemany(_INSERT_MODEL_BARE, writes.new_rows)
    # A following lane marks every row it rewrites.
    mark = (writes.t,) if writes.follows else _NO_MARK
    conn.executemany(_UPDATE_COUNTERS, (u + get(u[0], _NO_ENDPOINT) + mark for u in writes.counter_updates))
    conn.executemany(_UPDATE_ALL, (u + get(u[0], _NO_ENDPOINT) + mark for u in writes.full_updates))
    conn.executemany("UPDATE models SET last_seen=? WHERE mid=?", writes.seen_only)
    conn.executemany("UPDATE models SET followed=? WHERE mid=?", writes.follow_marks)
    # Endpoints of models whose row nothing else rewrote (first dated after a refresh, counters the same).
    written = writes.written
    conn.executemany(
        "UPDATE models SET ea=?, ev=? WHERE mid=?",
        [(b, v, mid) for mid, (b, v) in asof.items() if mid < first_new and mid not in written],
    )


def _write_observations(conn: sqlite3.Connection, writes: _Writes, asof: dict[int, tuple], pace: Checkpoint) -> None:
    t, merged = writes.t, writes.merged
    rows = []
    for obs in paced(writes.observations, pace):  # a next day's 50k rows: a loop of Python, the GIL held
        mid = obs[0]
        end = asof.get(mid)
        if end is None:
            rows.append((*obs, None))
        else:
            # An endpoint holds the counters as merged (the value its growth is measured from).
            rows.append((mid, t, *merged.get(mid, obs[2:]), end[0]))
    # ...and is stored even when nothing changed this poll (the first observation after a refresh is known).
    rows.extend((mid, t, *merged[mid], asof[mid][0]) for mid in writes.unchanged_candidates if mid in asof)
    rows.extend((*obs, None) for obs in writes.weekly_rows)
    conn.executemany(
        "INSERT OR REPLACE INTO observations (mid, t, d30, dall, likes, trend, asof) VALUES (?,?,?,?,?,?,?)", rows
    )


# A first-party model that its org's full listing has not shown for this long is gone (deleted, or
# renamed: THUDM/x became zai-org/x under a new id) and leaves the family totals, so a model never
# counts twice. A week, not one poll, so a Hub hiccup or a narrower mirror does not make totals flap.
RETIRE_AFTER_S = 7 * 86400


def _retire_unlisted(conn: sqlite3.Connection, listed: set[str], t: int, totals: Totals) -> None:
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
