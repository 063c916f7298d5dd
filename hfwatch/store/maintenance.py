"""Retention, downsampling and vacuum: years of history in a small file, in bounded steps.

Observations are point-in-time states (a row holds until the next one), so thinning them to the last
row of each day (then week) keeps every value the history had at the end of each bucket, and a rate
between two bucket ends is the same before and after (rows around a recount, where downloadsAllTime
fell, are kept too, so the increases-only growth is unchanged). Rollups are states too, and their `growth` is
cumulative, so the same rule makes hourly rollups daily without changing a daily rate.

Work is split into transactions of at most `chunk_models` models x `chunk_days` days, so the writer
never holds the lock for long and the UI's reader (WAL) never waits. Progress is kept in `meta`, so a
run stopped by its time or chunk budget resumes where it was at the next call.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from hfwatch.timeunits import DAY_S

WEEK_S = 7 * DAY_S
WEEK_ORIGIN_S = 4 * DAY_S  # 1970-01-05, a Monday: weeks run Monday to Sunday (UTC)

_LAST_DAY = "maintenance.last_day"
_PENDING = "maintenance.pending"
_OBS_DAILY = "maintenance.observations_daily_until"
_OBS_WEEKLY = "maintenance.observations_weekly_until"
_ROLLUPS_DAILY = "maintenance.rollups_daily_until"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each resolution is kept, and how much one maintenance run may do."""

    raw_days: int = 14  # observations as polled, then one per model per day
    daily_days: int = 365  # daily observations, then one per model per week
    rollup_hourly_days: int = 30  # hourly rollups, then one per family x scope per day
    chunk_models: int = 2000  # models per transaction
    chunk_days: int = 28  # days of history per transaction
    vacuum_step_pages: int = 256  # pages handed back to the OS per step (1 MiB at 4 KiB pages)
    vacuum_min_free_pages: int = 1024  # below this many free pages, not worth a vacuum
    max_seconds: float | None = 5.0  # per run; the rest waits for the next run
    max_transactions: int | None = None  # per run (a deterministic bound, for tests)
    wal_limit_bytes: int = 64 * 1024 * 1024  # the WAL is cut back to this after a checkpoint

    def __post_init__(self) -> None:
        if self.raw_days < 1 or self.rollup_hourly_days < 1:
            raise ValueError("retention: raw_days and rollup_hourly_days must be at least 1")
        if self.daily_days <= self.raw_days:
            raise ValueError("retention: daily_days must be longer than raw_days")
        if self.chunk_models < 1 or self.chunk_days < 1 or self.vacuum_step_pages < 1:
            raise ValueError("retention: chunk sizes and vacuum steps must be at least 1")


DEFAULT_POLICY = RetentionPolicy()


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    observations_deleted: int = 0
    rollups_deleted: int = 0
    transactions: int = 0
    pages_freed: int = 0
    seconds: float = 0.0
    longest_transaction_s: float = 0.0
    complete: bool = True  # False: a budget stopped the run; the next run resumes
    error: str | None = None  # the database refused (busy, disk full): nothing half-done, retried next time


def day_start(t: int) -> int:
    return t - t % DAY_S


def week_start(t: int) -> int:
    return t - (t - WEEK_ORIGIN_S) % WEEK_S


class _Budget(Exception):
    """The run's time or transaction budget is used up."""


class _Run:
    def __init__(self, conn: sqlite3.Connection, policy: RetentionPolicy) -> None:
        self.conn = conn
        self.policy = policy
        self.began = time.monotonic()
        self.transactions = 0
        self.observations = 0
        self.rollups = 0
        self.longest = 0.0  # seconds of the longest write transaction: how long a poll could wait

    def check(self) -> None:
        p = self.policy
        if p.max_transactions is not None and self.transactions >= p.max_transactions:
            raise _Budget
        if p.max_seconds is not None and time.monotonic() - self.began >= p.max_seconds:
            raise _Budget

    def transaction(self, statements: list[tuple[str, tuple]], meta: dict[str, int] | None = None) -> list[int]:
        """Run statements in one short write transaction; return the rows each changed."""
        self.check()
        changed = []
        began = time.monotonic()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, args in statements:
                # total_changes, not rowcount: sqlite3 reports no rowcount for a statement opening with WITH.
                before = self.conn.total_changes
                self.conn.execute(sql, args)
                changed.append(self.conn.total_changes - before)
            for key, value in (meta or {}).items():
                _set_meta(self.conn, key, value)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled back already (disk full, I/O error)
                self.conn.execute("ROLLBACK")
            raise
        self.transactions += 1
        self.longest = max(self.longest, time.monotonic() - began)
        return changed


