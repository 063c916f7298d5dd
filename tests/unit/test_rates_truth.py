"""Rates against constructed truth, through the real store path, with a Hub whose counters step once a day.

Each scenario builds a staircase `downloadsAllTime` from known downloads per day (DESIGN §2), ingests the
listings hourly through `engine.store_records`, and checks what hfwatch shows against those downloads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hfwatch.analysis import views
from hfwatch.engine import store_records
from hfwatch.records import Lane, ModelRecord, PollResult
from hfwatch.registry import load_registry
from hfwatch.store import Store
from hfwatch.tui import format as fmt

DAY = 86400
HOUR = 3600
T0 = 20_000 * DAY  # a midnight
PHASE = 6 * HOUR  # the Hub refreshes at 06:00
BASE = 1_000_000
REGISTRY = load_registry()


def refresh(k: int) -> int:
    return T0 + k * DAY + PHASE


@dataclass
class Hub:
    """Downloads per day per model; the counter shows the downloads up to the latest refresh that ran."""

    per_day: dict[str, int]
    skipped: set[int] = field(default_factory=set)  # refresh numbers that repeated the day before
    stopped_at: dict[str, int] = field(default_factory=dict)  # no downloads after this time

    def counter(self, model: str, t: int) -> int:
        k = (t - T0 - PHASE) // DAY
        while k in self.skipped:
            k -= 1
        if k < 0:
            return BASE
        until = min(refresh(k), self.stopped_at.get(model, refresh(k)))
        return BASE + self.per_day[model] * (until - T0) // DAY

    def downloads(self, model: str, lo: int, hi: int) -> float:
        """What really happened in [lo, hi]: the truth the rates are checked against."""
        hi = min(hi, self.stopped_at.get(model, hi))
        return max(0, hi - lo) * self.per_day[model] / DAY


def run(
    store: Store,
    hub: Hub,
    start: int,
    end: int,
    *,
    listed: Callable[[str, int], bool] = lambda m, t: True,
    dall: bool = True,
) -> None:
    for t in range(start, end + 1, HOUR):
        records = [
            ModelRecord(id=m, downloads_30d=30 * n, downloads_all_time=hub.counter(m, t) if dall else None)
            for m, n in hub.per_day.items()
            if listed(m, t)
        ]
        store_records(store, PollResult(lane=Lane.SLOW, started=t, finished=t, records=records), REGISTRY)


def family(store: Store, fam: str, now: int, window: int, metric: str = "rate") -> views.FamilyRow:
    board = views.leaderboard(store.conn, REGISTRY, metric=metric, now=now, rate_window_s=window)
    return next(r for r in board if r.family == fam)


QWEN = {f"Qwen/Qwen3-{n}B": 1000 * n for n in (1, 2, 4, 8)}


def truth(hub: Hub, models: list[str], lo: int, hi: int) -> float:
    return sum(hub.downloads(m, lo, hi) for m in models) * DAY / (hi - lo)


def test_first_refresh_after_start_gives_no_rate_then_the_true_one(tmp_path: Path) -> None:
    # Failure 1: monitor started 2 h before a refresh; one refresh's jump was divided by the hours between polls.
    hub = Hub(dict(QWEN))
    with Store(tmp_path / "h.db") as store:
        start = refresh(0) - 2 * HOUR
        run(store, hub, start, start + 8 * HOUR)
        assert family(store, "qwen", start + 8 * HOUR, DAY).rate_per_day is None
        run(store, hub, start + 9 * HOUR, refresh(1) + 6 * HOUR)
        got = family(store, "qwen", refresh(1) + 6 * HOUR, 7 * DAY).rate_per_day
        assert got == pytest.approx(truth(hub, list(QWEN), refresh(0), refresh(1)), rel=0.10)


def test_refresh_after_a_skipped_day_carries_two_days(tmp_path: Path) -> None:
    # Failure 2: a refresh carrying two days doubled the 24 h rate.
    hub = Hub(dict(QWEN), skipped={3})
    with Store(tmp_path / "h.db") as store:
        run(store, hub, refresh(0) - HOUR, refresh(4) + 8 * HOUR)
        now = refresh(4) + 8 * HOUR
        got = family(store, "qwen", now, DAY).rate_per_day
        assert got == pytest.approx(truth(hub, list(QWEN), refresh(3), refresh(4)), rel=0.10)


def test_model_back_after_four_days_absent_spreads_its_growth_over_the_gap(tmp_path: Path) -> None:
    # Failure 3: a model missing from listings for 4 days had the gap's growth credited to one poll.
    hub = Hub(dict(QWEN))
    gone = "Qwen/Qwen3-8B"
    away = (refresh(2) + 2 * HOUR, refresh(6) + 2 * HOUR)
    with Store(tmp_path / "h.db") as store:
        run(
            store,
            hub,
            refresh(0) - HOUR,
            refresh(7) + 8 * HOUR,
            listed=lambda m, t: m != gone or not away[0] <= t < away[1],
        )
        for now in (away[1] + HOUR, refresh(7) + 8 * HOUR):
            got = family(store, "qwen", now, DAY).rate_per_day
            want = truth(hub, list(QWEN), now - DAY, now)
            assert got == pytest.approx(want, rel=0.10), now


def test_stopped_model_decays_and_the_window_ends_at_now(tmp_path: Path) -> None:
    # Failure 4: a model whose counter stopped 6 days ago kept its old rate.
    per_day = {"Qwen/Qwen3-1B": 1000, "Qwen/Qwen3-2B": 500, "Qwen/Qwen3-4B": 500, "Qwen/Qwen3-8B": 500}
    hub = Hub(per_day, stopped_at={"Qwen/Qwen3-1B": refresh(3)})
    now = refresh(9) + HOUR
    with Store(tmp_path / "h.db") as store:
        run(store, hub, refresh(0) - HOUR, now)
        row = next(v for v in views.family_models(store.conn, "qwen", now=now) if v.row.id == "Qwen/Qwen3-1B")
        observed_until = refresh(9)
        want = hub.downloads("Qwen/Qwen3-1B", now - 7 * DAY, observed_until) * DAY / (observed_until - now + 7 * DAY)
        assert row.rate_per_day == pytest.approx(want, rel=0.10)


def test_unknown_is_never_zero(tmp_path: Path) -> None:
    # Failure 5: no downloadsAllTime, no poll yet, no data: all were shown as 0.
    with Store(tmp_path / "empty.db") as store:
        board = views.leaderboard(store.conn, REGISTRY, now=T0)
        assert all(r.downloads_30d is None and r.share is None and r.spark == [] for r in board)
    hub = Hub({"Qwen/Qwen3-8B": 1000, "Qwen/Qwen3-4B": 1000, "Qwen/Qwen3-2B": 1000, "deepseek-ai/DeepSeek-V3": 500})
    with Store(tmp_path / "h.db") as store:
        start, end = refresh(0) - HOUR, refresh(2) + HOUR
        run(store, Hub({"deepseek-ai/DeepSeek-V3": 500}), start, end, dall=False)
        run(store, Hub({m: n for m, n in hub.per_day.items() if m.startswith("Qwen")}), start, end)
        ds = family(store, "deepseek", end, DAY, metric="downloads_all_time")
        assert ds.downloads_all_time is None and ds.rate_per_day is None and ds.models == 1
        assert ds.downloads_30d == 30 * 500
        qwen = family(store, "qwen", end, DAY)
        assert qwen.rate_per_day == pytest.approx(3000, rel=0.10)
        cn = next(c for c in views.countries(store.conn, REGISTRY, metric="rate", now=end) if c.country == "CN")
        assert cn.rate_per_day is None  # deepseek (CN, with a model) is unknown, so the sum is
        llama = family(store, "llama", end, DAY)
        assert llama.downloads_30d is None and llama.spark == []


def test_sparkline_buckets_unknown_blank_and_real_zero_drawn(tmp_path: Path) -> None:
    # Failure 6: leading unknown buckets drawn as 0 and a real 0 as blank.
    hub = Hub(
        {
            "Qwen/Qwen3-8B": 0,
            "Qwen/Qwen3-4B": 0,
            "Qwen/Qwen3-2B": 0,
            "mistralai/Mistral-7B": 800,
            "mistralai/Mistral-Small": 800,
            "mistralai/Mistral-Large": 800,
            "meta-llama/Llama-3-8B": 400,
        }
    )
    now = refresh(5) + HOUR
    with Store(tmp_path / "h.db") as store:
        # Llama's model is listed from day 3 on: the days before are unknown for it, not 0.
        run(store, hub, refresh(0) - HOUR, now, listed=lambda m, t: not m.startswith("meta") or t >= refresh(3) - HOUR)
        board = views.leaderboard(store.conn, REGISTRY, metric="rate", now=now, spark_points=10, spark_span_s=5 * DAY)
    by = {r.family: r for r in board}
    assert by["mistral"].spark[-3] == pytest.approx(3 * 800, rel=0.10)
    spark = by["llama"].spark
    assert spark[0] is None and spark[-3] == pytest.approx(400, rel=0.10)
    assert all(v == 0 for v in by["qwen"].spark)
    cell = fmt.spark(spark, 14)
    assert cell.plain.startswith(" ") and cell.plain.strip()
    # Qwen's models are listed every day and never grow: a real 0, drawn as the lowest bar.
    assert by["qwen"].rate_per_day == 0
    assert fmt.spark([0.0, 0.0, 5.0], 3).plain[0] == fmt.SPARK_BLOCKS[0]
    assert fmt.spark([None, 0.0, 5.0], 3).plain[0] == " "


def test_at_shows_the_history_as_it_stood_then(tmp_path: Path) -> None:
    hub = Hub(dict(QWEN), skipped={4})
    cut = refresh(3) + 5 * HOUR
    with Store(tmp_path / "all.db") as full, Store(tmp_path / "cut.db") as part:
        run(full, hub, refresh(0) - HOUR, refresh(6))
        run(part, hub, refresh(0) - HOUR, cut)
        for metric in ("rate", "downloads_30d", "downloads_all_time"):
            then = views.leaderboard(full.conn, REGISTRY, metric=metric, now=cut)
            stored = views.leaderboard(part.conn, REGISTRY, metric=metric, now=cut)
            assert [(r.family, r.value, r.spark) for r in then] == [(r.family, r.value, r.spark) for r in stored]
