"""The rollups a reader keeps between refreshes answer exactly what reading them afresh answers, through
new hours, polls within the latest hour, maintenance thinning and a rewrite of an older hour."""

from __future__ import annotations

from pathlib import Path

from hfwatch.store import Store, queries, rollups
from hfwatch.store.maintenance import RetentionPolicy, maintain
from hfwatch.store.rollcache import RollupCache
from tests.helpers.store_polls import HOUR, T0, ingest

SCOPES = ("ecosystem", "first-party")


# Windows as a reader asks for them: each cache sees its window's start move forward with the data's clock
# (the whole history; the last day; the last 6 hours), and one cache is asked for all of them in turn, its
# window moving back and forth.
WINDOWS = {
    "all": lambda now: T0 - HOUR,
    "day": lambda now: now - 24 * HOUR,
    "6h": lambda now: now - 6 * HOUR + 1,
}


def check(reader: Store, caches: dict[str, RollupCache], now: int) -> int:
    """Compare the caches with a fresh read at several sample times; returns the comparisons made."""
    made = 0
    asked = [(name, name, window(now)) for name, window in WINDOWS.items()]
    asked += [("mixed", name, window(now)) for name, window in WINDOWS.items()]
    for scope in SCOPES:
        for cache, name, since in asked:
            times = [now, now - 5 * HOUR, now - 2 * HOUR - 1, since, T0 - 10 * HOUR, *range(T0, now + 1, 5 * HOUR)]
            with queries.snapshot(reader.conn):
                kept = caches[cache].series_at(reader.conn, scope, since, times)
                fresh = rollups.rollup_series_at(reader.conn, scope, since, times)
            assert kept == fresh, (scope, cache, name)
            made += 1
    return made


def new_caches() -> dict[str, RollupCache]:
    return {name: RollupCache() for name in (*WINDOWS, "mixed")}


def test_kept_rollups_answer_as_a_fresh_read(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with Store(path) as writer:
        ingest(writer, T0)
        with Store(path, readonly=True) as reader:
            cache = new_caches()
            check(reader, cache, T0)
            t = T0
            for step in range(1, 80):
                # Mostly a new hour, sometimes another poll within the latest one.
                t += 1200 if step % 4 == 0 else HOUR
                ingest(writer, t)
                check(reader, cache, t)
            assert len(rollups.rollup_series(reader.conn, "ecosystem", 0)["gemma"]) > 1
            # Maintenance thins hourly rollups older than a day into one a day.
            report = maintain(writer.conn, t, RetentionPolicy(raw_days=1, daily_days=2, rollup_hourly_days=1))
            assert report.rollups_deleted > 0
            check(reader, cache, t)
            # An older hour rewritten in place (as a late poll landing in it would).
            writer.conn.execute("UPDATE rollups SET d30 = d30 + 7 WHERE h = ?", (t - t % HOUR - 2 * HOUR,))
            assert check(reader, cache, t) == len(SCOPES) * 2 * len(WINDOWS)
            ingest(writer, t + HOUR)
            check(reader, cache, t + HOUR)


def test_a_file_without_a_history_generation_is_read_in_full(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with Store(path) as writer:
        for k in range(6):
            ingest(writer, T0 + k * HOUR)
        writer.conn.execute("DELETE FROM meta WHERE key = 'history.generation'")
        with Store(path, readonly=True) as reader:
            cache = new_caches()
            check(reader, cache, T0 + 5 * HOUR)
            writer.conn.execute("UPDATE rollups SET d30 = d30 + 7 WHERE h = ?", (T0 + HOUR,))
            check(reader, cache, T0 + 5 * HOUR)


def test_a_scopes_first_read_keeps_nothing_and_its_second_keeps_its_window(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with Store(path) as writer:
        for k in range(6):
            ingest(writer, T0 + k * HOUR)
        with Store(path, readonly=True) as reader:
            cache = RollupCache()
            now = T0 + 5 * HOUR
            whole = sum(len(points) for points in rollups.rollup_series(reader.conn, "ecosystem", T0).values())
            held = []
            for _ in range(3):
                with queries.snapshot(reader.conn):
                    kept = cache.series_at(reader.conn, "ecosystem", T0, [now, T0 + 2 * HOUR])
                    assert kept == rollups.rollup_series_at(reader.conn, "ecosystem", T0, [now, T0 + 2 * HOUR])
                held.append(cache.rows_kept("ecosystem"))
            assert whole > 0 and held == [0, whole, whole]
            assert cache.rows_kept("first-party") == 0
