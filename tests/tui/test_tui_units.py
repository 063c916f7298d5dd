"""The monitor's pure parts: number and sparkline formatting, the poll schedule, alert batching, the
remembered state, the releases filter, the status line and key bindings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rich.text import Text
from textual.binding import Binding

from hfwatch.records import Lane
from hfwatch.store.queries import EventRow, ModelRow
from hfwatch.tui import format as fmt
from hfwatch.tui import keys
from hfwatch.tui.alerts import AlertBatcher
from hfwatch.tui.app import HfWatchApp
from hfwatch.tui.scheduler import MIN_DELAY_S, MIN_INTERVAL_S, PollSchedule
from hfwatch.tui.screens.releases import FeedFilter
from hfwatch.tui.state import UiState
from hfwatch.tui.widgets.chart import nice_ticks
from hfwatch.tui.widgets.keyed_table import same
from hfwatch.tui.widgets.status_bar import StatusFacts, fit, status_parts

pytestmark = pytest.mark.ui


class Clock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def model(model_id: str, family: str = "qwen", country: str = "CN", pipeline: str = "text-generation") -> ModelRow:
    return ModelRow(
        mid=1,
        id=model_id,
        author=model_id.split("/")[0],
        family=family,
        base_family=family,
        publisher_family=None,
        via="org",
        country=country,
        base_model=None,
        created_at=0,
        pipeline=pipeline,
        library=None,
        params=None,
        gated=None,
        first_seen=0,
        last_seen=0,
        t=0,
        d30=1,
        dall=1,
        likes=1,
        trend=1,
    )


def test_numbers_and_ages() -> None:
    assert fmt.human(None) == "–" and fmt.human(999) == "999" and fmt.human(1_234_567) == "1.2M"
    assert fmt.percent(0.4567) == "45.7%" and fmt.percent(None) == "–"
    assert [fmt.age(s) for s in (5, 120, 7200, 86400 * 3, 86400 * 30, 86400 * 800)] == [
        "5s",
        "2m",
        "2h",
        "3d",
        "4w",
        "2y",
    ]
    assert fmt.rank_change(2).plain == "▲2" and fmt.rank_change(-1).plain == "▼1"
    assert fmt.rank_change(0).plain == "–"


def test_a_download_count_the_hub_has_not_made_yet_reads_not_yet() -> None:
    refresh = 1_000_000
    assert fmt.downloads(0, refresh + 1, refresh).plain == fmt.NOT_COUNTED  # created after the Hub's last count
    assert fmt.downloads(None, refresh + 1, refresh).plain == fmt.NOT_COUNTED
    assert fmt.downloads(0, refresh - 1, refresh).plain == "0"  # counted, and nobody downloaded it
    assert fmt.downloads(0, refresh, refresh).plain == "0"
    assert fmt.downloads(1_200, refresh + 1, refresh).plain == "1.2k"  # whatever the Hub counted stands
    assert fmt.downloads(0, refresh + 1, None).plain == "0"  # no refresh seen yet: nothing to say it is not a count
    assert fmt.downloads(0, None, refresh).plain == "0"  # creation unknown
    assert fmt.downloads(None, None, refresh).plain == fmt.DASH


def test_sparkline_scale_direction_and_unknown_start() -> None:
    rising = fmt.spark([1, 2, 3, 4, 5, 6, 7, 8], 8)
    assert rising.plain == "▁▂▃▄▅▆▇█" and rising.style == "green"
    assert fmt.spark([8, 7, 6, 5], 4).style == "red"
    # A 0.1% wobble of a big number stays small instead of spanning the whole cell.
    assert set(fmt.spark([1000.0, 1001.0, 1000.0, 1001.0], 4).plain) <= {"▁", "▂", "▃"}
    # Unknown buckets (None) are blank; a real 0 is the lowest bar, not blank.
    late = fmt.spark([None, None, None, None, 5, 6, 7, 8], 8)
    assert late.plain.startswith("    ") and len(late.plain) == 8
    assert fmt.spark([0, 0, 5, 8], 4).plain.startswith("▁▁")
    assert fmt.spark([None, None], 6).plain == " " * 6
    assert fmt.spark([], 6).plain == " " * 6
    assert len(fmt.spark(list(range(100)), 10).plain) == 10


def test_sparkline_across_a_coverage_change_is_two_trends_apart() -> None:
    # A deep walk ran in buckets 4-5 and found more models: the step from ~10 to ~100 is coverage, not a surge.
    values: list[float | None] = [10, 11, 12, 13, 50, 80, 100, 103]
    cell = fmt.spark(values, 8, regimes=(4, 6))
    assert cell.plain == "▁▃▆█··▁█"  # before: its own trend; during: dots; after: its own trend
    assert [(span.start, span.end, span.style) for span in cell.spans] == [
        (0, 4, "dim"),
        (4, 6, "dim"),
        (6, 8, "green"),
    ]
    assert fmt.spark(values, 8).plain == "▁▁▁▁▄▇██"  # what it drew before: a surge
    # Shrunk to 4 cells, a cell with a bucket the walk touched is a dot.
    assert fmt.spark(values, 4, regimes=(3, 6)).plain[1:3] == "··"
    # Under way (nothing after it yet): the earlier part dim, the rest dots, unknown buckets still blank.
    under_way = fmt.spark([None, 10, 12, 40], 4, regimes=(3, 4))
    assert under_way.plain == " ▁█·"
    assert len(fmt.spark(values, 16, regimes=(4, 6)).plain) == 16
    assert fmt.spark(values, 8, regimes=(0, 0)).plain == fmt.spark(values, 8).plain


def test_share_bar_in_eighths() -> None:
    assert fmt.bar(1.0, 4).plain == "████"
    assert fmt.bar(0.5, 4).plain == "██  "
    assert fmt.bar(0.0, 3).plain == "   " and fmt.bar(None, 3).plain == "   "
    assert fmt.bar(1 / 32, 4).plain.startswith("▏")


def test_hub_text_becomes_literal_safe_text() -> None:
    text = fmt.safe("[bold]x[/bold]\x1b]8;;http://evil\x07link\u202e", 40)
    assert isinstance(text, Text)
    assert text.plain.startswith("[bold]x[/bold]") and "\x1b" not in text.plain and "\u202e" not in text.plain
    assert text.spans == []


def test_cells_compare_as_shown() -> None:
    assert same(Text("▁▂", style="green"), Text("▁▂", style="green"))
    assert not same(Text("▁▂", style="green"), Text("▁▂", style="red"))
    assert not same(Text("1.2M"), Text("1.3M"))


def test_what_the_lanes_will_spend_before_a_window_resets() -> None:
    """The deep lane keeps this much of the window (hfwatch.deep.budget_short)."""
    clock = Clock()
    schedule = PollSchedule({Lane.FAST: 10.0, Lane.SLOW: 90.0}, clock=clock)
    assert schedule.need_within(300.0) == 0, "no poll has told its cost yet"
    schedule.finished(Lane.FAST, None, requests=2)
    schedule.finished(Lane.SLOW, None, requests=102)
    schedule.plan(Lane.FAST, 5.0)
    schedule.plan(Lane.SLOW, 60.0)
    assert schedule.need_within(4.0) == 0
    assert schedule.need_within(5.0) == 2
    assert schedule.need_within(59.0) == 2 * 6  # due at 5, 15, ..., 55
    assert schedule.need_within(300.0) == 2 * 30 + 102 * 3  # slow at 60, 150, 240
    schedule.started(Lane.SLOW)
    assert schedule.need_within(5.0) == 2 + 102, "a poll under way counts whole"
    schedule.paused = True
    assert schedule.need_within(300.0) == 0


def test_schedule_plans_scales_and_defers_for_budget() -> None:
    clock = Clock()
    schedule = PollSchedule({Lane.FAST: 10.0, Lane.SLOW: 90.0}, clock=clock)
    assert schedule.plan(Lane.FAST, 0.0) == MIN_DELAY_S
    schedule.plan(Lane.SLOW, 60.0)
    lane, wait = schedule.next_due() or (None, 0.0)
    assert lane is Lane.FAST and wait == pytest.approx(MIN_DELAY_S)
    schedule.started(Lane.FAST)
    assert schedule.running()[0].lane is Lane.FAST and schedule.remaining(Lane.FAST) is None
    schedule.finished(Lane.FAST, None, requests=2)
    assert schedule.last_ok_age() == 0.0
    clock.t += 25
    assert schedule.is_stale(schedule.last_ok_age())  # two fast intervals without a good poll
    schedule.scale(0.25)
    assert schedule.lanes[Lane.FAST].interval_s == MIN_INTERVAL_S
    assert schedule.lanes[Lane.SLOW].interval_s == 22.5
    assert schedule.remaining(Lane.SLOW) == 22.5, "a planned poll comes no later than the new interval"
    # A slow poll costs ~100 requests: with 40 left it waits for the window to reset.
    schedule.finished(Lane.SLOW, "boom", requests=100)
    assert schedule.lanes[Lane.SLOW].last_error == "boom"
    assert schedule.budget_wait(Lane.SLOW, 40, 30.0) == 31.0
    assert schedule.lanes[Lane.SLOW].waiting_for_budget
    assert schedule.budget_wait(Lane.SLOW, 400, 30.0) == 0.0
    # The client never spends its last few requests: a poll that needs them would stop halfway.
    assert schedule.budget_wait(Lane.SLOW, 104, 30.0, reserve=5) == 31.0
    assert schedule.budget_wait(Lane.SLOW, 105, 30.0, reserve=5) == 0.0
    assert schedule.budget_wait(Lane.FAST, 1, None) == 0.0
    # After failures a lane retries sooner, backing off up to its interval.
    assert schedule.next_delay(Lane.SLOW) == 22.5
    schedule.finished(Lane.FAST, "down")
    assert schedule.next_delay(Lane.FAST) == MIN_INTERVAL_S  # min(interval, 30 s)
    schedule.lanes[Lane.FAST].interval_s = 600
    assert schedule.next_delay(Lane.FAST) == 30
    schedule.finished(Lane.FAST, "down")
    assert schedule.next_delay(Lane.FAST) == 60
    schedule.finished(Lane.FAST, None)
    assert schedule.next_delay(Lane.FAST) == 600


def test_alerts_batch_a_burst_and_keep_a_gap() -> None:
    clock = Clock()
    batcher = AlertBatcher(clock=clock, min_gap_s=15)
    events = [EventRow(t=i, kind="new", rank=None, model=model(f"Qwen/m{i}")) for i in range(5)]
    events.append(EventRow(t=9, kind="trending", rank=3, model=model("Qwen/hot")))
    events.append(EventRow(t=9, kind="new", rank=None, model=model("meta/x", family="llama")))
    assert batcher.add(events, {"qwen"}) == 6
    alert = batcher.due(lambda f: f.title())
    assert alert is not None and alert.title == "Qwen: 5 new releases · 1 into trending"
    assert "… and 3 more" in alert.body
    assert batcher.add(events, {"qwen"}) == 0, "an event is alerted once"
    batcher.add([EventRow(t=20, kind="new", rank=None, model=model("Qwen/late"))], {"qwen"})
    assert batcher.due() is None and batcher.wait_s() == 15
    clock.t += 15
    late = batcher.due()
    assert late is not None and "Qwen/late" in late.body


def test_state_file_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    assert UiState.load(path).watched == set()
    assert UiState(watched={"qwen", "glm"}).save(path)
    assert UiState.load(path).watched == {"qwen", "glm"}
    path.write_text("{not json")
    assert UiState.load(path).watched == set()
    (tmp_path / "file").write_text("")
    assert not UiState(watched={"x"}).save(tmp_path / "file" / "x.json"), "an unwritable place is not fatal"


def test_releases_filter_terms() -> None:
    f = FeedFilter.parse("family:qwen cc:CN instruct")
    assert f.terms == {"family": ["qwen"], "country": ["cn"]} and f.words == ["instruct"]
    from hfwatch.registry import load_registry

    registry = load_registry()
    hit = EventRow(t=0, kind="new", rank=None, model=model("Qwen/Qwen3-8B-Instruct"))
    miss = EventRow(t=0, kind="new", rank=None, model=model("meta/Llama-4-Instruct", "llama", "US"))
    assert f.matches(hit, registry) and not f.matches(miss, registry)
    assert FeedFilter.parse("pipeline:text-gen").matches(hit, registry)
    assert FeedFilter.parse("family:Llama").matches(miss, registry), "family names match too"


LIVE_STATUS = StatusFacts(
    state="live",
    scope="ecosystem",
    metric="downloads_30d",
    last_poll_age_s=125,
    next_poll_s=175,
    api_remaining=462,
    api_limit=500,
)


def test_status_line_says_scope_and_metric_and_fits() -> None:
    facts = replace(LIVE_STATUS, activity="slow poll 3/90: qwen")
    full = fit(status_parts(facts), 200).plain
    assert "● live" in full and "polled 2m ago" in full and "next 2m" in full and "api 462/500" in full
    assert "ecosystem · 30d downloads" in full
    narrow = fit(status_parts(facts), 50).plain
    assert len(narrow) <= 50 and "ecosystem · 30d downloads" in narrow and "live" in narrow
    following = fit(
        status_parts(StatusFacts(state="following", scope="first-party", metric="rate", writer_pid="123")), 200
    ).plain
    assert "following (read-only) — pid 123 writes" in following


def test_the_deep_walk_is_the_first_part_a_narrow_status_line_drops() -> None:
    parts = status_parts(replace(LIVE_STATUS, interval_s=300, deep="deep 37% (page 12/150)"))
    full = fit(parts, 200).plain
    assert "deep 37% (page 12/150)" in full and "every 5m" in full
    # The narrowest line that still holds every part but one: the part left out is the deep walk's.
    one_less = len(full) - len(" · deep 37% (page 12/150)")
    squeezed = fit(parts, one_less).plain
    assert "deep" not in squeezed and "every 5m" in squeezed and len(squeezed) <= one_less


def test_chart_ticks_enclose_the_data() -> None:
    ticks = nice_ticks(3_879_326, 3_980_404, 4)
    assert ticks[0] <= 3_879_326 and ticks[-1] >= 3_980_404 and len(ticks) >= 2


def test_every_binding_has_an_id_and_ids_are_unique_per_screen() -> None:
    sections = HfWatchApp.binding_sections()
    for title, bindings in sections:
        if title == "Tables":
            continue
        ids = [b.id for b in bindings if isinstance(b, Binding)]
        assert all(ids), f"{title}: a binding without an id"
        assert len(ids) == len(set(ids)), f"{title}: duplicate ids"
    assert {
        "quit",
        "help",
        "poll_now",
        "pause",
        "interval_up",
        "interval_down",
        "metric",
        "scope",
        "prev_family",
        "next_family",
        "filter",
        "sort",
        "watch",
        "open_hub",
        "back",
        "command_palette",
        "open",
    } <= keys.binding_ids(sections)
    assert keys.key_display(Binding("left,left_square_bracket", "x", id="prev_family"), {}) == "← ["
    assert keys.key_display(Binding("r", "x", id="poll_now"), {"poll_now": "f5"}) == "f5"
