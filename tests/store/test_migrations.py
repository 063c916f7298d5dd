"""Forward migrations: a file written by an older hfwatch is brought to the current schema, its history kept
and read the same; v5's list index and history generation; v6's deep-walk marks by row; v7's followed models."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hfwatch.records import Lane, PollResult
from hfwatch.store import Store, db, queries, rollups
from hfwatch.store.db import _statements
from hfwatch.store.followed import FOLLOW_WINDOW_S
from hfwatch.store.maintenance import week_start
from hfwatch.store.schema import APPLICATION_ID, HISTORY_GENERATION_KEY, MIGRATIONS, SCHEMA_V1, SCHEMA_VERSION
from tests.helpers.store_polls import HOUR, T0, ingest, records


def old_file(path: Path, version: int) -> None:
    """An empty file exactly as hfwatch at schema `version` created it."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in _statements(SCHEMA_V1):
        conn.execute(statement)
    for v in range(1, version):
        for statement in _statements(MIGRATIONS[v]):
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


@contextmanager
def old_hfwatch(path: Path, version: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The file opened as hfwatch at schema `version` opened it, to write its history. This hfwatch's ingest
    also writes v7's `followed` column: it is there while the history is written and dropped after, so the
    file's tables are as that version left them."""
    monkeypatch.setattr(db, "SCHEMA_VERSION", version)
    with Store(path) as store:
        if version < 7:
            store.conn.execute("ALTER TABLE models ADD COLUMN followed INTEGER")
        yield store
        if version < 7:
            store.conn.execute("ALTER TABLE models DROP COLUMN followed")
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == version
    monkeypatch.undo()


def generation(store: Store) -> int:
    row = store.conn.execute("SELECT value FROM meta WHERE key = ?", (HISTORY_GENERATION_KEY,)).fetchone()
    return int(row[0])


def test_a_v4_file_with_history_migrates_and_reads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite"
    old_file(path, 4)
    # Its history written as hfwatch at v4 did: the same ingest, with v5 not known yet.
    with old_hfwatch(path, 4, monkeypatch) as store:
        for k in range(3):
            ingest(store, T0 + k * HOUR)
        before_rows = queries.family_models(store.conn, "qwen")
        before_series = rollups.rollup_series(store.conn, "ecosystem", 0)
    with Store(path) as store:
        conn = store.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert queries.family_models(conn, "qwen") == before_rows
        assert rollups.rollup_series(conn, "ecosystem", 0) == before_series
        listing = queries.family_listing(conn, "qwen")
        assert [(k.mid, k.id, k.via, k.d30) for k in listing] == [(r.mid, r.id, r.via, r.d30) for r in before_rows]
        first_party = queries.family_listing(conn, "qwen", first_party_only=True)
        assert [k.id for k in first_party] == [r.id for r in before_rows if r.via == "org"]
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "models_family_list" in names and "models_family" not in names
        plan = " ".join(
            r[3]
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT mid, id, via, d30 FROM models"
                " WHERE family = 'qwen' ORDER BY d30 DESC LIMIT 5"
            )
        )
        assert "COVERING INDEX models_family_list" in plan and "TEMP B-TREE" not in plan
        assert generation(store) == 0


def test_history_generation_moves_only_when_older_rollups_change(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        ingest(store, T0)
        start = generation(store)
        # Polls into new hours, and a second poll within the latest hour, leave older rollups alone.
        ingest(store, T0 + HOUR)
        ingest(store, T0 + HOUR + 600)
        ingest(store, T0 + 2 * HOUR)
        assert generation(store) == start
        conn = store.conn
        conn.execute("UPDATE rollups SET d30 = d30 + 1 WHERE h = ?", (T0 + HOUR,))
        assert generation(store) > start
        moved = generation(store)
        conn.execute("UPDATE rollups SET d30 = d30 + 1 WHERE h = ?", (T0 + 2 * HOUR,))
        assert generation(store) == moved, "the latest hour is not history yet"
        conn.execute("DELETE FROM rollups WHERE h = ?", (T0,))
        assert generation(store) > moved
        moved = generation(store)
        conn.execute(
            "INSERT INTO rollups (scope, h, family, t, models, d30, dall, growth) VALUES ('ecosystem', ?, 'x', ?, 1,"
            " 1, 1, 0)",
            (T0, T0),
        )
        assert generation(store) > moved, "a row written into an older hour"


def test_a_v5_walk_in_progress_keeps_the_models_it_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite"
    old_file(path, 5)
    with old_hfwatch(path, 5, monkeypatch) as store:
        ingest(store, T0)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM models ORDER BY id LIMIT 3")]
        # What hfwatch at v5 kept of a walk in progress: the names of the models it had counted.
        store.conn.executemany("INSERT INTO deep_seen (id) VALUES (?)", [(i,) for i in ids])
    with Store(path) as store:
        conn = store.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        counted = {r[0] for r in conn.execute("SELECT mid FROM deep_seen")}
        marks = ",".join("?" * len(ids))
        assert counted == {r[0] for r in conn.execute(f"SELECT mid FROM models WHERE id IN ({marks})", ids)}
        assert len(counted) == 3


def _deep_poll(store: Store, t: int) -> None:
    """The models of `records(t)` listed by a deep walk's page: a lane that follows none of them."""
    recs, attrs = records(t)
    store.ingest(PollResult(lane=Lane.DEEP, started=t, finished=t, records=recs, trending=[]), attrs, t=t)


def test_a_v6_files_tracked_models_write_every_change_for_a_week_then_weekly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite"
    old_file(path, 6)
    with old_hfwatch(path, 6, monkeypatch) as store:
        for k in range(3):
            ingest(store, T0 + k * HOUR)
        last_seen = dict(store.conn.execute("SELECT mid, last_seen FROM models"))
        before_rows = queries.family_models(store.conn, "qwen")
    with Store(path) as store:
        conn = store.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # The models' indexes by family and first-party org hold attributed models only, and read the same.
        assert queries.family_models(conn, "qwen") == before_rows
        for name in ("models_family_list", "models_newest", "models_family_created"):
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
            assert sql.endswith("IS NOT NULL"), sql
        # Which lane listed what, v6 did not keep: every tracked model counts as followed from its last sighting.
        assert dict(conn.execute("SELECT mid, followed FROM models")) == last_seen
        # Deep pages alone: every change is still written (each an endpoint) for a week after the last sighting...
        mids = sorted(last_seen)
        t = T0 + 2 * HOUR + FOLLOW_WINDOW_S
        _deep_poll(store, t)
        written = dict(conn.execute("SELECT mid, asof FROM observations WHERE t = ?", (t,)))
        assert set(mids) <= set(written) and all(written[m] is not None for m in mids)
        # ...and after it, a change is written only when it is the first of its week: an hour later, in the same
        # week, the counters of all of them moved again and none is written.
        later = t + 3600
        assert week_start(later) == week_start(t)
        moved = {r.id: r.downloads_all_time for r in records(later)[0]} != {
            r.id: r.downloads_all_time for r in records(t)[0]
        }
        _deep_poll(store, later)
        assert moved and conn.execute("SELECT count(*) FROM observations WHERE t = ?", (later,)).fetchone()[0] == 0
        # Their counters and endpoints in `models` still move: the family's growth reads those.
        assert conn.execute("SELECT count(*) FROM models WHERE t = ? AND family IS NOT NULL", (later,)).fetchone()[0]
