"""When the Hub has counted a model's downloads: the rule every screen and export asks, and the refresh it
is measured against, as of now or as of an earlier time (`top --at`)."""

from __future__ import annotations

from pathlib import Path

from hfwatch.analysis.counted import counted, not_counted_yet
from hfwatch.store import Store, growth

REFRESH = 1_793_500_000


def test_a_counter_is_not_counted_yet_only_when_it_reads_nothing_for_a_model_made_after_the_last_count() -> None:
    assert not_counted_yet(0, REFRESH + 1, REFRESH) and not_counted_yet(None, REFRESH + 1, REFRESH)
    assert counted(0, REFRESH + 1, REFRESH) is None
    assert counted(0, REFRESH - 1, REFRESH) == 0  # counted, and nobody downloaded it: a real 0
    assert counted(0, REFRESH, REFRESH) == 0
    assert counted(5, REFRESH + 1, REFRESH) == 5  # what the Hub did count always stands
    assert counted(0, None, REFRESH) == 0 and counted(0, REFRESH + 1, None) == 0  # nothing to go on: as sent


def test_the_last_count_as_of_a_time_is_the_latest_refresh_up_to_it(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite") as store:
        conn = store.conn
        assert growth.last_refresh_instant(conn) is None  # no refresh seen yet
        for day in range(3):
            conn.execute(
                "INSERT INTO refreshes (t, changed, relisted, precise, instant) VALUES (?, 1, 0, 1, ?)",
                (REFRESH + day * 86400 + 600, REFRESH + day * 86400),
            )
        assert growth.last_refresh_instant(conn) == REFRESH + 2 * 86400
        assert growth.last_refresh_instant(conn, at=REFRESH + 86400 + 5) == REFRESH + 86400
        assert growth.last_refresh_instant(conn, at=REFRESH - 1) is None


def test_a_models_history_has_a_gap_not_a_0_before_the_hub_first_counted_it(tmp_path: Path) -> None:
    from hfwatch.records import Lane, ModelRecord, PollResult
    from hfwatch.registry import load_registry
    from hfwatch.tui.reader import Reader

    def poll(t: int, *records: ModelRecord) -> None:
        store.ingest(PollResult(lane=Lane.FAST, started=t, finished=t, records=list(records)), {}, t=t)

    def refresh(instant: int) -> None:
        store.conn.execute(
            "INSERT INTO refreshes (t, changed, relisted, precise, instant) VALUES (?, 1, 0, 1, ?)", (instant, instant)
        )

    fresh = ModelRecord("lab/fresh", "lab", 0, 0, 0, created_at=REFRESH + 100)
    quiet = ModelRecord("lab/quiet", "lab", 0, 0, 0, created_at=REFRESH - 100)  # counted, and at 0: a real 0
    with Store(tmp_path / "h.sqlite") as store:
        refresh(REFRESH)
        poll(REFRESH + 200, fresh, quiet)
        refresh(REFRESH + 86400)
        counted = ModelRecord("lab/fresh", "lab", 50, 50, 0, created_at=REFRESH + 100)
        poll(REFRESH + 86400 + 600, counted, quiet)
        reader = Reader(store, load_registry(), lambda: REFRESH + 86400 + 700)
        history = {m: reader.model_history(reader.model(m)) for m in ("lab/fresh", "lab/quiet")}  # type: ignore[arg-type]
    assert history["lab/fresh"].times == [REFRESH + 200, REFRESH + 86400 + 600]
    assert history["lab/fresh"].downloads_30d == [None, 50]
    assert history["lab/quiet"].downloads_30d == [0]
