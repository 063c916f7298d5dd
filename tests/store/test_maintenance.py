"""Retention and downsampling (DESIGN §6, §11): the right rows stay, the numbers shown do not move,
a second run changes nothing, and every run is cut into bounded transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hfwatch.analysis import metrics, views
from hfwatch.engine import Poller
from hfwatch.hub.client import HubClient
from hfwatch.records import Attribution, Lane, Metric, ModelRecord, PollResult, Scope, Via
from hfwatch.registry import Family, OrgRule, Registry
from hfwatch.store import Store, queries
from hfwatch.store.maintenance import (
    DAY_S,
    WEEK_ORIGIN_S,
    WEEK_S,
    RetentionPolicy,
    day_start,
    due,
    maintain,
    maintain_if_due,
    week_start,
)

H = 3600
T0 = 1_790_035_200  # 2026-09-22T00:00:00Z, a Tuesday
DAYS = 24
# Small windows so a few hundred polls cover every resolution: raw 2 days, daily to 9, weekly after.
POLICY = RetentionPolicy(raw_days=2, daily_days=9, rollup_hourly_days=4, max_seconds=None, vacuum_min_free_pages=1)
QWEN = Attribution(family="qwen", via=Via.ORG, country="CN", base_family="qwen", publisher_family="qwen")
DERIV = Attribution(family="qwen", via=Via.LINEAGE, country="CN", base_family="qwen", base_model="Qwen/A")
REGISTRY = Registry([Family(id="qwen", name="Qwen", developer="Alibaba", country="CN", orgs=(OrgRule("Qwen"),))])


def _records(k: int) -> list[ModelRecord]:
    """Poll k (hourly): A grows every hour with two recounts, B changes every third poll and sometimes
    comes without downloadsAllTime, C appears on day 5, D never changes."""
    recount = 60 if k % 97 in (40, 41) else 0
    out = [
        ModelRecord(
            id="Qwen/A",
            author="Qwen",
            downloads_30d=500 + k % 13,
            downloads_all_time=1000 + 37 * k - recount,
            likes=3,
            trending_score=k % 5,
            created_at=T0 - 90 * DAY_S,
        ),
        ModelRecord(
            id="u/B-GGUF",
            author="u",
            downloads_30d=40 + k // 3,
            downloads_all_time=None if k % 17 == 0 else 200 + 5 * (k // 3),
            likes=1,
            trending_score=0,
            created_at=T0 - 60 * DAY_S,
        ),
        ModelRecord(
            id="Qwen/D",
            author="Qwen",
            downloads_30d=7,
            downloads_all_time=70,
            likes=0,
            trending_score=0,
            created_at=T0 - 400 * DAY_S,
        ),
    ]
    if k >= 5 * 24:
        out.append(
            ModelRecord(
                id="Qwen/C",
                author="Qwen",
                downloads_30d=k,
                downloads_all_time=10 * k,
                likes=0,
                trending_score=1,
                created_at=T0 + 5 * DAY_S - H,
            )
        )
    return out


def _attrs(records: list[ModelRecord]) -> dict[str, Attribution]:
    return {r.id: QWEN if r.id.startswith("Qwen/") else DERIV for r in records}


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, int]:
    """Hourly polls at :10 for DAYS days; returns the file and the last poll's time (23:10, a day's last)."""
    path = tmp_path / "h.sqlite"
    with Store(path) as store:
        t = T0
        for k in range(DAYS * 24):
            t = T0 + k * H + 600
            records = _records(k)
            store.ingest(PollResult(lane=Lane.SLOW, started=t, finished=t, records=records), _attrs(records), t=t)
    return path, t


def _observations(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT mid, t, d30, dall, likes, trend, asof FROM observations ORDER BY mid, t").fetchall()


def _dump(conn: sqlite3.Connection) -> list[list[tuple]]:
    return [
        conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        for table in ("observations", "rollups", "models", "totals")
    ]


def _expected(rows: list[tuple], now: int, policy: RetentionPolicy) -> list[tuple]:
    """The rule, spelled out: per model, keep the last row of each day (before the raw window) or week
    (before the daily one), NULLs filled from earlier in the bucket; keep the rows around a drop of
    downloadsAllTime; keep the raw window as is."""
    daily_until = day_start(now - policy.raw_days * DAY_S)
    weekly_until = week_start(now - policy.daily_days * DAY_S)

    def bucket(t: int) -> tuple[str, int] | None:
        if t < weekly_until:
            return ("week", week_start(t))
        if t < daily_until:
            return ("day", day_start(t))
        return None

    out = []
    for mid in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == mid]
        known = [r[3] for r in mine if r[3] is not None]
        dall_rows = [r for r in mine if r[3] is not None]
        turns = set()
        for prev, cur, nxt in zip([None, *dall_rows[:-1]], dall_rows, [*dall_rows[1:], None], strict=True):
            if (nxt is not None and nxt[3] < cur[3]) or (prev is not None and prev[3] > cur[3]):
                turns.add(cur[1])
        assert known, "every model has some downloadsAllTime"
        for i, r in enumerate(mine):
            b = bucket(r[1])
            last_in_bucket = b is None or i + 1 == len(mine) or bucket(mine[i + 1][1]) != b
            if last_in_bucket and b is not None:
                filled = list(r)
                for col in range(2, 6):
                    if filled[col] is None:
                        earlier = [e[col] for e in mine[:i] if bucket(e[1]) == b and e[col] is not None]
                        filled[col] = earlier[-1] if earlier else None
                out.append(tuple(filled))
            elif last_in_bucket or r[1] in turns or r[6] is not None:  # endpoints (asof) stay
                out.append(r)
    return out


def test_downsampling_keeps_the_last_row_of_each_bucket(history: tuple[Path, int]) -> None:
    path, now = history
    with Store(path) as store:
        before = _observations(store.conn)
        report = maintain(store.conn, now, POLICY)
        after = _observations(store.conn)
    assert report.complete and report.error is None
    assert after == _expected(before, now, POLICY)
    assert report.observations_deleted == len(before) - len(after) > 0
    # Each resolution is what the policy says: hourly in the raw window, at most one per day, then week.
    daily_until = day_start(now - POLICY.raw_days * DAY_S)
    weekly_until = week_start(now - POLICY.daily_days * DAY_S)
    per_day: dict[tuple[int, int], int] = {}
    per_week: dict[tuple[int, int], int] = {}
    for mid, t, *_rest, asof in after:
        if asof is not None:  # endpoints are kept whatever the bucket: rates are measured between them
            continue
        if t < weekly_until:
            per_week[(mid, week_start(t))] = per_week.get((mid, week_start(t)), 0) + 1
        elif t < daily_until:
            per_day[(mid, day_start(t))] = per_day.get((mid, day_start(t)), 0) + 1
    assert per_week and per_day
    # More than one row in a bucket only where downloadsAllTime fell (a recount).
    assert sum(n > 1 for n in per_day.values()) + sum(n > 1 for n in per_week.values()) <= 6
    raw_before = [r for r in before if r[1] >= daily_until]
    assert [r for r in after if r[1] >= daily_until] == raw_before


def test_weeks_start_on_monday() -> None:
    monday = 1_790_553_600  # 2026-09-28T00:00:00Z
    assert week_start(monday + 3 * DAY_S + 5) == monday
    assert week_start(monday - 1) == monday - WEEK_S
    assert (monday - WEEK_ORIGIN_S) % WEEK_S == 0


def test_rollups_become_daily_after_their_window(history: tuple[Path, int]) -> None:
    path, now = history
    with Store(path) as store:
        maintain(store.conn, now, POLICY)
        rows = store.conn.execute("SELECT scope, family, h, t FROM rollups ORDER BY scope, family, h").fetchall()
    cut = day_start(now - POLICY.rollup_hourly_days * DAY_S)
    old = [r for r in rows if r[2] < cut]
    recent = [r for r in rows if r[2] >= cut]
    assert len({(s, f, day_start(h)) for s, f, h, _ in old}) == len(old)  # one per family x scope x day
    assert all(t % DAY_S == 23 * H + 600 for _, _, _, t in old)  # the last poll of each day
    assert len(recent) == 2 * (now - cut) // H + 2  # untouched: every hour, both scopes


def _shown(conn: sqlite3.Connection, now: int) -> dict[str, object]:
    """What the monitor would show, at the resolution kept: `now` is a day's last poll, windows are whole
    days, model sparklines stay in the daily part (10 days) and the 11-day rate ends on a Sunday night,
    the last poll of a week kept weekly."""
    out: dict[str, object] = {}
    for window in (6 * DAY_S, 11 * DAY_S):
        for scope in (Scope.ECOSYSTEM, Scope.FIRST_PARTY):
            for metric in (Metric.RATE, Metric.DOWNLOADS_30D, Metric.DOWNLOADS_ALL_TIME):
                rows = views.leaderboard(
                    conn,
                    REGISTRY,
                    scope=scope,
                    metric=metric,
                    now=now,
                    rate_window_s=window,
                    spark_points=14,
                    spark_span_s=14 * DAY_S,
                )
                out[f"{scope}/{metric}/{window}"] = [
                    (
                        r.family,
                        r.rate_per_day,
                        r.downloads_30d,
                        r.downloads_all_time,
                        r.models,
                        r.rank,
                        r.rank_change,
                        r.spark,
                    )
                    for r in rows
                ]
        models = views.family_models(
            conn, "qwen", now=now, rate_window_s=window, spark_points=10, spark_span_s=10 * DAY_S
        )
        out[f"models/{window}"] = [(m.row.id, m.rate_per_day, m.spark) for m in models]
    # The family chart's data: downloads/day per bucket, dated by the refreshes, in each scope.
    edges = metrics.bucket_edges(now - 14 * DAY_S, now, 14)
    for scope in ("first-party", "ecosystem"):
        grown = views.family_growth(conn, scope, now=now, since=now - 14 * DAY_S, family="qwen").get("qwen")
        out[f"history/{scope}"] = None if grown is None else grown.buckets(edges)
    return out


def test_rates_and_leaderboards_do_not_move(history: tuple[Path, int]) -> None:
    path, now = history
    with Store(path) as store:
        before = _shown(store.conn, now)
        report = maintain(store.conn, now, POLICY)
        assert report.observations_deleted > 0 and report.rollups_deleted > 0
        assert _shown(store.conn, now) == before


def test_a_second_run_changes_nothing(history: tuple[Path, int]) -> None:
    path, now = history
    with Store(path) as store:
        maintain(store.conn, now, POLICY)
        once = _dump(store.conn)
        # Forget the progress marks, so the second run re-reads everything it already thinned.
        store.conn.execute("DELETE FROM meta WHERE key LIKE 'maintenance.%'")
        again = maintain(store.conn, now, POLICY)
        assert again.observations_deleted == 0 and again.rollups_deleted == 0
        assert _dump(store.conn) == once


def test_runs_are_bounded_and_resume_where_they_stopped(history: tuple[Path, int], tmp_path: Path) -> None:
    path, now = history
    reference = tmp_path / "ref.sqlite"
    with Store(path) as store:
        store.conn.execute(f"VACUUM INTO '{reference}'")
    small = RetentionPolicy(
        raw_days=2,
        daily_days=9,
        rollup_hourly_days=4,
        max_seconds=None,
        chunk_models=1,
        chunk_days=2,
        max_transactions=3,
    )
    with Store(path) as store:
        runs = []
        while True:
            report = maintain(store.conn, now, small)
            runs.append(report)
            assert report.transactions <= 3 and report.error is None
            if report.complete:
                break
            assert due(store.conn, now)  # a stopped run is due again, the same day
            assert len(runs) < 500
        assert len(runs) > 5
        stepwise = _dump(store.conn)
    with Store(reference) as store:
        maintain(store.conn, now, POLICY)
        assert _dump(store.conn) == stepwise


def test_runs_once_per_day_of_the_data_clock(history: tuple[Path, int]) -> None:
    path, now = history
    with Store(path) as store:
        assert due(store.conn, now)
        assert maintain_if_due(store.conn, now, POLICY) is not None
        assert not due(store.conn, now + H // 2)
        assert maintain_if_due(store.conn, now + H // 2, POLICY) is None
        assert maintain_if_due(store.conn, now + DAY_S, POLICY) is not None


def test_a_busy_database_is_left_intact_and_retried(history: tuple[Path, int]) -> None:
    path, now = history
    with Store(path) as store:
        before = _dump(store.conn)
        store.conn.execute("PRAGMA busy_timeout = 0")
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            report = maintain(store.conn, now, POLICY)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert report.error is not None and not report.complete
        assert _dump(store.conn) == before
        assert due(store.conn, now)


def test_freed_pages_go_back_to_the_os(history: tuple[Path, int]) -> None:
    path, now = history
    with Store(path) as store:
        assert store.conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental, set at creation
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        report = maintain(store.conn, now, POLICY)
        assert report.pages_freed > 0
        assert store.conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert store.conn.execute("PRAGMA page_count").fetchone()[0] < pages


def test_a_slow_poll_runs_maintenance_and_a_fast_one_does_not(tmp_path: Path) -> None:
    poller = Poller(HubClient("http://127.0.0.1:9"), REGISTRY, retention=POLICY)
    records = _records(0)
    with Store(tmp_path / "h.sqlite") as store:
        fast = PollResult(lane=Lane.FAST, started=T0, finished=T0, records=records)
        assert poller.save(store, fast).ok
        assert queries.counts(store.conn)["polls"] == 1
        assert due(store.conn, T0)
        slow = PollResult(lane=Lane.SLOW, started=T0 + 60, finished=T0 + 60, records=records)
        assert poller.save(store, slow).ok
        assert not due(store.conn, T0 + 60)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="daily_days"):
        RetentionPolicy(raw_days=14, daily_days=7)
    with pytest.raises(ValueError, match="at least 1"):
        RetentionPolicy(chunk_models=0)