def _get_meta(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    try:
        return int(row[0]) if row and row[0] is not None else None
    except ValueError:
        return None


def _set_meta(conn: sqlite3.Connection, key: str, value: int) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, str(value)),
    )


def _thin_observations(run: _Run, *, since: int, until: int, bucket_s: int, origin_s: int, key: str) -> None:
    """Keep the last observation of each model in each bucket in [since, until); until is a bucket edge.

    A kept row whose counters the Hub did not send (NULL) takes the last value sent earlier in its
    bucket, so the state at the bucket's end is what it was.
    """
    if until <= since:
        return
    max_mid = run.conn.execute("SELECT coalesce(max(mid), 0) FROM models").fetchone()[0]
    end = f"(observations.t - (observations.t - {origin_s}) % {bucket_s} + {bucket_s})"
    later = (
        f"EXISTS (SELECT 1 FROM observations n WHERE n.mid = observations.mid AND n.t > observations.t AND n.t < {end})"
    )
    # A Hub recount can lower downloadsAllTime; rates count only increases, so the row before a drop and
    # the row at its bottom stay: between the rows kept the counter then never falls, and the growth
    # between any two kept rows is what it was with every row.
    near = (
        "(SELECT n.dall FROM observations n WHERE n.mid = observations.mid AND n.t {op} observations.t"
        " AND n.dall IS NOT NULL ORDER BY n.t {order} LIMIT 1)"
    )
    no_turn = (
        f"(observations.dall IS NULL OR (coalesce({near.format(op='>', order='ASC')}, observations.dall)"
        f" >= observations.dall AND coalesce({near.format(op='<', order='DESC')}, observations.dall)"
        " <= observations.dall))"
    )
    fill = ", ".join(
        f"{c} = coalesce({c}, (SELECT p.{c} FROM observations p WHERE p.mid = observations.mid"
        f" AND p.t < observations.t AND p.t >= {end} - {bucket_s} AND p.{c} IS NOT NULL ORDER BY p.t DESC LIMIT 1))"
        for c in ("d30", "dall", "likes", "trend")
    )
    # The model ids as a list SQLite seeks one by one on the (mid, t) key: a BETWEEN on mid would read
    # each model's whole history to find the slice.
    mids = "WITH RECURSIVE m(mid) AS (SELECT ? UNION ALL SELECT mid + 1 FROM m WHERE mid < ?) "
    where = "mid IN m AND t >= ? AND t < ?"
    span = max(bucket_s, run.policy.chunk_days * DAY_S // bucket_s * bucket_s)
    cursor = f"{key}.next_mid"  # models [1, next_mid) of the slice starting at `since` are done
    lo = since
    while lo < until:
        hi = min(until, lo + span)
        start = (_get_meta(run.conn, cursor) or 1) if lo == since else 1
        for first in range(start, max_mid + 1, run.policy.chunk_models):
            last = min(max_mid, first + run.policy.chunk_models - 1)
            args = (first, last, lo, hi)
            _filled, deleted = run.transaction(
                [
                    (
                        f"{mids}UPDATE observations SET {fill} WHERE {where} AND (d30 IS NULL OR dall IS NULL"
                        f" OR likes IS NULL OR trend IS NULL) AND NOT {later}",
                        args,
                    ),
                    # Endpoints (asof) stay: every model rate is measured between them.
                    (f"{mids}DELETE FROM observations WHERE {where} AND asof IS NULL AND {later} AND {no_turn}", args),
                ],
                # A stopped run resumes after the last chunk it committed.
                {key: hi, cursor: 1} if last >= max_mid else {cursor: last + 1},
            )
            run.observations += deleted
        if start > max_mid:  # nothing left in this slice (it was finished, or there are no models)
            run.transaction([], {key: hi, cursor: 1})
        lo = hi


def _thin_rollups(run: _Run, *, since: int, until: int) -> None:
    if until <= since:
        return
    end = f"(rollups.h - rollups.h % {DAY_S} + {DAY_S})"
    span = run.policy.chunk_days * DAY_S
    lo = since
    while lo < until:
        hi = min(until, lo + span)
        (deleted,) = run.transaction(
            [
                (
                    f"DELETE FROM rollups WHERE h >= ? AND h < ? AND EXISTS (SELECT 1 FROM rollups n"
                    f" WHERE n.family = rollups.family AND n.scope = rollups.scope AND n.h > rollups.h"
                    f" AND n.h < {end})",
                    (lo, hi),
                )
            ],
            {_ROLLUPS_DAILY: hi},
        )
        run.rollups += deleted
        lo = hi


def _earliest(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT min(first_seen) FROM models").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _vacuum(conn: sqlite3.Connection, run: _Run) -> int:
    """Hand free pages back to the OS in small steps, each its own short transaction."""
    if conn.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:  # not INCREMENTAL: SQLite reuses free pages
        return 0
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    if free < run.policy.vacuum_min_free_pages:
        return 0
    freed = 0
    while free > 0:
        run.check()
        began = time.monotonic()
        # fetchall: the pragma frees one page per step of the statement.
        conn.execute(f"PRAGMA incremental_vacuum({int(run.policy.vacuum_step_pages)})").fetchall()
        run.transactions += 1
        run.longest = max(run.longest, time.monotonic() - began)
        left = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if left >= free:
            break
        freed, free = freed + free - left, left
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    return freed


def _downsample(conn: sqlite3.Connection, run: _Run, now: int, policy: RetentionPolicy) -> None:
    """Observations to daily then weekly, rollups to daily, each from where the last run stopped."""
    earliest = _earliest(conn)
    if earliest is None:
        return
    daily_until = day_start(now - policy.raw_days * DAY_S)
    weekly_until = week_start(now - policy.daily_days * DAY_S)
    rollups_until = day_start(now - policy.rollup_hourly_days * DAY_S)
    _thin_observations(
        run,
        since=day_start(max(earliest, _get_meta(conn, _OBS_DAILY) or 0)),
        until=daily_until,
        bucket_s=DAY_S,
        origin_s=0,
        key=_OBS_DAILY,
    )
    _thin_observations(
        run,
        since=week_start(max(earliest, _get_meta(conn, _OBS_WEEKLY) or 0)),
        until=weekly_until,
        bucket_s=WEEK_S,
        origin_s=WEEK_ORIGIN_S,
        key=_OBS_WEEKLY,
    )
    _thin_rollups(run, since=day_start(max(earliest, _get_meta(conn, _ROLLUPS_DAILY) or 0)), until=rollups_until)


def maintain(conn: sqlite3.Connection, now: int, policy: RetentionPolicy = DEFAULT_POLICY) -> MaintenanceReport:
    """Downsample what has aged past each resolution, then release freed pages; bounded by `policy`.

    `now` is the data's clock (the latest poll's time), not necessarily the wall clock.
    """
    run = _Run(conn, policy)
    complete = True
    error: str | None = None
    freed = 0
    try:
        # The WAL grows to the size of the pages a run rewrites; cut it back after checkpoints.
        conn.execute(f"PRAGMA journal_size_limit = {int(policy.wal_limit_bytes)}").fetchall()
        _downsample(conn, run, now, policy)
        freed = _vacuum(conn, run)
    except _Budget:
        complete = False
    except sqlite3.Error as err:  # busy, locked, disk full, damaged: the open chunk rolled back
        complete, error = False, str(err)
    if error is None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            _set_meta(conn, _LAST_DAY, now // DAY_S)
            _set_meta(conn, _PENDING, 0 if complete else 1)
            conn.execute("COMMIT")
        except sqlite3.Error as err:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            error = str(err)
    return MaintenanceReport(
        observations_deleted=run.observations,
        rollups_deleted=run.rollups,
        transactions=run.transactions,
        pages_freed=freed,
        seconds=time.monotonic() - run.began,
        longest_transaction_s=run.longest,
        complete=complete,
        error=error,
    )


def due(conn: sqlite3.Connection, now: int) -> bool:
    """Whether maintenance should run: once per day of the data's clock, or to finish a stopped run."""
    last = _get_meta(conn, _LAST_DAY)
    return last is None or last < now // DAY_S or bool(_get_meta(conn, _PENDING))


def maintain_if_due(
    conn: sqlite3.Connection, now: int, policy: RetentionPolicy = DEFAULT_POLICY
) -> MaintenanceReport | None:
    return maintain(conn, now, policy) if due(conn, now) else None
