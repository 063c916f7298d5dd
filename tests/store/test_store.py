"""The SQLite store (DESIGN §6): ownership checks, change-only history, rollups, atomic polls."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hfwatch.records import Attribution, Lane, ModelRecord, PollResult, Via
from hfwatch.store import Store, StoreError, WriterLock, queries, rollups
from hfwatch.store.schema import SCHEMA_VERSION

QWEN = Attribution(family="qwen", via=Via.ORG, country="CN", base_family="qwen", publisher_family="qwen")
QWEN_DERIV = Attribution(family="qwen", via=Via.LINEAGE, country="CN", base_family="qwen", base_model="Qwen/Qwen3-8B")


def rec(model_id: str, d30: int | None, dall: int | None, created: int = 0, **kw: object) -> ModelRecord:
    return ModelRecord(
        id=model_id,
        author=model_id.split("/")[0],
        downloads_30d=d30,
        downloads_all_time=dall,
        likes=1,
        trending_score=0,
        created_at=created,
        **kw,
    )  # type: ignore[arg-type]


def poll(records: list[ModelRecord], t: int, lane: Lane = Lane.SLOW, trending: list[str] | None = None) -> PollResult:
    return PollResult(lane=lane, started=t, finished=t, records=records, trending=trending or [])


def attrs(*records: ModelRecord) -> dict[str, Attribution]:
    return {r.id: (QWEN if r.id.startswith("Qwen/") else QWEN_DERIV) for r in records}


def test_new_file_is_marked_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "h.sqlite"
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_refuses_foreign_sqlite_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not hfwatch's"):
        Store(path)
    assert path.read_bytes() == before


def test_refuses_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer hfwatch"):
        Store(path)


def test_refuses_non_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database\n" * 10)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store(path)
    assert path.read_text().startswith("hello")


def test_readonly_needs_existing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database yet"):
        Store(tmp_path / "missing.sqlite", readonly=True)
    assert not (tmp_path / "missing.sqlite").exists()


def test_observations_stored_only_when_changed(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        a, b = rec("Qwen/Qwen3-8B", 100, 1000), rec("x/Qwen3-8B-GGUF", 10, 50)
        store.ingest(poll([a, b], 1000), attrs(a, b), t=1000)
        s2 = store.ingest(poll([a, b], 2000), attrs(a, b), t=2000)
        assert s2.changed == 0 and s2.new_models == 0
        a3 = rec("Qwen/Qwen3-8B", 120, 1100)
        s3 = store.ingest(poll([a3, b], 3000), attrs(a3, b), t=3000)
        assert s3.changed == 1
        mid = queries.model_by_id(store.conn, "Qwen/Qwen3-8B").mid  # type: ignore[union-attr]
        assert [o[0] for o in queries.observations(store.conn, mid)] == [1000, 3000]
        assert queries.model_by_id(store.conn, "Qwen/Qwen3-8B").last_seen == 3000  # type: ignore[union-attr]


def test_missing_counter_keeps_last_known_value(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        a = rec("Qwen/Qwen3-8B", 100, 1000)
        store.ingest(poll([a], 1000), attrs(a), t=1000)
        partial = rec("Qwen/Qwen3-8B", 150, None)
        store.ingest(poll([partial], 2000), attrs(partial), t=2000)
        row = queries.model_by_id(store.conn, "Qwen/Qwen3-8B")
        assert row is not None and row.d30 == 150 and row.dall == 1000


def test_failed_poll_is_recorded_and_stores_no_models(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        failed = PollResult(lane=Lane.FAST, started=1, finished=2, error="the Hub answered HTTP 503")
        store.record_failed(failed)
        last = queries.last_poll(store.conn)
        assert last is not None and last.status == "failed" and "503" in (last.error or "")
        assert queries.counts(store.conn)["models"] == 0


def test_last_poll_by_lane_and_outcome(tmp_path: Path) -> None:
    """The newest poll of a lane (and of those that succeeded), however the lanes and outcomes interleave."""
    with Store(tmp_path / "h.sqlite") as store:
        made: list[tuple[int, str, bool]] = []  # (pid, lane, ok), in the order written
        for t, lane, ok in [
            (1, Lane.FAST, True),
            (2, Lane.SLOW, True),
            (3, Lane.FAST, False),
            (4, Lane.FAST, True),
            (5, Lane.FAST, False),
            (6, Lane.SLOW, False),
        ]:
            result = poll([], t, lane)
            if ok:
                store.ingest(result, {}, t=t)
            else:
                store.record_failed(PollResult(lane=lane, started=t, finished=t, error="boom"))
            made.append((queries.last_poll_id(store.conn), lane.value, ok))
        for lane in (None, Lane.FAST.value, Lane.SLOW.value, Lane.DEEP.value):
            for ok_only in (False, True):
                want = [pid for pid, ln, ok in made if lane in (None, ln) and (ok or not ok_only)]
                got = queries.last_poll(store.conn, lane, ok_only=ok_only)
                assert (got.pid if got else None) == (max(want) if want else None), (lane, ok_only)


def test_ingest_is_atomic(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        a = rec("Qwen/A", 10, 1000)
        store.ingest(poll([a], 0), attrs(a), t=0)
        store.conn.execute("CREATE TRIGGER boom BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'x'); END")
        fresh = rec("Qwen/New", 1, 1, created=3600)
        with pytest.raises(sqlite3.DatabaseError):
            store.ingest(poll([fresh], 3600), attrs(fresh), t=3600)
        assert queries.model_by_id(store.conn, "Qwen/New") is None
        assert queries.counts(store.conn)["polls"] == 1


def test_feed_events_for_new_releases_and_trending_entries(tmp_path: Path) -> None:
    t0 = 10 * 86400
    with Store(tmp_path / "h.sqlite") as store:
        old, new = rec("Qwen/Old", 1, 1, created=0), rec("Qwen/New", 1, 1, created=t0 - 3600)
        store.ingest(poll([old, new], t0, Lane.FAST, trending=["Qwen/Old"]), attrs(old, new), t=t0)
        kinds = [(e.kind, e.model.id) for e in queries.recent_events(store.conn, 0)]
        assert kinds == [("new", "Qwen/New")]  # the first ranking is a baseline, not entries
        store.ingest(
            poll([old, new], t0 + 60, Lane.FAST, trending=["Qwen/New", "Qwen/Old"]), attrs(old, new), t=t0 + 60
        )
        latest = queries.recent_events(store.conn, t0 + 1)
        assert [(e.kind, e.model.id, e.rank) for e in latest] == [("trending", "Qwen/New", 1)]


def test_writer_lock_is_exclusive(tmp_path: Path) -> None:
    first, second = WriterLock(tmp_path / "h.sqlite"), WriterLock(tmp_path / "h.sqlite")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_slow_poll_never_overwrites_newer_counters_from_an_overlapping_poll(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        a = rec("Qwen/A", 10, 1000)
        store.ingest(poll([a], 0), attrs(a), t=0)
        newer = rec("Qwen/A", 12, 1100)
        store.ingest(poll([newer], 200, Lane.FAST), attrs(newer), t=200)
        # A slow poll that started at 100 (before the fast one finished) and read older counters.
        stale = rec("Qwen/A", 11, 1050)
        slow = PollResult(lane=Lane.SLOW, started=100, finished=300, records=[stale])
        store.ingest(slow, attrs(stale), t=300)
        row = queries.model_by_id(store.conn, "Qwen/A")
        assert row is not None and (row.d30, row.dall) == (12, 1100)
        assert [o[2] for o in queries.observations(store.conn, row.mid)] == [1000, 1100]
        assert row.dall == 1100, "the newest known counter stands"


def test_org_models_gone_from_their_listing_for_a_week_leave_the_totals(tmp_path: Path) -> None:
    day = 86400
    with Store(tmp_path / "h.sqlite") as store:
        old_id, kept = rec("Qwen/Renamed", 10, 1000), rec("Qwen/Kept", 5, 500)
        store.ingest(poll([old_id, kept], 0), attrs(old_id, kept), t=0)
        store.ingest(poll([kept], 2 * day), attrs(kept), t=2 * day)
        assert rollups.rollup_series(store.conn, "ecosystem", 0)["qwen"][-1].models == 2, "a hiccup is not a loss"
        store.ingest(poll([kept], 9 * day), attrs(kept), t=9 * day)
        last = rollups.rollup_series(store.conn, "ecosystem", 0)["qwen"][-1]
        assert (last.models, last.d30, last.dall) == (1, 5, 500)
        assert queries.model_by_id(store.conn, "Qwen/Renamed").family is None  # type: ignore[union-attr]


def test_a_family_filter_searches_every_model_of_the_family_literally_and_by_downloads(tmp_path: Path) -> None:
    records = [
        rec("Qwen/Qwen3-8B", 900, 9000, pipeline_tag="text-generation", library_name="transformers"),
        rec("Qwen/Qwen3-VL", 800, 8000, pipeline_tag="image-text-to-text"),
        rec("lab/a_b-Qwen", 5, 50, library_name="mlx"),
        rec("lab/axb-Qwen", 7, 70),
        rec("lab/100%-Qwen", 3, 30),
        rec("lab/Модель-qwen", 1, 10),
        rec("other/not-qwen", 10**6, 10**7),  # attributed to no family here: never listed
    ]
    with Store(tmp_path / "h.sqlite") as store:
        claimed = attrs(*records[:-1])
        store.ingest(poll(records, 1000), claimed, t=1000)

        def ids(needle: str, first_party_only: bool = False, limit: int = 500) -> list[str]:
            rows = queries.family_matching(store.conn, "qwen", needle, first_party_only=first_party_only, limit=limit)
            return [r.id for r in rows]

        assert ids("QWEN3") == ["Qwen/Qwen3-8B", "Qwen/Qwen3-VL"]  # case aside, most downloaded first
        assert ids("a_b") == ["lab/a_b-Qwen"] and ids("100%") == ["lab/100%-Qwen"]  # LIKE's wildcards are text
        assert ids("image-text") == ["Qwen/Qwen3-VL"] and ids("MLX") == ["lab/a_b-Qwen"]  # pipeline, library
        assert ids("lineage") == ["lab/axb-Qwen", "lab/a_b-Qwen", "lab/100%-Qwen", "lab/Модель-qwen"]  # via
        assert ids("модель") == ["lab/Модель-qwen"]  # folded as Python folds, beyond ASCII
        assert ids("qwen", first_party_only=True) == ["Qwen/Qwen3-8B", "Qwen/Qwen3-VL"]
        assert ids("qwen", limit=3) == ["Qwen/Qwen3-8B", "Qwen/Qwen3-VL", "lab/axb-Qwen"]
        assert ids("not-qwen") == [] and ids("zzz") == []
